"""Work that a worker does in the background for a person who waits (a declaration compile, a set of
badges): a job row with a heartbeat, sent to the workers again when its worker was lost."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common import outbox

logger = logging.getLogger(__name__)


def send_stalled_again(jobs, *, seconds, task_name, label, job_ids=None):
    """Send ``task_name`` (with ``job_id``) again for the rows of ``jobs`` (a queryset of unfinished
    jobs with ``heartbeat_at`` and ``created``; of ``job_ids`` only, when given) that gave no sign of
    life for ``seconds``: their worker was lost (a worker killed outright leaves its message
    unacknowledged for the broker's visibility timeout, an hour). Each gets a new heartbeat, which
    keeps other watchers from sending it again at once. Returns the ids sent again; each is logged as
    "<label> <id> had stalled; sent again." (bench/faults.py counts these lines)."""
    now = timezone.now()
    limit = now - timedelta(seconds=seconds)
    revived = []
    with transaction.atomic():
        stalled = jobs.select_for_update(skip_locked=True).filter(
            Q(heartbeat_at__lt=limit) | Q(heartbeat_at=None, created__lt=limit)
        )
        if job_ids is not None:
            stalled = stalled.filter(pk__in=job_ids)
        for pk in stalled.order_by("pk").values_list("pk", flat=True):
            jobs.model.objects.filter(pk=pk).update(heartbeat_at=now)
            outbox.enqueue(task_name, job_id=pk)
            revived.append(pk)
    for pk in revived:
        logger.warning("%s %s had stalled; sent again.", label, pk)
    return revived
