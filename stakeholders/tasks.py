from celery import shared_task
from django.urls import reverse
from django.utils import translation

from common.http import site_url
from stakeholders import emails, services
from stakeholders.models import DelegateInvitation, DelegateRequest


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


@shared_task(name="stakeholders.tasks.plan_staff_digests", ignore_result=True)
def plan_staff_digests():
    """Sent by Celery beat: today's digest of each staff member who has none yet (see stakeholders.digest)."""
    from stakeholders import digest

    digest.plan_digests()


@shared_task(name="stakeholders.tasks.send_staff_digest", ignore_result=True)
def send_staff_digest(digest_id):
    from stakeholders import digest

    digest.send_digest(digest_id=digest_id)
