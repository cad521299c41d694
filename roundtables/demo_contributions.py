"""Synthetic contributions and rapporteurs' reports for a forum's round tables (demo and benchmark data).

``seed_contributions(forum, count=N, seed=S)`` spreads ``N`` contributions over the forum's round
tables (about 55% recommendations, 45% statements), written by the demo people of
``roundtables.demo.seed_demo`` with their organisation, constituency and country at the time, tagged
with the round table's SDG targets and Compact themes, in English, French or Spanish (about 6:3:1).

Contributions come in *families*: the contributions of a family say the same thing in other words
(another opening, another ending: "Governments should …" / "We recommend that states … as a
priority"), as participants do; family sizes are heavy-tailed (many single contributions, a few said
by hundreds). Two families of a round table never share three of their four building blocks, so a
family is the ground truth of near-duplicate merging (``_round_table_rows`` gives it with each row). About 95%
are accepted; the others are rejected, awaiting moderation, or marked by staff as a duplicate of an
accepted member of their family. Each round-table session gets a rapporteur's report in English and
French.

Deterministic for a forum, count and seed. Idempotent: a second run with the same count finds the
demo contributions there and changes nothing; another count replaces them (demo authors only:
contributions of real people are never touched).
"""

import random
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import translation

from roundtables.models import Contribution, RapporteurReport, Session
from stakeholders.models import Profile

DEMO_EMAIL_DOMAIN = "example.org"
BATCH_SIZE = 2000

