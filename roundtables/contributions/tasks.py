"""The email to a contribution's author when staff accept or reject it, sent by the worker after the
decision committed (the outbox). The task keeps the name it had in ``roundtables/tasks.py``: outbox
rows store it."""

from celery import shared_task
from django.urls import reverse
from django.utils import translation

from common.http import site_url
from roundtables.models import Contribution
from stakeholders import emails

CONTRIBUTION_EVENTS = {"accepted", "rejected"}


@shared_task(name="roundtables.tasks.send_contribution_email", ignore_result=True)
def send_contribution_email(contribution_id, event):
    """Tell the author that their contribution was accepted or rejected (with the reason), in their
    language. Quiet when the contribution or its author is gone, or its status is no longer the one
    the event announces (staff changed their mind meanwhile): safe to run twice."""
    contribution = (
        Contribution.objects.select_related("author__profile", "round_table__forum", "guiding_question")
        .filter(pk=contribution_id)
        .first()
    )
    if contribution is None or event not in CONTRIBUTION_EVENTS or contribution.status != event:
        return
    author = contribution.author
    if author is None or not author.email:
        return
    language = emails.language_of(author)
    with translation.override(language):
        round_table_url = site_url(contribution.round_table.get_absolute_url())
        contributions_url = site_url(reverse("roundtables:my-contributions"))
    emails.send(
        to=author.email,
        language=language,
        template=f"roundtables/email/contribution_{event}",
        context={
            "contribution": contribution,
            "round_table": contribution.round_table,
            "round_table_url": round_table_url,
            "contributions_url": contributions_url,
        },
    )
