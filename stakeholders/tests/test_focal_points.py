"""Focal points: staff appoint a verified delegate; the focal point decides their own government's
delegate requests on the staff's pages, and nobody else's; staff keep the last word."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from common.models import OutboxTask
from stakeholders import services, tasks  # noqa: F401 - registers the tasks the outbox names
from stakeholders.models import AuditEntry, DelegateRequest, Organisation, Profile

pytestmark = pytest.mark.django_db

FOCAL_POINTS = "/en/staff/focal-points/"
QUEUE = "/en/staff/delegate-requests/"


def _run_outbox():
    from gfmd_portal.celery import app

    for task in OutboxTask.objects.filter(sent_at=None):
        app.tasks[task.task_name](**task.kwargs)
        task.sent_at = task.created
        task.save(update_fields=["sent_at"])


def _government(reference):
    return Organisation.objects.get(reference=reference)


def _request(personas, email, government):
    return services.request_delegate_status(
        user=personas.participant(email), organisation=government, justification=f"Attaché ({email})"
    )


def test_staff_appoint_and_remove_a_focal_point_audited(client, personas):
    germany = _government("state:DE")
    delegate = personas.delegate("delegate@example.org", organisation=germany)
    personas.participant()  # not a delegate: not offered
    client.force_login(personas.staff())
    page = client.get(FOCAL_POINTS).content.decode()
    assert "delegate@example.org — Germany" in page
    assert "participant@example.org" not in page

    response = client.post(FOCAL_POINTS, {"profile": delegate.profile.pk})
    assert response["Location"] == FOCAL_POINTS
    assert Profile.objects.get(user=delegate).focal_point_for == germany
    entry = AuditEntry.objects.get(action="stakeholders.focal_point.appointed")
    assert (entry.object_id, entry.after) == (str(delegate.profile.pk), {"focal_point_for": germany.pk})
    page = client.get(FOCAL_POINTS).content.decode()
    assert f"/en/staff/focal-points/{delegate.profile.pk}/remove/" in page
    assert "delegate@example.org — Germany" not in page  # no longer offered: already one

    response = client.post(f"/en/staff/focal-points/{delegate.profile.pk}/remove/")
    assert response["Location"] == FOCAL_POINTS
    assert Profile.objects.get(user=delegate).focal_point_for is None
    assert AuditEntry.objects.filter(action="stakeholders.focal_point.removed").count() == 1
    # Removed, the person no longer reaches the queue.
    client.force_login(delegate)
    assert client.get(QUEUE).status_code == 403


def test_only_a_verified_delegate_can_be_appointed(personas):
    with pytest.raises(ValidationError, match="verified delegate"):
        services.appoint_focal_point(user=personas.participant(), staff=personas.staff())


def test_a_focal_point_decides_their_governments_requests_and_no_one_elses(client, personas):
    germany, morocco = _government("state:DE"), _government("state:MA")
    focal_point = personas.focal_point(organisation=germany)
    ours = _request(personas, "ours@example.org", germany)
    theirs = _request(personas, "theirs@example.org", morocco)
    client.force_login(focal_point)

    queue = client.get(QUEUE).content.decode()
    assert "ours@example.org" in queue
    assert "theirs@example.org" not in queue
    assert "As the focal point of Germany" in queue
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(f"/en/accounts/delegate/{theirs.pk}/note/").status_code == 404
    refused = client.post(f"/en/staff/delegate-requests/{theirs.pk}/decide/", {"decision": "approve"})
    assert refused.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "pending"

    detail = client.get(ours.get_absolute_url()).content.decode()
    assert 'name="decision"' in detail
    response = client.post(f"/en/staff/delegate-requests/{ours.pk}/decide/", {"decision": "approve"})
    assert response["Location"] == QUEUE
    ours.refresh_from_db()
    assert (ours.status, ours.decided_by, ours.decided_by_focal_point) == ("approved", focal_point, True)
    assert Profile.objects.get(user=ours.user).delegate_status == "verified"
    entry = AuditEntry.objects.get(action="stakeholders.delegate_request.approved")
    assert (entry.actor, entry.after["by_focal_point"]) == (focal_point, True)
    _run_outbox()
    assert [message.to for message in mail.outbox] == [["ours@example.org"]]
    # A decided request is theirs to decide no more.
    again = client.post(
        f"/en/staff/delegate-requests/{ours.pk}/decide/", {"decision": "reject", "reason": "x"}, follow=True
    )
    assert "This request has already been decided." in again.content.decode()
    ours.refresh_from_db()
    assert ours.status == "approved"


def test_staff_change_a_focal_points_decision_and_that_is_final(client, personas):
    germany = _government("state:DE")
    focal_point = personas.focal_point(organisation=germany)
    delegate_request = _request(personas, "applicant@example.org", germany)
    services.decide_delegate_request(delegate_request=delegate_request, reviewer=focal_point, approve=True)
    staff = personas.staff()
    client.force_login(staff)
    detail = client.get(delegate_request.get_absolute_url()).content.decode()
    assert "Change the focal point's decision" in detail

    response = client.post(
        f"/en/staff/delegate-requests/{delegate_request.pk}/decide/",
        {"decision": "reject", "reason": "The ministry does not know this person"},
    )
    assert response["Location"] == QUEUE
    delegate_request.refresh_from_db()
    assert (delegate_request.status, delegate_request.decided_by_focal_point) == ("rejected", False)
    assert Profile.objects.get(user=delegate_request.user).delegate_status == "rejected"
    entry = AuditEntry.objects.get(action="stakeholders.delegate_request.rejected")
    assert entry.after["overrides"] == "approved"
    assert entry.before["delegate_status"] == "verified"
    # Staff decided: nobody reopens it, staff included.
    with pytest.raises(ValidationError, match="already"):
        services.decide_delegate_request(delegate_request=delegate_request, reviewer=staff, approve=True)
    assert 'name="decision"' not in client.get(delegate_request.get_absolute_url()).content.decode()


def test_a_focal_point_without_a_second_factor_is_sent_to_set_one_up(client, personas):
    germany = _government("state:DE")
    focal_point = personas.focal_point(organisation=germany, second_factor=False)
    delegate_request = _request(personas, "applicant@example.org", germany)
    client.force_login(focal_point)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/2fa/totp/activate/")
    # Elsewhere, without one, they act as a plain delegate.
    assert client.get(delegate_request.get_absolute_url()).status_code == 404


def test_a_verified_delegate_cannot_move_to_another_government_through_the_profile(client, personas):
    germany, morocco = _government("state:DE"), _government("state:MA")
    focal_point = personas.focal_point(organisation=germany)
    client.force_login(focal_point)
    form = client.get("/en/accounts/profile/").content.decode()
    assert "Verified: ask the co-chairs' staff to change it." in form
    assert re.search(r'<select name="organisation"[^>]* disabled', form)
    response = client.post(
        "/en/accounts/profile/",
        {
            "given_name": "Jonas",
            "family_name": "Weber",
            "organisation": morocco.pk,
            "constituency": "civil_society",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=focal_point)
    assert (profile.organisation, profile.constituency, profile.focal_point_for) == (germany, "government", germany)
    moroccan = _request(personas, "moroccan@example.org", morocco)
    assert client.get(moroccan.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("count", [1, 8])
def test_focal_point_queue_query_count(client, personas, django_assert_num_queries, count):
    germany = _government("state:DE")
    focal_point = personas.focal_point(organisation=germany)
    for number in range(count):
        _request(personas, f"p{number}@example.org", germany)
    client.force_login(focal_point)
    client.get(QUEUE)
    with django_assert_num_queries(4):
        response = client.get(QUEUE)
    assert len(response.context["delegate_requests"]) == count
    assert DelegateRequest.objects.count() == count


@pytest.mark.parametrize("count", [1, 8])
def test_focal_points_page_query_count(client, personas, django_assert_num_queries, count):
    governments = Organisation.objects.filter(reference__startswith="state:").order_by("pk")[:count]
    for number, government in enumerate(governments):
        personas.focal_point(f"fp{number}@example.org", organisation=government)
        personas.delegate(f"d{number}@example.org", organisation=government)
    client.force_login(personas.staff())
    client.get(FOCAL_POINTS)
    with django_assert_num_queries(4):
        response = client.get(FOCAL_POINTS)
    page = response.content.decode()
    assert page.count("/remove/") == count
    assert all(f"d{number}@example.org — " in page for number in range(count))
