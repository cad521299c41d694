"""Reading the inputs of a draft, and their SHA-256 hash.

The forum's texts, and per round table its texts and links (``round_table_meta``), its rapporteurs'
reports, its published good practices and its accepted and duplicate contributions
(``contribution_rows``, streamed). ``inputs_digest`` hashes them all before the round tables are
compiled (is there anything new?); the round-table step feeds the same rows into the same hash as it
reads them (``round_table_hasher``, ``feed_row``) and the assembly combines the hashes
(``combine_hashes``), so the draft's ``inputs_hash`` is that of what was read.
"""

import hashlib
import json
import time

from django.utils import translation

from declarations.compile import progress
from practices.models import Practice
from roundtables.models import Contribution, RapporteurReport, RoundTable
from sdg_targets.models import CompactTheme

COMPILER_VERSION = "8"  # in every inputs hash and in Draft.content: raising it makes every next compile a new version
STREAM_CHUNK = 2000

INCLUDED = (Contribution.Status.ACCEPTED, Contribution.Status.DUPLICATE)


def _hasher(*parts):
    digest = hashlib.sha256()
    for part in parts:
        _feed(digest, part)
    return digest


def _feed(digest, value):
    digest.update(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode())
    digest.update(b"\n")


def feed_row(digest, row):
    # A contribution row holds only str, int, None and lists of str: repr is exact and fast.
    digest.update(repr(row).encode())
    digest.update(b"\n")


def combine_hashes(language, forum_hash, round_table_hashes):
    return _hasher(COMPILER_VERSION, language, forum_hash, round_table_hashes).hexdigest()


def forum_digest(forum, language):
    """What the preamble, the headings and the themes section read from the forum, in ``language``."""
    with translation.override(language):
        values = [
            forum.slug,
            forum.edition,
            forum.year,
            forum.title,
            forum.theme,
            forum.city,
            forum.start_date,
            forum.end_date,
            sorted(str(code) for code in forum.host_countries),
            forum.show_contributor_names,
            [(number, title) for number, title in forum.sub_themes.order_by("number").values_list("number", "title")],
            [tuple(row) for row in CompactTheme.objects.order_by("code").values_list("code", "title")],
        ]
    return _hasher(values).hexdigest()


def inputs_digest(forum, language, *, alive=None):
    """(hash of every input of a draft of ``forum`` in ``language``, contributions to process).
    ``alive()`` is called now and then (the job's heartbeat)."""
    forum_hash = forum_digest(forum, language)
    hashes, total = [], 0
    last = time.monotonic()
    for round_table in RoundTable.objects.filter(forum=forum).select_related("sub_theme").order_by("position", "code"):
        digest = round_table_hasher(round_table, language)
        for row in contribution_rows(round_table.pk):
            feed_row(digest, row)
            total += 1
            if alive is not None and time.monotonic() - last >= progress.PROGRESS_SECONDS:
                alive()
                last = time.monotonic()
        hashes.append(digest.hexdigest())
    return combine_hashes(language, forum_hash, hashes), total


def round_table_meta(round_table, language):
    with translation.override(language):
        return [
            round_table.code,
            round_table.position,
            round_table.title,
            round_table.sub_theme.number,
            sorted(round_table.sdg_targets.values_list("code", flat=True)),
            sorted(round_table.compact_themes.values_list("code", flat=True)),
        ]


def round_table_reports(round_table):
    return list(
        RapporteurReport.objects.filter(session__round_table=round_table)
        .order_by("session__start", "session_id", "language")
        .values_list("pk", "session_id", "language", "text")
    )


def round_table_practices(round_table):
    return list(
        Practice.objects.filter(round_tables=round_table, status=Practice.Status.PUBLISHED)
        .order_by("pk")
        .values_list("pk", "title", "language", "countries")
    )


def round_table_hasher(round_table, language, reports=None, practices=None, meta=None):
    return _hasher(
        meta if meta is not None else round_table_meta(round_table, language),
        reports if reports is not None else round_table_reports(round_table),
        [
            [*row[:3], str(row[3])]
            for row in (practices if practices is not None else round_table_practices(round_table))
        ],
    )


def _codes_by_contribution(queryset, code_field):
    """(contribution id, [codes]) in contribution order, from a through table, streamed."""
    rows = (
        queryset.order_by("contribution_id", code_field)
        .values_list("contribution_id", code_field)
        .iterator(chunk_size=STREAM_CHUNK)
    )
    current, codes = None, []
    for contribution_id, code in rows:
        if contribution_id != current:
            if current is not None:
                yield current, codes
            current, codes = contribution_id, []
        codes.append(code)
    if current is not None:
        yield current, codes


def contribution_rows(round_table_id):
    """The round table's accepted and duplicate contributions, by id, as tuples:
    (id, text, kind, language, constituency, organisation name, country, status, duplicate_of, same_as,
    [target codes], [theme codes]). Streamed: three ordered queries merged, nothing held."""
    contributions = (
        Contribution.objects.filter(round_table_id=round_table_id, status__in=INCLUDED)
        .order_by("pk")
        .values_list(
            "pk",
            "text",
            "kind",
            "language",
            "constituency",
            "organisation_name",
            "country",
            "status",
            "duplicate_of_id",
            "same_as_id",
        )
        .iterator(chunk_size=STREAM_CHUNK)
    )
    linked = {"contribution__round_table_id": round_table_id, "contribution__status__in": INCLUDED}
    targets = _codes_by_contribution(Contribution.sdg_targets.through.objects.filter(**linked), "target__code")
    themes = _codes_by_contribution(Contribution.compact_themes.through.objects.filter(**linked), "compacttheme__code")
    next_target = next(targets, None)
    next_theme = next(themes, None)
    for row in contributions:
        pk = row[0]
        row_targets, row_themes = [], []
        # Links of a contribution that changed status meanwhile are skipped, never mismatched.
        while next_target is not None and next_target[0] <= pk:
            if next_target[0] == pk:
                row_targets = next_target[1]
            next_target = next(targets, None)
        while next_theme is not None and next_theme[0] <= pk:
            if next_theme[0] == pk:
                row_themes = next_theme[1]
            next_theme = next(themes, None)
        yield (*row[:6], str(row[6] or ""), *row[7:], row_targets, row_themes)
