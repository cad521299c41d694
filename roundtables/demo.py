"""Synthetic demo data: organisations, people and extra forums on top of the 2017 forum.

``seed_demo(scale=N, seed=S)`` is deterministic: every row is drawn from a random.Random
seeded with ``S`` and the row's own number, so the same scale and seed always give the same
rows, and a larger scale gives a superset of a smaller one. It is idempotent: rows are
matched on their natural keys (organisation name and country, username, forum slug,
sub-theme number, round-table code, question position, link ends), missing ones are
created in bulk, differing ones updated in bulk, and the questions and links of a demo
forum that the seed no longer draws are removed. Nothing outside the demo forums is deleted.

Texts are in English and French (Spanish falls back to them); names of people and
organisations are English, French or Spanish after their country.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation
from modeltranslation.translator import NotRegistered, translator

from common import outbox, pagecache
from roundtables.models import (
    Forum,
    ForumCompactTheme,
    GuidingQuestion,
    LinkSource,
    RoundTable,
    RoundTableTarget,
    RoundTableTheme,
    SubTheme,
)
from roundtables.programme.services import load_forum
from sdg_targets.models import CompactTheme, Target
from sdg_targets.services import Tally, translated
from stakeholders.models import Constituency, Organisation, Profile

DEMO_FORUM_PREFIX = "gfmd-demo-"
DEMO_EMAIL_DOMAIN = "example.org"
FORUMS_PER_SCALE = 20  # one demo forum per 20 of scale, at least one
SUB_THEMES_PER_FORUM = 3
BATCH_SIZE = 500
# IN (...) lookups are split so that SQLite's limit on query parameters is never reached.
LOOKUP_CHUNK = 900

# --- Word banks -----------------------------------------------------------------------------

COUNTRIES = {
    "en": [
        ("GB", ["London", "Manchester", "Birmingham"]),
        ("IE", ["Dublin", "Cork"]),
        ("US", ["New York", "Chicago", "Houston"]),
        ("CA", ["Toronto", "Vancouver"]),
        ("AU", ["Sydney", "Melbourne"]),
        ("NG", ["Lagos", "Abuja", "Kano"]),
        ("GH", ["Accra", "Kumasi"]),
        ("KE", ["Nairobi", "Mombasa"]),
        ("PH", ["Manila", "Cebu"]),
        ("IN", ["Delhi", "Mumbai", "Kochi"]),
        ("BD", ["Dhaka", "Chittagong"]),
        ("ZA", ["Johannesburg", "Cape Town"]),
        ("JM", ["Kingston"]),
        ("LK", ["Colombo"]),
        ("PK", ["Lahore", "Karachi"]),
    ],
    "fr": [
        ("FR", ["Paris", "Lyon", "Marseille", "Lille"]),
        ("BE", ["Bruxelles", "Liège"]),
        ("CH", ["Genève", "Lausanne"]),
        ("SN", ["Dakar", "Saint-Louis"]),
        ("CI", ["Abidjan", "Bouaké"]),
        ("MA", ["Rabat", "Casablanca", "Tanger"]),
        ("TN", ["Tunis", "Sfax"]),
        ("ML", ["Bamako"]),
        ("CM", ["Yaoundé", "Douala"]),
        ("HT", ["Port-au-Prince"]),
        ("BF", ["Ouagadougou"]),
        ("NE", ["Niamey"]),
        ("BJ", ["Cotonou"]),
        ("CD", ["Kinshasa"]),
    ],
    "es": [
        ("ES", ["Madrid", "Barcelona", "Valencia"]),
        ("MX", ["Ciudad de México", "Guadalajara", "Tijuana"]),
        ("AR", ["Buenos Aires", "Córdoba"]),
        ("CO", ["Bogotá", "Medellín"]),
        ("PE", ["Lima", "Arequipa"]),
        ("CL", ["Santiago", "Valparaíso"]),
        ("EC", ["Quito", "Guayaquil"]),
        ("GT", ["Ciudad de Guatemala"]),
        ("SV", ["San Salvador"]),
        ("HN", ["Tegucigalpa"]),
        ("BO", ["La Paz"]),
        ("CR", ["San José"]),
        ("DO", ["Santo Domingo"]),
        ("UY", ["Montevideo"]),
    ],
}
LANGUAGE_OF_COUNTRY = {code: lang for lang, countries in COUNTRIES.items() for code, _cities in countries}


def _words(text):
    """A word bank written compactly, "a | b | c", as a list."""
    return [word.strip() for word in text.split("|")]


FIRST_NAMES = {
    "en": _words("Amina | James | Grace | Samuel | Priya | Kwame | Emily | Daniel | Fatima | Michael | Aisha | David"),
    "fr": _words("Camille | Mamadou | Léa | Youssef | Aïcha | Julien | Fatou | Nicolas | Chloé | Moussa | Inès | Awa"),
    "es": _words("Lucía | Alejandro | María José | Diego | Valentina | Carlos | Camila | Javier | Sofía | Andrés"),
}
LAST_NAMES = {
    "en": _words(
        "Okafor | Smith | Mensah | Johnson | Khan | Williams | Mwangi | Brown | Reyes | Taylor | Osei | Patel"
    ),
    "fr": _words("Diallo | Martin | Traoré | Bernard | Benali | Dubois | Ndiaye | Moreau | Kouassi | El Idrissi | Sow"),
    "es": _words("García | Rodríguez | Martínez | López | Hernández | González | Pérez | Sánchez | Ramírez | Torres"),
}
POSITIONS = {
    "en": _words("Policy Officer | Head of Unit | Programme Manager | Researcher | Director | Legal Officer"),
    "fr": _words("Chargée de mission | Chef de service | Responsable de programme | Chercheur | Directrice | Juriste"),
    "es": _words("Oficial de políticas | Jefa de unidad | Gerente de programa | Investigador | Directora | Abogado"),
}
DELEGATE_STATUSES = [
    (Profile.DelegateStatus.NONE, 12),
    (Profile.DelegateStatus.REQUESTED, 4),
    (Profile.DelegateStatus.VERIFIED, 3),
    (Profile.DelegateStatus.REJECTED, 1),
]


def _de(name):
    """French "de" with elision: de Lyon, d'Abidjan."""
    return f"d'{name}" if name[:1].lower() in "aeiouyéèêàâîïôh" else f"de {name}"


