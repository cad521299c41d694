"""Follow-up work of an action, sent to Celery only once the action is committed.

``enqueue()`` writes an OutboxTask row inside the caller's transaction and, on commit,
tries to publish it at once with a short broker timeout. If the broker does not answer,
the row stays pending and ``relay_pending()`` (the ``relay_outbox`` process) sends it later.
Tasks must therefore be safe to run twice.
"""

import logging

from celery import current_app as app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.models import OutboxTask

logger = logging.getLogger(__name__)


def enqueue(task_name, **kwargs):
    """Record ``task_name(**kwargs)`` to be sent once the current transaction commits."""
    task = OutboxTask.objects.create(task_name=task_name, kwargs=kwargs)
    transaction.on_commit(lambda: _send(task.pk))
    return task


def _publish(task):
    # A connection of its own, so that a broker restart never leaves a stale pooled one
    # behind; the transport options bound its connect and socket waits (SERVICE_TIMEOUT).
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=settings.SERVICE_TIMEOUT)
        app.send_task(
            task.task_name,
            kwargs=task.kwargs,
            retry=False,
            connection=connection,
            headers={"outbox_id": task.pk},
        )


def _send(task_id):
    # Claim the row so that two relays never publish the same message twice at once.
    with transaction.atomic():
        task = OutboxTask.objects.select_for_update(skip_locked=True).filter(pk=task_id, sent_at=None).first()
        if task is None:
            return False
        task.attempts += 1
        try:
            _publish(task)
        except Exception as exc:  # noqa: BLE001 - any broker failure leaves the task pending
            logger.warning("Broker unavailable, %s stays in the outbox: %s", task, exc)
            task.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            task.save(update_fields=["attempts", "last_error"])
            return False
        task.sent_at = timezone.now()
        task.last_error = ""
        task.save(update_fields=["attempts", "sent_at", "last_error"])
        return True


def relay_pending(*, limit=500):
    """Send pending tasks in the order they were recorded; stop at the first broker failure.

    Returns (sent, still pending).
    """
    sent = 0
    for task_id in OutboxTask.objects.filter(sent_at=None).values_list("pk", flat=True)[:limit]:
        if not _send(task_id):
            break
        sent += 1
    return sent, OutboxTask.objects.filter(sent_at=None).count()


def pending_count():
    return OutboxTask.objects.filter(sent_at=None).count()