RECOMMENDATION = {
    "en": {
        "openers": [
            "Governments should",
            "We recommend that states",
            "States are encouraged to",
            "The round table recommends to",
            "Participants urged governments to",
            "It is essential to",
            "Countries should",
            "We call on partners to",
        ],
        "endings": ["", "", " as a priority", " urgently", " together", " now"],
        "blocks": [
            [
                "strengthen",
                "expand",
                "fund over several years",
                "evaluate independently",
                "simplify",
                "harmonise across borders",
                "monitor closely",
                "scale up",
                "protect in law",
                "recognise formally",
                "digitise",
                "decentralise to cities",
            ],
            [
                "skills recognition schemes",
                "fair recruitment standards",
                "remittance transfer channels",
                "diaspora investment funds",
                "pre-departure training",
                "consular assistance",
                "reintegration programmes",
                "access to health care",
                "language courses",
                "labour inspection",
                "data on missing migrants",
                "birth registration services",
            ],
            [
                "for women migrant workers",
                "for young graduates",
                "for seasonal farm workers",
                "for returning migrants",
                "for children on the move",
                "for domestic workers",
                "for small entrepreneurs",
                "for migrants in irregular situations",
                "for border communities",
                "for refugees in cities",
                "for families left behind",
                "for students abroad",
            ],
            [
                "through bilateral labour agreements",
                "with local authorities and employers",
                "with a dedicated budget line",
                "backed by gender-disaggregated data",
                "with diaspora associations",
                "under the Global Compact review",
                "through regional economic communities",
                "with trade unions involved",
                "using mobile technology",
                "with clear indicators",
                "through public-private partnerships",
                "with independent complaint mechanisms",
            ],
        ],
    },
    "fr": {
        "openers": [
            "Les gouvernements devraient",
            "Nous recommandons aux États de",
            "Les États sont encouragés à",
            "La table ronde recommande de",
            "Les participants ont exhorté les gouvernements à",
            "Il est essentiel de",
            "Les pays devraient",
            "Nous appelons les partenaires à",
        ],
        "endings": ["", "", " en priorité", " d'urgence", " ensemble", " dès maintenant"],
        "blocks": [
            [
                "renforcer",
                "étendre",
                "financer sur plusieurs années",
                "évaluer de façon indépendante",
                "simplifier",
                "harmoniser par-delà les frontières",
                "suivre de près",
                "généraliser",
                "protéger par la loi",
                "reconnaître officiellement",
                "numériser",
                "décentraliser vers les villes",
            ],
            [
                "les dispositifs de reconnaissance des compétences",
                "les normes de recrutement équitable",
                "les canaux de transfert de fonds",
                "les fonds d'investissement de la diaspora",
                "la formation préalable au départ",
                "l'assistance consulaire",
                "les programmes de réintégration",
                "l'accès aux soins de santé",
                "les cours de langue",
                "l'inspection du travail",
                "les données sur les migrants disparus",
                "les services d'enregistrement des naissances",
            ],
            [
                "pour les travailleuses migrantes",
                "pour les jeunes diplômés",
                "pour les travailleurs agricoles saisonniers",
                "pour les migrants de retour",
                "pour les enfants en déplacement",
                "pour les travailleurs domestiques",
                "pour les petits entrepreneurs",
                "pour les migrants en situation irrégulière",
                "pour les communautés frontalières",
                "pour les réfugiés en milieu urbain",
                "pour les familles restées au pays",
                "pour les étudiants à l'étranger",
            ],
            [
                "par des accords bilatéraux de main-d'œuvre",
                "avec les autorités locales et les employeurs",
                "avec une ligne budgétaire dédiée",
                "appuyés par des données ventilées par sexe",
                "avec les associations de la diaspora",
                "dans le cadre de l'examen du pacte mondial",
                "par les communautés économiques régionales",
                "avec la participation des syndicats",
                "grâce à la téléphonie mobile",
                "avec des indicateurs clairs",
                "par des partenariats public-privé",
                "avec des mécanismes de plainte indépendants",
            ],
        ],
    },
    "es": {
        "openers": [
            "Los gobiernos deberían",
            "Recomendamos a los Estados",
            "Se alienta a los Estados a",
            "La mesa redonda recomienda",
            "Los participantes instaron a los gobiernos a",
            "Es esencial",
            "Los países deberían",
            "Pedimos a los socios",
        ],
        "endings": ["", "", " con prioridad", " con urgencia", " juntos", " ahora"],
        "blocks": [
            [
                "fortalecer",
                "ampliar",
                "financiar durante varios años",
                "evaluar de forma independiente",
                "simplificar",
                "armonizar entre fronteras",
                "vigilar de cerca",
                "generalizar",
                "proteger por ley",
                "reconocer oficialmente",
                "digitalizar",
                "descentralizar hacia las ciudades",
            ],
            [
                "los sistemas de reconocimiento de competencias",
                "las normas de contratación equitativa",
                "los canales de envío de remesas",
                "los fondos de inversión de la diáspora",
                "la formación previa a la partida",
                "la asistencia consular",
                "los programas de reintegración",
                "el acceso a la atención sanitaria",
                "los cursos de idiomas",
                "la inspección laboral",
                "los datos sobre migrantes desaparecidos",
                "los servicios de registro de nacimientos",
            ],
            [
                "para las trabajadoras migrantes",
                "para los jóvenes titulados",
                "para los temporeros agrícolas",
                "para los migrantes retornados",
                "para los niños en movimiento",
                "para las trabajadoras domésticas",
                "para los pequeños empresarios",
                "para los migrantes en situación irregular",
                "para las comunidades fronterizas",
                "para los refugiados urbanos",
                "para las familias que se quedan",
                "para los estudiantes en el extranjero",
            ],
            [
                "mediante acuerdos bilaterales de trabajo",
                "con las autoridades locales y los empleadores",
                "con una partida presupuestaria propia",
                "respaldados por datos desglosados por sexo",
                "con las asociaciones de la diáspora",
                "en el marco del examen del pacto mundial",
                "mediante las comunidades económicas regionales",
                "con participación sindical",
                "mediante la telefonía móvil",
                "con indicadores claros",
                "mediante alianzas público-privadas",
                "con mecanismos de queja independientes",
            ],
        ],
    },
}