# Per constituency and language: (name templates, {placeholder: words}); {city}, {de_city}
# and {surname} are filled for every template.
ORGANISATION_PARTS = {
    Constituency.GOVERNMENT: {
        "en": (
            ["{ministry} – {unit}"],
            {
                "ministry": _words(
                    "Ministry of Labour and Employment | Ministry of Foreign Affairs | Ministry of the Interior"
                    " | Ministry of Social Development | Ministry of Overseas Employment"
                    " | Ministry of Diaspora Affairs | Ministry of Justice | Ministry of Health"
                    " | Ministry of International Cooperation"
                ),
                "unit": _words(
                    "Department of Labour Migration | Diaspora Engagement Unit | Migration Policy Directorate"
                    " | Office for Returnees | Consular Affairs Division | Statistics and Data Unit"
                    " | Bureau of Migrant Workers | Integration Service"
                ),
            },
        ),
        "fr": (
            ["{ministry} – {unit}"],
            {
                "ministry": _words(
                    "Ministère du Travail | Ministère des Affaires étrangères | Ministère de l'Intérieur"
                    " | Ministère de la Solidarité | Ministère de l'Emploi | Ministère chargé de la Diaspora"
                    " | Ministère de la Justice | Ministère de la Santé | Ministère de la Coopération internationale"
                ),
                "unit": _words(
                    "Direction des migrations de travail | Cellule diaspora | Direction de la politique migratoire"
                    " | Bureau d'accueil des migrants de retour | Service des affaires consulaires"
                    " | Observatoire des migrations | Agence pour l'emploi à l'étranger | Service de l'intégration"
                ),
            },
        ),
        "es": (
            ["{ministry} – {unit}"],
            {
                "ministry": _words(
                    "Ministerio de Trabajo | Ministerio de Relaciones Exteriores | Ministerio del Interior"
                    " | Ministerio de Desarrollo Social | Ministerio de Inclusión y Migraciones"
                    " | Ministerio de Justicia | Ministerio de Salud | Ministerio de Economía"
                    " | Ministerio de Cooperación Internacional"
                ),
                "unit": _words(
                    "Dirección General de Migraciones | Oficina de Atención al Migrante"
                    " | Dirección de Asuntos Consulares | Unidad de Vinculación con la Diáspora"
                    " | Observatorio de Migraciones | Servicio de Integración | Dirección de Empleo en el Exterior"
                    " | Unidad de Retorno"
                ),
            },
        ),
    },
    Constituency.CIVIL_SOCIETY: {
        "en": (
            ["{city} {kind} {focus}", "{kind} {focus} – {city}"],
            {
                "kind": _words("Network | Association | Collective | Centre | Alliance | Foundation | Coalition"),
                "focus": _words(
                    "for Migrant Rights | of Migrant Women | for Diaspora Development | of Returnees"
                    " | for Refugee and Migrant Support | of Domestic Workers | for Fair Recruitment"
                    " | for Youth Mobility | of Seasonal Workers | for Legal Aid to Migrants"
                ),
            },
        ),
        "fr": (
            ["{kind} {focus} – {city}", "{kind} {focus} {de_city}"],
            {
                "kind": _words("Réseau | Association | Collectif | Centre | Alliance | Fondation | Coalition"),
                "focus": _words(
                    "pour les droits des migrants | des femmes migrantes | pour le développement de la diaspora"
                    " | des migrants de retour | d'aide aux réfugiés et migrants | des travailleurs domestiques"
                    " | pour le recrutement équitable | pour la mobilité des jeunes | des travailleurs saisonniers"
                    " | d'aide juridique aux migrants"
                ),
            },
        ),
        "es": (
            ["{kind} {focus} de {city}", "{kind} {focus} – {city}"],
            {
                "kind": _words("Red | Asociación | Colectivo | Centro | Alianza | Fundación | Coalición"),
                "focus": _words(
                    "por los Derechos de los Migrantes | de Mujeres Migrantes | para el Desarrollo de la Diáspora"
                    " | de Retornados | de Apoyo a Refugiados y Migrantes | de Trabajadoras del Hogar"
                    " | por la Contratación Equitativa | para la Movilidad Juvenil | de Trabajadores Temporeros"
                    " | de Asistencia Jurídica al Migrante"
                ),
            },
        ),
    },
    Constituency.PRIVATE_SECTOR: {
        "en": (
            ["{surname} {industry} Ltd", "{surname} {industry} Group", "{surname} & Partners {industry}"],
            {
                "industry": _words(
                    "Logistics | Remittances | Agrifoods | Construction | Recruitment | Hospitality | Telecom"
                    " | Health Services | Textiles | Fintech"
                ),
            },
        ),
        "fr": (
            ["{industry} {surname} SA", "Groupe {surname} {industry}", "{surname} & Associés – {industry}"],
            {
                "industry": _words(
                    "Logistique | Transferts | Agroalimentaire | Bâtiment | Recrutement | Hôtellerie | Télécom"
                    " | Santé | Textile | Fintech"
                ),
            },
        ),
        "es": (
            ["Grupo {surname} {industry}", "{surname} {industry} S.A.", "{industry} {surname} y Asociados"],
            {
                "industry": _words(
                    "Logística | Remesas | Agroindustria | Construcción | Reclutamiento | Hotelería"
                    " | Telecomunicaciones | Salud | Textiles | Fintech"
                ),
            },
        ),
    },
    Constituency.INTERNATIONAL_ORGANISATION: {
        "en": (
            ["{body} – {office} {city}"],
            {
                "body": _words(
                    "Regional Migration Observatory | Labour Mobility Partnership | Migration and Development Centre"
                    " | Global Skills Partnership Facility | Joint Migration and Development Programme"
                    " | Regional Diaspora Fund | Humanitarian Coordination Service | Regional Consultative Process"
                ),
                "office": _words(
                    "Regional Office | Liaison Office | Country Office | Programme Office | Sub-regional Office"
                ),
            },
        ),
        "fr": (
            ["{body} – {office} {de_city}"],
            {
                "body": _words(
                    "Observatoire régional des migrations | Partenariat pour la mobilité de la main-d'œuvre"
                    " | Centre international migration et développement | Facilité de partenariat pour les compétences"
                    " | Programme conjoint migration et développement | Fonds régional pour la diaspora"
                    " | Service de coordination humanitaire | Processus consultatif régional"
                ),
                "office": _words(
                    "Bureau régional | Bureau de liaison | Bureau de pays | Bureau de programme | Antenne"
                ),
            },
        ),
        "es": (
            ["{body} – {office} de {city}"],
            {
                "body": _words(
                    "Observatorio Regional de Migraciones | Alianza para la Movilidad Laboral"
                    " | Centro Internacional de Migración y Desarrollo | Mecanismo de Alianzas para las Competencias"
                    " | Programa Conjunto de Migración y Desarrollo | Fondo Regional para la Diáspora"
                    " | Servicio de Coordinación Humanitaria | Proceso Consultivo Regional"
                ),
                "office": _words(
                    "Oficina Regional | Oficina de Enlace | Oficina de País | Oficina de Programa | Antena"
                ),
            },
        ),
    },
    Constituency.ACADEMIA: {
        "en": (
            [
                "{unit}, University of {city}",
                "{unit}, {city} Institute of Technology",
                "{unit}, {city} Metropolitan University",
            ],
            {
                "unit": _words(
                    "Centre for Migration Studies | Department of Development Economics"
                    " | Institute for Diaspora Research | School of Public Policy | Refugee Law Clinic"
                    " | Department of Demography | Centre on Labour Mobility | Faculty of Social Sciences"
                    " | Department of Geography | Human Rights Centre | Department of Sociology | Law Faculty"
                ),
            },
        ),
        "fr": (
            [
                "{unit}, Université {de_city}",
                "{unit}, Institut polytechnique {de_city}",
                "{unit}, Institut d'études politiques {de_city}",
            ],
            {
                "unit": _words(
                    "Centre d'études des migrations | Département d'économie du développement"
                    " | Institut de recherche sur les diasporas | École de politiques publiques"
                    " | Clinique du droit des réfugiés | Département de démographie | Laboratoire mobilités et travail"
                    " | Faculté des sciences sociales | Département de géographie | Centre des droits de l'homme"
                    " | Département de sociologie | Faculté de droit"
                ),
            },
        ),
        "es": (
            [
                "{unit}, Universidad de {city}",
                "{unit}, Instituto Tecnológico de {city}",
                "{unit}, Universidad Nacional de {city}",
            ],
            {
                "unit": _words(
                    "Centro de Estudios Migratorios | Departamento de Economía del Desarrollo"
                    " | Instituto de Investigación sobre Diásporas | Escuela de Políticas Públicas"
                    " | Clínica Jurídica de Refugiados | Departamento de Demografía"
                    " | Laboratorio de Movilidad y Trabajo | Facultad de Ciencias Sociales | Departamento de Geografía"
                    " | Centro de Derechos Humanos"
                    " | Departamento de Sociología | Facultad de Derecho"
                ),
            },
        ),
    },
    Constituency.LOCAL_AUTHORITY: {
        "en": (
            ["City of {city} – {unit}", "{city} City Council – {unit}", "{city} Metropolitan Authority – {unit}"],
            {
                "unit": _words(
                    "Office for Migrant Inclusion | Welcome Centre | Department of Social Services"
                    " | Mayor's Office for Immigrant Affairs | Diaspora Liaison Office | Local Employment Agency"
                    " | Housing Department | Intercultural Council | Language Learning Service | Youth Service"
                    " | Office for International Relations | Public Health Department"
                ),
            },
        ),
        "fr": (
            ["Ville {de_city} – {unit}", "Mairie {de_city} – {unit}", "Métropole {de_city} – {unit}"],
            {
                "unit": _words(
                    "Service de l'inclusion des migrants | Centre d'accueil | Direction de l'action sociale"
                    " | Cabinet du maire | Bureau de liaison avec la diaspora | Maison de l'emploi"
                    " | Service du logement | Conseil interculturel | Service d'apprentissage des langues"
                    " | Service jeunesse | Direction des relations internationales | Service de santé publique"
                ),
            },
        ),
        "es": (
            [
                "Municipalidad de {city} – {unit}",
                "Alcaldía de {city} – {unit}",
                "Gobierno Municipal de {city} – {unit}",
            ],
            {
                "unit": _words(
                    "Oficina de Inclusión de Migrantes | Centro de Acogida | Dirección de Servicios Sociales"
                    " | Oficina del Alcalde | Enlace con la Diáspora | Agencia Local de Empleo"
                    " | Departamento de Vivienda | Consejo Intercultural | Servicio de Enseñanza de Idiomas"
                    " | Servicio de Juventud | Dirección de Relaciones Internacionales | Departamento de Salud Pública"
                ),
            },
        ),
    },
}
UNIT_WORD = {"en": "Unit", "fr": "Unité", "es": "Unidad"}

