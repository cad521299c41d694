"""Which practices match the words of a search, and their order by relevance.

On PostgreSQL the query ``q`` is run through ``gfmd_unaccent()`` and ``websearch_to_tsquery`` with
each of the english, french, spanish and simple configurations, OR-ed, and matched against the
practice's weighted ``search_vector`` (GIN index). Ranking (``ts_rank_cd``) is capped: at most
``RANK_CAP`` matches, the most recently published, are ranked, so that a query matching every
practice costs the same as one matching a few thousand. On SQLite the query is a plain
case-insensitive containment on title, summary and description, without ranking (or snippets).

``RANK_CAP`` is read at call time as ``fulltext.RANK_CAP`` by the modules that cap (queryset,
facets, results), so that a test can lower it here, in one place.
"""

import re

from django.contrib.postgres.search import SearchConfig, SearchQuery, SearchQueryField, SearchRank
from django.db import connection
from django.db.models import BooleanField, Case, F, Func, Q, TextField, Value, When

from practices.search.params import NEWEST

# At most this many matches (the most recently published) are ranked by relevance.
RANK_CAP = 1000
TS_CONFIGS = ("english", "french", "spanish", "simple")


def uses_full_text():
    return connection.vendor == "postgresql"


class Unaccent(Func):
    function = "gfmd_unaccent"
    output_field = TextField()


# A word or "phrase" that web-search syntax excludes: -word, -"a phrase".
NEGATED = re.compile(r'(?:^|(?<=\s))-("[^"]*"?|[^\s"]+)')


def _any_config(text, *, invert=False):
    value = Unaccent(Value(text))
    parts = [SearchQuery(value, config=config, search_type="websearch", invert=invert) for config in TS_CONFIGS]
    query = parts[0]
    for part in parts[1:]:
        query = (query & part) if invert else (query | part)
    return query


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
    if uses_full_text():
        return queryset.filter(_Matches(F("search_vector"), _Scalar(ts_query(q))))
    return queryset.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(description__icontains=q))


def by_relevance(queryset, q):
    """``queryset`` annotated with its ``rank`` for ``q`` (PostgreSQL), best first, then the newest."""
    return queryset.annotate(rank=SearchRank(F("search_vector"), ts_query(q), cover_density=True)).order_by(
        "-rank", *NEWEST
    )
