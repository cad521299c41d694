"""Any version of a declaration as Word (.docx), PDF and a standalone HTML file.

Word: headings use Word's own "Heading 1" … "Heading 4" styles (so the navigation pane and a table
of contents work) and numbered paragraphs use a real Word numbering definition whose numbers are
those of the draft (a run of consecutive numbers is one list; a gap starts the list again at the
draft's number). python-docx is slow when it looks a style up by name for every paragraph, so each
style id and the numbering are resolved once and written straight into the paragraph's XML: a draft
of 5,000 paragraphs is written in about a second (bench/declaration_export.py).

PDF: WeasyPrint renders the standalone HTML with its print stylesheet (A4, page numbers). It lays
out roughly 60–100 paragraphs a second here, so a file is made once per version (and publication
state) and kept in the cache (``cached_export``): a version never changes once made.
"""

import io
import logging
import re
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import override

from declarations.models import Paragraph
from declarations.rendering import render_html

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}
FORMATS = tuple(CONTENT_TYPES)
# Bump when the exports' layout changes, so that cached files are made again.
EXPORT_VERSION = 1
CACHE_SECONDS = 7 * 24 * 3600
CACHE_MAX_BYTES = 20 * 1024 * 1024

# WeasyPrint logs every page it lays out at INFO level.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PRINT_CSS = """
@page {
  size: A4; margin: 2.2cm 2cm 2.4cm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; color: #555; }
}
body {
  font-family: "DejaVu Serif", Georgia, serif; font-size: 11pt; line-height: 1.45; color: #111;
  max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
}
@media print { body { margin: 0; padding: 0; max-width: none; } }
.declaration-meta {
  font-family: "DejaVu Sans", Arial, sans-serif; font-size: 9pt; color: #555;
  border-bottom: 1px solid #ccc; padding-bottom: .4rem; margin-bottom: 1.2rem;
}
h1, h2, h3, h4 {
  font-family: "DejaVu Sans", Arial, sans-serif; line-height: 1.2; page-break-after: avoid; break-after: avoid;
}
h1 { font-size: 18pt; margin: 0 0 1rem; }
h2 { font-size: 14pt; margin: 1.6rem 0 .6rem; }
h3 { font-size: 12pt; margin: 1.2rem 0 .5rem; }
h4 { font-size: 11pt; margin: 1rem 0 .4rem; font-style: italic; }
p { margin: 0 0 .6rem; orphans: 3; widows: 3; }
.paragraph-number { display: inline-block; min-width: 2.2em; font-weight: bold; }
.paragraph-support { font-size: 9pt; color: #555; margin-top: -.4rem; }
"""


def filename(draft, fmt):
    """e.g. gfmd-2017-declaration-fr-v3.docx"""
    declaration = draft.declaration
    return f"{declaration.forum.slug}-declaration-{declaration.language}-v{draft.version}.{fmt}"


def _rows(draft):
    """The paragraphs as tuples, streamed: no model instances are kept."""
    return (
        Paragraph.objects.filter(draft=draft)
        .order_by("position")
        .values_list("kind", "level", "number", "text")
        .iterator(chunk_size=2000)
    )


def _level(level):
    return min(max(level or 1, 1), 4)


def body_html(draft):
    """The draft's HTML (rendered when it was made; rendered now for a draft that has none)."""
    return draft.html or render_html(draft)


def _title(draft):
    declaration = draft.declaration
    with override(declaration.language):
        return _("%(forum)s — presidential declaration") % {"forum": declaration.forum.title}


def _status_line(draft):
    declaration = draft.declaration
    with override(declaration.language):
        state = _("published version") if _is_published(draft) else _("draft, not published")
        created = timezone.localtime(draft.created).date().isoformat() if draft.created else ""
        return _("Version %(version)s (%(state)s), %(date)s") % {
            "version": draft.version,
            "state": state,
            "date": created,
        }


def to_html(draft):
    """A standalone HTML document (its own stylesheet, no external file)."""
    language = draft.declaration.language
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(_title(draft))}</title>\n<style>{PRINT_CSS}</style>\n</head>\n<body>\n"
        f'<p class="declaration-meta">{escape(_status_line(draft))}</p>\n'
        f'<main class="declaration">\n{body_html(draft)}\n</main>\n</body>\n</html>\n'
    )


