"""What waits for staff: each app names its queues here (delegate requests, proposed organisations,
practices to review, contributions to moderate, registrations waiting), and the staff home page and
the daily digest read them all, without this module knowing any app's models.

An app adds its queues from its ``AppConfig.ready()`` with ``add_queues()``, as it adds its rules.
A queue says who it is for (``audience``), how many items wait for that person (``waiting``), how many
arrived since a moment (``new_since``; None when the items carry no date) and where to deal with them
(``url``). Every callable takes the person: a queue that a focal point sees for their own government
only (the delegate requests of one government) answers with that scope, and ``audience`` lets them in.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stakeholders.permissions import acts_as_focal_point, is_staff_member


@dataclass(frozen=True)
class Queue:
    key: str
    label: str  # lazy, translated when shown
    url: Callable  # url(user) -> path
    waiting: Callable  # waiting(user) -> int
    new_since: Callable | None = None  # new_since(user, moment) -> int
    audience: Callable = is_staff_member  # audience(user) -> bool
    position: int = 100


@dataclass(frozen=True)
class QueueCount:
    """A queue as one person sees it: its counts and where to deal with it."""

    key: str
    label: str
    url: str
    waiting: int
    new: int | None = None


QUEUES = {}


def add_queues(*queues):
    """Register an app's queues; a key given twice is a mistake."""
    for queue in queues:
        if QUEUES.get(queue.key, queue) is not queue:
            raise ImproperlyConfigured(f"The queue {queue.key!r} is defined twice")
        QUEUES[queue.key] = queue


def queues_for(user, *, since=None):
    """The queues ``user`` may see, in order, with how many items wait (and, given ``since``, how many
    are new since then). One count query per queue (two with ``since``), whatever the number of items."""
    counts = []
    for queue in sorted(QUEUES.values(), key=lambda queue: (queue.position, queue.key)):
        if not queue.audience(user):
            continue
        new = queue.new_since(user, since) if since is not None and queue.new_since is not None else None
        counts.append(
            QueueCount(key=queue.key, label=queue.label, url=queue.url(user), waiting=queue.waiting(user), new=new)
        )
    return counts


# --- This app's queues ----------------------------------------------------------------------------


def _requests_for(user):
    """The pending requests ``user`` decides: all for staff, their government's for a focal point."""
    from stakeholders.models import DelegateRequest
    from stakeholders.views import reviewable_delegate_requests

    return reviewable_delegate_requests(user).filter(status=DelegateRequest.Status.PENDING).order_by()


def _staff_or_focal_point(user):
    return is_staff_member(user) or acts_as_focal_point(user)


def _proposed_organisations():
    from stakeholders.models import Organisation

    return Organisation.objects.filter(status=Organisation.Status.PROPOSED)


STAKEHOLDER_QUEUES = (
    Queue(
        key="delegate_requests",
        label=_("Delegate verification requests"),
        url=lambda user: reverse("stakeholders:staff-delegate-queue"),
        # Focal points see (and are told of) their own government's requests.
        audience=_staff_or_focal_point,
        waiting=lambda user: _requests_for(user).count(),
        new_since=lambda user, moment: _requests_for(user).filter(created__gt=moment).count(),
        position=10,
    ),
    Queue(
        key="proposed_organisations",
        label=_("Proposed organisations"),
        url=lambda user: reverse("stakeholders:staff-organisations"),
        waiting=lambda user: _proposed_organisations().count(),
        new_since=lambda user, moment: _proposed_organisations().filter(proposed_at__gt=moment).count(),
        position=20,
    ),
)
