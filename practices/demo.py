"""Synthetic good practices on top of ``roundtables.demo.seed_demo``.

``seed_practices(scale=N, seed=S)`` draws ``N * 5`` practices, each from a random.Random seeded
with ``S`` and the practice's number, held by the governments that ``seed_demo`` creates for the
same scale and seed (or by any government already in the database). About 70 % are published;
the rest are spread over the other statuses of the workflow. They are written in English, French
or Spanish (about 5:3:2), from sentence templates in that language, and linked to SDG targets,
Global Compact themes and round tables of the 2017 forum.

The natural key of a demo practice is its ``links`` field, ``https://example.org/demo/practices/<n>``:
missing practices are created in bulk, differing ones updated in bulk, so that a second run with
the same scale and seed changes nothing. The search vector is recomputed for the practices that
were created or changed.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction

from common import outbox, pagecache
from practices.models import Practice
from practices.services import update_search_vector
from roundtables.demo import (
    COUNTRIES,
    LANGUAGE_OF_COUNTRY,
    _existing,
    _normalise,
    _organisation_rows,
    _sync,
)
from roundtables.models import Forum
from sdg_targets.models import CompactTheme, Target
from sdg_targets.services import Tally
from stakeholders.models import Constituency, Organisation

PRACTICES_PER_SCALE = 5
DEMO_LINK_PREFIX = "https://example.org/demo/practices/"
SEARCH_VECTOR_BATCH = 2000
DEMO_DOMAIN = "example.org"
LANGUAGE_WEIGHTS = {"en": 5, "fr": 3, "es": 2}
# 14 published out of 20, and one of each other status: shuffled once per seed,
# then repeated, so that every status is present as soon as there are 20 practices.
STATUS_CYCLE = [Practice.Status.PUBLISHED] * 14 + [
    Practice.Status.DRAFT,
    Practice.Status.SUBMITTED,
    Practice.Status.IN_REVIEW,
    Practice.Status.CHANGES_REQUESTED,
    Practice.Status.REJECTED,
    Practice.Status.WITHDRAWN,
]
CITIES = {code: cities for countries in COUNTRIES.values() for code, cities in countries}

# --- Texts, per language -----------------------------------------------------------------------
# {instrument} is a title form ("One-stop centre"), {a_instrument} the same with its indefinite
# article; {topic} and {group} carry their article where the language needs one.

TEXTS = {
    "en": {
        "instruments": [
            ("One-stop centre", "a one-stop centre"),
            ("Online information platform", "an online information platform"),
            ("Pre-departure orientation programme", "a pre-departure orientation programme"),
            ("Bilateral labour mobility agreement", "a bilateral labour mobility agreement"),
            ("Mobile legal aid clinic", "a mobile legal aid clinic"),
            ("Diaspora investment fund", "a diaspora investment fund"),
            ("Skills recognition scheme", "a skills recognition scheme"),
            ("Community mentoring network", "a community mentoring network"),
            ("Reintegration grant programme", "a reintegration grant programme"),
            ("Inter-ministerial coordination committee", "an inter-ministerial coordination committee"),
        ],
        "topics": [
            "fair recruitment of migrant workers",
            "the reintegration of returning migrants",
            "lower remittance costs",
            "access to health care for migrants",
            "the recognition of foreign qualifications",
            "the protection of domestic workers abroad",
            "diaspora investment in local development",
            "safe and regular labour migration",
            "the prevention of trafficking in persons",
            "migration data and statistics",
            "the inclusion of migrants in cities",
            "climate-related displacement",
        ],
        "groups": [
            "women migrant workers",
            "young jobseekers",
            "returning migrants",
            "seasonal agricultural workers",
            "refugees and asylum seekers",
            "migrant children and their families",
            "diaspora entrepreneurs",
        ],
        "titles": [
            "{instrument} for {topic}",
            "{instrument} for {group} in {city}",
            "{Topic}: {a_instrument} in {city}",
            "Supporting {group} through {a_instrument}",
        ],
        "summary": [
            "{organisation} set up {a_instrument} to improve {topic} for {group}.",
        ],
        "summary_more": [
            "Launched in {year}, the initiative brings together national and local authorities, "
            "employers and civil society around {topic}.",
            "It offers {group} information, counselling and practical support before and after migration.",
            "The practice addresses gaps in {topic} that had been identified by a national assessment.",
        ],
        "description": [
            "The programme was designed after consultations with {group} and the organisations that support them.",
            "Staff were trained to provide accurate, multilingual information on rights, procedures and services.",
            "A referral system links the {city} office with labour inspectors, health services and consulates.",
            "Partnerships with employers made it possible to match skills with job vacancies more quickly.",
            "Case managers follow each person for up to twelve months and adjust the support to their needs.",
            "An online portal allows applicants to track their files and to book appointments.",
            "Outreach campaigns on radio and social media reached communities in remote areas.",
            "The practice is financed from the national budget with the support of development partners.",
            "Data collected at every step feed into an annual report submitted to Parliament.",
            "Local authorities in {city} provide premises and coordinate with community organisations.",
        ],
        "results": [
            "Between {year} and {year2}, more than {n} people received individual support.",
            "Recruitment fees paid by workers fell by {pct} % among participants.",
            "{pct} % of participants found stable employment within six months.",
            "The number of complaints resolved through mediation doubled in two years.",
            "An external evaluation found a high level of satisfaction among users.",
        ],
        "gender": [
            "Half of the places are reserved for women, and childcare is offered during training sessions.",
            "Counsellors are trained to detect gender-based violence and to refer survivors to specialised services.",
            "All indicators are disaggregated by sex, and a women's advisory group reviews the programme each year.",
        ],
        "evidence": [
            "An independent evaluation was carried out in {year2} by a national university.",
            "Monitoring data are published every year; a mid-term review is available on request.",
        ],
        "replicability": [
            "The model can be adapted by other countries of origin with a similar consular network.",
            "Its modular design makes it easy to replicate in other cities with modest resources.",
        ],
        "partners": [
            "National employment agency",
            "Chamber of commerce",
            "Migrant workers' association",
            "National university",
            "Local trade unions",
            "Regional health authority",
        ],
        "contacts": ["Programme coordinator", "Head of the migration unit", "Policy officer"],
    },
    "fr": {
        "instruments": [
            ("Guichet unique", "un guichet unique"),
            ("Plateforme d'information en ligne", "une plateforme d'information en ligne"),
            ("Programme d'orientation avant le départ", "un programme d'orientation avant le départ"),
            ("Accord bilatéral de mobilité de la main-d'œuvre", "un accord bilatéral de mobilité de la main-d'œuvre"),
            ("Clinique juridique mobile", "une clinique juridique mobile"),
            ("Fonds d'investissement de la diaspora", "un fonds d'investissement de la diaspora"),
            ("Dispositif de reconnaissance des compétences", "un dispositif de reconnaissance des compétences"),
            ("Réseau communautaire de parrainage", "un réseau communautaire de parrainage"),
            ("Programme d'aide à la réintégration", "un programme d'aide à la réintégration"),
            ("Comité interministériel de coordination", "un comité interministériel de coordination"),
        ],
        "topics": [
            "le recrutement équitable des travailleurs migrants",
            "la réintégration des migrants de retour",
            "la baisse du coût des transferts de fonds",
            "l'accès des migrants aux soins de santé",
            "la reconnaissance des diplômes étrangers",
            "la protection des travailleurs domestiques à l'étranger",
            "l'investissement de la diaspora dans le développement local",
            "une migration de travail sûre et régulière",
            "la prévention de la traite des personnes",
            "les données et statistiques migratoires",
            "l'inclusion des migrants dans les villes",
            "les déplacements liés au climat",
        ],
        "groups": [
            "les travailleuses migrantes",
            "les jeunes demandeurs d'emploi",
            "les migrants de retour",
            "les travailleurs agricoles saisonniers",
            "les réfugiés et demandeurs d'asile",
            "les enfants migrants et leurs familles",
            "les entrepreneurs de la diaspora",
        ],
        "titles": [
            "{instrument} pour {topic}",
            "{instrument} au service {group_de} à {city}",
            "{Topic} : {a_instrument} à {city}",
        ],
        "summary": [
            "{organisation} a mis en place {a_instrument} afin d'améliorer {topic}.",
        ],
        "summary_more": [
            "Lancée en {year}, l'initiative réunit autorités nationales et locales, employeurs et société civile "
            "autour d'un même objectif : {topic}.",
            "Elle offre information, conseil et accompagnement pratique avant et après la migration.",
            "La pratique répond à des lacunes relevées par un diagnostic national.",
        ],
        "description": [
            "Le programme a été conçu après des consultations avec les personnes concernées et les associations "
            "qui les accompagnent.",
            "Les agents ont été formés pour fournir une information fiable et multilingue sur les droits, "
            "les démarches et les services.",
            "Un système d'orientation relie le bureau {de_city} à l'inspection du travail, aux services de santé "
            "et aux consulats.",
            "Des partenariats avec les employeurs permettent de rapprocher plus vite les compétences et les offres "
            "d'emploi.",
            "Des conseillers suivent chaque personne pendant douze mois au plus et adaptent l'accompagnement à ses "
            "besoins.",
            "Un portail en ligne permet aux demandeurs de suivre leur dossier et de prendre rendez-vous.",
            "Des campagnes à la radio et sur les réseaux sociaux ont touché les communautés des zones reculées.",
            "La pratique est financée par le budget de l'État avec l'appui de partenaires de développement.",
            "Les données recueillies à chaque étape alimentent un rapport annuel présenté au Parlement.",
            "La ville {de_city} met des locaux à disposition et assure la coordination avec les associations.",
        ],
        "results": [
            "Entre {year} et {year2}, plus de {n} personnes ont bénéficié d'un accompagnement individuel.",
            "Les frais de recrutement payés par les travailleurs ont baissé de {pct} % chez les participants.",
            "{pct} % des participants ont trouvé un emploi stable dans les six mois.",
            "Le nombre de litiges réglés par la médiation a doublé en deux ans.",
            "Une évaluation externe a relevé un taux de satisfaction élevé parmi les usagers.",
        ],
        "gender": [
            "La moitié des places est réservée aux femmes, et une garde d'enfants est proposée pendant les formations.",
            "Les conseillers sont formés au repérage des violences fondées sur le genre et orientent les "
            "victimes vers des services spécialisés.",
            "Tous les indicateurs sont ventilés par sexe, et un groupe consultatif de femmes examine le programme "
            "chaque année.",
        ],
        "evidence": [
            "Une évaluation indépendante a été réalisée en {year2} par une université nationale.",
            "Les données de suivi sont publiées chaque année ; une revue à mi-parcours est disponible sur demande.",
        ],
        "replicability": [
            "Le modèle peut être adapté par d'autres pays d'origine disposant d'un réseau consulaire comparable.",
            "Sa conception modulaire permet de le reproduire dans d'autres villes avec des moyens modestes.",
        ],
        "partners": [
            "Agence nationale pour l'emploi",
            "Chambre de commerce et d'industrie",
            "Association des travailleurs migrants",
            "Université nationale",
            "Syndicats locaux",
            "Direction régionale de la santé",
        ],
        "contacts": ["Coordinatrice du programme", "Chef de la cellule migration", "Chargé de mission"],
    },
    "es": {
        "instruments": [
            ("Ventanilla única", "una ventanilla única"),
            ("Plataforma de información en línea", "una plataforma de información en línea"),
            ("Programa de orientación previa a la partida", "un programa de orientación previa a la partida"),
            ("Acuerdo bilateral de movilidad laboral", "un acuerdo bilateral de movilidad laboral"),
            ("Clínica jurídica móvil", "una clínica jurídica móvil"),
            ("Fondo de inversión de la diáspora", "un fondo de inversión de la diáspora"),
            ("Sistema de reconocimiento de competencias", "un sistema de reconocimiento de competencias"),
            ("Red comunitaria de mentoría", "una red comunitaria de mentoría"),
            ("Programa de apoyo a la reintegración", "un programa de apoyo a la reintegración"),
            ("Comité interministerial de coordinación", "un comité interministerial de coordinación"),
        ],
        "topics": [
            "la contratación equitativa de trabajadores migrantes",
            "la reintegración de los migrantes retornados",
            "la reducción del costo de las remesas",
            "el acceso de los migrantes a la salud",
            "el reconocimiento de títulos extranjeros",
            "la protección de las trabajadoras del hogar en el exterior",
            "la inversión de la diáspora en el desarrollo local",
            "una migración laboral segura y regular",
            "la prevención de la trata de personas",
            "los datos y estadísticas migratorias",
            "la inclusión de los migrantes en las ciudades",
            "los desplazamientos por causas climáticas",
        ],
        "groups": [
            "las trabajadoras migrantes",
            "los jóvenes que buscan empleo",
            "los migrantes retornados",
            "los trabajadores agrícolas temporales",
            "las personas refugiadas y solicitantes de asilo",
            "los niños migrantes y sus familias",
            "los emprendedores de la diáspora",
        ],
        "titles": [
            "{instrument} para {topic}",
            "{instrument} para {group} en {city}",
            "{Topic}: {a_instrument} en {city}",
        ],
        "summary": [
            "{organisation} creó {a_instrument} para mejorar {topic}.",
        ],
        "summary_more": [
            "Iniciada en {year}, la iniciativa reúne a autoridades nacionales y locales, empleadores y sociedad "
            "civil en torno a {topic}.",
            "Ofrece información, asesoría y acompañamiento práctico antes y después de la migración.",
            "La práctica responde a carencias identificadas en un diagnóstico nacional.",
        ],
        "description": [
            "El programa se diseñó tras consultas con las personas migrantes y las organizaciones que las apoyan.",
            "El personal fue capacitado para brindar información fiable y multilingüe sobre derechos, trámites "
            "y servicios.",
            "Un sistema de derivación conecta la oficina de {city} con la inspección del trabajo, los servicios "
            "de salud y los consulados.",
            "Las alianzas con empleadores permiten vincular más rápido las competencias con las vacantes.",
            "Gestores de casos acompañan a cada persona durante un máximo de doce meses.",
            "Un portal en línea permite a los solicitantes seguir su expediente y pedir citas.",
            "Campañas en radio y redes sociales llegaron a comunidades de zonas alejadas.",
            "La práctica se financia con el presupuesto nacional y el apoyo de socios para el desarrollo.",
            "Los datos recogidos en cada etapa alimentan un informe anual presentado al Congreso.",
            "La municipalidad de {city} aporta locales y coordina con las organizaciones comunitarias.",
        ],
        "results": [
            "Entre {year} y {year2}, más de {n} personas recibieron apoyo individual.",
            "Los costos de contratación pagados por los trabajadores bajaron un {pct} % entre los participantes.",
            "El {pct} % de los participantes consiguió un empleo estable en seis meses.",
            "El número de conflictos resueltos mediante mediación se duplicó en dos años.",
            "Una evaluación externa constató un alto nivel de satisfacción entre los usuarios.",
        ],
        "gender": [
            "La mitad de las plazas se reserva a mujeres y se ofrece cuidado infantil durante las capacitaciones.",
            "El personal está formado para detectar la violencia de género y derivar a las sobrevivientes a "
            "servicios especializados.",
            "Todos los indicadores se desagregan por sexo y un grupo asesor de mujeres revisa el programa cada año.",
        ],
        "evidence": [
            "Una universidad nacional realizó una evaluación independiente en {year2}.",
            "Los datos de seguimiento se publican cada año; hay una revisión intermedia disponible a pedido.",
        ],
        "replicability": [
            "El modelo puede ser adaptado por otros países de origen con una red consular similar.",
            "Su diseño modular facilita replicarlo en otras ciudades con recursos modestos.",
        ],
        "partners": [
            "Servicio nacional de empleo",
            "Cámara de comercio",
            "Asociación de trabajadores migrantes",
            "Universidad nacional",
            "Sindicatos locales",
            "Secretaría regional de salud",
        ],
        "contacts": ["Coordinadora del programa", "Jefe de la unidad de migraciones", "Oficial de políticas"],
    },
}


def _de_group(group):
    """French "de" before a group that carries its article: des travailleuses, de l'…"""
    if group.startswith("les "):
        return "des " + group[4:]
    return "de " + group


