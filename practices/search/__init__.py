"""Search of the Platform for Partnerships' database: full text, filters, facet counts, sort, pages.

Every surface (the list page, its exports, the API) goes through here and starts from
``visible_practices(user)``.

How a search flows
------------------

1. ``params``: the GET parameters are read and cleaned (``parse_params``) into a ``Params``: the
   words ``q``, the filters ``{name: values}`` (values of one filter OR-ed, filters AND-ed), the
   sort and the page. Malformed values are reported; the page ignores them, exports and the API
   refuse them.
2. ``results.search`` asks for one page. The counts, the total and the ids of the page come from
   ``facets``, which counts on this process's ``facet_index`` (numpy masks, rebuilt when the
   content changed) and keeps the answer in the cache of searches until the content changes.
3. ``fulltext`` gives ``facets`` the ids of the practices matching ``q`` (PostgreSQL full text;
   on SQLite the FTS5 table of ``fts5``) and, for relevance order, ranks the ``RANK_CAP`` most
   recent of them.
4. ``results`` reads the page's practices again through ``visible_practices`` and ``highlight``
   marks the words of the search in their titles and snippets (PostgreSQL only); ``printed``
   prints them and the filters' values as HTML.
5. The exports and the API take the whole search as one ordered queryset instead
   (``queryset.search_queryset``: the filters in SQL, no facets, no snippets, no pages).

A page of the list costs 4 queries without a query and 6 with one, whatever the size of the
database (one more after a change, to rebuild the index).

What callers use
----------------

``parse_params``, ``search`` (a ``SearchResult``), ``search_queryset``, ``clean_value`` (one
filter value, as the API checks them), and the constants below: ``FILTERS`` (the filter names),
``SORTS``, ``NEWEST`` (the database order of "newest"), ``PAGE_SIZE``, ``MAX_QUERY_LENGTH``,
``MAX_VALUES`` and ``RANK_CAP``. Everything else is the modules' own business; the facet index is
reached as ``practices.search.facet_index`` (its ``bump`` marks the content changed). A test that
lowers ``RANK_CAP`` patches ``practices.search.fulltext.RANK_CAP``, which the modules read.
"""

from practices.search.fulltext import RANK_CAP
from practices.search.params import (
    FILTERS,
    MAX_QUERY_LENGTH,
    MAX_VALUES,
    NEWEST,
    PAGE_SIZE,
    SORTS,
    Params,
    clean_value,
    parse_params,
)
from practices.search.queryset import search_queryset
from practices.search.results import SearchResult, search

__all__ = [
    "FILTERS",
    "MAX_QUERY_LENGTH",
    "MAX_VALUES",
    "NEWEST",
    "PAGE_SIZE",
    "RANK_CAP",
    "SORTS",
    "Params",
    "SearchResult",
    "clean_value",
    "parse_params",
    "search",
    "search_queryset",
]
