"""A search as one ordered queryset, with its filters in SQL.

The exports and the API stream every practice of a search from here (no facets, no snippets, no
pages), and the result page uses it for a page past the end. The list page counts on the facet
index instead (practices.search.facets); the tests check that both find the same practices.
"""

from django.db import connection
from django.db.models import Exists, OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast
from django.db.models.lookups import Contains

from practices.models import Practice
from practices.search import fulltext
from practices.search.params import FILTERS, NEWEST, TITLE, Params, clean_query
from practices.services import visible_practices
from roundtables.models import Forum
from stakeholders.regions import region_codes

_through_targets = Practice.sdg_targets.through
_through_themes = Practice.compact_themes.through
_through_round_tables = Practice.round_tables.through


def current_forum_id():
    """A subquery: the forum marked current, or else the latest one (as Forum.objects.current())."""
    return Subquery(Forum.objects.current_first().values("id")[:1])


def _countries_regex(codes):
    # ``countries`` holds "DE,FR": one of the codes between commas or the ends of the text.
    return r"(^|,)(" + "|".join(sorted(codes)) + r")(,|$)"


def condition(name, values):
    """The Q that keeps the practices matching any of ``values`` of filter ``name``."""
    if name == "country":
        return Q(countries__regex=_countries_regex(values))
    if name == "region":
        return Q(countries__regex=_countries_regex({code for slug in values for code in region_codes(slug)}))
    if name == "sdg_target":
        return Q(Exists(_through_targets.objects.filter(practice_id=OuterRef("pk"), target__code__in=values)))
    if name == "compact_theme":
        return Q(Exists(_through_themes.objects.filter(practice_id=OuterRef("pk"), compacttheme__code__in=values)))
    if name == "round_table":
        return Q(
            Exists(
                _through_round_tables.objects.filter(
                    practice_id=OuterRef("pk"), roundtable__code__in=values, roundtable__forum_id=current_forum_id()
                )
            )
        )
    if name == "constituency":
        if connection.vendor == "postgresql":
            return Q(constituencies__has_any_keys=list(values))  # jsonb ?| : elements of the array
        matched = Q()
        for value in values:  # the JSON text of the list holds "value" (values are fixed slugs)
            matched |= Q(Contains(Cast("constituencies", output_field=TextField()), f'"{value}"'))
        return matched
    if name == "gender_responsive":
        return Q(gender_responsive__in=[value == "yes" for value in values])
    if name == "year":
        return Q(start_date__year__in=list(values))
    raise KeyError(name)


def apply_filters(queryset, filters, *, exclude=None):
    for name in FILTERS:
        if filters.get(name) and name != exclude:
            queryset = queryset.filter(condition(name, filters[name]))
    return queryset


def search_queryset(*, user, q="", filters=None, sort="", capped=False):
    """The practices of a search, in order (for exports and the API: no snippets, no pages).

    With ``q`` and relevance order on PostgreSQL the queryset is annotated with ``rank``; with
    ``capped`` only the RANK_CAP most recent matches are ranked (and returned).
    """
    q = clean_query(q)
    params = Params(q=q, filters=filters or {}, sort=sort)
    queryset = apply_filters(fulltext.matching(visible_practices(user), q), params.filters)
    sort = params.effective_sort
    if sort == "relevance" and fulltext.uses_full_text():
        if capped:
            queryset = Practice.objects.filter(pk__in=queryset.order_by(*NEWEST).values("pk")[: fulltext.RANK_CAP])
        return fulltext.by_relevance(queryset, q)
    return queryset.order_by(*(TITLE if sort == "title" else NEWEST))
