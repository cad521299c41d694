"""The practices that wait for staff, for the staff home page and the daily digest (stakeholders.queues)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stakeholders.queues import Queue


def _waiting():
    from practices.models import Practice

    return Practice.objects.filter(status__in=[Practice.Status.SUBMITTED, Practice.Status.IN_REVIEW])


QUEUES = (
    Queue(
        key="practices_to_review",
        label=_("Practices to review"),
        url=lambda user: reverse("practices:review-queue"),
        waiting=lambda user: _waiting().count(),
        new_since=lambda user, moment: _waiting().filter(submitted_at__gt=moment).count(),
        position=30,
    ),
)