FORUM_THEMES = [
    ("Towards sustainable and inclusive mobility", "Vers une mobilité durable et inclusive"),
    ("Migration as a shared responsibility", "La migration, une responsabilité partagée"),
    (
        "Honouring international commitments to unleash the potential of all migrants",
        "Honorer les engagements internationaux pour libérer le potentiel de tous les migrants",
    ),
    ("Partnerships for migration and human development", "Partenariats pour la migration et le développement humain"),
    ("Migration, climate and the future of work", "Migration, climat et avenir du travail"),
    ("Cities, migrants and the 2030 Agenda", "Les villes, les migrants et le Programme 2030"),
]
SUB_THEME_TITLES = [
    (
        "Migration and development through national strategies",
        "Migration et développement à travers les stratégies nationales",
    ),
    (
        "Partnerships between countries of origin, transit and destination",
        "Partenariats entre pays d'origine, de transit et de destination",
    ),
    ("Strategies beyond the public sector", "Stratégies au-delà du secteur public"),
    ("Protecting the rights of all migrants", "Protéger les droits de tous les migrants"),
    ("Data, evidence and policy coherence", "Données, connaissances et cohérence des politiques"),
    ("Migration, climate and resilience", "Migration, climat et résilience"),
    ("Skills, labour markets and decent work", "Compétences, marchés du travail et travail décent"),
    ("Cities and the local governance of migration", "Les villes et la gouvernance locale des migrations"),
]
# (English, French) noun phrases; the French ones carry their article.
TOPICS = [
    ("labour mobility", "la mobilité de la main-d'œuvre"),
    ("remittances", "les transferts de fonds"),
    ("diaspora engagement", "l'engagement des diasporas"),
    ("skills recognition", "la reconnaissance des compétences"),
    ("return and reintegration", "le retour et la réintégration"),
    ("the protection of migrant workers", "la protection des travailleurs migrants"),
    ("migration data", "les données migratoires"),
    ("climate-related mobility", "la mobilité liée au climat"),
    ("the inclusion of migrants in cities", "l'inclusion des migrants dans les villes"),
    ("fair recruitment", "le recrutement équitable"),
    ("access to health services", "l'accès aux services de santé"),
    ("regular migration pathways", "les voies de migration régulière"),
    ("the rights of migrant women", "les droits des femmes migrantes"),
    ("the fight against trafficking in persons", "la lutte contre la traite des personnes"),
    ("financial inclusion", "l'inclusion financière"),
    ("the portability of social security", "la portabilité de la sécurité sociale"),
    ("youth employment", "l'emploi des jeunes"),
    ("policy coherence", "la cohérence des politiques"),
    ("public narratives on migration", "les discours publics sur la migration"),
    ("partnerships with the private sector", "les partenariats avec le secteur privé"),
]
ROUND_TABLE_TITLES = [
    ("Making {t} work for sustainable development", "Mettre {f} au service du développement durable"),
    ("Strengthening {t} through regional cooperation", "Renforcer {f} par la coopération régionale"),
    ("{T}: from commitments to implementation", "{F} : des engagements à la mise en œuvre"),
    ("Measuring and monitoring {t}", "Mesurer et suivre {f}"),
    ("Promoting {t} in line with the 2030 Agenda", "Promouvoir {f} conformément au Programme 2030"),
    ("{T} and the Global Compact: lessons from practice", "{F} et le pacte mondial : enseignements de la pratique"),
    ("Partnerships for {t}", "Des partenariats pour {f}"),
    ("Rethinking {t} beyond the public sector", "Repenser {f} au-delà du secteur public"),
]
EXPECTED_OUTCOMES = [
    (
        "Participants will identify good practices on {t} that can be replicated in other regions.",
        "Les participants identifieront des bonnes pratiques concernant {f} pouvant être reproduites "
        "dans d'autres régions.",
    ),
    (
        "The round table will formulate recommendations for the Global Compact on {t}.",
        "La table ronde formulera des recommandations pour le pacte mondial concernant {f}.",
    ),
    (
        "Governments and stakeholders will agree on indicators to follow progress on {t}.",
        "Les gouvernements et les parties prenantes s'accorderont sur des indicateurs pour suivre les progrès "
        "concernant {f}.",
    ),
    (
        "A short list of partnership proposals on {t} will be presented at the closing session.",
        "Une liste de propositions de partenariat concernant {f} sera présentée lors de la séance de clôture.",
    ),
]
BACKGROUNDS = [
    (
        "Progress on {t} remains uneven across regions, and reliable data are often missing.",
        "Les progrès concernant {f} restent inégaux selon les régions, et les données fiables font souvent défaut.",
    ),
    (
        "Several countries have recently adopted national strategies that address {t}.",
        "Plusieurs pays ont récemment adopté des stratégies nationales qui portent sur {f}.",
    ),
    (
        "Local authorities, employers and civil society play a growing role in {t}.",
        "Les autorités locales, les employeurs et la société civile jouent un rôle croissant concernant {f}.",
    ),
    (
        "The 2030 Agenda recognises the positive contribution of migrants, yet policies on {t} are rarely "
        "integrated into development planning.",
        "Le Programme 2030 reconnaît la contribution positive des migrants ; pourtant, les politiques concernant "
        "{f} sont rarement intégrées à la planification du développement.",
    ),
    (
        "Previous GFMD meetings highlighted the need for better coordination on {t}.",
        "Les précédentes réunions du FMMD ont souligné la nécessité d'une meilleure coordination concernant {f}.",
    ),
]
GUIDING_QUESTIONS = [
    (
        "How can governments and their partners improve {t}?",
        "Comment les gouvernements et leurs partenaires peuvent-ils améliorer {f} ?",
    ),
    (
        "Which policies on {t} have produced measurable results, and why?",
        "Quelles politiques concernant {f} ont produit des résultats mesurables, et pourquoi ?",
    ),
    (
        "What role can local authorities play in {t}?",
        "Quel rôle les autorités locales peuvent-elles jouer concernant {f} ?",
    ),
    ("How can the private sector support {t}?", "Comment le secteur privé peut-il soutenir {f} ?"),
    ("What data are needed to monitor {t}?", "Quelles données faut-il pour suivre {f} ?"),
    (
        "How can the voices of migrants themselves shape {t}?",
        "Comment la parole des migrants eux-mêmes peut-elle orienter {f} ?",
    ),
    (
        "Which partnerships between countries of origin and destination work best for {t}?",
        "Quels partenariats entre pays d'origine et de destination fonctionnent le mieux pour {f} ?",
    ),
    (
        "How can gender equality be integrated into {t}?",
        "Comment intégrer l'égalité entre les femmes et les hommes dans {f} ?",
    ),
    ("What lessons from the 2017 Forum apply to {t}?", "Quels enseignements du Forum 2017 peut-on tirer pour {f} ?"),
]


