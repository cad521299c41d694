"""The HTML of a declaration draft: simple semantic markup, the same bytes for the same paragraphs.

``render_html(draft_or_paragraphs, language=None)`` takes a ``Draft`` (its paragraphs, by position),
or paragraphs: ``Paragraph`` rows or the dicts of ``Draft.content["paragraphs"]``. Headings become
``<h1>``–``<h4>`` (their level); a numbered paragraph becomes
``<p id="p-N" class="declaration-paragraph"><span class="paragraph-number">N.</span> text</p>``,
followed, for a paragraph that merges contributions, by a ``<p class="paragraph-support">`` line
("Supported by 12 contributions: civil society, government."). No inline style, no script, every
text escaped; the fixed words are in ``language`` (the draft's; the active language otherwise).
Used for ``Draft.html`` at compile time, for edited versions, the HTML export and the public page.
"""

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stakeholders.models import Constituency


def _value(item, name):
    if isinstance(item, dict):
        return item.get(name)
    if name == "round_table":
        round_table = getattr(item, "round_table", None)
        return round_table.code if round_table is not None else None
    return getattr(item, name)


def _constituency(value):
    try:
        return str(Constituency(value).label)
    except ValueError:
        return value


def _support(item):
    count = _value(item, "support_count") or 0
    if count < 2:
        return ""
    constituencies = ", ".join(_constituency(value) for value in _value(item, "constituencies") or [])
    if constituencies:
        text = ngettext(
            "Supported by %(count)s contribution: %(constituencies)s.",
            "Supported by %(count)s contributions: %(constituencies)s.",
            count,
        ) % {"count": count, "constituencies": constituencies}
    else:
        text = ngettext("Supported by %(count)s contribution.", "Supported by %(count)s contributions.", count) % {
            "count": count
        }
    return f'<p class="paragraph-support">{escape(text)}</p>\n'


def _paragraphs_of(draft):
    return draft.paragraphs.select_related("round_table").order_by("position")


def render_html(draft_or_paragraphs, *, language=None):
    """The HTML of a draft (see the module docstring)."""
    if hasattr(draft_or_paragraphs, "paragraphs") and hasattr(draft_or_paragraphs, "declaration_id"):
        language = language or draft_or_paragraphs.declaration.language
        items = _paragraphs_of(draft_or_paragraphs)
    else:
        items = draft_or_paragraphs
    with translation.override(language or translation.get_language()):
        parts = []
        for item in items:
            text = escape(_value(item, "text") or "")
            if _value(item, "kind") == "heading":
                level = min(max(int(_value(item, "level") or 1), 1), 6)
                parts.append(f"<h{level}>{text}</h{level}>\n")
                continue
            number = _value(item, "number") or ""
            if number:
                label = escape(_("Paragraph %(number)s") % {"number": number})
                parts.append(
                    f'<p id="p-{escape(number)}" class="declaration-paragraph">'
                    f'<span class="paragraph-number" title="{label}">{escape(number)}.</span> {text}</p>\n'
                )
            else:
                parts.append(f'<p class="declaration-paragraph">{text}</p>\n')
            parts.append(_support(item))
    return "".join(parts)
