"""Search of the Platform for Partnerships' database: full text, filters, facet counts, sort, pages.

Every surface (the list page, its exports, the API) goes through here and starts from
``visible_practices(user)``.

On PostgreSQL the query ``q`` is run through ``gfmd_unaccent()`` and ``websearch_to_tsquery`` with
each of the english, french, spanish and simple configurations, OR-ed, and matched against the
practice's weighted ``search_vector`` (GIN index). Ranking (``ts_rank_cd``) is capped: at most
``RANK_CAP`` matches, the most recently published, are ranked, so that a query matching every
practice costs the same as one matching a few thousand. Snippets come from ``ts_headline`` over the
unaccented text, for the page's results only; the marked words are carried back onto the original
(accented) text and everything else is escaped. On SQLite the query is a plain case-insensitive
containment on title, summary and description, without ranking or snippets.

Filters are GET parameters, each possibly repeated (values of one filter are OR-ed, filters are
AND-ed). Facet counts follow the usual rule: the counts of a filter's values are computed with every
*other* filter applied. The counts, the total and the ids of the page come from the process's facet
index (practices.facet_index, see facet_counts): the database gives the ids of the text matches and
ranks the most recent of them. A page of the list costs 5 queries without a query and 7 with one,
whatever the size of the database (one more after a change, to rebuild the index). The result is
kept in the cache of searches until the content changes (cached_facet_counts).
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlencode

import numpy as np
from django.conf import settings
from django.contrib.postgres.search import SearchConfig, SearchHeadline, SearchQuery, SearchQueryField, SearchRank
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat, Lower
from django.db.models.lookups import Contains
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from practices import facet_index
from practices.models import Practice
from practices.services import visibility, visible_practices
from roundtables.models import Forum, RoundTable
from sdg_targets.models import CompactTheme, Target
from stakeholders.models import Constituency
from stakeholders.regions import REGIONS, region_codes, regions_of

PAGE_SIZE = 20
# At most this many matches (the most recently published) are ranked by relevance.
RANK_CAP = 1000
MAX_QUERY_LENGTH = 200
MAX_VALUES = 50  # per filter
TS_CONFIGS = ("english", "french", "spanish", "simple")

# UN M49 regions live in stakeholders.regions (the agenda's balance panel uses them too).


# --- Parameters -----------------------------------------------------------------------------


def _clean_country(raw):
    code = raw.strip().upper()
    return code if re.fullmatch(r"[A-Z]{2}", code) and countries.name(code) else None


def _clean_year(raw):
    raw = raw.strip()
    return int(raw) if re.fullmatch(r"\d{4}", raw) and 1900 <= int(raw) <= 2100 else None


def _pattern(regex):
    def clean(raw):
        raw = raw.strip()
        return raw if re.fullmatch(regex, raw) else None

    return clean


def _choice(choices):
    def clean(raw):
        raw = raw.strip()
        return raw if raw in choices else None

    return clean


# filter name -> cleaner: the value it stands for, or None when it is malformed.
FILTERS = {
    "country": _clean_country,
    "region": _choice(REGIONS),
    "sdg_target": _pattern(r"\d{1,2}\.[0-9a-z]{1,2}"),
    "compact_theme": _pattern(r"[A-Z]\.[a-z]"),
    "round_table": _pattern(r"[0-9A-Za-z.\-]{1,8}"),
    "constituency": _choice(set(Constituency.values)),
    "gender_responsive": _choice({"yes", "no"}),
    "year": _clean_year,
}
FILTER_LABELS = {
    "country": _("Country"),
    "region": _("Region"),
    "sdg_target": _("SDG target"),
    "compact_theme": _("Global Compact theme"),
    "round_table": _("Round table"),
    "constituency": _("Constituency"),
    "gender_responsive": _("Gender-responsive"),
    "year": _("Start year"),
}
SORTS = {"relevance": _("Relevance"), "newest": _("Newest"), "title": _("Title")}


def clean_value(name, raw):
    """The cleaned value of one filter value, or None when it is malformed."""
    return FILTERS[name](str(raw))


@dataclass
class Params:
    """A search: the query, the filters ({name: tuple of values}), the sort and the page."""

    q: str = ""
    filters: dict = field(default_factory=dict)
    sort: str = ""
    page: int = 1

    @property
    def effective_sort(self):
        if self.sort == "relevance" and not self.q:
            return "newest"
        return self.sort or ("relevance" if self.q else "newest")

    def items(self, *, page=None, sort=True):
        """The canonical GET parameters, e.g. for links: [(name, value), …]."""
        pairs = [("q", self.q)] if self.q else []
        for name in FILTERS:
            pairs += [(name, str(value)) for value in self.filters.get(name, ())]
        if sort and self.sort:
            pairs.append(("sort", self.sort))
        if page and page > 1:
            pairs.append(("page", str(page)))
        return pairs

    def urlencode(self, **kwargs):
        return urlencode(self.items(**kwargs))


def parse_params(data):
    """Read a search from a QueryDict: (Params, {parameter: [malformed values]}).

    Malformed values are left out of the Params (the page ignores them, exports and the API refuse).
    """
    errors = {}
    q = " ".join(str(data.get("q", "")).split())
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = [q]
        q = q[:MAX_QUERY_LENGTH]
    filters = {}
    for name, clean in FILTERS.items():
        values = []
        for raw in data.getlist(name):
            if not raw.strip():
                continue
            value = clean(raw)
            if value is None:
                errors.setdefault(name, []).append(raw)
            elif value not in values:
                values.append(value)
        if len(values) > MAX_VALUES:
            errors.setdefault(name, []).append(f"more than {MAX_VALUES} values")
            values = values[:MAX_VALUES]
        if values:
            filters[name] = tuple(values)
    sort = str(data.get("sort", "")).strip()
    if sort and sort not in SORTS:
        errors["sort"] = [sort]
        sort = ""
    page = 1
    raw_page = str(data.get("page", "")).strip()
    if raw_page:
        if raw_page.isdigit() and 0 < int(raw_page) < 100_000:
            page = int(raw_page)
        else:
            errors["page"] = [raw_page]
    return Params(q=q, filters=filters, sort=sort, page=page), errors


# --- Filters ----------------------------------------------------------------------------------

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


# --- Full text ---------------------------------------------------------------------------------


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


def _practice_config():
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


# As the model's default order: the index on published_at serves it (on PostgreSQL, unpublished
# practices, which only staff and their governments' delegates see, come first).
NEWEST = ("-published_at", "-id")
TITLE = (Lower("title"), "id")


def search_queryset(*, user, q="", filters=None, sort="", capped=False):
    """The practices of a search, in order (for exports and the API: no snippets, no pages).

    With ``q`` and relevance order on PostgreSQL the queryset is annotated with ``rank``; with
    ``capped`` only the RANK_CAP most recent matches are ranked (and returned).
    """
    q = " ".join((q or "").split())[:MAX_QUERY_LENGTH]
    params = Params(q=q, filters=filters or {}, sort=sort)
    queryset = apply_filters(matching(visible_practices(user), q), params.filters)
    sort = params.effective_sort
    if sort == "relevance" and uses_full_text():
        query = ts_query(q)
        if capped:
            queryset = Practice.objects.filter(pk__in=queryset.order_by(*NEWEST).values("pk")[:RANK_CAP])
        return queryset.annotate(rank=SearchRank(F("search_vector"), query, cover_density=True)).order_by(
            "-rank", *NEWEST
        )
    return queryset.order_by(*(TITLE if sort == "title" else NEWEST))


# --- Snippets ----------------------------------------------------------------------------------

# Markers that ts_headline puts around matches and between fragments; private-use characters,
# turned into <mark> after the text has been escaped.
START, STOP, FRAGMENTS = "\ue000", "\ue001", "\ue002"
ELLIPSIS = " … "
SNIPPET_WORDS = 30

# Letters and signs that PostgreSQL's unaccent rules fold but that have no canonical decomposition.
_FOLDS = {
    "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "ß": "ss", "ẞ": "SS", "Ø": "O", "ø": "o",
    "Ð": "D", "ð": "d", "Đ": "D", "đ": "d", "Þ": "TH", "þ": "th", "Ł": "L", "ł": "l",
    "Ħ": "H", "ħ": "h", "ı": "i", "Ŀ": "L", "ŀ": "l", "Ŧ": "T", "ŧ": "t", "Ĳ": "IJ", "ĳ": "ij",
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "\xad": "-",
    "‘": "'", "’": "'", "‛": "'", "′": "'", "‚": ",", "“": '"', "”": '"', "‟": '"', "″": '"',
    "„": ",,", "‹": "<", "›": ">", "«": "<<", "»": ">>", "¡": "!", "¿": "?", "×": "*", "÷": "/",
    "©": "(C)", "®": "(R)", "±": "+/-", "¼": " 1/4", "½": " 1/2", "¾": " 3/4",
}  # fmt: skip


# < and > (also those unaccent makes of « and ») are spaces in the text given to ts_headline.
_ANGLES = str.maketrans("<>", "  ")


def _fold_char(char):
    if char in _FOLDS:
        return _FOLDS[char]
    if unicodedata.combining(char):
        return ""
    if "\u0400" <= char <= "\u04ff":  # Cyrillic: the rules fold only Ё and ё
        return {"Ё": "Е", "ё": "е"}.get(char, char)
    decomposed = unicodedata.normalize("NFD", char)
    if len(decomposed) > 1 and all(unicodedata.combining(mark) for mark in decomposed[1:]):
        return decomposed[0]
    return char


class _FoldTable(dict):
    """str.translate's table for fold(), filled as characters are met."""

    def __missing__(self, code):
        char = chr(code)
        replacement = (char if char.isascii() else _fold_char(char)).translate(_ANGLES)
        self[code] = replacement
        return replacement


