"""Synthetic contributions and rapporteurs' reports for a forum's round tables (demo and benchmark data).

``seed_contributions(forum, count=N, seed=S)`` spreads ``N`` contributions over the forum's round
tables (about 55% recommendations, 45% statements), written by the demo people of
``demo.people`` with their organisation, constituency and country at the time, tagged
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

from demo import tables
from demo.people import DEMO_EMAIL_DOMAIN
from roundtables.models import Contribution, RapporteurReport, Session
from stakeholders.models import Profile

BATCH_SIZE = 2000

_CONTRIBUTIONS = tables.load("contributions")
# Per kind and language: "openers", "endings" and the four "blocks" of word groups (data/contributions.yaml).
KINDS = {
    Contribution.Kind.RECOMMENDATION: _CONTRIBUTIONS["recommendation"],
    Contribution.Kind.STATEMENT: _CONTRIBUTIONS["statement"],
}
LANGUAGE_WEIGHTS = [("en", 6), ("fr", 3), ("es", 1)]
# {language: (first, second, third sentence)} of a rapporteur's report.
REPORT_SENTENCES = {language: tuple(sentences) for language, sentences in _CONTRIBUTIONS["report_sentences"].items()}


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
