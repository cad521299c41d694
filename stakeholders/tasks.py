from celery import shared_task
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from common.http import site_url
from stakeholders import emails, services
from stakeholders.models import DelegateInvitation, DelegateRequest, Organisation

# The decision an email announces, and the status its organisation has while that is still true.
ORGANISATION_DECISIONS = {
    "approved": Organisation.Status.APPROVED,
    "rejected": Organisation.Status.REJECTED,
    "merged": Organisation.Status.APPROVED,  # the organisation the proposal was merged into
}


@shared_task(name="stakeholders.tasks.send_delegate_decision", ignore_result=True)
def send_delegate_decision(request_id):
    delegate_request = (
        DelegateRequest.objects.select_related("user__profile", "organisation").filter(pk=request_id).first()
    )
    if delegate_request is None or delegate_request.status == DelegateRequest.Status.PENDING:
        return
    language = emails.language_of(delegate_request.user)
    with translation.override(language):
        url = site_url(reverse("stakeholders:account"))
    emails.send(
        to=delegate_request.user.email,
        language=language,
        template=f"stakeholders/email/delegate_{delegate_request.status}",
        context={"request": delegate_request, "url": url},
    )


@shared_task(name="stakeholders.tasks.send_delegate_invitation", ignore_result=True)
def send_delegate_invitation(invitation_id):
    invitation = DelegateInvitation.objects.select_related("organisation").filter(pk=invitation_id).first()
    if invitation is None or invitation.accepted_at:
        return
    with translation.override(invitation.language):
        url = site_url(
            reverse("stakeholders:accept-invitation", kwargs={"token": services.invitation_token(invitation)})
        )
    emails.send(
        to=invitation.email,
        language=invitation.language,
        template="stakeholders/email/delegate_invitation",
        context={"invitation": invitation, "url": url, "days": services.INVITATION_MAX_AGE // 86400},
    )


@shared_task(name="stakeholders.tasks.send_organisation_decision", ignore_result=True)
def send_organisation_decision(user_id, decision, organisation_id, proposed_name):
    """Tell the person who proposed an organisation what staff decided (approved, rejected, or merged
    into ``organisation_id``), in their language."""
    user = get_user_model().objects.select_related("profile").filter(pk=user_id).first()
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if user is None or organisation is None or decision not in ORGANISATION_DECISIONS:
        return
    # Still true? (a rejection later undone by staff is not announced.)
    if organisation.status != ORGANISATION_DECISIONS[decision]:
        return
    language = emails.language_of(user)
    with translation.override(language):
        url = site_url(reverse("stakeholders:profile"))
    emails.send(
        to=user.email,
        language=language,
        template=f"stakeholders/email/organisation_{decision}",
        context={"organisation": organisation, "proposed_name": proposed_name, "url": url},
    )


@shared_task(name="stakeholders.tasks.plan_staff_digests", ignore_result=True)
def plan_staff_digests():
    """Sent by Celery beat: today's digest of each staff member who has none yet (see stakeholders.digest)."""
    from stakeholders import digest

    digest.plan_digests()


@shared_task(name="stakeholders.tasks.send_staff_digest", ignore_result=True)
def send_staff_digest(digest_id):
    from stakeholders import digest

    digest.send_digest(digest_id=digest_id)
