"""One page of a search, as the list page shows it: results, facets, total and pagination."""

from dataclasses import dataclass

from django.db.models import F, Value
from django.utils.functional import SimpleLazyObject, cached_property

from practices.search import fulltext
from practices.search.facets import PageRequest, build_facets, cached_facet_counts
from practices.search.highlight import headlines, snippet_html, title_html
from practices.search.params import PAGE_SIZE, Params, clean_query
from practices.search.queryset import search_queryset
from practices.services import visible_practices
from sdg_targets.models import CompactTheme, Target
from stakeholders.regions import REGIONS, regions_of


@dataclass
class Pagination:
    number: int
    num_pages: int
    count: int
    per_page: int = PAGE_SIZE

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.num_pages

    @property
    def previous_page_number(self):
        return self.number - 1

    @property
    def next_page_number(self):
        return self.number + 1

    @property
    def start_index(self):
        return 0 if self.count == 0 else (self.number - 1) * self.per_page + 1

    @property
    def end_index(self):
        return min(self.number * self.per_page, self.count)

    @cached_property
    def window(self):
        """Page numbers to link: the first, the last and two around the current one (None for a gap)."""
        shown = sorted({1, self.num_pages, *range(max(1, self.number - 2), min(self.num_pages, self.number + 2) + 1)})
        window, last = [], 0
        for number in shown:
            if number - last > 1:
                window.append(None)
            window.append(number)
            last = number
        return window


@dataclass
class SearchResult:
    params: Params
    results: list
    facets: list
    total: int
    pagination: Pagination
    sort: str
    # With relevance order, only the RANK_CAP most recent matches are ranked and listed.
    capped: bool = False
    full_text: bool = False


def search(*, user, q="", filters=None, sort="", page=1, lazy=False):
    """One page of a search with its facets, for ``user`` (what visible_practices(user) shows).

    ``lazy``: the page's practices are read when first used, not at once (the list page keeps them
    in a cached fragment, which does not use them when it is found).

    Queries: for the facet counts, the total and the page's ids, the facet index's token, the
    labels of the linked facets, and with a query its matches and their ranking (none when the
    cache of searches has the answer); then the page's practices (with their snippets) and the codes
    of SDG targets and themes. A page past the end costs one more, for the ids of the last page.
    """
    params = Params(q=clean_query(q), filters=dict(filters or {}), sort=sort or "")
    full_text = bool(params.q) and fulltext.uses_full_text()
    effective_sort = params.effective_sort
    if effective_sort == "relevance" and not full_text:
        effective_sort = "newest"  # no ranking without full text: the newest first
    number = max(1, int(page or 1))
    request = PageRequest(sort=effective_sort, offset=(number - 1) * PAGE_SIZE, q=params.q)
    counts, total, ids = cached_facet_counts(user, params.q, params.filters, request)
    capped = effective_sort == "relevance" and total > fulltext.RANK_CAP
    listed = min(total, fulltext.RANK_CAP) if capped else total
    num_pages = max(1, -(-listed // PAGE_SIZE))
    if number > num_pages:
        number = num_pages
        ordered = search_queryset(
            user=user, q=params.q, filters=params.filters, sort=params.sort, capped=full_text
        ).values_list("pk", flat=True)
        ids = list(ordered[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]) if listed else []
    params.page = number
    marked_q = params.q if full_text and fulltext.has_snippets() else ""
    results = SimpleLazyObject(lambda: _page_practices(user, ids, marked_q)) if lazy else None
    return SearchResult(
        params=params,
        results=results if lazy else _page_practices(user, ids, marked_q),
        facets=build_facets(counts, params.filters),
        total=total,
        pagination=Pagination(number=number, num_pages=num_pages, count=listed),
        sort=effective_sort,
        capped=capped,
        full_text=full_text,
    )


def _page_practices(user, ids, marked_q):
    """The practices of ``ids`` in that order, ready to list: their title and snippet as HTML (the
    words of ``marked_q`` marked, when given), their regions, and the codes of their SDG targets and
    Global Compact themes (``target_codes``, ``theme_codes``, in the order of those models).

    The codes come from the ids kept on each practice (``target_ids``, ``theme_ids``) and one query
    for the codes of every target and theme: prefetching both relations cost two queries and, for
    twenty practices, some 5 ms of Python.
    """
    if not ids:
        return []
    queryset = visible_practices(user).filter(pk__in=ids).select_related("organisation").defer(*UNLISTED)
    if marked_q:
        queryset = queryset.annotate(**headlines(fulltext.ts_query(marked_q)))
    by_id = {practice.pk: practice for practice in queryset}
    results = [by_id[pk] for pk in ids if pk in by_id]
    targets, themes = _codes()
    for practice in results:
        practice.title_html = title_html(practice)
        practice.snippet_html = snippet_html(practice)
        practice.regions = [str(REGIONS[slug][0]) for slug in regions_of(practice.countries)]
        practice.target_codes = _in_order(practice.target_ids, targets)
        practice.theme_codes = _in_order(practice.theme_ids, themes)
    return results


# What a listed practice does not show: left in the database (the search vector alone is several
# kilobytes a practice).
UNLISTED = (
    "search_vector",
    "implementing_organisations",
    "partners",
    "results",
    "evidence",
    "replicability",
    "gender_explanation",
    "links",
    "round_table_ids",
)


def _codes():
    """({target id: (rank, code)}, {theme id: (rank, code)}), ranked in the models' order: targets
    by goal and position, themes by code (one query)."""
    targets = Target.objects.order_by().annotate(kind=Value(0), major=F("goal__number"), minor=F("position"))
    themes = CompactTheme.objects.order_by().annotate(kind=Value(1), major=Value(0), minor=Value(0))
    columns = ("kind", "major", "minor", "code", "id")
    rows = targets.values_list(*columns).union(themes.values_list(*columns), all=True)
    found = ({}, {})
    for rank, (kind, _major, _minor, code, pk) in enumerate(sorted(rows)):
        found[kind][str(pk)] = (rank, code)
    return found


def _in_order(text, codes):
    """The codes of the ids in ``text`` ("3,17,42"), in their models' order."""
    return [code for _rank, code in sorted(codes[ref] for ref in text.split(",") if ref in codes)]
