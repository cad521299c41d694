"""The paragraph dicts a draft is made of (see "The draft" in ``declarations.compile``), and the
formatting their texts share."""

from django.utils import formats

from declarations.models import Paragraph


def format_number(value):
    return formats.number_format(value, force_grouping=True)


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
    return paragraph(
        section,
        cluster["text"],
        round_table=cluster["round_table"],
        sources=cluster["sources"],
        support_count=cluster["support_count"],
        constituencies=cluster["constituencies"],
        targets=cluster["targets"],
        themes=cluster["themes"],
    )
