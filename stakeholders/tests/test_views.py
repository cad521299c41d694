import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from stakeholders.models import AuditEntry, DelegateInvitation, DelegateRequest, Profile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name="note.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_a_participant_asks_with_a_note_verbale_and_sees_the_request(client, personas):
    user = personas.participant()
    government = personas.government()
    client.force_login(user)
    response = client.post(
        "/en/accounts/delegate/",
        {"organisation": government.pk, "justification": "First secretary, permanent mission", "note_verbale": _pdf()},
    )
    delegate_request = DelegateRequest.objects.get(user=user)
    assert response.status_code == 302
    assert response["Location"] == f"/en/accounts/delegate/{delegate_request.pk}/"
    assert delegate_request.note_verbale.name.startswith("private/delegaterequest/")
    page = client.get(response["Location"]).content.decode()
    assert "First secretary, permanent mission" in page
    assert "Pending" in page
    download = client.get(f"/en/accounts/delegate/{delegate_request.pk}/note/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_a_file_that_is_not_a_document_is_refused_and_the_text_is_kept(client, personas):
    client.force_login(personas.participant())
    html = SimpleUploadedFile("note.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = client.post(
        "/en/accounts/delegate/",
        {"organisation": personas.government().pk, "justification": "My careful justification", "note_verbale": html},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "This file is not a PDF, PNG, JPEG document" in page
    assert "My careful justification" in page
    assert not DelegateRequest.objects.exists()


def test_staff_queue_decide_and_history(client, personas):
    user = personas.participant(language="fr")
    staff = personas.staff()
    delegate_request = DelegateRequest.objects.create(
        user=user, organisation=personas.government(), justification="Attaché"
    )
    client.force_login(staff)
    queue = client.get("/en/staff/delegate-requests/").content.decode()
    assert user.email in queue

    response = client.post(
        f"/en/staff/delegate-requests/{delegate_request.pk}/decide/", {"decision": "reject", "reason": ""}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Give the reason for the rejection" in page
    delegate_request.refresh_from_db()
    assert delegate_request.status == "pending"

    with pytest.MonkeyPatch.context():
        response = client.post(
            f"/en/staff/delegate-requests/{delegate_request.pk}/decide/", {"decision": "approve", "reason": ""}
        )
    assert response["Location"] == "/en/staff/delegate-requests/"
    assert Profile.objects.get(user=user).delegate_status == "verified"
    detail = client.get(f"/en/accounts/delegate/{delegate_request.pk}/").content.decode()
    assert "stakeholders.delegate_request.approved" in detail
    audit = client.get("/en/staff/audit/", {"object": f"stakeholders.delegaterequest:{delegate_request.pk}"})
    assert "stakeholders.delegate_request.approved" in audit.content.decode()
    assert client.get("/en/staff/audit/", {"object": "stakeholders.delegaterequest:0"}).context["entries"].count() == 0


def test_staff_invite_by_email(client, personas, django_capture_on_commit_callbacks):
    client.force_login(personas.staff())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/staff/invitations/",
            {"email": "new.delegate@example.org", "organisation": personas.government().pk, "language": "en"},
        )
    assert response.status_code == 302
    invitation = DelegateInvitation.objects.get()
    assert invitation.email == "new.delegate@example.org"
    assert AuditEntry.objects.filter(action="stakeholders.delegate_invitation.sent").count() == 1
    assert "new.delegate@example.org" in client.get("/en/staff/invitations/").content.decode()


def test_accepting_an_invitation_in_the_browser(client, personas):
    from stakeholders import services

    invitation = services.invite_delegate(
        staff=personas.staff(), email="invitee@example.org", organisation=personas.government(), language="en"
    )
    token = services.invitation_token(invitation)
    url = f"/en/delegates/invitation/{token}/"
    assert client.get(url)["Location"].startswith("/en/accounts/login/?next=")
    invitee = personas.participant(email="invitee@example.org")
    client.force_login(invitee)
    assert "Federal Foreign Office" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == "/en/accounts/"
    assert Profile.objects.get(user=invitee).delegate_status == "verified"
    assert "already been used" in client.post(url, follow=True).content.decode()


@pytest.mark.parametrize("count", [1, 8])
def test_staff_queue_query_count(client, personas, django_assert_num_queries, count):
    staff = personas.staff()
    government = personas.government()
    for number in range(count):
        user = personas.participant(email=f"p{number}@example.org")
        DelegateRequest.objects.create(user=user, organisation=government, justification="x")
    client.force_login(staff)
    client.get("/en/staff/delegate-requests/")  # warm the session and the per-request role cache
    with django_assert_num_queries(4):
        assert client.get("/en/staff/delegate-requests/").status_code == 200


@pytest.mark.parametrize("count", [1, 8])
def test_audit_trail_query_count(client, personas, django_assert_num_queries, count):
    from stakeholders import audit

    staff = personas.staff()
    for _ in range(count):
        audit.record(actor=staff, action="stakeholders.test.done", obj=staff.profile)
    client.force_login(staff)
    client.get("/en/staff/audit/")
    with django_assert_num_queries(4):
        assert client.get("/en/staff/audit/").status_code == 200


def test_the_email_of_a_decision_is_queued_with_the_decision(client, personas, django_capture_on_commit_callbacks):
    from common.models import OutboxTask
    from stakeholders import tasks

    user = personas.participant()
    delegate_request = DelegateRequest.objects.create(user=user, organisation=personas.government(), justification="x")
    client.force_login(personas.staff())
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(f"/en/staff/delegate-requests/{delegate_request.pk}/decide/", {"decision": "approve"})
    task = OutboxTask.objects.get(task_name="stakeholders.tasks.send_delegate_decision")
    assert task.kwargs == {"request_id": delegate_request.pk}
    assert len(callbacks) == 1  # published only once the decision is committed
    tasks.send_delegate_decision(**task.kwargs)  # what the worker runs
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_the_invitations_accepted_column_is_a_date_and_request_tabs_agree(client, personas):
    client.force_login(personas.staff())
    french = client.get("/fr/staff/invitations/").content.decode()
    assert '<th scope="col">Date d’acceptation</th>' in french
    spanish = client.get("/es/staff/invitations/").content.decode()
    assert '<th scope="col">Fecha de aceptación</th>' in spanish
    # A request ("une demande") is pending, approved or refused: feminine in every tab.
    tabs = client.get("/fr/staff/delegate-requests/").content.decode()
    for label in ("En attente", "Approuvée", "Refusée"):
        assert f">{label}</a>" in tabs
