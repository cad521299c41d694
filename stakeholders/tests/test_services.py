import re

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError

from common.models import OutboxTask
from stakeholders import services, tasks
from stakeholders.models import AuditEntry, DelegateRequest, Profile
from stakeholders.permissions import Role, roles_of

pytestmark = pytest.mark.django_db


def _run_outbox():
    """Run the recorded follow-up tasks in-process, as a worker would."""
    from gfmd_portal.celery import app

    for task in OutboxTask.objects.filter(sent_at=None):
        app.tasks[task.task_name](**task.kwargs)


def test_roles(personas):
    assert roles_of(personas.participant()) == {Role.PARTICIPANT}
    assert roles_of(personas.delegate()) == {Role.PARTICIPANT, Role.DELEGATE}
    assert roles_of(personas.staff()) == {Role.PARTICIPANT, Role.STAFF}
    assert roles_of(personas.administrator()) == {Role.PARTICIPANT, Role.STAFF, Role.ADMINISTRATOR}


def test_a_participant_cannot_make_themself_a_delegate_through_the_profile(personas):
    user = personas.participant()
    services.save_profile(user=user, constituency="government", preferred_language="fr")
    profile = Profile.objects.get(user=user)
    assert profile.delegate_status == Profile.DelegateStatus.NONE
    assert Role.DELEGATE not in roles_of(user)


def test_a_proposed_organisation_is_created_as_proposed(personas):
    user = personas.participant()
    profile = services.save_profile(
        user=user, proposed_organisation="Diaspora Forum Berlin", constituency="civil_society", country="DE"
    )
    assert profile.organisation.name == "Diaspora Forum Berlin"
    assert profile.organisation.status == "proposed"


def test_request_then_approval_grants_the_role_audits_and_emails_in_french(personas):
    user = personas.participant(language="fr")
    staff = personas.staff()
    government = personas.government()
    delegate_request = services.request_delegate_status(
        user=user, organisation=government, justification="Counsellor at the mission in Geneva"
    )
    assert Profile.objects.get(user=user).delegate_status == Profile.DelegateStatus.REQUESTED
    with pytest.raises(ValidationError, match="already"):
        services.request_delegate_status(user=user, organisation=government, justification="again")

    services.decide_delegate_request(delegate_request=delegate_request, reviewer=staff, approve=True)

    user.__dict__.pop("_gfmd_roles", None)
    assert Role.DELEGATE in roles_of(user)
    profile = Profile.objects.get(user=user)
    assert (profile.organisation, profile.constituency) == (government, "government")
    entry = AuditEntry.objects.get(action="stakeholders.delegate_request.approved")
    assert entry.actor == staff
    assert entry.object_id == str(delegate_request.pk)
    assert entry.before["delegate_status"] == "requested"
    assert entry.after["delegate_status"] == "verified"

    _run_outbox()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "délégué" in message.subject.lower()
    assert government.name in message.body


def test_rejection_needs_a_reason_and_emails_it(personas):
    user = personas.participant()
    staff = personas.staff()
    delegate_request = services.request_delegate_status(
        user=user, organisation=personas.government(), justification="I work there"
    )
    with pytest.raises(ValidationError, match="reason"):
        services.decide_delegate_request(delegate_request=delegate_request, reviewer=staff, approve=False)
    services.decide_delegate_request(
        delegate_request=delegate_request, reviewer=staff, approve=False, reason="No confirmation from the ministry"
    )
    delegate_request.refresh_from_db()
    assert delegate_request.status == DelegateRequest.Status.REJECTED
    assert Profile.objects.get(user=user).delegate_status == Profile.DelegateStatus.REJECTED
    assert AuditEntry.objects.filter(action="stakeholders.delegate_request.rejected").count() == 1
    _run_outbox()
    assert "No confirmation from the ministry" in mail.outbox[0].body
    # Decided once: a second decision is refused.
    with pytest.raises(ValidationError, match="already"):
        services.decide_delegate_request(delegate_request=delegate_request, reviewer=staff, approve=True)


def test_only_staff_decide(personas):
    user = personas.participant()
    other = personas.delegate()
    delegate_request = services.request_delegate_status(
        user=user, organisation=personas.government(), justification="x"
    )
    with pytest.raises(PermissionDenied):
        services.decide_delegate_request(delegate_request=delegate_request, reviewer=other, approve=True)
    with pytest.raises(PermissionDenied):
        services.decide_delegate_request(delegate_request=delegate_request, reviewer=user, approve=True)


def test_a_civil_society_organisation_has_no_delegates(personas):
    with pytest.raises(ValidationError, match="government"):
        services.request_delegate_status(
            user=personas.participant(), organisation=personas.civil_society(), justification="x"
        )


def test_an_unverified_email_cannot_ask(personas):
    with pytest.raises(PermissionDenied):
        services.request_delegate_status(
            user=personas.participant(verified=False), organisation=personas.government(), justification="x"
        )


def test_invitation_in_spanish_then_acceptance(personas):
    staff = personas.staff()
    government = personas.government()
    invitation = services.invite_delegate(
        staff=staff, email="Invitee@Example.org", organisation=government, language="es"
    )
    _run_outbox()
    message = mail.outbox[0]
    assert message.to == ["invitee@example.org"]
    assert "Invitación" in message.subject
    # The link's token is signed with a timestamp: read it from the email (the second may have
    # turned since it was made), then check that it is this invitation's.
    link = re.search(r"/es/delegates/invitation/([^/\s]+)/", message.body)
    assert link, message.body
    token = link.group(1)
    assert services.invitation_from_token(token) == invitation

    invitee = personas.participant(email="invitee@example.org")
    services.accept_invitation(token=token, user=invitee)
    assert Profile.objects.get(user=invitee).delegate_status == Profile.DelegateStatus.VERIFIED
    assert AuditEntry.objects.filter(action="stakeholders.delegate_invitation.accepted", actor=staff).exists()
    with pytest.raises(ValidationError, match="already been used"):
        services.accept_invitation(token=token, user=invitee)


def test_an_invitation_only_works_for_its_address_and_within_its_time(personas, monkeypatch):
    invitation = services.invite_delegate(
        staff=personas.staff(), email="invitee@example.org", organisation=personas.government(), language="en"
    )
    token = services.invitation_token(invitation)
    stranger = personas.participant(email="stranger@example.org")
    with pytest.raises(ValidationError, match="another address"):
        services.accept_invitation(token=token, user=stranger)
    with pytest.raises(ValidationError, match="not valid"):
        services.accept_invitation(token=token + "x", user=stranger)
    monkeypatch.setattr(services, "INVITATION_MAX_AGE", -1)
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_from_token(token)
    assert isinstance(signing.TimestampSigner(salt=services.INVITATION_SALT).unsign(token), str)


def test_tasks_are_quiet_when_their_row_is_gone(db):
    tasks.send_delegate_decision(request_id=999_999)
    tasks.send_delegate_invitation(invitation_id=999_999)
    assert mail.outbox == []
