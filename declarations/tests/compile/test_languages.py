"""Three language versions of one declaration: contributions marked "the same as" one in another
language merge in the next compile, each draft taking the text in its own language; Spanish drafts."""

import io

import docx
import pypdf
import pytest
from django.urls import reverse
from docx.oxml.ns import qn

from declarations.tests.compile.helpers import compile_now, contribute
from roundtables.models import Contribution
from stakeholders.models import AuditEntry, Constituency

pytestmark = pytest.mark.django_db

QUEUE = "/en/staff/contributions/"
EN = "Extend consular protection to migrant workers in every country of transit."
FR = "Étendre la protection consulaire aux travailleurs migrants dans chaque pays de transit."
ES = "Ampliar la protección consular a los trabajadores migrantes en cada país de tránsito."


def _recommendations(forum, language):
    draft = compile_now(forum, language=language).draft
    return list(
        draft.paragraphs.filter(section="rt:1.1:recommendations", kind="paragraph")
        .order_by("position")
        .values_list("text", flat=True)
    )


def test_same_as_marked_on_the_moderation_page_merges_languages_in_the_next_compile(forum, staff_client):
    round_table = forum.round_tables.get(code="1.1")
    en = contribute(round_table, EN, constituency=Constituency.GOVERNMENT, country="DE")
    fr = contribute(round_table, FR, language="fr", country="SN")
    es = contribute(round_table, ES, language="es", constituency=Constituency.ACADEMIA, country="MX")
    assert _recommendations(forum, "fr") == [
        f"{FR} Soutenue par une contribution (Société civile).",
        f"{EN} [en] Soutenue par une contribution (Gouvernement).",
        f"{ES} [es] Soutenue par une contribution (Milieu universitaire).",
    ]

    # Refused: the same language, or another round table's; the form keeps the number typed.
    response = staff_client.post(QUEUE, {"action": "same_as", "contribution": fr.pk, "same_as": fr.pk})
    assert response.status_code == 200 and "Name a contribution in another language." in response.content.decode()
    response = staff_client.post(QUEUE, {"action": "same_as", "contribution": fr.pk, "same_as": en.pk})
    assert response.status_code == 302
    response = staff_client.post(QUEUE, {"action": "same_as", "contribution": es.pk, "same_as": fr.pk})
    assert response.status_code == 302
    fr.refresh_from_db()
    es.refresh_from_db()
    assert (fr.same_as_id, es.same_as_id) == (en.pk, en.pk)  # never chained: the pair's first stands for it
    assert AuditEntry.objects.filter(action="roundtables.contribution.same_as_marked").count() == 2
    assert f"the same as #{en.pk}" in staff_client.get(QUEUE, {"status": "accepted"}).content.decode()

    # Each language's draft: its own text, the others counted in support.
    support = "(governments, civil society organisations and academics), in three regions."
    assert _recommendations(forum, "en") == [f"{EN} Supported by three contributions {support}"]
    assert _recommendations(forum, "fr") == [
        f"{FR} Soutenue par trois contributions (gouvernements, organisations de la société civile et "
        "universitaires), dans trois régions."
    ]
    assert _recommendations(forum, "es") == [
        f"{ES} Respaldada por tres contribuciones (gobiernos, organizaciones de la sociedad civil y académicos), "
        "en tres regiones."
    ]


def test_staff_can_compile_in_spanish(forum, staff_client):
    page = staff_client.get(reverse("declarations:staff-overview")).content.decode()
    assert '<option value="es">Spanish</option>' in page
    response = staff_client.post(
        reverse("declarations:staff-compile", kwargs={"forum": forum.slug}), {"language": "es"}
    )
    assert response.status_code == 302
    assert forum.declarations.filter(language="es").exists()


@pytest.mark.parametrize(
    ("language", "tag", "sentence"),
    [
        ("en", "en-GB", f"{EN} Supported by one contribution (Government)."),
        ("fr", "fr-FR", f"{FR} Soutenue par une contribution (Société civile)."),
        ("es", "es-ES", f"{ES} Respaldada por una contribución (Sector académico)."),
    ],
)
def test_word_and_pdf_of_each_language(forum, staff_client, language, tag, sentence):
    round_table = forum.round_tables.get(code="1.1")
    contribute(round_table, EN, constituency=Constituency.GOVERNMENT, country="DE")
    contribute(round_table, FR, language="fr", country="SN")
    contribute(round_table, ES, language="es", constituency=Constituency.ACADEMIA, country="MX")
    draft = compile_now(forum, language=language).draft
    word = staff_client.get(reverse("declarations:download", kwargs={"pk": draft.pk, "fmt": "docx"}))
    document = docx.Document(io.BytesIO(word.content))
    assert document.styles["Normal"].element.rPr.find(qn("w:lang")).get(qn("w:val")) == tag
    assert document.core_properties.language == language
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert sentence in texts  # the draft's own language first among recommendations of equal support
    pdf = staff_client.get(reverse("declarations:download", kwargs={"pk": draft.pk, "fmt": "pdf"}))
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert " ".join(sentence.split(" ")[-4:]) in text  # the support, in the draft's language


def test_same_as_from_the_sources_panel_comes_back_to_it(forum, staff_client):
    round_table = forum.round_tables.get(code="1.1")
    en = contribute(round_table, EN, constituency=Constituency.GOVERNMENT, country="DE")
    fr = contribute(round_table, FR, language="fr", country="SN")
    draft = compile_now(forum, language="en").draft
    paragraph = draft.paragraphs.get(section="rt:1.1:recommendations", number__gt="", text__startswith="Extend")
    url = reverse("declarations:staff-paragraph-sources", kwargs={"pk": draft.pk, "position": paragraph.position})
    page = staff_client.get(url).content.decode()
    assert f'<input type="hidden" name="next" value="{url}">' in page
    response = staff_client.post(QUEUE, {"action": "same_as", "contribution": fr.pk, "same_as": en.pk, "next": url})
    assert response.status_code == 302 and response["Location"] == url
    fr.refresh_from_db()
    assert fr.same_as_id == en.pk
    # Somewhere else than this site: back to the queue instead.
    waiting = contribute(round_table, "Another text entirely.", status=Contribution.Status.SUBMITTED)
    response = staff_client.post(
        QUEUE, {"action": "accept", "contribution": waiting.pk, "next": "https://example.org/"}
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert _recommendations(forum, "en")[0] == (
        f"{EN} Supported by two contributions (governments and civil society organisations), in two regions."
    )