# --- Bulk synchronisation ---------------------------------------------------------------------


def _normalise(value):
    """Comparable form of a field value (django-countries returns Country objects)."""
    if isinstance(value, list | tuple):
        return [_normalise(item) for item in value]
    code = getattr(value, "code", None)
    if code is not None and not isinstance(value, str):
        return code
    return value


def _translated_base_fields(model):
    """{"title_en": "title", …} for a model registered with modeltranslation."""
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return {}
    return {tf.name: base for base, fields in options.all_fields.items() for tf in fields}


def _chunks(values, size=LOOKUP_CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _key(obj, key_fields):
    return tuple(_normalise(getattr(obj, name)) for name in key_fields)


def _sync(tally, model, key_fields, wanted, existing, *, delete_others=False):
    """Make ``existing`` (rows of ``model``) hold ``wanted`` ({key: {field: value}}).

    Missing rows are created with bulk_create, differing ones updated with bulk_update;
    with ``delete_others`` the existing rows whose key is not wanted are deleted.
    Returns {key: row} for the wanted keys.
    """
    rows = {_key(obj, key_fields): obj for obj in existing}
    base_of = _translated_base_fields(model)
    to_create, to_update, update_fields = [], [], set()
    for key, values in wanted.items():
        obj = rows.get(key)
        if obj is None:
            obj = model(**dict(zip(key_fields, key, strict=True)), **values)
            to_create.append(obj)
            rows[key] = obj
            continue
        changed = [name for name, value in values.items() if _normalise(getattr(obj, name)) != _normalise(value)]
        if not changed:
            tally.unchanged += 1
            continue
        for name in changed:
            setattr(obj, name, values[name])
            update_fields.add(name)
            if name in base_of:  # keep the original column (default language) in step
                update_fields.add(base_of[name])
        to_update.append(obj)
    if to_create:
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        tally.created += len(to_create)
        if any(obj.pk is None for obj in to_create):  # a backend that returns no ids
            fresh = model.objects.filter(**{f"{key_fields[0]}__in": {getattr(o, key_fields[0]) for o in to_create}})
            by_key = {_key(obj, key_fields): obj for obj in fresh}
            for obj in to_create:
                obj.pk = by_key[_key(obj, key_fields)].pk
    if to_update:
        model.objects.bulk_update(to_update, sorted(update_fields), batch_size=BATCH_SIZE)
        tally.updated += len(to_update)
    if delete_others:
        extra = [obj.pk for key, obj in rows.items() if key not in wanted]
        for chunk in _chunks(extra):
            tally.deleted += model.objects.filter(pk__in=chunk).delete()[1].get(model._meta.label, 0)
    return {key: rows[key] for key in wanted}


def _existing(queryset, lookup, values):
    """Rows of ``queryset`` whose ``lookup`` is among ``values``, fetched in chunks."""
    rows = []
    for chunk in _chunks(values):
        rows.extend(queryset.filter(**{f"{lookup}__in": chunk}).order_by())
    return rows


# --- Drawing the data -------------------------------------------------------------------------


def _rng(seed, *parts):
    """A generator of its own for each row: the same row whatever the scale."""
    return random.Random(":".join(str(part) for part in (seed, *parts)))


def _organisation(rng, constituency):
    lang = rng.choice(sorted(COUNTRIES))
    country, cities = rng.choice(COUNTRIES[lang])
    city = rng.choice(cities)
    templates, fillers = ORGANISATION_PARTS[constituency][lang]
    words = {placeholder: rng.choice(choices) for placeholder, choices in fillers.items()}
    name = rng.choice(templates).format(city=city, de_city=_de(city), surname=rng.choice(LAST_NAMES[lang]), **words)
    return lang, name, country


def _organisation_rows(scale, seed):
    """{(name, country): {"constituency": …}}: ``scale`` organisations of each constituency."""
    rows, by_constituency = {}, {}
    for constituency in Constituency.values:
        keys = []
        for number in range(1, scale + 1):
            rng = _rng(seed, "organisation", constituency, number)
            for _attempt in range(8):
                lang, name, country = _organisation(rng, constituency)
                if (name, country) not in rows:
                    break
            else:
                name = f"{name} – {UNIT_WORD[lang]} {number}"
            rows[(name, country)] = {"constituency": constituency}
            keys.append((name, country))
        by_constituency[constituency] = keys
    return rows, by_constituency


def _person(rng, number, organisation):
    lang = LANGUAGE_OF_COUNTRY.get(str(organisation.country), "en")
    return lang, {
        "first_name": rng.choice(FIRST_NAMES[lang]),
        "last_name": rng.choice(LAST_NAMES[lang]),
        "email": f"demo-{number}@{DEMO_EMAIL_DOMAIN}",
        "is_active": True,
    }


def _delegate_status(rng, constituency):
    """Only people of a government can ask to be recognised as its delegates."""
    status = rng.choices([status for status, _w in DELEGATE_STATUSES], [w for _s, w in DELEGATE_STATUSES])[0]
    return status if constituency == Constituency.GOVERNMENT else Profile.DelegateStatus.NONE


def _texts(rng, pairs, topic, count):
    en, fr = [], []
    for template_en, template_fr in rng.sample(pairs, count):
        en.append(_fill(template_en, topic))
        fr.append(_fill(template_fr, topic))
    return {"en": " ".join(en), "fr": " ".join(fr)}


def _fill(template, topic):
    t, f = topic
    return template.format(t=t, f=f, T=t[:1].upper() + t[1:], F=f[:1].upper() + f[1:])


def _forum_spec(seed, number, targets, themes):
    """Everything about demo forum ``number``, drawn from its own generator."""
    rng = _rng(seed, "forum", number)
    lang = rng.choice(sorted(COUNTRIES))
    hosts = rng.sample(COUNTRIES[lang], rng.choice([1, 1, 2]))
    city = rng.choice(hosts[0][1])
    year = 2017 + number
    start = datetime.date(year, rng.randint(1, 11), rng.randint(1, 25))
    theme_en, theme_fr = rng.choice(FORUM_THEMES)
    forum = {
        "edition": 100 + number,
        "year": year,
        "city": city,
        "host_countries": sorted(code for code, _cities in hosts),
        "start_date": start,
        "end_date": start + datetime.timedelta(days=rng.randint(2, 3)),
        "concept_note_date": start - datetime.timedelta(days=rng.randint(120, 240)),
        "is_current": False,
        **translated(
            "title",
            {
                "en": f"GFMD demonstration forum {number} – {city} {year}",
                "fr": f"Forum de démonstration {number} du FMMD – {city} {year}",
            },
        ),
        **translated("theme", {"en": theme_en, "fr": theme_fr}),
        **translated(
            "theme_description",
            {
                "en": f"The main theme “{theme_en}” frames the discussions of the demonstration forum held in {city}. "
                "The round tables are built around the migration-related Sustainable Development Goals and the "
                "themes of the Global Compact for Migration.",
                "fr": f"Le thème principal « {theme_fr} » structure les débats du forum de démonstration "
                f"tenu à {city}. Les tables rondes s'articulent autour des objectifs de développement durable "
                "relatifs aux migrations et des thèmes du pacte mondial sur les migrations.",
            },
        ),
        **translated(
            "introduction",
            {
                "en": f"This forum was generated for demonstrations and tests (seed {seed}). "
                "Its texts are synthetic and do not describe a real GFMD meeting.",
                "fr": f"Ce forum a été généré pour des démonstrations et des tests (graine {seed}). "
                "Ses textes sont synthétiques et ne décrivent pas une réunion réelle du FMMD.",
            },
        ),
        **translated(
            "thematic_workshop",
            {
                "en": f"A thematic workshop in {city} prepares the round tables with governments and partners.",
                "fr": f"Un atelier thématique à {city} prépare les tables rondes avec les gouvernements et leurs "
                "partenaires.",
            },
        ),
        **translated(
            "impact",
            {
                "en": "The outcomes will be shared with the Global Compact's review process.",
                "fr": "Les résultats seront partagés avec le processus d'examen du pacte mondial.",
            },
        ),
    }
    forum_themes = {
        theme.pk: rng.choice(LinkSource.values) for theme in rng.sample(themes, min(len(themes), rng.randint(2, 3)))
    }
    sub_themes, round_tables = [], []
    topics = rng.sample(TOPICS, SUB_THEMES_PER_FORUM * 4)
    position = 0
    for sub_number, (title_en, title_fr) in enumerate(rng.sample(SUB_THEME_TITLES, SUB_THEMES_PER_FORUM), start=1):
        sub_themes.append((sub_number, translated("title", {"en": title_en, "fr": title_fr})))
        for rt_number in range(1, rng.randint(2, 4) + 1):
            position += 1
            topic = topics.pop()
            title = _texts(rng, ROUND_TABLE_TITLES, topic, 1)
            questions = [
                translated("text", {"en": _fill(en, topic), "fr": _fill(fr, topic)})
                for en, fr in rng.sample(GUIDING_QUESTIONS, rng.randint(3, 6))
            ]
            round_tables.append(
                {
                    "code": f"{sub_number}.{rt_number}",
                    "sub_number": sub_number,
                    "values": {
                        "position": position,
                        "co_chairing_governments": sorted(
                            code for code, _cities in rng.sample(COUNTRIES[rng.choice(sorted(COUNTRIES))], 2)
                        ),
                        **translated("title", title),
                        **translated("expected_outcomes", _texts(rng, EXPECTED_OUTCOMES, topic, 2)),
                        **translated("background", _texts(rng, BACKGROUNDS, topic, 3)),
                    },
                    "questions": questions,
                    "targets": {
                        target.pk: rng.choice(LinkSource.values)
                        for target in rng.sample(targets, min(len(targets), rng.randint(1, 3)))
                    },
                    "themes": {
                        theme.pk: rng.choice(LinkSource.values)
                        for theme in rng.sample(themes, min(len(themes), rng.randint(1, 2)))
                    },
                }
            )
    return {
        "slug": f"{DEMO_FORUM_PREFIX}{number}",
        "values": forum,
        "themes": forum_themes,
        "sub_themes": sub_themes,
        "round_tables": round_tables,
    }


# --- The service --------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    scale: int
    seed: int
    forum_2017: str = ""
    tallies: dict = field(default_factory=dict)  # label -> Tally
    totals: dict = field(default_factory=dict)  # label -> rows of the demo data now in the database

    def tally(self, label):
        return self.tallies.setdefault(label, Tally())

    @property
    def changed(self):
        return any(t.created or t.updated or t.deleted for t in self.tallies.values())

    def lines(self):
        yield f"seed_demo scale={self.scale} seed={self.seed}"
        yield f"  gfmd-2017 (load_forum): {self.forum_2017}"
        width = max(len(label) for label in self.tallies)
        for label, tally in self.tallies.items():
            yield f"  {label:<{width}}  rows={self.totals.get(label, 0):<6} {tally}"

    def __str__(self):
        return "\n".join(self.lines())


def _seed_people(summary, scale, seed):
    wanted, by_constituency = _organisation_rows(scale, seed)
    existing = _existing(Organisation.objects.all(), "name", {name for name, _country in wanted})
    organisations = _sync(summary.tally("organisations"), Organisation, ("name", "country"), wanted, existing)

    User = get_user_model()
    people = {}
    for number in range(1, scale + 1):
        rng = _rng(seed, "user", number)
        constituency = Constituency.values[(number - 1) % len(Constituency.values)]
        # Among the first ``number`` organisations, so that a larger scale keeps this draw.
        organisation = organisations[by_constituency[constituency][rng.randrange(number)]]
        lang, user_values = _person(rng, number, organisation)
        people[number] = (constituency, organisation, lang, user_values, rng)
    usernames = {f"demo-{number}@{DEMO_EMAIL_DOMAIN}": number for number in people}
    existing_users = _existing(User.objects.all(), "username", usernames)
    known = {user.username for user in existing_users}
    wanted_users = {}
    for username, number in usernames.items():
        values = dict(people[number][3])
        if username not in known:  # a new account gets an unusable password; an existing one keeps its own
            user = User(username=username)
            user.set_unusable_password()
            values["password"] = user.password
        wanted_users[(username,)] = values
    users = _sync(summary.tally("users"), User, ("username",), wanted_users, existing_users)

    wanted_profiles = {}
    for username, number in usernames.items():
        constituency, organisation, lang, _values, rng = people[number]
        wanted_profiles[(users[(username,)].pk,)] = {
            "organisation_id": organisation.pk,
            "constituency": constituency,
            "country": str(organisation.country),
            "position": rng.choice(POSITIONS[lang]),
            "preferred_language": lang,
            "delegate_status": _delegate_status(rng, constituency),
        }
    existing_profiles = _existing(Profile.objects.all(), "user_id", [key[0] for key in wanted_profiles])
    _sync(summary.tally("profiles"), Profile, ("user_id",), wanted_profiles, existing_profiles)
    summary.totals["organisations"] = len(organisations)
    summary.totals["users"] = summary.totals["profiles"] = len(users)


def _seed_forums(summary, scale, seed):
    targets = list(Target.objects.order_by("code"))
    themes = list(CompactTheme.objects.order_by("code"))
    specs = [_forum_spec(seed, number, targets, themes) for number in range(1, max(1, scale // FORUMS_PER_SCALE) + 1)]

    slugs = [spec["slug"] for spec in specs]
    forums = _sync(
        summary.tally("forums"),
        Forum,
        ("slug",),
        {(spec["slug"],): spec["values"] for spec in specs},
        _existing(Forum.objects.all(), "slug", slugs),
    )
    forum_ids = [forum.pk for forum in forums.values()]
    forum_of = {spec["slug"]: forums[(spec["slug"],)].pk for spec in specs}

    _sync(
        summary.tally("forum theme links"),
        ForumCompactTheme,
        ("forum_id", "theme_id"),
        {
            (forum_of[spec["slug"]], theme_id): {"source": source}
            for spec in specs
            for theme_id, source in spec["themes"].items()
        },
        _existing(ForumCompactTheme.objects.all(), "forum_id", forum_ids),
        delete_others=True,
    )
    sub_themes = _sync(
        summary.tally("sub-themes"),
        SubTheme,
        ("forum_id", "number"),
        {(forum_of[spec["slug"]], number): values for spec in specs for number, values in spec["sub_themes"]},
        _existing(SubTheme.objects.all(), "forum_id", forum_ids),
        delete_others=True,
    )
    wanted_rts = {}
    for spec in specs:
        forum_id = forum_of[spec["slug"]]
        for rt in spec["round_tables"]:
            sub_theme_id = sub_themes[(forum_id, rt["sub_number"])].pk
            wanted_rts[(forum_id, rt["code"])] = {"sub_theme_id": sub_theme_id, **rt["values"]}
    round_tables = _sync(
        summary.tally("round tables"),
        RoundTable,
        ("forum_id", "code"),
        wanted_rts,
        _existing(RoundTable.objects.all(), "forum_id", forum_ids),
        delete_others=True,
    )

    questions, target_links, theme_links = {}, {}, {}
    for spec in specs:
        forum_id = forum_of[spec["slug"]]
        for rt in spec["round_tables"]:
            rt_id = round_tables[(forum_id, rt["code"])].pk
            for position, values in enumerate(rt["questions"], start=1):
                questions[(rt_id, position)] = values
            for target_id, source in rt["targets"].items():
                target_links[(rt_id, target_id)] = {"source": source}
            for theme_id, source in rt["themes"].items():
                theme_links[(rt_id, theme_id)] = {"source": source}
    rt_ids = [rt.pk for rt in round_tables.values()]
    _sync(
        summary.tally("guiding questions"),
        GuidingQuestion,
        ("round_table_id", "position"),
        questions,
        _existing(GuidingQuestion.objects.all(), "round_table_id", rt_ids),
        delete_others=True,
    )
    _sync(
        summary.tally("round-table target links"),
        RoundTableTarget,
        ("round_table_id", "target_id"),
        target_links,
        _existing(RoundTableTarget.objects.all(), "round_table_id", rt_ids),
        delete_others=True,
    )
    _sync(
        summary.tally("round-table theme links"),
        RoundTableTheme,
        ("round_table_id", "theme_id"),
        theme_links,
        _existing(RoundTableTheme.objects.all(), "round_table_id", rt_ids),
        delete_others=True,
    )
    summary.totals.update(
        {
            "forums": len(forums),
            "forum theme links": sum(len(spec["themes"]) for spec in specs),
            "sub-themes": len(sub_themes),
            "round tables": len(round_tables),
            "guiding questions": len(questions),
            "round-table target links": len(target_links),
            "round-table theme links": len(theme_links),
        }
    )


@transaction.atomic
def seed_demo(*, scale, seed):
    """Load the 2017 forum, then ``scale`` organisations of each constituency, ``scale`` users
    with profiles and max(1, scale // 20) demo forums, all drawn from ``seed``. Idempotent."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    summary = DemoSummary(scale=scale, seed=seed)
    _forum, tally = load_forum()
    summary.forum_2017 = str(tally)
    # The original column of a translated field follows the default language.
    with translation.override("en"):
        _seed_people(summary, scale, seed)
        _seed_forums(summary, scale, seed)
    if summary.changed:
        # bulk_create/bulk_update send no post_save signal: tell the page cache ourselves,
        # then have the main pages rendered again, as load_forum does.
        transaction.on_commit(pagecache.invalidate)
        outbox.enqueue("gfmd_portal.tasks.warm_page_cache")
    return summary
