"""What a search asks for: the words, the filters, the sort and the page, as GET parameters.

Filters are GET parameters, each possibly repeated (values of one filter are OR-ed, filters are
AND-ed). Every value goes through its filter's cleaner; a malformed one is left out of the Params
and reported, so that the page can ignore it while the exports and the API refuse the request.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from stakeholders.models import Constituency
from stakeholders.regions import REGIONS

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200
MAX_VALUES = 50  # per filter

# UN M49 regions live in stakeholders.regions (the agenda's balance panel uses them too).


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

# The database orders of "newest" and "title". NEWEST is the model's default order: the index on
# published_at serves it (on PostgreSQL, unpublished practices, which only staff and their
# governments' delegates see, come first).
NEWEST = ("-published_at", "-id")
TITLE = (Lower("title"), "id")


def clean_value(name, raw):
    """The cleaned value of one filter value, or None when it is malformed."""
    return FILTERS[name](str(raw))


def clean_query(q):
    """The words of a search: whitespace collapsed, at most MAX_QUERY_LENGTH characters."""
    return " ".join((q or "").split())[:MAX_QUERY_LENGTH]


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