class PdfUnavailable(Exception):
    """WeasyPrint or its system libraries (Pango) are missing on this machine."""


def _no_fetching(url, *args, **kwargs):
    # The texts come from participants; whatever they say, the renderer loads nothing.
    raise ValueError(f"The declaration PDF loads no external resource ({url[:80]})")


def to_pdf(draft):
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: a shared library is missing
        raise PdfUnavailable(str(error)) from error
    return HTML(string=to_html(draft), url_fetcher=_no_fetching).write_pdf()


# --- Word ---------------------------------------------------------------------------------------

ABSTRACT_NUM_ID = 90
ABSTRACT_NUM = f"""
<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    w:abstractNumId="{ABSTRACT_NUM_ID}">
  <w:multiLevelType w:val="singleLevel"/>
  <w:lvl w:ilvl="0">
    <w:start w:val="1"/>
    <w:numFmt w:val="decimal"/>
    <w:lvlText w:val="%1."/>
    <w:lvlJc w:val="left"/>
    <w:pPr><w:ind w:left="567" w:hanging="567"/></w:pPr>
  </w:lvl>
</w:abstractNum>
"""


class _Numbering:
    """The document's paragraph numbering: one abstract definition, and one list instance per run
    of consecutive numbers (restarting at the draft's number after a gap)."""

    def __init__(self, document):
        from docx.oxml import parse_xml

        self.element = document.part.numbering_part.element
        definition = parse_xml(ABSTRACT_NUM)
        existing = self.element.findall(definition.tag)
        # abstractNum elements come before the num elements.
        if existing:
            existing[-1].addnext(definition)
        else:
            self.element.insert(0, definition)
        self.num_id = None
        self.previous = None

    def num_id_for(self, number):
        if self.num_id is None or number != self.previous + 1:
            num = self.element.add_num(ABSTRACT_NUM_ID)
            if number != 1:
                num.add_lvlOverride(ilvl=0).add_startOverride(number)
            self.num_id = num.numId
        self.previous = number
        return self.num_id


# Characters XML 1.0 forbids (a pasted text may hold them); Word would refuse the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text):
    return _NOT_XML.sub("", text or "")


def _int(number):
    try:
        return int(number)
    except (TypeError, ValueError):
        return None


# Word's language tags for the forum's languages (British English, as the portal writes).
WORD_LANGUAGES = {"en": "en-GB", "fr": "fr-FR", "es": "es-ES"}