STATEMENT = {
    "en": {
        "openers": ["In our experience,", "We observe that", "Evidence shows that", "Our members report that", ""],
        "endings": ["", "", " in recent years", " today"],
        "blocks": [
            [
                "migrant workers",
                "young people",
                "women migrants",
                "returnees",
                "diaspora entrepreneurs",
                "seasonal workers",
                "unaccompanied children",
                "host municipalities",
                "recruitment agencies",
                "small businesses",
            ],
            [
                "still pay high recruitment fees",
                "struggle to have their diplomas recognised",
                "lack reliable information before leaving",
                "send remittances at a high cost",
                "face discrimination at work",
                "cannot reach social protection",
                "invest in local development projects",
                "depend on informal networks",
                "miss out on language training",
                "are rarely consulted by policy makers",
            ],
            [
                "along the Mediterranean routes",
                "in the Gulf corridors",
                "across West Africa",
                "in large European cities",
                "in rural areas of origin",
                "in Central America",
                "in South-East Asia",
                "near border crossings",
                "in the Sahel",
                "along the Andean corridor",
            ],
            [
                "which erodes the gains of migration",
                "which fuels exploitation",
                "which wastes valuable skills",
                "which weakens public trust",
                "which slows down integration",
                "which limits development gains",
                "which leaves families exposed",
                "which puts lives at risk",
                "which deprives local economies",
                "which calls for coordinated action",
            ],
        ],
    },
    "fr": {
        "openers": [
            "D'après notre expérience,",
            "Nous constatons que",
            "Les données montrent que",
            "Nos membres signalent que",
            "",
        ],
        "endings": ["", "", " ces dernières années", " aujourd'hui"],
        "blocks": [
            [
                "les travailleurs migrants",
                "les jeunes",
                "les femmes migrantes",
                "les migrants de retour",
                "les entrepreneurs de la diaspora",
                "les travailleurs saisonniers",
                "les enfants non accompagnés",
                "les communes d'accueil",
                "les agences de recrutement",
                "les petites entreprises",
            ],
            [
                "paient encore des frais de recrutement élevés",
                "peinent à faire reconnaître leurs diplômes",
                "manquent d'informations fiables avant le départ",
                "envoient des fonds à un coût élevé",
                "subissent des discriminations au travail",
                "n'accèdent pas à la protection sociale",
                "investissent dans des projets de développement local",
                "dépendent de réseaux informels",
                "n'ont pas accès aux cours de langue",
                "sont rarement consultés par les décideurs",
            ],
            [
                "le long des routes de la Méditerranée",
                "dans les corridors du Golfe",
                "en Afrique de l'Ouest",
                "dans les grandes villes européennes",
                "dans les zones rurales d'origine",
                "en Amérique centrale",
                "en Asie du Sud-Est",
                "près des points de passage frontaliers",
                "au Sahel",
                "le long du corridor andin",
            ],
            [
                "ce qui érode les bénéfices de la migration",
                "ce qui alimente l'exploitation",
                "ce qui gaspille des compétences précieuses",
                "ce qui affaiblit la confiance du public",
                "ce qui ralentit l'intégration",
                "ce qui limite les gains de développement",
                "ce qui expose les familles",
                "ce qui met des vies en danger",
                "ce qui prive les économies locales",
                "ce qui appelle une action coordonnée",
            ],
        ],
    },
    "es": {
        "openers": [
            "Según nuestra experiencia,",
            "Observamos que",
            "Los datos muestran que",
            "Nuestros miembros informan que",
            "",
        ],
        "endings": ["", "", " en los últimos años", " hoy"],
        "blocks": [
            [
                "los trabajadores migrantes",
                "los jóvenes",
                "las mujeres migrantes",
                "los retornados",
                "los empresarios de la diáspora",
                "los temporeros",
                "los niños no acompañados",
                "los municipios de acogida",
                "las agencias de contratación",
                "las pequeñas empresas",
            ],
            [
                "siguen pagando comisiones de contratación elevadas",
                "tienen dificultades para convalidar sus títulos",
                "carecen de información fiable antes de partir",
                "envían remesas a un coste elevado",
                "sufren discriminación en el trabajo",
                "no acceden a la protección social",
                "invierten en proyectos de desarrollo local",
                "dependen de redes informales",
                "no reciben formación lingüística",
                "rara vez son consultados por los responsables políticos",
            ],
            [
                "en las rutas del Mediterráneo",
                "en los corredores del Golfo",
                "en África Occidental",
                "en las grandes ciudades europeas",
                "en las zonas rurales de origen",
                "en Centroamérica",
                "en el Sudeste Asiático",
                "cerca de los pasos fronterizos",
                "en el Sahel",
                "en el corredor andino",
            ],
            [
                "lo que reduce los beneficios de la migración",
                "lo que alimenta la explotación",
                "lo que desperdicia competencias valiosas",
                "lo que debilita la confianza pública",
                "lo que frena la integración",
                "lo que limita los beneficios para el desarrollo",
                "lo que deja expuestas a las familias",
                "lo que pone vidas en peligro",
                "lo que priva a las economías locales",
                "lo que exige una acción coordinada",
            ],
        ],
    },
}

