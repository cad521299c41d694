"""The paragraph dicts a draft is made of (see "The draft" in ``declarations.compile``), and the
formatting their texts share."""

from django.utils import formats, translation
from django.utils.dates import MONTHS
from django.utils.translation import ngettext

from declarations.models import Paragraph


def format_number(value):
    return formats.number_format(value, force_grouping=True)


def counted(singular, plural, count):
    """``count`` with its noun in the active language's plural form ("1 contribution", "2 contributions")."""
    return ngettext(singular, plural, count) % {"count": format_number(count)}


def date_range(start, end):
    """The dates from ``start`` to ``end`` as the active language writes them: "28–30 June 2017",
    "28–30 juin 2017", "28–30 de junio de 2017"; across months "28 June – 2 July 2017"."""
    language = (translation.get_language() or "en").split("-")[0]
    of = " de " if language == "es" else " "

    def day(value):
        return "1er" if language == "fr" and value.day == 1 else str(value.day)

    def month(value):
        return str(MONTHS[value.month])

    def full(value):
        return f"{day(value)}{of}{month(value)}{of}{value.year}"

    if end is None or end == start:
        return full(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{day(start)}–{day(end)}{of}{month(end)}{of}{end.year}"
    if start.year == end.year:
        return f"{day(start)}{of}{month(start)} – {full(end)}"
    return f"{full(start)} – {full(end)}"


def listing(items):
    """Items joined as a sentence lists them: "A", "A and B", "A, B and C" (in the active language)."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return translation.gettext("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def language_mark(text, language, draft_language):
    return text if language == draft_language else f"{text} [{language}]"


def paragraph(section, text, *, round_table=None, sources=(), reports=(), practice_ids=(), **extra):
    return {
        "kind": Paragraph.Kind.PARAGRAPH,
        "level": 0,
        "section": section,
        "text": text,
        # Only a merged contribution has support; a paragraph that counts others lists them as sources.
        "support_count": extra.get("support_count", 0),
        "constituencies": extra.get("constituencies", []),
        "round_table": round_table,
        "sources": list(sources),
        "reports": list(reports),
        "practice_ids": list(practice_ids),
        "targets": extra.get("targets", []),
        "themes": extra.get("themes", []),
    }


def heading(section, text, level, round_table=None):
    item = paragraph(section, text, round_table=round_table)
    item.update(kind=Paragraph.Kind.HEADING, level=level)
    return item


def cluster_paragraph(section, cluster):
    """A merged contribution's paragraph; ``representative`` (taken out once the draft is numbered)
    lets other paragraphs name it by its number."""
    item = paragraph(
        section,
        cluster["text"],
        round_table=cluster["round_table"],
        sources=cluster["sources"],
        support_count=cluster["support_count"],
        constituencies=cluster["constituencies"],
        targets=cluster["targets"],
        themes=cluster["themes"],
    )
    item["representative"] = cluster["representative"]
    return item
