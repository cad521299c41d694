"""The list page's filters column and its page of results, printed in Python.

The filters column holds every value of every filter with its count (about a hundred values,
each printed with some twelve variables), and a page of results twenty practices with their
organisation, countries, years, snippet and codes. Django's template engine spent about 40 ms of
a cold search page resolving those variables, as much as the search itself; printed here it
costs about 3 ms. The HTML is the same the templates printed (``list_facets.html`` and
``list_results.html`` place it with ``{{ facets_html }}`` and ``{{ results_html }}``; the tests
compare both with a rendering of the former templates). Every value is escaped here.
"""

from html import escape

from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

DETAIL_WORDS = 8  # the words of a value's description shown beside it (its title attribute has all)


def facets_html(facets):
    """The fieldsets of the filters' values (those with any value), as list_facets.html places them."""
    out = []
    for facet in facets:
        values = facet.values
        if not values:
            continue
        name = escape(facet.name)
        count = len(values)
        opened = " open" if count <= 8 or facet.any_selected else ""
        summary = escape(ngettext("%(counter)s value", "%(counter)s values", count) % {"counter": count}, quote=False)
        out.append(
            f'\n<fieldset class="facet mb-3">\n  <legend class="h6">{escape(facet.label)}</legend>\n'
            f"  <details{opened}>\n    <summary>{summary}</summary>\n    "
        )
        for number, value in enumerate(values, 1):
            ident = f"facet-{name}-{number}"
            checked = " checked" if value.selected else ""
            title = detail = ""
            if value.detail:
                title = f' title="{escape(value.detail)}"'
                short = Truncator(value.detail).words(DETAIL_WORDS, truncate=" …")
                detail = f' <span class="small">{escape(short)}</span>'
            out.append(
                '\n    <div class="form-check">\n'
                f'      <input class="form-check-input" type="checkbox" name="{name}" value="{escape(value.value)}"'
                f' id="{ident}"{checked}>\n'
                f'      <label class="form-check-label fw-normal mt-0" for="{ident}"{title}>'
                f'{escape(value.label)}{detail} <span class="text-body-secondary">({value.count})</span></label>\n'
                "    </div>\n    "
            )
        out.append("\n  </details>\n</fieldset>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above


class _Words:
    """The fixed words of a result, translated once per page."""

    def __init__(self):
        separator = pgettext("label separator", ": ")
        self.targets = escape(_("SDG targets") + separator)
        self.themes = escape(_("Global Compact themes") + separator)
        self.since = _("since %(year)s")


def _years(practice, words):
    start, end = practice.start_date, practice.end_date
    if start is None:
        return ""
    if practice.ongoing:
        return " · " + escape(words.since % {"year": start.year})
    if end is not None and end.year != start.year:
        return f" · {start.year}–{end.year}"
    return f" · {start.year}"


def _codes(practice, words):
    targets, themes = practice.target_codes, practice.theme_codes
    if not targets and not themes:
        return ""
    parts = []
    if targets:
        parts.append(words.targets + ", ".join(escape(code) for code in targets))
    if themes:
        parts.append(words.themes + ", ".join(escape(code) for code in themes))
    return '\n      <p class="small mb-0">' + " · ".join(parts) + "</p>\n      "


def results_html(practices):
    """The list items of a page of results (from results._page_practices), as list_results.html
    places them inside its ``<ol>``."""
    words = _Words()
    out = []
    for practice in practices:
        pk = practice.pk
        language = escape(practice.language)
        badge = ""
        if practice.status != "published":
            badge = f'<span class="badge text-bg-warning">{escape(practice.get_status_display())}</span>'
        countries = ", ".join(escape(country.name) for country in practice.countries)
        where = escape(practice.organisation.name) + (f" · {countries}" if countries else "") + _years(practice, words)
        out.append(
            '\n  <li class="mb-4">\n'
            f'    <article aria-labelledby="practice-{pk}-title">\n'
            f'      <h3 class="h5 mb-1" id="practice-{pk}-title"><a href="{escape(practice.get_absolute_url())}"'
            f' lang="{language}">{practice.title_html}</a>\n'
            f"        {badge}</h3>\n"
            f'      <p class="small text-body-secondary mb-1">{where}</p>\n'
            f'      <p class="mb-1" lang="{language}">{practice.snippet_html}</p>\n'
            f"      {_codes(practice, words)}\n"
            "    </article>\n  </li>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above (title and snippet by highlight)
