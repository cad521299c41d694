"""The delegates' and reviewers' pages: the form in sections, the version check, files, the queue."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from practices import services
from practices.models import Attachment, Practice
from practices.tests.workflow_factories import (
    HTML_AS_PDF,
    PDF,
    docx_bytes,
    draft,
    other_delegate,
    pdf,
    published,
    reload,
    submitted,
    too_large_pdf,
    upload,
)
from roundtables.tests.factories import make_forum
from stakeholders.models import AuditEntry

pytestmark = pytest.mark.django_db

Status = Practice.Status
CREATE = "/en/practices/submit/"
MINE = "/en/practices/mine/"
QUEUE = "/en/practices/review/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def frameworks():
    from roundtables.tests.factories import make_frameworks

    return make_frameworks()


def edit_url(practice):
    return f"/en/practices/{practice.pk}/edit/"


def review_url(practice):
    return f"/en/practices/review/{practice.pk}/"


def form_data(frameworks=None, **overrides):
    """What a delegate posts for a complete practice."""
    data = {
        "title": "Skills partnerships for nurses",
        "summary": "Training in the country of origin.",
        "description": "A bilateral programme.",
        "language": "en",
        "countries": ["DE", "MA"],
        "implementing_organisations": "Federal Employment Agency",
        "partners": "",
        "constituencies": ["government"],
        "start_date": "2016-03-01",
        "end_date": "",
        "ongoing": "on",
        "gender_responsive": "no",
        "gender_explanation": "",
        "results": "300 nurses trained.",
        "evidence": "",
        "replicability": "",
        "contact_name": "Anna Example",
        "contact_email": "anna@example.org",
        "links": "https://example.org/a\n\n  https://example.org/b  ",
    }
    if frameworks:
        target, theme = frameworks
        data["sdg_targets"] = [target.pk]
        data["compact_themes"] = [theme.pk]
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def field_errors(page, field):
    """The error messages crispy-forms shows under one field (``id="error_N_id_<field>"``)."""
    found = re.findall(
        rf'<(?:span|p|div)[^>]*id="error_\d+_id_{field}"[^>]*>\s*(?:<strong>)?(.*?)(?:</strong>)?\s*</', page, re.S
    )
    return [unescape(text.strip()) for text in found]


# --- Who opens the form ---------------------------------------------------------------------


def test_the_form_is_for_verified_delegates(client, personas):
    response = client.get(CREATE)
    assert response.status_code == 302 and response["Location"].startswith("/en/accounts/login/")
    client.force_login(personas.participant())
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {"title": "Sneaky"}).status_code == 403
    client.force_login(personas.staff())
    assert client.get(CREATE).status_code == 403
    assert not Practice.objects.exists()


def test_the_form_is_in_sections(client, personas, frameworks):
    make_forum(round_tables=2)
    client.force_login(personas.delegate())
    page = client.get(CREATE).content.decode()
    legends = re.findall(r"<legend>\s*(.*?)\s*</legend>", page)  # the sections' (a group of boxes has a class)
    assert legends == [
        "About",
        "Where and who",
        "When",
        "Links to frameworks",
        "Gender",
        "Results",
        "Contact and links",
        "Attachments",
    ]
    assert 'name="constituencies" value="civil_society"' in page
    assert "10.7 — Facilitate orderly migration" in page
    assert "1.2 — Round table 2" in page
    assert page.count('type="file"') == 5
    assert 'name="save"' in page and 'name="submit"' in page
    assert 'name="version"' not in page


# --- Saving and submitting -------------------------------------------------------------------


def test_save_draft_needs_only_a_title(client, personas):
    client.force_login(personas.delegate())
    response = client.post(CREATE, {"title": "Circular migration", "language": "fr", "save": "1"})
    practice = Practice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == edit_url(practice)
    assert (practice.status, practice.language, practice.title) == (Status.DRAFT, "fr", "Circular migration")
    page = client.get(response["Location"]).content.decode()
    assert "Your draft is saved." in page
    assert 'name="version" value="1"' in page


def test_without_a_title_nothing_is_saved_and_the_text_is_kept(client, personas):
    client.force_login(personas.delegate())
    response = client.post(CREATE, {"title": "", "summary": "My careful summary", "language": "en", "save": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert field_errors(page, "title") == ["This field is required."]
    assert "My careful summary" in page
    assert "Nothing is saved yet" in page
    assert not Practice.objects.exists()


def test_submit_with_missing_fields_lists_them_next_to_each_field_and_keeps_the_draft(client, personas, frameworks):
    client.force_login(personas.delegate())
    data = form_data(
        summary="",
        description="",
        countries=None,
        constituencies=None,
        start_date="",
        ongoing=None,
        gender_responsive="yes",
        gender_explanation="",
        contact_email="",
        partners="Typed partners",
        submit="1",
    )
    response = client.post(CREATE, data)
    page = response.content.decode()
    assert response.status_code == 200
    practice = Practice.objects.get()
    assert practice.status == Status.DRAFT
    assert (practice.title, practice.partners) == ("Skills partnerships for nurses", "Typed partners")
    assert "Your draft is saved, but it cannot be sent for review yet" in page
    assert field_errors(page, "summary") == ["Needed before review: summary."]
    assert field_errors(page, "description") == ["Needed before review: description."]
    assert field_errors(page, "countries") == ["Needed before review: implementing countries."]
    assert field_errors(page, "constituencies") == ["Needed before review: constituencies involved."]
    assert field_errors(page, "start_date") == ["Needed before review: start."]
    assert field_errors(page, "contact_email") == ["Needed before review: contact email."]
    assert field_errors(page, "gender_explanation") == ["Explain briefly how it is gender-responsive."]
    assert field_errors(page, "sdg_targets") == ["Link at least one SDG target or Global Compact theme."]
    assert field_errors(page, "title") == []
    # What was typed is in the form, which now edits the saved draft at its new version.
    assert "Typed partners" in page
    assert 'value="Anna Example"' in page
    assert f'action="{edit_url(practice)}"' in page
    assert f'name="version" value="{practice.version}"' in page

    # Completing the form and submitting again sends it.
    response = client.post(
        edit_url(practice), form_data(frameworks, version=practice.version, partners="Typed partners", submit="1")
    )
    assert response.status_code == 302 and response["Location"] == MINE
    practice = reload(practice)
    assert practice.status == Status.SUBMITTED
    assert practice.links == "https://example.org/a\nhttps://example.org/b"
    assert list(practice.sdg_targets.all()) == [frameworks[0]]
    assert "Your practice is sent for review" in client.get(MINE).content.decode()


def test_bad_links_and_emails_are_refused_in_the_form(client, personas):
    client.force_login(personas.delegate())
    response = client.post(
        CREATE, form_data(links="https://ok.example.org\njavascript:alert(1)", contact_email="nope", save="1")
    )
    page = response.content.decode()
    assert field_errors(page, "links") == ["This line is not a web address: javascript:alert(1)"]
    assert field_errors(page, "contact_email") == ["Enter a valid email address."]
    assert not Practice.objects.exists()


def test_a_practice_ongoing_with_an_end_date_is_refused(client, personas):
    client.force_login(personas.delegate())
    response = client.post(CREATE, form_data(end_date="2018-01-01", save="1"))
    assert field_errors(response.content.decode(), "end_date") == [
        "An ongoing practice has no end date: leave it empty or untick “ongoing”."
    ]


# --- Editing: colleagues, other governments, the version check -----------------------------------


def test_colleagues_of_the_same_government_edit_and_others_get_404(client, personas):
    practice = draft(personas.delegate())
    client.force_login(personas.delegate("colleague@example.org"))
    assert client.get(edit_url(practice)).status_code == 200
    response = client.post(edit_url(practice), form_data(title="Colleague's title", version=1, save="1"))
    assert response.status_code == 302
    assert reload(practice).title == "Colleague's title"

    for stranger in (other_delegate(personas), personas.participant()):
        client.force_login(stranger)
        assert client.get(edit_url(practice)).status_code == 404
        assert client.post(edit_url(practice), form_data(title="Taken", version=2, save="1")).status_code == 404
    # Staff see every practice but do not write the governments' texts.
    client.force_login(personas.staff())
    assert client.get(edit_url(practice)).status_code == 403
    client.force_login(personas.staff("no2fa@example.org", second_factor=False))
    assert client.get(edit_url(practice)).status_code == 404
    assert reload(practice).title == "Colleague's title"
    assert client.get("/en/practices/999999/edit/").status_code == 404


def test_a_submitted_practice_is_not_editable_until_changes_are_requested(client, personas):
    author = personas.delegate()
    practice = submitted(author)
    client.force_login(author)
    assert client.get(edit_url(practice)).status_code == 403
    services.transition(practice=practice, actor=personas.staff(), action="request_changes", comment="Add figures.")
    page = client.get(edit_url(practice)).content.decode()
    assert "The reviewers asked for changes" in page
    assert "Add figures." in page
    assert "Changes requested" in page  # the history


def test_two_people_editing_at_once_the_second_save_is_refused_with_their_text_kept(personas):
    practice = draft(personas.delegate())
    first, second = Client(), Client()
    first.force_login(personas.delegate("first@example.org"))
    second.force_login(personas.delegate("second@example.org"))
    assert 'name="version" value="1"' in first.get(edit_url(practice)).content.decode()
    assert 'name="version" value="1"' in second.get(edit_url(practice)).content.decode()

    assert first.post(edit_url(practice), form_data(title="First's title", version=1, save="1")).status_code == 302
    response = second.post(
        edit_url(practice),
        form_data(title="Second's title", summary="Second's careful summary", version=1, save="1"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="conflict"' in page
    assert "Someone else saved this practice while you were editing it" in page
    assert "Second&#x27;s careful summary" in page and 'value="Second&#x27;s title"' in page
    assert 'name="version" value="1"' in page  # still stale: a reload is needed to see the other's text
    practice = reload(practice)
    assert (practice.title, practice.version) == ("First's title", 2)
    # Submitting from the stale form is refused alike.
    response = second.post(edit_url(practice), form_data(title="Second's title", version=1, submit="1"))
    assert 'id="conflict"' in response.content.decode()
    assert reload(practice).status == Status.DRAFT


# --- Attachments ------------------------------------------------------------------------------------


def test_a_file_that_is_not_a_document_is_refused_and_the_rest_is_kept(client, personas):
    client.force_login(personas.delegate())
    data = form_data(summary="Kept summary", save="1")
    data["attachment_1"] = pdf("good.pdf")
    data["attachment_2"] = upload("report.pdf", HTML_AS_PDF, "application/pdf")
    response = client.post(CREATE, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert field_errors(page, "attachment_2") == [
        "This file is not a PDF, DOCX, PNG, JPEG document (its content was checked, not its name).",
        "Choose the file again: a browser does not keep a refused file.",
    ]
    assert "Your browser does not keep the files you chose after a refused form: choose them again." in page
    assert "Kept summary" in page
    assert not Practice.objects.exists()
    assert not Attachment.objects.exists()


def test_a_file_over_10_mb_is_refused(client, personas):
    client.force_login(personas.delegate())
    data = form_data(save="1")
    data["attachment_1"] = too_large_pdf()
    page = client.post(CREATE, data).content.decode()
    assert field_errors(page, "attachment_1")[0] == "The file is 11.0 MB; files of at most 10 MB are accepted."
    assert not Practice.objects.exists()


def test_files_are_attached_downloaded_and_removed(client, personas):
    author = personas.delegate()
    client.force_login(author)
    data = form_data(save="1")
    data["attachment_1"] = upload("Evaluation 2018.docx", docx_bytes())
    data["attachment_2"] = pdf("report.pdf")
    response = client.post(CREATE, data)
    practice = Practice.objects.get()
    word, report = practice.attachments.all()
    assert (word.kind, word.title, report.kind) == ("docx", "Evaluation 2018.docx", "pdf")

    page = client.get(response["Location"]).content.decode()
    assert page.count('type="file"') == 3  # five at most
    download = f"/en/practices/{practice.pk}/attachments/{report.pk}/"
    assert download in page
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = f'attachment; filename="practice-{practice.pk}-attachment-{report.pk}.pdf"'
    assert response["Content-Disposition"] == disposition
    # A draft's files are as private as the draft.
    for stranger in (other_delegate(personas), personas.participant()):
        client.force_login(stranger)
        assert client.get(download).status_code == 404
    client.logout()
    assert client.get(download).status_code == 404
    client.force_login(personas.staff())
    assert client.get(download).status_code == 200
    assert client.get(f"/en/practices/{practice.pk}/attachments/{report.pk + 1000}/").status_code == 404

    client.force_login(author)
    response = client.post(
        edit_url(practice), form_data(version=practice.version, remove_attachments=[word.pk], save="1")
    )
    assert response.status_code == 302
    assert list(practice.attachments.all()) == [report]


# --- My government's practices ----------------------------------------------------------------------


def test_my_governments_practices_with_status_links_and_comments(client, personas):
    author = personas.delegate()
    staff = personas.staff()
    a_draft = draft(author, title="A draft")
    to_change = services.transition(
        practice=submitted(author, title="To change"), actor=staff, action="request_changes", comment="Add the budget."
    )
    public = published(author, staff, title="Public one")
    draft(other_delegate(personas), title="Another government's draft")

    client.force_login(personas.delegate("colleague@example.org"))
    page = client.get(MINE).content.decode()
    assert "Another government" not in page
    for practice in (a_draft, to_change, public):
        assert practice.title in page
    assert "Add the budget." in page
    assert edit_url(a_draft) in page and edit_url(to_change) in page and edit_url(public) not in page
    assert f"/en/practices/{a_draft.pk}/submit/" in page
    assert f"/en/practices/{public.pk}/withdraw/" in page

    client.force_login(personas.participant())
    assert client.get(MINE).status_code == 403
    client.logout()
    assert client.get(MINE).status_code == 302


@pytest.mark.parametrize("count", [1, 6])
def test_my_practices_page_has_a_fixed_number_of_queries(client, personas, django_assert_num_queries, count):
    author = personas.delegate()
    staff = personas.staff()
    for number in range(count):
        services.transition(
            practice=submitted(author, title=f"Practice {number}"),
            actor=staff,
            action="request_changes",
            comment=f"Comment {number}",
        )
    client.force_login(author)
    client.get(MINE)  # the session is then read from the cache, as on every later request
    # the user (with profile, verified email and staff group), count, practices, comments
    with django_assert_num_queries(4):
        response = client.get(MINE)
    assert response.content.decode().count("Comment ") == count


def test_submit_from_my_practices(client, personas, frameworks):
    author = personas.delegate()
    client.force_login(author)
    complete = draft(author)
    incomplete = services.create_draft(author=author, data={"title": "Half done", "partners": "Some partners"})
    response = client.post(f"/en/practices/{complete.pk}/submit/")
    assert response.status_code == 302 and response["Location"] == MINE
    assert reload(complete).status == Status.SUBMITTED

    response = client.post(f"/en/practices/{incomplete.pk}/submit/")
    page = response.content.decode()
    assert response.status_code == 200
    assert field_errors(page, "summary") == ["Needed before review: summary."]
    assert "Some partners" in page
    assert reload(incomplete).status == Status.DRAFT
    assert client.get(f"/en/practices/{complete.pk}/submit/").status_code == 405
    client.force_login(other_delegate(personas))
    assert client.post(f"/en/practices/{incomplete.pk}/submit/").status_code == 404


def test_withdraw_a_published_practice(client, personas):
    author = personas.delegate()
    staff = personas.staff()
    practice = published(author, staff)
    url = f"/en/practices/{practice.pk}/withdraw/"
    client.force_login(other_delegate(personas))
    assert client.post(url).status_code == 403  # a published practice is seen by everyone
    client.force_login(staff)
    assert client.post(url).status_code == 403  # staff unpublish, with a comment, on the review page
    client.force_login(personas.delegate("colleague@example.org"))
    assert client.get(url).status_code == 405
    response = client.post(url, {"comment": "The programme ended."})
    assert response.status_code == 302 and response["Location"] == MINE
    practice = reload(practice)
    assert practice.status == Status.WITHDRAWN
    assert practice.transitions.last().comment == "The programme ended."
    # Withdrawn: no longer public, and it cannot be withdrawn twice.
    assert client.post(url).status_code == 403


# --- Staff: the queue and the review page -----------------------------------------------------------


def test_the_review_queue_oldest_first_with_a_status_filter(client, personas):
    author = personas.delegate()
    staff = personas.staff()
    first = submitted(author, title="First sent")
    second = services.transition(practice=submitted(author, title="Second sent"), actor=staff, action="start_review")
    draft(author, title="Still a draft")
    published(author, staff, title="Already public")
    client.force_login(staff)
    page = client.get(QUEUE).content.decode()
    assert page.index(first.title) < page.index(second.title)
    assert "Still a draft" not in page and "Already public" not in page
    assert "Already public" in client.get(QUEUE, {"status": "published"}).content.decode()
    assert "First sent" not in client.get(QUEUE, {"status": "in_review"}).content.decode()
    assert "Still a draft" not in client.get(QUEUE, {"status": "draft"}).content.decode()


def test_the_review_pages_are_for_staff_with_a_second_factor(client, personas):
    practice = submitted(personas.delegate())
    assert client.get(QUEUE).status_code == 302
    for person in (personas.delegate("colleague@example.org"), personas.participant()):
        client.force_login(person)
        assert client.get(QUEUE).status_code == 403
        assert client.get(review_url(practice)).status_code == 403
        assert client.post(review_url(practice), {"action": "publish"}).status_code == 403
    for language in ("en", "fr", "es"):
        client.force_login(personas.staff(f"no2fa-{language}@example.org", second_factor=False))
        for url in (f"/{language}/practices/review/", f"/{language}/practices/review/{practice.pk}/"):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("mfa_activate_totp"))
        assert client.post(review_url(practice), {"action": "publish"}).status_code == 302
    assert reload(practice).status == Status.SUBMITTED
    client.force_login(personas.administrator())
    assert client.get(QUEUE).status_code == 200
    assert client.get("/en/practices/review/999999/").status_code == 404


@pytest.mark.parametrize("count", [1, 6])
def test_the_review_queue_has_a_fixed_number_of_queries(client, personas, django_assert_num_queries, count):
    author = personas.delegate()
    for number in range(count):
        submitted(author, title=f"Practice {number}")
    client.force_login(personas.staff())
    client.get(QUEUE)  # the session is then read from the cache, as on every later request
    # the user (with the staff group), second factor, count, practices with their government
    with django_assert_num_queries(4):
        response = client.get(QUEUE)
    assert response.content.decode().count("/en/practices/review/") - 1 >= count


def test_the_review_page_shows_the_practice_and_takes_the_steps(client, personas, frameworks):
    author = personas.delegate()
    staff = personas.staff()
    practice = draft(author, partners="Vocational <b>schools</b>")
    attachment = services.add_attachment(practice=practice, editor=author, uploaded=pdf(), title="Report")
    practice = services.transition(practice=practice, actor=author, action="submit")
    client.force_login(staff)
    page = client.get(review_url(practice)).content.decode()
    assert f'href="/en/practices/{practice.pk}/attachments/{attachment.pk}/">Report</a>' in page
    assert "Vocational &lt;b&gt;schools&lt;/b&gt;" in page
    assert "Germany, Morocco" in page
    assert "Government, Private sector" in page
    assert 'href="https://example.org/programme"' in page
    assert "Draft → <strong>Submitted</strong>" in page
    assert 'value="start_review"' in page and 'value="publish"' in page and 'value="unpublish"' not in page

    response = client.post(review_url(practice), {"action": "start_review"})
    assert response.status_code == 302 and response["Location"] == review_url(practice)

    # A comment is required to request changes: the step is refused and the page says why.
    response = client.post(review_url(practice), {"action": "request_changes", "comment": " "})
    assert response.status_code == 200
    assert "Write a comment: the submitter reads it." in response.content.decode()
    assert reload(practice).status == Status.IN_REVIEW

    response = client.post(review_url(practice), {"action": "reject", "comment": ""})
    assert "Write a comment" in response.content.decode()
    response = client.post(review_url(practice), {"action": "publish", "comment": "Well documented."})
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert reload(practice).status == Status.PUBLISHED
    entry = AuditEntry.objects.get(action="practices.practice.publish")
    assert (entry.actor, entry.object_id) == (staff, str(practice.pk))
    page = client.get(review_url(practice)).content.decode()
    assert "Well documented." in page and 'value="unpublish"' in page

    response = client.post(review_url(practice), {"action": "unpublish", "comment": "Contested figures."})
    assert reload(practice).status == Status.WITHDRAWN
    assert AuditEntry.objects.filter(action="practices.practice.unpublish").count() == 1
    # A step that does not apply any more is refused with a message, not a crash.
    response = client.post(review_url(practice), {"action": "publish"})
    assert response.status_code == 200
    assert "cannot go through this step" in unescape(response.content.decode())
    response = client.post(review_url(practice), {"action": "delete_everything"})
    assert "Choose one of the steps below." in response.content.decode()


def test_the_history_partial_shows_the_steps_to_the_governments_delegates(client, personas):
    author = personas.delegate()
    staff = personas.staff()
    practice = services.transition(
        practice=submitted(author), actor=staff, action="request_changes", comment="Say more about <results>."
    )
    client.force_login(personas.delegate("colleague@example.org"))
    page = client.get(edit_url(practice)).content.decode()
    history = page[page.index('class="table table-sm practice-history"') :]
    assert "Submitted → <strong>Changes requested</strong>" in history
    assert "staff@example.org" in history
    assert "Say more about &lt;results&gt;." in history


# --- The Django admin --------------------------------------------------------------------------------


def test_the_admin_shows_practices_and_moves_them_only_through_the_services(client, personas):
    author = personas.delegate()
    practice = draft(author)
    attachment = services.add_attachment(practice=practice, editor=author, uploaded=pdf())
    practice = services.transition(practice=practice, actor=author, action="submit")
    step = practice.transitions.last()
    admin = personas.administrator()
    client.force_login(admin)
    for url in (
        "/admin/practices/practice/",
        f"/admin/practices/practice/{practice.pk}/change/",
        "/admin/practices/attachment/",
        f"/admin/practices/attachment/{attachment.pk}/change/",
        "/admin/practices/transition/",
        f"/admin/practices/transition/{step.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    for model in ("practice", "attachment", "transition"):
        assert client.get(f"/admin/practices/{model}/add/").status_code == 403
    assert client.get(f"/admin/practices/transition/{step.pk}/delete/").status_code == 403
    # The status is not a field of the form; the actions go through the services (history, audit).
    page = client.get(f"/admin/practices/practice/{practice.pk}/change/").content.decode()
    assert 'name="status"' not in page and 'name="version"' not in page
    response = client.post(
        "/admin/practices/practice/", {"action": "publish", "_selected_action": [practice.pk]}, follow=True
    )
    assert response.status_code == 200
    assert reload(practice).status == Status.PUBLISHED
    assert AuditEntry.objects.filter(action="practices.practice.publish", actor=admin).exists()
    assert practice.transitions.last().actor == admin


def test_an_edit_in_the_admin_makes_open_forms_stale(client, personas):
    author = personas.delegate()
    practice = draft(author)
    step = practice.transitions.get()
    client.force_login(personas.administrator())
    data = {
        "title": "Corrected by the administrator",
        "summary": practice.summary,
        "language": "en",
        "constituencies": '["government"]',
        "countries": ["DE"],
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "transitions-TOTAL_FORMS": "1",
        "transitions-INITIAL_FORMS": "1",
        "transitions-0-id": step.pk,
        "transitions-0-practice": practice.pk,
    }
    response = client.post(f"/admin/practices/practice/{practice.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    practice = reload(practice)
    assert (practice.title, practice.version, practice.status) == ("Corrected by the administrator", 2, Status.DRAFT)
    with pytest.raises(services.VersionConflict):
        services.save_draft(practice=practice, editor=author, data={"title": "Stale"}, version=1)


def test_the_french_review_tabs_agree_with_une_pratique(client, personas):
    client.force_login(personas.staff())
    page = client.get("/fr/practices/review/").content.decode()
    tabs = re.findall(r'<a class="nav-link[^"]*"[^>]*href="\?status=[a-z_]+">([^<]+)</a>', page)
    assert tabs == [
        "En attente d’une décision",
        "Soumise",
        "En cours d’examen",
        "Modifications demandées",
        "Publiée",
        "Refusée",
        "Retirée",
    ]
    spanish = client.get("/es/practices/review/").content.decode()
    assert re.findall(r'href="\?status=[a-z_]+">([^<]+)</a>', spanish) == [
        "En espera de una decisión",
        "Enviada",
        "En revisión",
        "Cambios solicitados",
        "Publicada",
        "Rechazada",
        "Retirada",
    ]
