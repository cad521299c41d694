"""The staff's daily digest: one email a day per person, in their language, of what waits for them
(the queues of stakeholders.queues) and how much of it is new since their last digest.

Celery beat sends ``plan_staff_digests`` several times a day (gfmd_portal/celery.py); each run writes
today's ``StaffDigest`` row for every recipient who has none yet — the row's unique (person, day)
makes a second beat, a restart or a late run a no-op — and each new row's email goes through the outbox.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from common import outbox
from common.http import site_url
from stakeholders import emails
from stakeholders.models import StaffDigest, display_name
from stakeholders.permissions import STAFF_GROUP, is_staff_member
from stakeholders.queues import queues_for

SEND_TASK = "stakeholders.tasks.send_staff_digest"


def staff_recipients():
    """Active co-chair staff and administrators with an address."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name=STAFF_GROUP) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .values_list("pk", flat=True)
    )


def focal_point_recipients():
    """Focal points (of the government they are a verified delegate of): their queue is their
    government's delegate requests (stakeholders.queues)."""
    from django.db.models import F

    from stakeholders.models import Profile

    return (
        Profile.objects.filter(
            focal_point_for=F("organisation"),
            delegate_status=Profile.DelegateStatus.VERIFIED,
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("user_id", flat=True)
    )


# Who receives a digest: each source gives user ids (a person in two is written to once).
RECIPIENT_SOURCES = [staff_recipients, focal_point_recipients]


def recipient_ids():
    return sorted({pk for source in RECIPIENT_SOURCES for pk in source()})


def plan_digests(*, day=None):
    """Write ``day``'s (today's) digest row of each recipient who has none, and send each new one once
    the row is committed. Returns how many were planned; run again the same day, it plans none."""
    day = day or timezone.localdate()
    planned = 0
    for user_id in recipient_ids():
        with transaction.atomic():
            # get_or_create under the unique constraint: of two beats, one creates, the other finds.
            digest, created = StaffDigest.objects.get_or_create(user_id=user_id, day=day)
            if created:
                outbox.enqueue(SEND_TASK, digest_id=digest.pk)
                planned += 1
    return planned


@transaction.atomic
def send_digest(*, digest_id):
    """Count what waits for the digest's person (and what is new since their previous digest, or in
    the last day) and email it in their language; nothing is emailed when nothing waits. Safe twice:
    the row is locked and a digest already sent is left alone. Should the email fail, the transaction
    is rolled back and the task's retry sends it."""
    digest = StaffDigest.objects.select_for_update().filter(pk=digest_id).first()
    if digest is None or digest.sent_at is not None:
        return digest
    user = get_user_model().objects.select_related("profile").get(pk=digest.user_id)
    previous = (
        StaffDigest.objects.filter(user=user, day__lt=digest.day).order_by("-day").values_list("created", flat=True)
    ).first()
    since = previous or digest.created - datetime.timedelta(days=1)
    language = emails.language_of(user)
    with translation.override(language):
        queues = queues_for(user, since=since)
        rows = [
            {"label": queue.label, "waiting": queue.waiting, "new": queue.new, "url": site_url(queue.url)}
            for queue in queues
        ]
        # The staff home lists every queue; a focal point has one, the first.
        if is_staff_member(user):
            home_url = site_url(reverse("stakeholders:staff-home"))
        else:
            home_url = rows[0]["url"] if rows else ""
    digest.counts = {queue.key: {"waiting": queue.waiting, "new": queue.new} for queue in queues}
    digest.emailed = any(queue.waiting or queue.new for queue in queues)
    digest.sent_at = timezone.now()
    digest.save(update_fields=["counts", "emailed", "sent_at"])
    if digest.emailed:
        emails.send(
            to=user.email,
            language=language,
            template="stakeholders/email/staff_digest",
            context={"name": display_name(user), "day": digest.day, "queues": rows, "home_url": home_url},
        )
    return digest
