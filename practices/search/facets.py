"""Facet counts, the total and the ids of a page, from this process's facet index; the facets shown.

Facet counts follow the usual rule: the counts of a filter's values are computed with every
*other* filter applied. The counts, the total and the ids of the page come from the process's facet
index (practices.search.facet_index, see facet_counts): the database gives the ids of the text
matches and ranks the most recent of them. The result is kept in the cache of searches until the
content changes (cached_facet_counts).
"""

import hashlib
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from practices.models import Practice
from practices.search import facet_index, fulltext
from practices.search.params import FILTER_LABELS, FILTERS, PAGE_SIZE
from practices.services import visibility, visible_practices
from roundtables.models import Forum, RoundTable
from sdg_targets.models import CompactTheme, Target
from stakeholders.models import Constituency
from stakeholders.regions import REGIONS


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    detail: str = ""


@dataclass
class Facet:
    name: str
    label: str
    values: list

    @property
    def any_selected(self):
        return any(value.selected for value in self.values)


@dataclass
class PageRequest:
    """Which page of ids facet_counts() should also return: the order, where it starts, its size.

    With ``q`` (relevance on PostgreSQL) the RANK_CAP most recent matches are ranked."""

    sort: str
    offset: int
    size: int = PAGE_SIZE
    q: str = ""


# --- Counting ------------------------------------------------------------------------------------

LINKED = {"sdg_target": Target, "compact_theme": CompactTheme, "round_table": RoundTable}


def _label_sql(alias, field_name):
    """COALESCE over the translated columns in the active language's fallback order."""
    languages = list(settings.MODELTRANSLATION_LANGUAGES)
    active = (get_language() or settings.LANGUAGE_CODE)[:2]
    fallbacks = settings.MODELTRANSLATION_FALLBACK_LANGUAGES
    order = [active, *fallbacks.get(active, fallbacks["default"]), *languages]
    columns = []
    for code in order:
        if code in languages and code not in columns:
            columns.append(code)
    return "COALESCE(" + ", ".join(f"NULLIF({alias}.{field_name}_{code}, '')" for code in columns) + ")"


def _linked_labels():
    """{facet: {id as text: (code, label)}} of the SDG targets, themes and the current forum's round
    tables, labels in the active language (one query)."""
    forum_sql, forum_params = Forum.objects.current_first().values("id")[:1].query.sql_with_params()
    parts = []
    for name, model, label_field, where in (
        ("sdg_target", Target, "text", "1 = 1"),
        ("compact_theme", CompactTheme, "title", "1 = 1"),
        ("round_table", RoundTable, "title", f"t.forum_id = ({forum_sql})"),
    ):
        parts.append(
            f"SELECT '{name}', t.id, t.code, {_label_sql('t', label_field)} "  # noqa: S608 - fixed fragments
            f"FROM {model._meta.db_table} t WHERE {where}"
        )
    labels = {name: {} for name in LINKED}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), list(forum_params))
        for name, pk, code, label in cursor.fetchall():
            labels[name][str(pk)] = (code, label or "")
    return labels


def _page_ids(index, mask, page):
    """The ids of the requested page of the practices in ``mask``, in the page's order."""
    positions = np.flatnonzero(mask)  # newest first
    if page.sort == "relevance":
        capped = index.ids[positions[: fulltext.RANK_CAP]].tolist()
        if not capped:
            return []
        # On PostgreSQL the ids as one array parameter (= ANY) rather than 1,000 parameters of an
        # IN list, each prepared by Django (about 5 ms). SQLite (FTS5) has no arrays.
        if connection.vendor == "postgresql":
            among = RawSQL(f"{Practice._meta.db_table}.id = ANY(%s)", (capped,), BooleanField())  # noqa: S611 - ids as a parameter
        else:
            among = Q(pk__in=capped)
        ranked = fulltext.by_relevance(Practice.objects.filter(among), page.q).values_list("pk", flat=True)
        return list(ranked[page.offset : page.offset + page.size])
    if page.sort == "title":
        positions = positions[np.argsort(index.title_rank()[positions], kind="stable")]
    return index.ids[positions[page.offset : page.offset + page.size]].tolist()