ARTICLES = {"en": ("Ministry", "the "), "fr": ("Ministère", "le "), "es": ("Ministerio", "el ")}


def _subject(name, language):
    """An organisation's name as the subject of a sentence: "the Ministry of …", "le Ministère …"."""
    word, article = ARTICLES[language]
    return article + name if name.startswith(word) else name


def _sentence(text):
    return text[:1].upper() + text[1:]


# --- Drawing ------------------------------------------------------------------------------------


def _rng(seed, *parts):
    return random.Random(":".join(str(part) for part in (seed, "practice", *parts)))


def _aware(date, rng):
    return datetime.datetime.combine(date, datetime.time(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=datetime.UTC)


def _practice(rng, status, governments, choices):
    """Field values of one practice, drawn from ``rng``."""
    language = rng.choices(list(LANGUAGE_WEIGHTS), list(LANGUAGE_WEIGHTS.values()))[0]
    # Mostly a government of the same language; any government when there is none.
    pool = [org for org in governments if LANGUAGE_OF_COUNTRY.get(str(org.country)) == language] or governments
    organisation = rng.choice(pool)
    home = str(organisation.country) or "GB"
    city = rng.choice(CITIES.get(home, ["the capital"]))
    others = [code for code, _cities in COUNTRIES[language] if code != home]
    # Sorted, as CountryField(multiple=True) stores them.
    countries = sorted([home, *rng.sample(others, rng.choice([0, 0, 0, 1, 2]))])

    texts = TEXTS[language]
    instrument, a_instrument = rng.choice(texts["instruments"])
    topic, group = rng.choice(texts["topics"]), rng.choice(texts["groups"])
    start = datetime.date(rng.randint(2010, 2022), rng.randint(1, 12), 1)
    ongoing = rng.random() < 0.4
    end = None if ongoing else start + datetime.timedelta(days=365 * rng.randint(1, 4))
    year2 = (end or datetime.date(2024, 1, 1)).year
    fill = {
        "instrument": instrument,
        "a_instrument": a_instrument,
        "topic": topic,
        "Topic": topic[:1].upper() + topic[1:],
        "group": group,
        "group_de": _de_group(group),
        "city": city,
        "de_city": f"d'{city}" if city[:1].lower() in "aeiouyéh" else f"de {city}",
        "organisation": _subject(organisation.name.split(" – ")[0], language),
        "year": start.year,
        "year2": max(year2, start.year + 1),
        "n": rng.choice([150, 300, 800, 1200, 2500, 6000]),
        "pct": rng.choice([15, 20, 30, 40, 60, 70]),
    }

    def pick(key, count):
        return " ".join(_sentence(sentence.format(**fill)) for sentence in rng.sample(texts[key], count))

    gender_responsive = rng.choice([True, True, False, None])
    submitted_at = None
    published_at = None
    if status != Practice.Status.DRAFT:
        submitted_at = _aware(datetime.date(rng.randint(2019, 2024), rng.randint(1, 12), rng.randint(1, 28)), rng)
        if status == Practice.Status.PUBLISHED:
            published_at = submitted_at + datetime.timedelta(days=rng.randint(7, 60), hours=rng.randint(0, 8))
    contact_first = rng.choice(["amina", "julien", "lucia", "kwame", "fatou", "diego", "grace", "ines"])
    values = {
        "organisation_id": organisation.pk,
        "status": status,
        "language": language,
        "title": rng.choice(texts["titles"]).format(**fill),
        # The first sentence of the summary says who did what; another one follows.
        "summary": _sentence(texts["summary"][0].format(**fill)) + " " + pick("summary_more", 1),
        "description": pick("description", rng.randint(4, 6)),
        "countries": countries,
        "implementing_organisations": organisation.name,
        "partners": "\n".join(rng.sample(texts["partners"], rng.randint(1, 3))),
        "constituencies": sorted(
            {Constituency.GOVERNMENT, *rng.sample(Constituency.values, rng.randint(0, 2))},
            key=Constituency.values.index,
        ),
        "start_date": start,
        "end_date": end,
        "ongoing": ongoing,
        "gender_responsive": gender_responsive,
        "gender_explanation": pick("gender", rng.randint(1, 2)) if gender_responsive else "",
        "results": pick("results", rng.randint(2, 3)),
        "evidence": pick("evidence", 1) if rng.random() < 0.7 else "",
        "replicability": pick("replicability", 1) if rng.random() < 0.7 else "",
        "contact_name": rng.choice(texts["contacts"]),
        "contact_email": f"{contact_first}.{rng.randint(1, 99)}@{DEMO_DOMAIN}",
        "submitted_at": submitted_at,
        "published_at": published_at,
    }
    links = {
        "targets": rng.sample(choices["targets"], min(len(choices["targets"]), rng.randint(1, 3))),
        "themes": rng.sample(choices["themes"], min(len(choices["themes"]), rng.randint(1, 2))),
        "round_tables": rng.sample(choices["round_tables"], min(len(choices["round_tables"]), rng.randint(0, 2))),
    }
    return values, links


def _governments(scale, seed):
    """The governments seed_demo makes for this scale and seed, in their order; else any government."""
    _rows, by_constituency = _organisation_rows(scale, seed)
    keys = by_constituency[Constituency.GOVERNMENT]
    found = {
        (org.name, str(org.country)): org
        for org in _existing(
            Organisation.objects.filter(constituency=Constituency.GOVERNMENT), "name", {k[0] for k in keys}
        )
    }
    governments = [found[key] for key in keys if key in found]
    if not governments:
        governments = list(Organisation.objects.filter(constituency=Constituency.GOVERNMENT).order_by("name", "pk"))
    if not governments:
        raise ValueError("no government organisation to hold the practices: run seed_demo first")
    return governments


# --- The service --------------------------------------------------------------------------------


@dataclass
class PracticeSummary:
    scale: int
    seed: int
    tallies: dict = field(default_factory=dict)  # label -> Tally
    totals: dict = field(default_factory=dict)  # label -> rows now in the database
    statuses: dict = field(default_factory=dict)  # status -> demo practices
    languages: dict = field(default_factory=dict)  # language -> demo practices
    search_vectors: int = 0

    def tally(self, label):
        return self.tallies.setdefault(label, Tally())

    @property
    def changed(self):
        return any(t.created or t.updated or t.deleted for t in self.tallies.values())

    def lines(self):
        """Tally lines only, in the format of seed_demo's, so that both summaries read as one table;
        the line of the practices also gives their statuses, languages and recomputed search vectors."""
        width = max(len(label) for label in self.tallies)
        for label, tally in self.tallies.items():
            line = f"  {label:<{width}}  rows={self.totals.get(label, 0):<6} {tally}"
            if label == "good practices":
                statuses = " ".join(f"{status}={count}" for status, count in self.statuses.items())
                languages = " ".join(f"{language}={count}" for language, count in self.languages.items())
                line += f"  [{statuses}] [{languages}] search_vectors={self.search_vectors}"
            yield line

    def __str__(self):
        return "\n".join(self.lines())


@transaction.atomic
def seed_practices(*, scale, seed):
    """``scale * 5`` demo practices drawn from ``seed``, held by the demo governments. Idempotent."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    summary = PracticeSummary(scale=scale, seed=seed)
    governments = _governments(scale, seed)
    forum = Forum.objects.filter(slug="gfmd-2017").first() or Forum.objects.current()
    choices = {
        "targets": list(Target.objects.order_by("code").values_list("pk", flat=True)),
        "themes": list(CompactTheme.objects.order_by("code").values_list("pk", flat=True)),
        "round_tables": list(forum.round_tables.order_by("position", "pk").values_list("pk", flat=True))
        if forum
        else [],
    }
    cycle = list(STATUS_CYCLE)
    random.Random(f"{seed}:practice-statuses").shuffle(cycle)

    wanted, related = {}, {}
    for number in range(1, scale * PRACTICES_PER_SCALE + 1):
        status = cycle[(number - 1) % len(cycle)]
        values, links = _practice(_rng(seed, number), status, governments, choices)
        key = (f"{DEMO_LINK_PREFIX}{number}",)
        wanted[key] = values
        related[key] = links

    existing = _existing(Practice.objects.all(), "links", [key[0] for key in wanted])
    before = {(p.links,): p for p in existing}
    changed_keys = [
        key
        for key, values in wanted.items()
        if key not in before
        or any(_normalise(getattr(before[key], name)) != _normalise(value) for name, value in values.items())
    ]
    practices = _sync(summary.tally("good practices"), Practice, ("links",), wanted, existing)
    ids = [practices[key].pk for key in wanted]

    for label, through, column, kind in (
        ("practice target links", Practice.sdg_targets.through, "target_id", "targets"),
        ("practice theme links", Practice.compact_themes.through, "compacttheme_id", "themes"),
        ("practice round-table links", Practice.round_tables.through, "roundtable_id", "round_tables"),
    ):
        rows = {(practices[key].pk, pk): {} for key, links in related.items() for pk in links[kind]}
        tally = summary.tally(label)
        _sync(
            tally,
            through,
            ("practice_id", column),
            rows,
            _existing(through.objects.all(), "practice_id", ids),
            delete_others=True,
        )
        summary.totals[label] = len(rows)
    summary.totals["good practices"] = len(practices)

    # The search vector reads only the practice's own texts: links do not change it.
    changed_ids = sorted({practices[key].pk for key in changed_keys})
    for start in range(0, len(changed_ids), SEARCH_VECTOR_BATCH):
        update_search_vector(changed_ids[start : start + SEARCH_VECTOR_BATCH])
    summary.search_vectors = len(changed_ids)

    for status in Practice.Status.values:
        summary.statuses[status] = sum(1 for values in wanted.values() if values["status"] == status)
    for language in LANGUAGE_WEIGHTS:
        summary.languages[language] = sum(1 for values in wanted.values() if values["language"] == language)

    if summary.changed:
        transaction.on_commit(pagecache.invalidate)
        outbox.enqueue("gfmd_portal.tasks.warm_page_cache")
    return summary
