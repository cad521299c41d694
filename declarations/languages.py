"""The language versions of one forum's declaration, side by side: aligned by paragraph number, with
what is out of date, and whether a version aligns with the others before it is published.

Each language's version shown is its final one, else its latest. Two language versions *align* when
their numbered paragraphs have the same numbers in the same sections (the texts differ: they are in
other languages). A paragraph is *written* when it was last edited (``Paragraph.edited_at``), else
when the version it comes from was compiled (the latest compiled version up to it); it is
*out of date* when its counterpart in another language (the same number) was edited after it was
written: that one changed, this one was not brought in step. Compiled paragraphs are in step by
construction (every language is compiled from the same inputs), so only an edit makes others late.
"""

from dataclasses import dataclass, field

from declarations.forms import COMPILE_LANGUAGES
from declarations.models import Declaration, Draft, Paragraph


@dataclass
class Cell:
    """One language's paragraph of a row (``text`` is "" when that version has no such paragraph)."""

    language: str
    text: str = ""
    section: str = ""
    written: object = None  # a datetime
    out_of_date: bool = False


@dataclass
class Row:
    number: int
    cells: list = field(default_factory=list)
    aligned: bool = True  # every version has this paragraph, in the same section


@dataclass
class LanguageVersions:
    """What the side-by-side page shows: per language its declaration and the version shown."""

    versions: list  # [(language code, label, Draft or None)]
    rows: list  # [Row], by paragraph number
    aligned: bool


def _order(language):
    codes = [code for code, _label in COMPILE_LANGUAGES]
    return codes.index(language) if language in codes else len(codes)


def _compiled_at(draft):
    """When the paragraphs of ``draft`` that nobody edited were written: the creation of the latest
    compiled version (one not based on another) up to ``draft`` (one query, however long the chain)."""
    if draft.based_on_id is None:
        return draft.created
    compiled = (
        Draft.objects.filter(declaration_id=draft.declaration_id, based_on__isnull=True, version__lte=draft.version)
        .order_by("-version")
        .values_list("created", flat=True)
        .first()
    )
    return compiled or draft.created


def shown_version(declaration):
    return declaration.final_draft or declaration.drafts.order_by("-version").first()


def numbered(draft):
    """{number: (section, text, written, edited)} of a version's numbered paragraphs."""
    compiled = _compiled_at(draft)
    rows = (
        Paragraph.objects.filter(draft=draft)
        .exclude(number="")
        .order_by("position")
        .values_list("number", "section", "text", "edited_at")
    )
    return {int(number): (section, text, edited_at or compiled, edited_at) for number, section, text, edited_at in rows}


def language_versions(forum):
    """The forum's declarations side by side (see the module docstring)."""
    declarations = sorted(
        Declaration.objects.filter(forum=forum).select_related("final_draft"), key=lambda d: _order(d.language)
    )
    versions, paragraphs = [], {}
    for declaration in declarations:
        draft = shown_version(declaration)
        versions.append((declaration.language, declaration.get_language_display(), draft))
        if draft is not None:
            paragraphs[declaration.language] = numbered(draft)
    languages = list(paragraphs)
    rows = []
    for number in sorted({n for by_number in paragraphs.values() for n in by_number}):
        row = Row(number=number)
        present = {language: paragraphs[language].get(number) for language in languages}
        edits = [value[3] for value in present.values() if value and value[3] is not None]
        for language in languages:
            value = present[language]
            if value is None:
                row.cells.append(Cell(language=language))
                continue
            section, text, written, _edited = value
            late = any(edited > written for edited in edits)
            row.cells.append(Cell(language=language, text=text, section=section, written=written, out_of_date=late))
        row.aligned = all(present.values()) and len({value[0] for value in present.values()}) == 1
        rows.append(row)
    return LanguageVersions(versions=versions, rows=rows, aligned=all(row.aligned for row in rows))


def misaligned_with(draft):
    """The languages (codes) of the forum's other final versions that ``draft`` does not align with."""
    own = {number: value[0] for number, value in numbered(draft).items()}
    others = (
        Declaration.objects.filter(forum_id=draft.declaration.forum_id, final_draft__isnull=False)
        .exclude(pk=draft.declaration_id)
        .select_related("final_draft")
    )
    result = []
    for declaration in sorted(others, key=lambda d: _order(d.language)):
        theirs = {number: value[0] for number, value in numbered(declaration.final_draft).items()}
        if theirs != own:
            result.append(declaration.language)
    return result