def facet_counts(user, q, filters, page=None):
    """({filter: {value: (count, label)}}, total, [ids of the page]) of a search by ``user``.

    Counted on this process's facet index (practices.search.facet_index): the practices ``user``
    may see, those matching ``q`` (their ids from the database), then the filters. A filter's counts
    take the practices that pass every *other* filter. Queries: the index's token, the labels of the
    linked facets, the matches (with a query), the ranking (relevance order).
    """
    index = facet_index.current()
    mask = index.visible(visibility(user))
    if q:
        mask &= index.mask(index.positions_of(fulltext.matching_ids(visible_practices(user), q)))
    labels = _linked_labels()
    active = [name for name in FILTERS if filters.get(name)]
    passes = {}
    for name in active:
        values = filters[name]
        if name in LINKED:  # codes -> the ids the index holds
            codes = {str(value) for value in values}
            values = [pk for pk, (code, _label) in labels[name].items() if code in codes]
        passes[name] = index.matching(name, values)

    def others(name):
        kept = mask.copy()
        for other in active:
            if other != name:
                kept &= passes[other]
        return kept

    everything = others(None)
    counts = {name: {} for name in FILTERS}
    for name in FILTERS:
        counted = others(name) if name in active else everything
        for value, positions in index.values[name].items():
            found = int(np.count_nonzero(counted[positions]))
            if not found:
                continue
            if name in LINKED:
                if value not in labels[name]:  # deleted since, or a round table of another forum
                    continue
                code, label = labels[name][value]
                counts[name][code] = (found, label)
            else:
                counts[name][value] = (found, "")
    ids = _page_ids(index, everything, page) if page is not None else []
    return counts, int(np.count_nonzero(everything)), ids


def cache_seconds():
    return getattr(settings, "SEARCH_CACHE_SECONDS", settings.PAGE_CACHE_SECONDS)


def cached_facet_counts(user, q, filters, page):
    """facet_counts(), kept in the cache until any content changes (as the anonymous page cache).

    Signed-in people, whom the page cache does not serve, often ask the same (the page without a
    search, its next pages). The key holds what the asker may see, the query, the filters, the
    page and the language of the labels; the content version is stored in the value, so that a
    hit costs one cache round trip and a stale entry is recomputed. Off when SEARCH_CACHE_SECONDS
    (by default PAGE_CACHE_SECONDS) is 0.
    """
    seconds = cache_seconds()
    if seconds <= 0:
        return facet_counts(user, q, filters, page)
    from django.core.cache import cache

    from common import pagecache

    described = repr((visibility(user), q, sorted(filters.items()), page, get_language()))
    key = "practices:search:" + hashlib.sha256(described.encode()).hexdigest()
    found = cache.get_many([pagecache.VERSION_KEY, key])
    version = found.get(pagecache.VERSION_KEY) or pagecache.content_version()
    stored = found.get(key)
    if stored is not None and stored[0] == version:
        return stored[1]
    result = facet_counts(user, q, filters, page)
    cache.set(key, (version, result), seconds)
    return result


# --- The facets shown ----------------------------------------------------------------------------


def _target_key(code):
    goal, _dot, suffix = code.partition(".")
    return (int(goal) if goal.isdigit() else 999, int(suffix) if suffix.isdigit() else 100 + ord(suffix[:1] or "a"))


def _number_key(code):
    return tuple(int(part) if part.isdigit() else 0 for part in code.split("."))


def _value_label(name, value, detail, country_names):
    """(label, detail) of one value of facet ``name``; ``detail`` is the linked object's label."""
    if name == "country":
        return country_names.get(value) or value, ""
    if name == "region":
        return (str(REGIONS[value][0]) if value in REGIONS else value), ""
    if name == "sdg_target":
        return str(_("Target %(code)s") % {"code": value}), detail
    if name in ("compact_theme", "round_table"):
        return value, detail
    if name == "constituency":
        return (str(Constituency(value).label) if value in Constituency.values else value), ""
    if name == "gender_responsive":
        return (str(_("Yes")) if value == "yes" else str(_("No"))), ""
    return value, ""


def _sort_values(name, values):
    """Put the values of facet ``name`` in a useful order, in place."""
    if name == "country":
        values.sort(key=lambda v: (-v.count, v.label))
    elif name == "region":
        values.sort(key=lambda v: list(REGIONS).index(v.value) if v.value in REGIONS else 99)
    elif name == "sdg_target":
        values.sort(key=lambda v: _target_key(v.value))
    elif name in ("compact_theme",):
        values.sort(key=lambda v: v.value)
    elif name == "round_table":
        values.sort(key=lambda v: _number_key(v.value))
    elif name == "constituency":
        constituencies = list(Constituency)
        values.sort(
            key=lambda v: [c.value for c in constituencies].index(v.value) if v.value in Constituency.values else 99
        )
    elif name == "gender_responsive":
        values.sort(key=lambda v: v.value != "yes")
    elif name == "year":
        values.sort(key=lambda v: v.value, reverse=True)


def build_facets(counts, filters):
    """The facets to show: values with a count, and the selected ones even at zero, in a useful order."""
    facets = []
    # Every country's name in the active language at once: countries.name() cost 50 µs a call.
    country_names = dict(countries)
    for name in FILTERS:
        found = dict(counts.get(name, {}))
        selected = {str(value) for value in filters.get(name, ())}
        for value in selected:
            found.setdefault(value, (0, ""))
        values = []
        for value, (count, detail) in found.items():
            label, extra = _value_label(name, value, detail, country_names)
            values.append(FacetValue(value, label, count, value in selected, extra))
        _sort_values(name, values)
        facets.append(Facet(name, str(FILTER_LABELS[name]), values))
    return facets
