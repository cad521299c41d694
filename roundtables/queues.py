"""What waits for staff in the current forum: contributions to moderate, people on waiting lists (for
the staff home page and the daily digest, stakeholders.queues)."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stakeholders.queues import Queue


def _submitted():
    from roundtables.models import Contribution

    return Contribution.objects.filter(round_table__forum__is_current=True, status=Contribution.Status.SUBMITTED)


def _waitlisted():
    from roundtables.models import Registration

    return Registration.objects.filter(session__forum__is_current=True, status=Registration.Status.WAITLISTED)


def _waiting_list_url(user):
    """The registrations of the session with the longest waiting list (the common space when none has one)."""
    busiest = _waitlisted().order_by().values("session__slug").annotate(count=Count("id")).order_by("-count").first()
    slug = busiest["session__slug"] if busiest else "common-space"
    return reverse("roundtables:staff-registrations", kwargs={"slug": slug}) + "?status=waitlisted"


QUEUES = (
    Queue(
        key="contributions_to_moderate",
        label=_("Contributions to moderate"),
        url=lambda user: reverse("roundtables:staff-contributions"),
        waiting=lambda user: _submitted().count(),
        new_since=lambda user, moment: _submitted().filter(created__gt=moment).count(),
        position=40,
    ),
    Queue(
        key="registrations_waiting",
        label=_("Registrations on a waiting list"),
        url=_waiting_list_url,
        waiting=lambda user: _waitlisted().count(),
        new_since=lambda user, moment: _waitlisted().filter(created__gt=moment).count(),
        position=50,
    ),
)