def _set_language(document, language):
    """The document's language in its default run properties and its Normal style, so that Word's
    spelling and hyphenation, and screen readers, treat the text as written in it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tag = WORD_LANGUAGES.get(language, language)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    targets = [document.styles["Normal"].element.get_or_add_rPr()]
    if run_defaults is not None and run_defaults.find(qn("w:rPr")) is not None:
        targets.append(run_defaults.find(qn("w:rPr")))
    for properties in targets:
        lang = properties.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            properties.append(lang)
        lang.set(qn("w:val"), tag)
        lang.set(qn("w:eastAsia"), tag)


def to_docx(draft):
    """The draft as a Word document (bytes)."""
    from docx import Document
    from docx.shared import Pt

    declaration = draft.declaration
    document = Document()
    styles = document.styles
    heading_ids = {level: styles[f"Heading {level}"].style_id for level in range(1, 5)}
    normal = styles["Normal"]
    normal.font.size = Pt(11)
    _set_language(document, declaration.language)
    numbering = _Numbering(document)

    core = document.core_properties
    core.title = _title(draft)[:255]
    core.subject = declaration.forum.theme[:255]
    core.author = "GFMD Portal"
    core.language = declaration.language
    core.version = str(draft.version)
    core.keywords = "GFMD, declaration"
    created = draft.created or timezone.now()
    core.created = created.replace(tzinfo=None) if isinstance(created, datetime) else created
    core.revision = draft.version

    body = document.element.body
    sect_pr = body.sectPr  # the paragraphs go before the section properties

    def add_paragraph(text):
        p = body._new_p()
        if sect_pr is not None:
            sect_pr.addprevious(p)
        else:
            body.append(p)
        p.add_r().text = _xml_text(text)
        return p

    for kind, level, number, text in _rows(draft):
        if kind == Paragraph.Kind.HEADING:
            p = add_paragraph(text)
            p.style = heading_ids[_level(level)]
            continue
        value = _int(number)
        if value is not None:
            p = add_paragraph(text)
            num_pr = p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = numbering.num_id_for(value)
        elif number:
            add_paragraph(f"{number}.\t{text}")
        else:
            add_paragraph(text)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _is_published(draft):
    declaration = draft.declaration
    return declaration.published_at is not None and declaration.final_draft_id == draft.pk


def cache_key(draft, fmt):
    # A version never changes once made (an edit makes a new one); only its "published" line does.
    return f"declarations:export:{EXPORT_VERSION}:{draft.pk}:{fmt}:{int(_is_published(draft))}"


def cached_export(draft, fmt):
    """``export()``, kept in the cache: a PDF of a long draft takes WeasyPrint many seconds."""
    key = cache_key(draft, fmt)
    found = cache.get(key)
    if found is not None:
        return found
    result = export(draft, fmt)
    if len(result[0]) <= CACHE_MAX_BYTES:
        cache.set(key, result, CACHE_SECONDS)
    else:  # too big to keep: made on each request (prepare_in_background would never see it ready)
        cache.set(key + ":too-big", True, CACHE_SECONDS)
    return result


# --- Long PDFs are made by a worker ---------------------------------------------------------------

# WeasyPrint lays out about 60 paragraphs a second here (450 in 8 s, 5,000 in 80-150 s): past this
# many, the first request for a version's PDF asks a worker for it instead of making the visitor
# wait (a big draft would pass the web server's 30 s timeout), and answers "being prepared".
PREPARE_ABOVE_PARAGRAPHS = 200
PREPARING_SECONDS = 600


def _preparing_key(draft, fmt):
    return "declarations:preparing:" + cache_key(draft, fmt)


def must_be_prepared(draft, fmt):
    """True when ``fmt`` of ``draft`` is a PDF not in the cache yet and long to make."""
    if fmt != "pdf":
        return False
    key = cache_key(draft, fmt)
    found = cache.get_many([key, key + ":too-big"])
    if found:
        return False
    return draft.paragraphs.count() > PREPARE_ABOVE_PARAGRAPHS


def prepare_in_background(draft, fmt="pdf"):
    """Ask a worker to make and keep the file, at most once while one is at it (outbox: sent once
    the current transaction commits)."""
    from common import outbox

    if cache.add(_preparing_key(draft, fmt), True, PREPARING_SECONDS):
        outbox.enqueue("declarations.tasks.prepare_export", draft_id=draft.pk, fmt=fmt)


def prepared(draft, fmt):
    """Make and keep the file (the worker's side of prepare_in_background)."""
    try:
        cached_export(draft, fmt)
    finally:
        cache.delete(_preparing_key(draft, fmt))


def export(draft, fmt):
    """(content, content type, filename) of ``draft`` in ``fmt`` (docx, pdf or html)."""
    if fmt == "docx":
        content = to_docx(draft)
    elif fmt == "pdf":
        content = to_pdf(draft)
    elif fmt == "html":
        content = to_html(draft).encode("utf-8")
    else:
        raise ValueError(fmt)
    return content, CONTENT_TYPES[fmt], filename(draft, fmt)
