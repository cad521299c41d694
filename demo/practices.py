"""Synthetic good practices on top of the demo people (``demo.people``).

``seed_practices(scale=N, seed=S)`` draws ``N * 5`` practices, each from a random.Random seeded
with ``S`` and the practice's number, held by the governments that ``seed_demo`` creates for the
same scale and seed (or by any government already in the database). About 70 % are published;
the rest are spread over the other statuses of the workflow. They are written in English, French
or Spanish (about 5:3:2), from the sentence templates of ``data/practices.yaml`` in that language,
and linked to SDG targets, Global Compact themes and round tables of the 2017 forum.

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
from demo import tables
from demo.people import COUNTRIES, LANGUAGE_OF_COUNTRY, organisation_rows
from demo.rows import Tallies, existing_rows, normalise, sync_rows
from practices.models import Practice
from practices.services import update_search_vector
from roundtables.models import Forum
from sdg_targets.models import CompactTheme, Target
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

_PRACTICES = tables.load("practices")
# Per language: sentence templates and word lists; "instruments" are (name, name with its article).
TEXTS = {
    language: {
        **texts,
        "instruments": [(item["name"], item["with_article"]) for item in texts["instruments"]],
    }
    for language, texts in _PRACTICES["texts"].items()
}
# {language: (word, article)}: "the Ministry of …", "le Ministère …".
ARTICLES = {language: (subject["word"], subject["article"]) for language, subject in _PRACTICES["subjects"].items()}
CONTACT_FIRST_NAMES = _PRACTICES["contact_first_names"]


def _de_group(group):
    """French "de" before a group that carries its article: des travailleuses, de l'…"""
    if group.startswith("les "):
        return "des " + group[4:]
    return "de " + group


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


def _holder(rng, language, governments):
    """The government that holds the practice, its city and the implementing countries."""
    # Mostly a government of the same language; any government when there is none.
    pool = [org for org in governments if LANGUAGE_OF_COUNTRY.get(str(org.country)) == language] or governments
    organisation = rng.choice(pool)
    home = str(organisation.country) or "GB"
    city = rng.choice(CITIES.get(home, ["the capital"]))
    others = [code for code, _cities in COUNTRIES[language] if code != home]
    # Sorted, as CountryField(multiple=True) stores them.
    countries = sorted([home, *rng.sample(others, rng.choice([0, 0, 0, 1, 2]))])
    return organisation, city, countries


def _fill(rng, texts, language, organisation, city):
    """The period of the practice and the words its sentence templates are filled with."""
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
    return fill, start, end, ongoing


def _workflow_dates(rng, status):
    """(submitted_at, published_at): none for a draft, published_at only for a published practice."""
    submitted_at = None
    published_at = None
    if status != Practice.Status.DRAFT:
        submitted_at = _aware(datetime.date(rng.randint(2019, 2024), rng.randint(1, 12), rng.randint(1, 28)), rng)
        if status == Practice.Status.PUBLISHED:
            published_at = submitted_at + datetime.timedelta(days=rng.randint(7, 60), hours=rng.randint(0, 8))
    return submitted_at, published_at


def _practice(rng, status, governments, choices):
    """Field values of one practice, and the ids of what it links to, drawn from ``rng``."""
    language = rng.choices(list(LANGUAGE_WEIGHTS), list(LANGUAGE_WEIGHTS.values()))[0]
    organisation, city, countries = _holder(rng, language, governments)
    texts = TEXTS[language]
    fill, start, end, ongoing = _fill(rng, texts, language, organisation, city)

    def pick(key, count):
        return " ".join(_sentence(sentence.format(**fill)) for sentence in rng.sample(texts[key], count))

    gender_responsive = rng.choice([True, True, False, None])
    submitted_at, published_at = _workflow_dates(rng, status)
    contact_first = rng.choice(CONTACT_FIRST_NAMES)
    # Drawn in this order: a new field goes at the end, or every practice after it changes.
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
    _rows, by_constituency = organisation_rows(scale, seed)
    keys = by_constituency[Constituency.GOVERNMENT]
    found = {
        (org.name, str(org.country)): org
        for org in existing_rows(
            Organisation.objects.filter(constituency=Constituency.GOVERNMENT), "name", {k[0] for k in keys}
        )
    }
    governments = [found[key] for key in keys if key in found]
    if not governments:
        governments = list(Organisation.objects.filter(constituency=Constituency.GOVERNMENT).order_by("name", "pk"))
    if not governments:
        raise ValueError("no government organisation to hold the practices: run seed_demo first")
    return governments


