"""The declaration's pages: staff compile, follow, read, edit, compare, mark final, publish; the public reads."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from declarations import views
from declarations.models import CompileJob, Draft
from declarations.tests.test_views_helpers import build_draft, build_report, declaration_for
from stakeholders.models import AuditEntry

pytestmark = pytest.mark.django_db


def published(forum, language="en", **kwargs):
    declaration = declaration_for(forum, language)
    draft = build_draft(declaration, **kwargs)
    declaration.final_draft = draft
    declaration.published_at = timezone.now()
    declaration.save()
    return draft


# --- The public page ----------------------------------------------------------------------------------


def test_public_page_says_when_nothing_is_published(client, forum):
    declaration = declaration_for(forum, "en")
    build_draft(declaration, texts=["A secret draft paragraph."])
    response = client.get("/en/declaration/")
    assert response.status_code == 200
    assert "has not been published yet" in response.content.decode()
    assert "A secret draft paragraph." not in response.content.decode()


def test_public_page_shows_the_published_version_only(client, forum):
    draft = published(forum, "en", texts=["The published text on circular migration."])
    build_draft(draft.declaration, version=2, texts=["A newer unpublished text."])
    body = client.get("/en/declaration/").content.decode()
    assert "The published text on circular migration." in body
    assert "A newer unpublished text." not in body
    assert reverse("declarations:download", kwargs={"pk": draft.pk, "fmt": "docx"}) in body


def test_public_page_falls_back_to_another_language_with_a_note(client, forum):
    published(forum, "fr", texts=["La mobilité de la main-d'œuvre."])
    body = client.get("/en/declaration/").content.decode()
    assert "La mobilité de la main-d&#x27;œuvre." in body or "La mobilité de la main-d'œuvre." in body
    assert "not published in this language" in body
    assert 'lang="fr"' in body


def test_the_fallback_note_names_the_language_in_lower_case_in_spanish_and_french(client, forum):
    published(forum, "en", texts=["Labour mobility."])
    spanish = client.get("/es/declaration/").content.decode()
    assert "La declaración no está publicada en este idioma; aquí está en inglés." in spanish
    french = client.get("/fr/declaration/").content.decode()
    assert "La déclaration n’est pas publiée dans cette langue\xa0; la voici en anglais." in french


def test_public_page_query_count_does_not_grow_with_the_draft(client, forum, django_assert_num_queries):
    published(forum, "en", count=2)
    with django_assert_num_queries(2):
        client.get("/en/declaration/")
    other = declaration_for(forum, "en")
    big = build_draft(other, version=2, count=300)
    other.final_draft = big
    other.save()
    with django_assert_num_queries(2):
        response = client.get("/en/declaration/")
    assert "Paragraph 300:" in response.content.decode()


# --- Downloads ----------------------------------------------------------------------------------------


def test_published_version_downloads_for_everyone(client, forum):
    draft = published(forum, "fr")
    response = client.get(reverse("declarations:download", kwargs={"pk": draft.pk, "fmt": "docx"}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="gfmd-2017-declaration-fr-v1.docx"'
    import docx

    document = docx.Document(io.BytesIO(response.content))
    assert any(p.style.name == "Heading 1" for p in document.paragraphs)
    pdf = client.get(reverse("declarations:download", kwargs={"pk": draft.pk, "fmt": "pdf"}))
    assert pdf.content.startswith(b"%PDF")
    html = client.get(reverse("declarations:download", kwargs={"pk": draft.pk, "fmt": "html"}))
    assert html.content.startswith(b"<!DOCTYPE html>")
    assert client.get(reverse("declarations:download", kwargs={"pk": draft.pk, "fmt": "odt"})).status_code == 404


def test_pdf_unavailable_is_a_503_with_a_reason(client, forum, monkeypatch):
    from declarations import exports

    def unavailable(draft):
        raise exports.PdfUnavailable("libpango is missing")

    monkeypatch.setattr(exports, "to_pdf", unavailable)
    draft = published(forum, "en")
    response = client.get(reverse("declarations:download", kwargs={"pk": draft.pk, "fmt": "pdf"}))
    assert response.status_code == 503
    assert response.content.decode() == "PDF files cannot be made on this server."


def test_unpublished_version_is_a_404_to_all_but_staff(client, forum, personas):
    draft = build_draft(declaration_for(forum, "en"))
    url = reverse("declarations:download", kwargs={"pk": draft.pk, "fmt": "html"})
    assert client.get(url).status_code == 404
    client.force_login(personas.delegate())
    assert client.get(url).status_code == 404
    client.force_login(personas.staff("nofactor@example.org", second_factor=False))
    assert client.get(url).status_code == 404
    client.force_login(personas.staff())
    response = client.get(url)
    assert response.status_code == 200
    assert b"draft, not published" in response.content


def test_a_final_but_unpublished_version_is_still_hidden(client, forum):
    declaration = declaration_for(forum, "en")
    draft = build_draft(declaration)
    declaration.final_draft = draft
    declaration.save()
    assert client.get(reverse("declarations:download", kwargs={"pk": draft.pk, "fmt": "pdf"})).status_code == 404


# --- Staff: a draft -----------------------------------------------------------------------------------


def test_draft_page_shows_paragraphs_and_their_sources(staff_client, forum):
    report = build_report(forum)
    draft = build_draft(declaration_for(forum, "en"), count=2, sources=7, report=report)
    response = staff_client.get(reverse("declarations:staff-draft", kwargs={"pk": draft.pk}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Paragraph 2: the co-chairs recommend measure number 2" in body
    # 5 sources shown beside each paragraph, the 2 others behind a link; participants' text escaped.
    assert body.count("Source 0 of paragraph 1") == 1
    assert "Source 5 of paragraph 1" not in body
    assert "and 2 more" in body
    assert "&lt;b&gt;now&lt;/b&gt;" in body and "<b>now</b>" not in body
    assert "Migrant Rights Network" in body
    assert "Rapporteur&#x27;s report: Round table" in body or "Rapporteur's report: Round table" in body


def test_draft_page_is_a_404_for_others(client, forum, personas):
    draft = build_draft(declaration_for(forum, "en"))
    url = reverse("declarations:staff-draft", kwargs={"pk": draft.pk})
    assert client.get(url).status_code == 404
    client.force_login(personas.participant())
    assert client.get(url).status_code == 404


def test_draft_page_query_count_is_the_same_for_a_small_and_a_large_draft(
    staff_client, forum, django_assert_num_queries
):
    report = build_report(forum)
    small = build_draft(declaration_for(forum, "en"), count=1, sources=1, report=report)
    large = build_draft(declaration_for(forum, "fr"), count=150, sources=8, report=report)
    staff_client.get(reverse("declarations:staff-draft", kwargs={"pk": small.pk}))  # warm the session
    with django_assert_num_queries(8):
        staff_client.get(reverse("declarations:staff-draft", kwargs={"pk": small.pk}))
    with django_assert_num_queries(8):
        response = staff_client.get(reverse("declarations:staff-draft", kwargs={"pk": large.pk}))
    assert "Paragraph 98:" in response.content.decode() and "Paragraph 99:" not in response.content.decode()
    with django_assert_num_queries(8):  # 100 paragraphs a page
        response = staff_client.get(reverse("declarations:staff-draft", kwargs={"pk": large.pk}), {"page": 2})
    assert "Paragraph 150:" in response.content.decode()


def test_sources_page_lists_every_contribution(staff_client, forum):
    draft = build_draft(declaration_for(forum, "en"), count=1, sources=7)
    response = staff_client.get(reverse("declarations:staff-paragraph-sources", kwargs={"pk": draft.pk, "position": 3}))
    body = response.content.decode()
    assert "7 contributions" in body
    assert all(f"Source {n} of paragraph 1" in body for n in range(7))


# --- Staff: editing -----------------------------------------------------------------------------------


def test_editing_a_paragraph_makes_a_new_version(staff_client, forum):
    draft = build_draft(declaration_for(forum, "en"), count=3)
    url = reverse("declarations:staff-paragraph-edit", kwargs={"pk": draft.pk, "position": 4})
    form = staff_client.get(url)
    assert 'name="latest_version" value="1"' in form.content.decode()
    response = staff_client.post(url, {"text": "A better second paragraph.", "latest_version": "1"})
    new = Draft.objects.get(declaration=draft.declaration, version=2)
    assert response.status_code == 302
    assert response["Location"] == reverse("declarations:staff-draft", kwargs={"pk": new.pk}) + "#para-4"
    assert new.paragraphs.get(position=4).text == "A better second paragraph."
    assert new.paragraphs.get(position=4).edited_by == staff_client.user
    assert draft.paragraphs.get(position=4).text.startswith("Paragraph 2:")
    assert new.note == "edited by staff@example.org: §2"
    assert "A better second paragraph." in new.html
    entry = AuditEntry.objects.get(action="declarations.draft.edited")
    assert entry.actor == staff_client.user and entry.after["text"] == "A better second paragraph."


def test_after_an_edit_the_draft_opens_on_the_page_of_the_paragraph(staff_client, forum):
    draft = build_draft(declaration_for(forum, "en"), count=150, sources=0)
    url = reverse("declarations:staff-paragraph-edit", kwargs={"pk": draft.pk, "position": 140})
    response = staff_client.post(url, {"text": "Moved on.", "latest_version": "1"})
    new = Draft.objects.get(declaration=draft.declaration, version=2)
    assert response["Location"] == reverse("declarations:staff-draft", kwargs={"pk": new.pk}) + "?page=2#para-140"


def test_a_stale_edit_is_refused_and_keeps_the_typed_text(staff_client, forum):
    draft = build_draft(declaration_for(forum, "en"), count=3)
    build_draft(draft.declaration, version=2)  # someone compiled meanwhile
    url = reverse("declarations:staff-paragraph-edit", kwargs={"pk": draft.pk, "position": 3})
    response = staff_client.post(url, {"text": "My careful rewording.", "latest_version": "1"})
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone made a newer version (v2)" in body
    assert "My careful rewording.</textarea>" in body
    assert Draft.objects.filter(declaration=draft.declaration).count() == 2
    assert not AuditEntry.objects.filter(action="declarations.draft.edited").exists()


def test_an_empty_paragraph_is_refused(staff_client, forum):
    draft = build_draft(declaration_for(forum, "en"), count=1)
    url = reverse("declarations:staff-paragraph-edit", kwargs={"pk": draft.pk, "position": 3})
    response = staff_client.post(url, {"text": "   ", "latest_version": "1"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Draft.objects.filter(declaration=draft.declaration).count() == 1


def test_editing_is_a_404_for_others(client, forum, personas):
    draft = build_draft(declaration_for(forum, "en"), count=1)
    client.force_login(personas.delegate())
    url = reverse("declarations:staff-paragraph-edit", kwargs={"pk": draft.pk, "position": 3})
    assert client.post(url, {"text": "Hijacked", "latest_version": "1"}).status_code == 404
    assert Draft.objects.filter(declaration=draft.declaration).count() == 1


# --- Staff: final, publish, unpublish ---------------------------------------------------------------


def test_mark_final_then_publish_then_replace(staff_client, forum):
    client = Client()  # an anonymous visitor: served from the page cache when it can
    declaration = declaration_for(forum, "en")
    first = build_draft(declaration, texts=["First wording."])
    second = build_draft(declaration, version=2, texts=["Second wording."])

    assert "has not been published yet" in client.get("/en/declaration/").content.decode()  # now cached
    response = staff_client.post(reverse("declarations:staff-publish", kwargs={"pk": first.pk}), follow=True)
    assert "Only the final version can be published" in response.content.decode()
    declaration.refresh_from_db()
    assert declaration.published_at is None

    staff_client.post(reverse("declarations:staff-mark-final", kwargs={"pk": first.pk}))
    staff_client.post(reverse("declarations:staff-publish", kwargs={"pk": first.pk}))
    declaration.refresh_from_db()
    assert declaration.final_draft == first and declaration.published_at is not None
    assert "First wording." in client.get("/en/declaration/").content.decode()

    # Marking another version final while published is refused: only a publish changes the public text.
    response = staff_client.post(reverse("declarations:staff-mark-final", kwargs={"pk": second.pk}), follow=True)
    assert "Publish this version to replace the published one." in response.content.decode()
    staff_client.post(reverse("declarations:staff-publish", kwargs={"pk": second.pk}))
    declaration.refresh_from_db()
    assert declaration.final_draft == second
    public = client.get("/en/declaration/").content.decode()
    assert "Second wording." in public and "First wording." not in public

    staff_client.post(reverse("declarations:staff-unpublish", kwargs={"pk": second.pk}))
    declaration.refresh_from_db()
    assert declaration.published_at is None
    assert "has not been published yet" in client.get("/en/declaration/").content.decode()
    assert list(
        AuditEntry.objects.filter(action__startswith="declarations.declaration.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "declarations.declaration.final_marked",
        "declarations.declaration.published",
        "declarations.declaration.published",
        "declarations.declaration.unpublished",
    ]


def test_publishing_is_a_404_for_others(client, forum, personas):
    declaration = declaration_for(forum, "en")
    draft = build_draft(declaration)
    declaration.final_draft = draft
    declaration.save()
    client.force_login(personas.participant())
    assert client.post(reverse("declarations:staff-publish", kwargs={"pk": draft.pk})).status_code == 404
    declaration.refresh_from_db()
    assert declaration.published_at is None


# --- Staff: comparing ---------------------------------------------------------------------------------


def test_compare_shows_what_changed(staff_client, forum):
    declaration = declaration_for(forum, "en")
    build_draft(declaration, texts=["Keep this.", "Fair recruitment matters.", "Drop <this> one."])
    build_draft(declaration, version=2, texts=["Keep this.", "Ethical recruitment matters.", "A new one."])
    url = reverse("declarations:staff-compare", kwargs={"pk": declaration.pk})
    body = staff_client.get(url).content.decode()  # defaults to the two latest versions
    assert "From v1 to v2:" in body
    assert "<del>Fair</del><ins>Ethical</ins> recruitment matters." in body
    assert "<del>Drop &lt;this&gt;</del><ins>A new</ins> one." in body  # §3 rewritten in place
    assert "<this>" not in body
    response = staff_client.get(url, {"old": "2", "new": "2"})
    assert response.status_code == 400
    assert "Choose two different versions." in response.content.decode()


def test_compare_is_a_404_for_others(client, forum, personas):
    declaration = declaration_for(forum, "en")
    build_draft(declaration)
    client.force_login(personas.delegate())
    assert client.get(reverse("declarations:staff-compare", kwargs={"pk": declaration.pk})).status_code == 404


# --- Staff: compiling and its progress ----------------------------------------------------------------


@pytest.fixture
def fake_compile(monkeypatch):
    """The compile engine's request_compile, recording its calls (the engine has its own tests)."""
    calls = []

    def request_compile(*, forum, language, user, force):
        calls.append({"forum": forum.slug, "language": language, "user": user.email, "force": force})
        declaration = declaration_for(forum, language)
        return CompileJob.objects.create(declaration=declaration, requested_by=user, force=force)

    monkeypatch.setattr(views, "request_compile", request_compile)
    return calls