_FOLD_TABLE = _FoldTable()


class Folded:
    """An approximation of gfmd_unaccent(text), and where each of its characters comes from."""

    def __init__(self, text):
        self.text = text.translate(_FOLD_TABLE)
        # Most folds replace one character by one (é -> e): positions are the same.
        self.origin = None
        if len(self.text) != len(text):
            self.origin = []
            for position, char in enumerate(text):
                self.origin += [position] * len(_FOLD_TABLE[ord(char)])

    def position(self, index):
        return index if self.origin is None else self.origin[index]


def fold(text):
    """(folded text, origin of each folded character) - see Folded."""
    folded = Folded(text)
    return folded.text, [folded.position(index) for index in range(len(folded.text))]


def _parse_marked(marked):
    """Text without markers and the [start, end) spans that were marked."""
    plain, spans, start = [], [], None
    length = 0
    for char in marked:
        if char == START:
            start = length if start is None else start
        elif char == STOP:
            if start is not None:
                spans.append((start, length))
            start = None
        else:
            plain.append(char)
            length += 1
    if start is not None:
        spans.append((start, length))
    return "".join(plain), spans


def _html(text, spans):
    out, position = [], 0
    for start, end in spans:
        if start < position or end <= start:
            continue
        out.append(escape(text[position:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def highlight(original, marked, folded=None):
    """HTML of one fragment, and whether it reaches the start and the end of ``original``.

    ``marked`` is ts_headline's output over the unaccented ``original``. The fragment is found in
    the folded original so that the accented text is shown; when it is not found (a character the
    approximation folds differently), the unaccented fragment itself is shown.
    """
    plain, spans = _parse_marked(marked)
    folded = folded or Folded(original)
    at = folded.text.find(plain) if plain else -1
    if at < 0:
        return _html(plain, spans), False, False
    where = folded.position
    begin = where(at)
    end = where(at + len(plain) - 1) + 1
    mapped = [(where(at + start) - begin, where(at + stop - 1) + 1 - begin) for start, stop in spans if stop > start]
    return _html(original[begin:end], mapped), not original[:begin].strip(), not original[end:].strip()


def title_html(practice):
    marked = getattr(practice, "title_marked", None)
    if marked and START in marked:
        return mark_safe(highlight(practice.title, marked)[0])  # noqa: S308 - escaped in _html
    return escape(practice.title)


def snippet_html(practice):
    """The result's snippet: fragments around the matches, else the start of the summary."""
    marked = getattr(practice, "snippet_marked", None)
    if marked and START in marked:
        text = f"{practice.summary}\n{practice.description}"
        folded = Folded(text)
        pieces = [highlight(text, fragment, folded) for fragment in marked.split(FRAGMENTS) if fragment.strip()]
        html = ELLIPSIS.join(piece for piece, _start, _end in pieces)
        if not pieces[0][1]:
            html = ELLIPSIS.lstrip() + html
        if not pieces[-1][2]:
            html += ELLIPSIS.rstrip()
        return mark_safe(html)  # noqa: S308 - every piece is escaped in _html
    return escape(Truncator(practice.summary or practice.description).words(SNIPPET_WORDS * 2))


def _headline_text(expression):
    """The unaccented text given to ts_headline, with < and > made spaces: its parser would take
    "<...>" for a tag and leave it out (a French «quote» too, which unaccent makes <<quote>>), and
    the fragment would no longer be found in the original."""
    return Func(Unaccent(expression), Value("<>"), Value("  "), function="translate", output_field=TextField())


def _headlines(query):
    config = _practice_config()
    common = {"config": config, "start_sel": START, "stop_sel": STOP}
    return {
        "title_marked": SearchHeadline(_headline_text(F("title")), query, highlight_all=True, **common),
        "snippet_marked": SearchHeadline(
            _headline_text(Concat(F("summary"), Value("\n"), F("description"), output_field=TextField())),
            query,
            max_words=SNIPPET_WORDS,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=FRAGMENTS,
            **common,
        ),
    }


# --- Facets --------------------------------------------------------------------------------------


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


@dataclass
class PageRequest:
    """Which page of ids facet_counts() should also return: the order, where it starts, its size.

    With ``q`` (relevance on PostgreSQL) the RANK_CAP most recent matches are ranked."""

    sort: str
    offset: int
    size: int = PAGE_SIZE
    q: str = ""


LINKED = {"sdg_target": Target, "compact_theme": CompactTheme, "round_table": RoundTable}


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
        capped = index.ids[positions[:RANK_CAP]].tolist()
        if not capped:
            return []
        # Relevance needs full text, so PostgreSQL: the ids as one array parameter (= ANY) rather
        # than 1,000 parameters of an IN list, each prepared by Django (about 5 ms).
        among = RawSQL(f"{Practice._meta.db_table}.id = ANY(%s)", (capped,), BooleanField())  # noqa: S611 - ids as a parameter
        ranked = (
            Practice.objects.filter(among)
            .annotate(rank=SearchRank(F("search_vector"), ts_query(page.q), cover_density=True))
            .order_by("-rank", *NEWEST)
            .values_list("pk", flat=True)
        )
        return list(ranked[page.offset : page.offset + page.size])
    if page.sort == "title":
        positions = positions[np.argsort(index.title_rank()[positions], kind="stable")]
    return index.ids[positions[page.offset : page.offset + page.size]].tolist()


def facet_counts(user, q, filters, page=None):
    """({filter: {value: (count, label)}}, total, [ids of the page]) of a search by ``user``.

    Counted on this process's facet index (practices.facet_index): the practices ``user`` may see,
    those matching ``q`` (their ids from the database), then the filters. A filter's counts take
    the practices that pass every *other* filter. Queries: the index's token, the labels of the
    linked facets, the matches (with a query), the ranking (relevance order).
    """
    index = facet_index.current()
    mask = index.visible(visibility(user))
    if q:
        matched = matching(visible_practices(user), q).order_by().values_list("pk", flat=True)
        mask &= index.mask(index.positions_of(matched))
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


def _target_key(code):
    goal, _dot, suffix = code.partition(".")
    return (int(goal) if goal.isdigit() else 999, int(suffix) if suffix.isdigit() else 100 + ord(suffix[:1] or "a"))


def _number_key(code):
    return tuple(int(part) if part.isdigit() else 0 for part in code.split("."))


def build_facets(counts, filters):
    """The facets to show: values with a count, and the selected ones even at zero, in a useful order."""
    constituencies = list(Constituency)
    facets = []
    for name in FILTERS:
        found = dict(counts.get(name, {}))
        selected = {str(value) for value in filters.get(name, ())}
        for value in selected:
            found.setdefault(value, (0, ""))
        values = []
        for value, (count, detail) in found.items():
            label, extra = value, ""
            if name == "country":
                label = countries.name(value) or value
            elif name == "region":
                label = str(REGIONS[value][0]) if value in REGIONS else value
            elif name == "sdg_target":
                label, extra = str(_("Target %(code)s") % {"code": value}), detail
            elif name in ("compact_theme", "round_table"):
                label, extra = value, detail
            elif name == "constituency":
                label = str(Constituency(value).label) if value in Constituency.values else value
            elif name == "gender_responsive":
                label = str(_("Yes")) if value == "yes" else str(_("No"))
            values.append(FacetValue(value, label, count, value in selected, extra))
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
            values.sort(
                key=lambda v: [c.value for c in constituencies].index(v.value) if v.value in Constituency.values else 99
            )
        elif name == "gender_responsive":
            values.sort(key=lambda v: v.value != "yes")
        elif name == "year":
            values.sort(key=lambda v: v.value, reverse=True)
        facets.append(Facet(name, str(FILTER_LABELS[name]), values))
    return facets


def _cache_seconds():
    return getattr(settings, "SEARCH_CACHE_SECONDS", settings.PAGE_CACHE_SECONDS)


def cached_facet_counts(user, q, filters, page):
    """facet_counts(), kept in the cache until any content changes (as the anonymous page cache).

    Signed-in people, whom the page cache does not serve, often ask the same (the page without a
    search, its next pages). The key holds what the asker may see, the query, the filters, the
    page and the language of the labels; the content version is stored in the value, so that a
    hit costs one cache round trip and a stale entry is recomputed. Off when SEARCH_CACHE_SECONDS
    (by default PAGE_CACHE_SECONDS) is 0.
    """
    seconds = _cache_seconds()
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


# --- The search -------------------------------------------------------------------------------


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


def search(*, user, q="", filters=None, sort="", page=1):
    """One page of a search with its facets, for ``user`` (what visible_practices(user) shows).

    Queries: one for the facet counts, the total and the page's ids (one statement); one for the
    page's practices (with their snippets); two to prefetch their SDG targets and Global Compact
    themes. A page past the end costs one more, for the ids of the last page.
    """
    params = Params(q=" ".join((q or "").split())[:MAX_QUERY_LENGTH], filters=dict(filters or {}), sort=sort or "")
    full_text = bool(params.q) and uses_full_text()
    effective_sort = params.effective_sort
    if effective_sort == "relevance" and not full_text:
        effective_sort = "newest"  # no ranking without full text: the newest first
    number = max(1, int(page or 1))
    request = PageRequest(sort=effective_sort, offset=(number - 1) * PAGE_SIZE, q=params.q)
    counts, total, ids = cached_facet_counts(user, params.q, params.filters, request)
    capped = effective_sort == "relevance" and total > RANK_CAP
    listed = min(total, RANK_CAP) if capped else total
    num_pages = max(1, -(-listed // PAGE_SIZE))
    if number > num_pages:
        number = num_pages
        ordered = search_queryset(
            user=user, q=params.q, filters=params.filters, sort=params.sort, capped=full_text
        ).values_list("pk", flat=True)
        ids = list(ordered[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]) if listed else []
    params.page = number
    results = []
    if ids:
        queryset = (
            visible_practices(user)
            .filter(pk__in=ids)
            .select_related("organisation")
            .prefetch_related(_only_codes("sdg_targets"), _only_codes("compact_themes"))
        )
        if full_text:
            queryset = queryset.annotate(**_headlines(ts_query(params.q)))
        by_id = {practice.pk: practice for practice in queryset}
        results = [by_id[pk] for pk in ids if pk in by_id]
        for practice in results:
            practice.title_html = title_html(practice)
            practice.snippet_html = snippet_html(practice)
            practice.regions = [str(REGIONS[slug][0]) for slug in regions_of(practice.countries)]
    return SearchResult(
        params=params,
        results=results,
        facets=build_facets(counts, params.filters),
        total=total,
        pagination=Pagination(number=number, num_pages=num_pages, count=listed),
        sort=effective_sort,
        capped=capped,
        full_text=full_text,
    )


def _only_codes(relation):
    model = Practice._meta.get_field(relation).related_model
    return Prefetch(relation, queryset=model.objects.only("id", "code"))