def _link_choices():
    """The ids a practice may link to: SDG targets, Compact themes, round tables of the 2017 forum."""
    forum = Forum.objects.filter(slug="gfmd-2017").first() or Forum.objects.current()
    return {
        "targets": list(Target.objects.order_by("code").values_list("pk", flat=True)),
        "themes": list(CompactTheme.objects.order_by("code").values_list("pk", flat=True)),
        "round_tables": list(forum.round_tables.order_by("position", "pk").values_list("pk", flat=True))
        if forum
        else [],
    }


def _draw(scale, seed, governments, choices):
    """({(links,): field values}, {(links,): {"targets"|"themes"|"round_tables": [ids]}}) of every practice."""
    cycle = list(STATUS_CYCLE)
    random.Random(f"{seed}:practice-statuses").shuffle(cycle)
    wanted, related = {}, {}
    for number in range(1, scale * PRACTICES_PER_SCALE + 1):
        status = cycle[(number - 1) % len(cycle)]
        values, links = _practice(_rng(seed, number), status, governments, choices)
        key = (f"{DEMO_LINK_PREFIX}{number}",)
        wanted[key] = values
        related[key] = links
    return wanted, related


# --- The service --------------------------------------------------------------------------------


@dataclass
class PracticeSummary(Tallies):
    scale: int
    seed: int
    tallies: dict = field(default_factory=dict)  # label -> Tally
    totals: dict = field(default_factory=dict)  # label -> rows now in the database
    statuses: dict = field(default_factory=dict)  # status -> demo practices
    languages: dict = field(default_factory=dict)  # language -> demo practices
    search_vectors: int = 0

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


def _seed_links(summary, practices, related):
    """The practices' links to SDG targets, Compact themes and round tables."""
    ids = [practices[key].pk for key in related]
    for label, through, column, kind in (
        ("practice target links", Practice.sdg_targets.through, "target_id", "targets"),
        ("practice theme links", Practice.compact_themes.through, "compacttheme_id", "themes"),
        ("practice round-table links", Practice.round_tables.through, "roundtable_id", "round_tables"),
    ):
        rows = {(practices[key].pk, pk): {} for key, links in related.items() for pk in links[kind]}
        tally = summary.tally(label)
        sync_rows(
            tally,
            through,
            ("practice_id", column),
            rows,
            existing_rows(through.objects.all(), "practice_id", ids),
            delete_others=True,
        )
        summary.totals[label] = len(rows)


@transaction.atomic
def seed_practices(*, scale, seed):
    """``scale * 5`` demo practices drawn from ``seed``, held by the demo governments. Idempotent."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    summary = PracticeSummary(scale=scale, seed=seed)
    governments = _governments(scale, seed)
    wanted, related = _draw(scale, seed, governments, _link_choices())

    existing = existing_rows(Practice.objects.all(), "links", [key[0] for key in wanted])
    before = {(p.links,): p for p in existing}
    changed_keys = [
        key
        for key, values in wanted.items()
        if key not in before
        or any(normalise(getattr(before[key], name)) != normalise(value) for name, value in values.items())
    ]
    practices = sync_rows(summary.tally("good practices"), Practice, ("links",), wanted, existing)
    _seed_links(summary, practices, related)
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
