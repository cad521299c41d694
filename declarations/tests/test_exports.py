"""Exports: Word with real headings and numbered paragraphs, PDF, standalone HTML."""

import io
import time

import docx
import pytest
from django.utils import timezone, translation
from docx.oxml.ns import qn

from declarations import exports
from declarations.models import Paragraph
from declarations.tests.test_views_helpers import build_draft, declaration_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(forum):
    declaration = declaration_for(forum, "fr")
    draft = build_draft(declaration, texts=["Premier paragraphe.", "Deuxième <paragraphe> & suite."], sources=1)
    Paragraph.objects.create(draft=draft, position=10, kind="heading", level=2, text="Sous-thème 1")
    Paragraph.objects.create(draft=draft, position=11, kind="heading", level=4, text="Recommandations")
    Paragraph.objects.create(draft=draft, position=12, kind="paragraph", level=4, number="7", text="Après un saut.")
    Paragraph.objects.create(draft=draft, position=13, kind="paragraph", level=4, number="8", text="Suite\x0bcachée.")
    Paragraph.objects.create(draft=draft, position=14, kind="paragraph", level=4, number="", text="Annexe sans numéro.")
    return draft


def numbering_of(document, paragraph):
    """(numId, the number Word shows) for a numbered paragraph."""
    num_pr = paragraph._p.pPr.numPr
    return num_pr.numId.val


def start_of(document, num_id):
    numbering = document.part.numbering_part.element
    num = numbering.num_having_numId(num_id)
    override = num.find(qn("w:lvlOverride"))
    return 1 if override is None else int(override.find(qn("w:startOverride")).get(qn("w:val")))


def test_docx_has_real_headings_and_numbered_paragraphs(draft):
    document = docx.Document(io.BytesIO(exports.to_docx(draft)))
    rows = [(p.style.name, p.text) for p in document.paragraphs]
    assert rows == [
        ("Heading 1", "Declaration of the forum"),
        ("Heading 3", "Round table 1.1"),
        ("Normal", "Premier paragraphe."),
        ("Normal", "Deuxième <paragraphe> & suite."),
        ("Heading 2", "Sous-thème 1"),
        ("Heading 4", "Recommandations"),
        ("Normal", "Après un saut."),
        ("Normal", "Suitecachée."),  # a character XML forbids is dropped, not fatal
        ("Normal", "Annexe sans numéro."),
    ]
    numbered = [p for p in document.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert [p.text for p in numbered] == [
        "Premier paragraphe.",
        "Deuxième <paragraphe> & suite.",
        "Après un saut.",
        "Suitecachée.",
    ]
    ids = [numbering_of(document, p) for p in numbered]
    # 1, 2 are one list; after the gap, 7, 8 are a list that starts at 7: Word shows the draft's numbers.
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[1] != ids[2]
    assert (start_of(document, ids[0]), start_of(document, ids[2])) == (1, 7)
    level = document.part.numbering_part.element.find(qn("w:abstractNum") + f"[@{qn('w:abstractNumId')}='90']")
    assert level.find(qn("w:lvl")).find(qn("w:numFmt")).get(qn("w:val")) == "decimal"


@pytest.mark.parametrize(("language", "tag"), [("fr", "fr-FR"), ("en", "en-GB"), ("es", "es-ES")])
def test_docx_styles_carry_the_documents_language(draft, language, tag):
    draft.declaration.language = language
    document = docx.Document(io.BytesIO(exports.to_docx(draft)))
    styles = document.styles.element
    normal = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert normal.get(qn("w:val")) == tag
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert defaults.get(qn("w:val")) == tag


def test_docx_core_properties(draft):
    document = docx.Document(io.BytesIO(exports.to_docx(draft)))
    core = document.core_properties
    with translation.override("fr"):
        assert core.title.startswith(draft.declaration.forum.title)
    assert core.language == "fr" and core.version == "1" and core.author == "GFMD Portal"


def test_pdf(draft):
    pdf = exports.to_pdf(draft)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1000


def test_html_is_a_standalone_escaped_document(draft):
    html = exports.to_html(draft)
    assert html.startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert "<style>" in html and "<link" not in html and "<script" not in html
    assert "Deuxième &lt;paragraphe&gt; &amp; suite." in html
    assert '<p id="p-1" class="declaration-paragraph">' in html
    assert "<h1>Declaration of the forum</h1>" in html


def test_filename_and_content_types(draft):
    _content, content_type, name = exports.export(draft, "docx")
    assert name == "gfmd-2017-declaration-fr-v1.docx"
    assert content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    with pytest.raises(ValueError):
        exports.export(draft, "odt")


def test_docx_of_a_large_draft_is_quick(forum):
    """The speed target is 10 s for a few thousand paragraphs; 2,000 here must take well under it."""
    large = build_draft(declaration_for(forum, "en"), count=2000, sources=0)
    started = time.perf_counter()
    content = exports.to_docx(large)
    elapsed = time.perf_counter() - started
    document = docx.Document(io.BytesIO(content))
    assert len(document.paragraphs) == 2002
    assert document.paragraphs[-1].text.startswith("Paragraph 2000:")
    assert elapsed < 5, elapsed


def test_exports_are_made_once_per_version_and_state(draft, monkeypatch):
    calls = []
    real = exports.to_pdf

    def counting(d):
        calls.append(d.pk)
        return real(d)

    monkeypatch.setattr(exports, "to_pdf", counting)
    first = exports.cached_export(draft, "pdf")
    assert exports.cached_export(draft, "pdf") == first
    assert calls == [draft.pk]
    # Once published, the file says so: it is made again.
    declaration = draft.declaration
    declaration.final_draft = draft
    declaration.published_at = timezone.now()
    declaration.save()
    draft.refresh_from_db()
    exports.cached_export(draft, "pdf")
    assert calls == [draft.pk, draft.pk]
    assert "version publiée".encode() in exports.cached_export(draft, "html")[0]  # a French declaration


def test_a_file_too_big_to_keep_is_made_on_request_not_deferred(draft, monkeypatch):
    monkeypatch.setattr(exports, "CACHE_MAX_BYTES", 10)
    monkeypatch.setattr(exports, "PREPARE_ABOVE_PARAGRAPHS", 1)
    assert exports.must_be_prepared(draft, "pdf")
    exports.cached_export(draft, "pdf")  # made, too big to keep
    assert not exports.must_be_prepared(draft, "pdf")
    assert not exports.must_be_prepared(draft, "docx")
