"""Emails of the good-practice workflow, sent after the step is committed (common.outbox)."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from common.http import site_url
from practices.models import Practice, Transition
from stakeholders import emails
from stakeholders.models import Profile

Status = Practice.Status
# The status a step reached -> the email's template (practices/email/<name>_subject.txt, _body.txt).
TEMPLATES = {
    Status.SUBMITTED: "practices/email/submitted",
    Status.CHANGES_REQUESTED: "practices/email/changes_requested",
    Status.PUBLISHED: "practices/email/published",
    Status.REJECTED: "practices/email/rejected",
    # Only staff's "unpublish" sends one (services.NOTIFY_ACTIONS); a withdrawal by the government does not.
    Status.WITHDRAWN: "practices/email/unpublished",
}


def recipients(practice):
    """The verified delegates of the submitting government, and whoever started the practice."""
    wanted = Q(
        profile__organisation_id=practice.organisation_id,
        profile__delegate_status=Profile.DelegateStatus.VERIFIED,
    )
    if practice.created_by_id:
        wanted |= Q(pk=practice.created_by_id)
    return get_user_model().objects.filter(wanted, is_active=True).select_related("profile").order_by("pk")


def _url(practice, status, language):
    with translation.override(language):
        if status == Status.PUBLISHED:
            try:
                return site_url(practice.get_absolute_url())
            except NoReverseMatch:  # the public pages are not mounted
                pass
        if status == Status.CHANGES_REQUESTED:
            return site_url(reverse("practices:edit", kwargs={"pk": practice.pk}))
        return site_url(reverse("practices:mine"))


@shared_task(name="practices.tasks.send_practice_email", ignore_result=True)
def send_practice_email(transition_id):
    """Tell the submitting government of a step, each person in their own language."""
    step = Transition.objects.select_related("practice__organisation").filter(pk=transition_id).first()
    if step is None or step.to_status not in TEMPLATES:
        return
    practice = step.practice
    for user in recipients(practice):
        if not user.email:
            continue
        language = emails.language_of(user)
        emails.send(
            to=user.email,
            language=language,
            template=TEMPLATES[step.to_status],
            context={
                "practice": practice,
                "title": " ".join(practice.title.split()),  # one line: it goes into the subject
                "organisation": practice.organisation,
                "comment": step.comment,
                "url": _url(practice, step.to_status, language),
            },
        )
