"""The printable programme: a PDF in English or French holding the published sessions only."""

import pytest
from django.utils import timezone, translation
from weasyprint.formatting_structure import boxes

from roundtables.agenda import pdf
from roundtables.agenda.queries import agenda_of
from roundtables.tests.agenda import helpers


@pytest.fixture
def agenda(forum, personas):
    return helpers.build_agenda(forum, personas)


def text_of(document):
    """The text laid out on every page of a WeasyPrint document, one string."""
    parts = []
    for page in document.pages:
        parts += [box.text for box in page._page_box.descendants() if isinstance(box, boxes.TextBox)]
    return " ".join(parts)


def laid_out(forum):
    return pdf.document(forum=forum, agenda=agenda_of(forum), generated=timezone.now())


def test_the_pdf_answers_with_a_pdf(client, agenda):
    response = client.get("/en/agenda/gfmd-2017/programme.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'inline; filename="gfmd-2017-programme-en.pdf"'


def test_the_pdf_holds_the_published_sessions_in_english(agenda):
    text = text_of(laid_out(agenda["forum"]))
    for title in ("Round table 1.1", "Round table 1.2", "Common Space", "Business Interface", "Thematic workshop"):
        assert title in text
    assert "Thursday 29 June 2017" in text and "09:00–10:30" in text
    assert "Amina Diallo" in text and "Room changed to Saal 1" in text
    assert "Date to be announced" in text
    assert "Secret side event" not in text
    assert "@example.org" not in text


def test_the_pdf_in_french(client, agenda):
    with translation.override("fr"):
        text = text_of(laid_out(agenda["forum"]))
    assert "Table ronde 1.1" in text and "Espace commun" in text and "jeudi 29 juin 2017" in text
    response = client.get("/fr/agenda/gfmd-2017/programme.pdf")
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'inline; filename="gfmd-2017-programme-fr.pdf"'


def test_without_weasyprint_the_page_answers_503_with_a_clear_message(client, forum, monkeypatch):
    def missing():
        raise pdf.PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "_weasyprint", missing)
    response = client.get("/en/agenda/gfmd-2017/programme.pdf")
    assert response.status_code == 503
    html = response.content.decode()
    assert "The printable programme is not available" in html
    assert "libpango" not in html  # the technical reason goes to the log, not to visitors
    assert 'href="/en/agenda/gfmd-2017/"' in html


def test_an_import_failure_of_weasyprint_becomes_pdf_unavailable(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def failing_import(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing_import)
    with pytest.raises(pdf.PdfUnavailable, match="libpango"):
        pdf._weasyprint()


def test_the_pdf_loads_no_external_resource(agenda):
    session = agenda["rt11"]
    session.title_en = '<img src="http://169.254.169.254/latest/">Round table 1.1'
    session.save()
    # Titles are escaped text: nothing is fetched, the markup is printed as text.
    assert '<img src="http://169.254.169.254/latest/">' in text_of(laid_out(agenda["forum"]))
    with pytest.raises(ValueError, match="no external resource"):
        pdf._no_fetching("http://169.254.169.254/latest/")