KINDS = {Contribution.Kind.RECOMMENDATION: RECOMMENDATION, Contribution.Kind.STATEMENT: STATEMENT}
LANGUAGE_WEIGHTS = [("en", 6), ("fr", 3), ("es", 1)]
REJECTION_REASON = "Off topic for this round table."

REPORT_SENTENCES = {
    "en": (
        "The round table examined {title}.",
        "Participants stressed the need to {first}.",
        "Several delegations also proposed to {second}, and to {third}.",
    ),
    "fr": (
        "La table ronde a examiné le thème suivant : {title}.",
        "Les participants ont souligné la nécessité de {first}.",
        "Plusieurs délégations ont aussi proposé de {second}, et de {third}.",
    ),
}


@dataclass(frozen=True)
class Family:
    number: int
    kind: str
    language: str
    blocks: tuple  # one index into each of the four block lists
    targets: tuple
    themes: tuple

    def core(self, language=None):
        words = KINDS[self.kind][language or self.language]["blocks"]
        return " ".join(words[part][index] for part, index in enumerate(self.blocks))

    def text(self, rng):
        vocabulary = KINDS[self.kind][self.language]
        opener = rng.choice(vocabulary["openers"])
        sentence = _elide(f"{opener} {self.core()}{rng.choice(vocabulary['endings'])}".strip(), self.language)
        return sentence[:1].upper() + sentence[1:] + "."


def _elide(text, language):
    """French elision where the building blocks meet: « de évaluer » → « d'évaluer »."""
    return _ELISION.sub(r"\1'\2", text) if language == "fr" else text


_ELISION = re.compile(r"\b([dl])e ([aeiouéèêâîôh])")


@dataclass
class ContributionSummary:
    forum: str
    count: int
    seed: int
    created: int = 0
    deleted: int = 0
    reports: int = 0

    def __str__(self):
        # The shape of seed_demo's other lines (a second run: created=0 updated=0 deleted=0).
        unchanged = self.count - self.created if not self.deleted else 0
        return (
            f"  contributions ({self.forum})  rows={self.count} created={self.created} updated=0 "
            f"unchanged={unchanged} deleted={self.deleted}  [reports created={self.reports}]"
        )


def _family_sizes(rng, total):
    """Heavy-tailed sizes summing to ``total``: half single contributions, a few very large families."""
    sizes = []
    while total > 0:
        size = 1 if rng.random() < 0.5 else min(int(rng.paretovariate(1.1)) + 1, 400)
        size = min(size, total)
        sizes.append(size)
        total -= size
    return sizes


