"""Which practices match the words of a search, and their order by relevance.

On PostgreSQL the query ``q`` is run through ``gfmd_unaccent()`` and ``websearch_to_tsquery`` with
each of the english, french, spanish and simple configurations, OR-ed, and matched against the
practice's weighted ``search_vector`` (GIN index). Ranking (``ts_rank_cd``) is capped: at most
``RANK_CAP`` matches, the most recently published, are ranked, so that a query matching every
practice costs the same as one matching a few thousand. On SQLite the same is done with an FTS5 table of the words and
their Snowball stems (practices.search.fts5), ranked with ``bm25()``; snippets remain PostgreSQL's
only. On a SQLite without FTS5 the query is a plain case-insensitive containment on title, summary
and description, without ranking.

``RANK_CAP`` is read at call time as ``fulltext.RANK_CAP`` by the modules that cap (queryset,
facets, results), so that a test can lower it here, in one place.
"""

import re

from django.contrib.postgres.search import (
    SearchConfig,
    SearchQuery,
    SearchQueryCombinable,
    SearchQueryField,
    SearchRank,
)
from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, Func, Q, TextField, Value, When
from django.db.models.expressions import RawSQL

from practices.search import fts5
from practices.search.params import NEWEST

# At most this many matches (the most recently published) are ranked by relevance.
RANK_CAP = 1000
TS_CONFIGS = ("english", "french", "spanish", "simple")


def uses_full_text():
    """Words matched with stems and without accents, and ranked: PostgreSQL, or SQLite with FTS5."""
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and fts5.available(connection)


def has_snippets():
    """Results show the matched words in their context (ts_headline): PostgreSQL only."""
    return connection.vendor == "postgresql"


class Unaccent(Func):
    function = "gfmd_unaccent"
    output_field = TextField()


# A word or "phrase" that web-search syntax excludes: -word, -"a phrase".
NEGATED = re.compile(r'(?:^|(?<=\s))-("[^"]*"?|[^\s"]+)')


class _Distinct(SearchQueryCombinable, Func):
    """The distinct, non-empty ones of some tsqueries, joined by | (or by & when ``joiner`` is
    " & "); an empty tsquery when every one is empty (as websearch_to_tsquery gives for stop words).

    The configurations often stem a word alike ('inclus' in english and french, 'inclusion' in
    spanish and simple): the same query twice costs ts_rank_cd, the GIN index and ts_headline
    twice the work, for a match and an order that are the same (ranking the 1,000 most recent
    matches of "inclusion": 15.5 ms with the four, 11.5 ms with the two distinct ones).
    """

    output_field = SearchQueryField()
    template = (
        "coalesce((SELECT string_agg(DISTINCT '(' || part::text || ')', '%(joiner)s')::tsquery "
        "FROM unnest(ARRAY[%(expressions)s]) AS part WHERE part::text <> ''), ''::tsquery)"
    )

    def __init__(self, *queries, joiner):
        super().__init__(*queries, joiner=joiner)
        self.config = None


def _any_config(text, *, invert=False):
    value = Unaccent(Value(text))
    parts = [SearchQuery(value, config=config, search_type="websearch", invert=invert) for config in TS_CONFIGS]
    return _Distinct(*parts, joiner=" & " if invert else " | ")


def ts_query(q):
    """websearch_to_tsquery of the unaccented text for each configuration, OR-ed.

    Excluded words (-word) are taken out first and excluded in every configuration: OR-ing whole
    queries would let a practice in through the one configuration whose stem of the excluded word
    it does not contain.
    """
    excluded = [match.group(1) for match in NEGATED.finditer(q)]
    positive = NEGATED.sub(" ", q).strip()
    query = _any_config(positive) if positive else None
    if excluded:
        exclusion = _any_config(" or ".join(excluded), invert=True)
        query = exclusion if query is None else query & exclusion
    return query


def practice_config():
    """The text search configuration of each practice's own language (for its snippets)."""
    return SearchConfig(
        Case(
            When(language="fr", then=Value("french")),
            When(language="es", then=Value("spanish")),
            default=Value("english"),
        )
    )


class _Scalar(Func):
    template = "(SELECT %(expressions)s)"
    output_field = SearchQueryField()


class _Matches(Func):
    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = BooleanField()


def matching(queryset, q):
    """The practices that match ``q`` (the GIN index on PostgreSQL, icontains elsewhere).

    On PostgreSQL the query is a scalar subquery, ``search_vector @@ (SELECT <tsquery>)``: the
    planner then cannot estimate how many practices match, and reads the index (bitmap scan). Seeing
    the query, it picks a sequential scan for a frequent word, which evaluates ``@@`` on every
    row's vector, detoasting each one: 80 ms instead of 15 ms over 25,000 practices (the index
    answers a query without weights exactly, with no vector read).
    """
    if not q:
        return queryset
    if connection.vendor == "postgresql":
        return queryset.filter(_Matches(F("search_vector"), _Scalar(ts_query(q))))
    if uses_full_text():
        positive, negative = fts5.match_expression(q)
        if positive is None and negative is None:
            return queryset.none()  # only signs: as an empty tsquery, it matches nothing
        if positive is not None:
            queryset = queryset.filter(pk__in=_fts5_ids(positive))
        if negative is not None:
            queryset = queryset.exclude(pk__in=_fts5_ids(negative))
        return queryset
    return queryset.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(description__icontains=q))


def matching_ids(queryset, q):
    """The ids of the practices of ``queryset`` that match ``q``, in no order.

    On PostgreSQL as one array value (``array_agg``): the 13,863 ids of a frequent word cost about
    7 ms less that way than as many rows through the ORM.
    """
    ids = matching(queryset, q).order_by().values_list("pk", flat=True)
    if connection.vendor != "postgresql":
        return list(ids)
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT array_agg(matched.id) FROM ({sql}) AS matched(id)", params)  # noqa: S608 - the ORM's SQL
        return cursor.fetchone()[0] or []


def _fts5_ids(expression):
    return RawSQL(fts5.IDS_MATCHING, [expression])  # noqa: S611 - the query is a parameter


def by_relevance(queryset, q):
    """``queryset`` annotated with its ``rank`` for ``q``, best first, then the newest.

    On SQLite the rank is ``-bm25()`` (bm25 is lower for a better match), read for each practice
    of ``queryset`` (at most RANK_CAP of them) from the FTS5 table.
    """
    if connection.vendor == "sqlite":
        positive, _negative = fts5.match_expression(q)
        if positive is None:
            return queryset.annotate(rank=Value(0.0, output_field=FloatField())).order_by(*NEWEST)
        rank = RawSQL(fts5.RANK, [positive], output_field=FloatField())  # noqa: S611 - the query is a parameter
        return queryset.annotate(rank=rank).order_by("-rank", *NEWEST)
    return queryset.annotate(rank=SearchRank(F("search_vector"), ts_query(q), cover_density=True)).order_by(
        "-rank", *NEWEST
    )