def test_compile_button_starts_a_job_and_opens_its_progress(staff_client, forum, fake_compile):
    url = reverse("declarations:staff-compile", kwargs={"forum": forum.slug})
    response = staff_client.post(url, {"language": "fr", "force": "on"})
    job = CompileJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("declarations:staff-job", kwargs={"pk": job.pk})
    assert fake_compile == [{"forum": "gfmd-2017", "language": "fr", "user": "staff@example.org", "force": True}]


def test_compile_while_one_runs_opens_the_running_one(staff_client, forum):
    running = running_job(forum)
    response = staff_client.post(
        reverse("declarations:staff-compile", kwargs={"forum": forum.slug}), {"language": "fr"}, follow=True
    )
    assert response.redirect_chain == [(reverse("declarations:staff-job", kwargs={"pk": running.pk}), 302)]
    assert "A compile of this declaration is already under way" in response.content.decode()
    assert CompileJob.objects.count() == 1


def test_compile_with_a_bad_language_says_so(staff_client, forum, fake_compile):
    response = staff_client.post(
        reverse("declarations:staff-compile", kwargs={"forum": forum.slug}), {"language": "xx"}
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert fake_compile == []


def test_compile_is_refused_to_others(client, forum, personas, fake_compile):
    client.force_login(personas.delegate())
    response = client.post(reverse("declarations:staff-compile", kwargs={"forum": forum.slug}), {"language": "fr"})
    assert response.status_code == 403
    assert fake_compile == []


def running_job(forum, **fields):
    declaration = declaration_for(forum, "fr")
    defaults = {
        "status": "running",
        "stage": "round table 3 of 6 — 1,240 of 5,000 contributions",
        "round_tables_total": 6,
        "round_tables_done": 2,
        "progress": 1240,
        "total": 5000,
    }
    return CompileJob.objects.create(declaration=declaration, **{**defaults, **fields})


def test_job_page_shows_the_progress_from_the_database(staff_client, forum):
    job = running_job(forum)
    url = reverse("declarations:staff-job", kwargs={"pk": job.pk})
    page = staff_client.get(url).content.decode()
    assert "round table 3 of 6 — 1,240 of 5,000 contributions" in page
    # 1,240 of 5,000 contributions: the round tables are 95% of the work (the engine's job_progress).
    assert 'value="23" max="100"' in page
    assert f'data-hx-get="{url}"' in page and 'data-hx-trigger="every 1s"' in page
    partial = staff_client.get(url, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="job-progress"')
    assert "<html" not in partial.content.decode()


def test_job_poll_sends_the_browser_to_the_new_draft_when_done(staff_client, forum):
    job = running_job(forum)
    draft = build_draft(job.declaration)
    CompileJob.objects.filter(pk=job.pk).update(status="succeeded", draft=draft, progress=5000)
    response = staff_client.get(
        reverse("declarations:staff-job", kwargs={"pk": job.pk}), headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == reverse("declarations:staff-draft", kwargs={"pk": draft.pk})
    # A reload of the finished job's page (no htmx) shows the outcome and a link, without polling.
    page = staff_client.get(reverse("declarations:staff-job", kwargs={"pk": job.pk})).content.decode()
    assert "hx-trigger" not in page
    assert reverse("declarations:staff-draft", kwargs={"pk": draft.pk}) in page


def test_unchanged_job_opens_the_latest_draft_with_a_message(staff_client, forum):
    job = running_job(forum)
    draft = build_draft(job.declaration)
    CompileJob.objects.filter(pk=job.pk).update(status="unchanged")
    response = staff_client.get(
        reverse("declarations:staff-job", kwargs={"pk": job.pk}), headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == reverse("declarations:staff-draft", kwargs={"pk": draft.pk})
    page = staff_client.get(response["HX-Redirect"]).content.decode()
    assert "Nothing changed since the last draft: no new version was made." in page


def test_failed_job_shows_its_error_and_stops_polling(staff_client, forum):
    job = running_job(forum, status="failed", error="Round table 2.1: contribution 77 has no text")
    for headers in ({}, {"HX-Request": "true"}):
        response = staff_client.get(reverse("declarations:staff-job", kwargs={"pk": job.pk}), headers=headers)
        body = response.content.decode()
        assert "The compile failed. No draft was saved." in body
        assert "Round table 2.1: contribution 77 has no text" in body
        assert "hx-trigger" not in body and "HX-Redirect" not in response


def test_job_page_is_a_404_for_others(client, forum, personas):
    job = running_job(forum)
    client.force_login(personas.participant())
    assert client.get(reverse("declarations:staff-job", kwargs={"pk": job.pk})).status_code == 404


# --- Staff: the overview ------------------------------------------------------------------------------


def test_overview_lists_versions_jobs_and_the_compile_form(staff_client, forum):
    declaration = declaration_for(forum, "fr")
    build_draft(declaration)
    build_draft(declaration, version=2)
    running_job(forum)
    body = staff_client.get(reverse("declarations:staff-overview")).content.decode()
    assert "Compile draft" in body
    assert "v1" in body and "v2" in body
    assert "round table 3 of 6 — 1,240 of 5,000 contributions" in body
    assert reverse("declarations:staff-compare", kwargs={"pk": declaration.pk}) in body


def test_overview_query_count_does_not_grow_with_versions(staff_client, forum, django_assert_num_queries):
    fr = declaration_for(forum, "fr")
    build_draft(fr, count=1, sources=0)
    running_job(forum)
    url = reverse("declarations:staff-overview")
    staff_client.get(url)
    with django_assert_num_queries(8):
        staff_client.get(url)
    en = declaration_for(forum, "en")
    for version in range(1, 6):
        build_draft(en, version=version, count=1, sources=0)
        build_draft(fr, version=version + 1, count=1, sources=0)
    running_job(forum, status="failed", error="boom")
    with django_assert_num_queries(8):
        response = staff_client.get(url)
    assert "boom" in response.content.decode()


def test_overview_is_for_staff_only(client, personas, forum):
    client.force_login(personas.delegate())
    assert client.get(reverse("declarations:staff-overview")).status_code == 403


# --- Long PDFs --------------------------------------------------------------------------------------


def _prepare_tasks():
    from common.models import OutboxTask

    return list(
        OutboxTask.objects.filter(task_name="declarations.tasks.prepare_export").values_list("kwargs", flat=True)
    )


def test_a_long_pdf_is_made_by_a_worker_while_a_page_says_so(staff_client, forum, monkeypatch):
    from declarations import exports, tasks

    monkeypatch.setattr(exports, "PREPARE_ABOVE_PARAGRAPHS", 3)
    draft = build_draft(declaration_for(forum, "en"), count=5, sources=0)
    url = reverse("declarations:download", kwargs={"pk": draft.pk, "fmt": "pdf"})
    first = staff_client.get(url)
    assert first.status_code == 202
    assert first["Refresh"] == "5"
    assert first["Cache-Control"] == "private, no-store"
    assert "The PDF is being prepared" in first.content.decode()
    assert staff_client.get(url).status_code == 202  # asked again while the worker is at it: one task
    french = staff_client.get(url.replace("/en/", "/fr/", 1))
    assert french.status_code == 202 and "Le PDF est en préparation" in french.content.decode()
    assert _prepare_tasks() == [{"draft_id": draft.pk, "fmt": "pdf"}]
    tasks.prepare_export(draft_id=draft.pk, fmt="pdf")
    ready = staff_client.get(url)
    assert ready.status_code == 200
    assert ready.content.startswith(b"%PDF")
    assert ready["Content-Disposition"] == 'attachment; filename="gfmd-2017-declaration-en-v1.pdf"'
    # Word and HTML are quick to make: never deferred.
    docx_url = reverse("declarations:download", kwargs={"pk": draft.pk, "fmt": "docx"})
    assert staff_client.get(docx_url).status_code == 200


def test_a_draft_is_still_a_404_to_the_public_when_its_pdf_would_be_deferred(client, forum, monkeypatch):
    from declarations import exports

    monkeypatch.setattr(exports, "PREPARE_ABOVE_PARAGRAPHS", 1)
    draft = build_draft(declaration_for(forum, "en"), count=3, sources=0)
    assert client.get(reverse("declarations:download", kwargs={"pk": draft.pk, "fmt": "pdf"})).status_code == 404
    assert _prepare_tasks() == []


def test_publishing_has_the_public_pdf_made_beforehand(forum, personas):
    from django.core.cache import cache

    from declarations import editing, exports, tasks

    staff = personas.staff()
    draft = build_draft(declaration_for(forum, "en"), count=2, sources=0)
    editing.mark_final(draft=draft, user=staff)
    editing.publish(draft=draft, user=staff)
    assert _prepare_tasks() == [{"draft_id": draft.pk, "fmt": "pdf"}]
    tasks.prepare_export(**_prepare_tasks()[0])
    draft = Draft.objects.select_related("declaration").get(pk=draft.pk)
    content, content_type, _name = cache.get(exports.cache_key(draft, "pdf"))
    assert content.startswith(b"%PDF") and content_type == "application/pdf"