def _blocks(rng, used, width):
    """Four block indices of which no three are already used together by another family (when the
    vocabulary allows it: past a few hundred tries a family may resemble another)."""
    for _attempt in range(300):
        blocks = tuple(rng.randrange(width) for _part in range(4))
        triples = {tuple((part, blocks[part]) for part in range(4) if part != left_out) for left_out in range(4)}
        if not triples & used:
            break
    used.update(triples)
    return blocks


def families(round_table_id, kind, total, seed, targets, themes):
    """The families of ``kind`` of one round table, with their sizes: [(Family, size), …]."""
    rng = random.Random(f"{seed}:families:{round_table_id}:{kind}")
    languages = [language for language, _weight in LANGUAGE_WEIGHTS]
    weights = [weight for _language, weight in LANGUAGE_WEIGHTS]
    used = {language: set() for language in languages}
    result = []
    for number, size in enumerate(_family_sizes(rng, total)):
        language = rng.choices(languages, weights)[0]
        width = len(KINDS[kind][language]["blocks"][0])
        family = Family(
            number=number,
            kind=kind,
            language=language,
            blocks=_blocks(rng, used[language], width),
            targets=tuple(sorted(rng.sample(targets, min(len(targets), rng.randint(1, 2))))) if targets else (),
            themes=tuple(sorted(rng.sample(themes, min(len(themes), 1)))) if themes else (),
        )
        result.append((family, size))
    return result


def _demo_people():
    """[(user id, organisation id, organisation name, constituency, country)] of the demo profiles."""
    return list(
        Profile.objects.filter(user__username__endswith=f"@{DEMO_EMAIL_DOMAIN}", user__username__startswith="demo-")
        .order_by("user_id")
        .values_list("user_id", "organisation_id", "organisation__name", "constituency", "country")
    )


def _demo_contributions(forum):
    return Contribution.objects.filter(
        round_table__forum=forum,
        author__username__startswith="demo-",
        author__username__endswith=f"@{DEMO_EMAIL_DOMAIN}",
    )


def _status(rng):
    draw = rng.random()
    if draw < 0.95:
        return Contribution.Status.ACCEPTED
    if draw < 0.97:
        return Contribution.Status.DUPLICATE
    if draw < 0.99:
        return Contribution.Status.REJECTED
    return Contribution.Status.SUBMITTED


def _round_table_rows(round_table, share, seed, people):
    """Contribution values (dicts) of one round table, plus its families; nothing saved."""
    targets = sorted(round_table.sdg_targets.values_list("pk", flat=True))
    themes = sorted(round_table.compact_themes.values_list("pk", flat=True))
    questions = sorted(round_table.guiding_questions.values_list("pk", flat=True))
    recommendations = round(share * 0.55)
    drawn = {
        Contribution.Kind.RECOMMENDATION: families(
            round_table.pk, Contribution.Kind.RECOMMENDATION, recommendations, seed, targets, themes
        ),
        Contribution.Kind.STATEMENT: families(
            round_table.pk, Contribution.Kind.STATEMENT, share - recommendations, seed, targets, themes
        ),
    }
    rng = random.Random(f"{seed}:contributions:{round_table.pk}")
    rows = []
    for kind, kind_families in drawn.items():
        for family, size in kind_families:
            for _member in range(size):
                user_id, organisation_id, organisation_name, constituency, country = rng.choice(people)
                rows.append(
                    {
                        "round_table_id": round_table.pk,
                        "guiding_question_id": rng.choice(questions) if questions and rng.random() < 0.7 else None,
                        "author_id": user_id,
                        "organisation_id": organisation_id,
                        "organisation_name": organisation_name or "",
                        "constituency": constituency,
                        "country": country or "",
                        "kind": kind,
                        "text": family.text(rng),
                        "language": family.language,
                        "status": _status(rng),
                        "family": (kind, family.number),
                        "targets": family.targets if rng.random() < 0.9 else family.targets[:1],
                        "themes": family.themes if rng.random() < 0.8 else (),
                    }
                )
    rng.shuffle(rows)  # families interleave, as contributions arrive
    return rows, drawn


def _report_text(round_table, drawn, language):
    largest = sorted(drawn[Contribution.Kind.RECOMMENDATION], key=lambda pair: (-pair[1], pair[0].number))[:3]
    cores = [family.core(language) for family, _size in largest]
    while len(cores) < 3:
        cores.append(cores[-1] if cores else "")
    title = getattr(round_table, f"title_{language}", "") or round_table.title
    sentences = REPORT_SENTENCES[language]
    return _elide(
        "\n\n".join(
            [
                sentences[0].format(title=title),
                sentences[1].format(first=cores[0]),
                sentences[2].format(second=cores[1], third=cores[2]),
            ]
        ),
        language,
    )


@transaction.atomic
def seed_contributions(forum, *, count, seed):
    """``count`` demo contributions over ``forum``'s round tables, and the rapporteurs' reports."""
    summary = ContributionSummary(forum=forum.slug, count=count, seed=seed)
    round_tables = list(forum.round_tables.order_by("position", "code"))
    people = _demo_people()
    if not round_tables or not people or count < 1:
        return summary
    existing = _demo_contributions(forum)
    if existing.count() == count:
        return summary
    if existing.exists():
        # Support marks point at other demo contributions; clear them before deleting.
        existing.update(duplicate_of=None)
        summary.deleted = existing.delete()[1].get(Contribution._meta.label, 0)

    Through = {"targets": Contribution.sdg_targets.through, "themes": Contribution.compact_themes.through}
    shares = [
        count // len(round_tables) + (1 if index < count % len(round_tables) else 0)
        for index in range(len(round_tables))
    ]
    for round_table, share in zip(round_tables, shares, strict=True):
        rows, drawn = _round_table_rows(round_table, share, seed, people)
        first_of_family = {}
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            objects, originals = [], []
            for row in batch:
                values = {key: value for key, value in row.items() if key not in ("family", "targets", "themes")}
                obj = Contribution(**values)
                if obj.status == Contribution.Status.DUPLICATE and row["family"] not in first_of_family:
                    obj.status = Contribution.Status.ACCEPTED  # nothing earlier to be a duplicate of
                if obj.status == Contribution.Status.ACCEPTED:
                    first_of_family.setdefault(row["family"], obj)
                originals.append(first_of_family.get(row["family"]))
                objects.append(obj)
            Contribution.objects.bulk_create(objects)  # gives the objects their ids
            duplicates = []
            for obj, original in zip(objects, originals, strict=True):
                if obj.status == Contribution.Status.DUPLICATE:
                    obj.duplicate_of_id = original.pk
                    duplicates.append(obj)
            Contribution.objects.bulk_update(duplicates, ["duplicate_of"])
            Through["targets"].objects.bulk_create(
                [
                    Through["targets"](contribution_id=obj.pk, target_id=target)
                    for row, obj in zip(batch, objects, strict=True)
                    for target in row["targets"]
                ]
            )
            Through["themes"].objects.bulk_create(
                [
                    Through["themes"](contribution_id=obj.pk, compacttheme_id=theme)
                    for row, obj in zip(batch, objects, strict=True)
                    for theme in row["themes"]
                ]
            )
            summary.created += len(objects)
        summary.reports += _seed_reports(round_table, drawn)
    return summary


def _seed_reports(round_table, drawn):
    sessions = Session.objects.filter(round_table=round_table, kind=Session.Kind.ROUND_TABLE).order_by("pk")
    written = 0
    for session in sessions:
        for language in REPORT_SENTENCES:
            with translation.override(language):
                text = _report_text(round_table, drawn, language)
            # A report a rapporteur wrote is never overwritten.
            _report, created = RapporteurReport.objects.get_or_create(
                session=session, language=language, defaults={"text": text}
            )
            written += created
    return written
