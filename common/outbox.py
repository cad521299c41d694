"""Follow-up work of an action, sent to Celery only once the action is committed.

``enqueue()`` writes an OutboxTask row inside the caller's transaction and, on commit,
tries to publish it at once with a short broker timeout (``OUTBOX_PUBLISH_TIMEOUT``). If the
broker does not answer, the row stays pending and ``relay_pending()`` (the ``relay_outbox``
process) sends it later; a row is marked sent only once the broker has taken the message.
A failed publish is remembered for ``OUTBOX_BROKER_COOLDOWN`` seconds (a circuit breaker): the
actions that follow leave their rows to the relay at once instead of each waiting for the
timeout. Tasks must be safe to run twice.
"""

import contextlib
import logging
import threading
from contextlib import contextmanager

from celery import current_app as app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from redis.exceptions import TimeoutError as RedisTimeoutError

from common.cache import CircuitBreaker
from common.models import OutboxTask

logger = logging.getLogger(__name__)

broker = CircuitBreaker("Celery broker", settings.OUTBOX_BROKER_COOLDOWN)


def enqueue(task_name, **kwargs):
    """Record ``task_name(**kwargs)`` to be sent once the current transaction commits."""
    task = OutboxTask.objects.create(task_name=task_name, kwargs=kwargs)
    transaction.on_commit(lambda: _send(task.pk, task=task))
    return task


@contextmanager
def broker_connection():
    """A connection to the broker of its own (/healthz: a probe must not reuse a connection); one
    attempt, with connect and socket waits bounded by OUTBOX_PUBLISH_TIMEOUT, so that a stopped or
    frozen broker costs a request at most that long. Tasks use the thread's kept connection."""
    timeout = settings.OUTBOX_PUBLISH_TIMEOUT
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout, "max_retries": 0}
    with app.connection_for_write(connect_timeout=timeout, transport_options=options) as connection:
        connection.ensure_connection(max_retries=0, timeout=timeout)
        yield connection


def _send_task(task, connection):
    app.send_task(
        task.task_name, kwargs=task.kwargs, retry=False, connection=connection, headers={"outbox_id": task.pk}
    )


# Tasks are published on a connection kept by the thread (opening one cost two TCP connections and
# a new Redis client per action: about a third of a registration's time).
_kept = threading.local()


def _kept_connection():
    key = (app.conf.broker_url, repr(app.conf.broker_transport_options), settings.OUTBOX_PUBLISH_TIMEOUT)
    if getattr(_kept, "key", None) != key:
        _drop_kept_connection()
        timeout = settings.OUTBOX_PUBLISH_TIMEOUT
        options = {"socket_timeout": timeout, "socket_connect_timeout": timeout, "max_retries": 0}
        connection = app.connection_for_write(connect_timeout=timeout, transport_options=options)
        connection.ensure_connection(max_retries=0, timeout=timeout)
        _kept.connection, _kept.key = connection, key
    return _kept.connection


def _drop_kept_connection():
    connection = getattr(_kept, "connection", None)
    _kept.connection = _kept.key = None
    if connection is not None:
        with contextlib.suppress(Exception):  # a broken connection is dropped whatever it says
            connection.release()


def _timed_out(exc):
    while exc is not None:
        if isinstance(exc, (TimeoutError, RedisTimeoutError)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _publish(task):
    """Publish on the thread's connection. A kept connection that fails other than by a timeout may
    predate a broker restart: one more attempt on a new one. A timeout (a frozen broker) is not
    tried again, so that an action waits at most OUTBOX_PUBLISH_TIMEOUT for it."""
    reused = getattr(_kept, "connection", None) is not None
    try:
        _send_task(task, _kept_connection())
    except Exception as exc:
        _drop_kept_connection()
        if not reused or _timed_out(exc):
            raise
        _send_task(task, _kept_connection())


def _send(task_id, *, relay=False, task=None):
    """Publish one pending row; True once the broker took it. ``task``: the row ``enqueue`` wrote."""
    # Right after an action, a broker known to be down is not asked again (the relay will send
    # the row); the relay always asks, and its success closes the breaker for this process.
    if not relay and broker.is_open():
        return False
    if task is not None and not relay:
        return _send_fresh(task)
    # Claim the row so that two relays never publish the same message twice at once.
    with transaction.atomic():
        task = OutboxTask.objects.select_for_update(skip_locked=True).filter(pk=task_id, sent_at=None).first()
        if task is None:
            return False
        task.attempts += 1
        try:
            _publish(task)
        except Exception as exc:  # noqa: BLE001 - any broker failure leaves the task pending
            _failed(task, exc)
            task.save(update_fields=["attempts", "last_error"])
            return False
        broker.succeeded()
        task.sent_at = timezone.now()
        task.last_error = ""
        task.save(update_fields=["attempts", "sent_at", "last_error"])
        return True


def _send_fresh(task):
    """Publish the row an action just committed, then mark it sent: one statement, no transaction of
    its own, so that an action's request pays one query for its follow-up work. Should the process
    die between the two, the relay publishes the row again (tasks are safe to run twice, and
    ``run_once`` skips a copy whose row a worker already finished)."""
    try:
        _publish(task)
    except Exception as exc:  # noqa: BLE001 - any broker failure leaves the task pending
        _failed(task, exc)
        OutboxTask.objects.filter(pk=task.pk, sent_at=None).update(
            attempts=F("attempts") + 1, last_error=task.last_error
        )
        return False
    broker.succeeded()
    OutboxTask.objects.filter(pk=task.pk, sent_at=None).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    return True


def _failed(task, exc):
    broker.trip(exc)
    logger.info("%s stays in the outbox: %s", task, exc)
    task.last_error = f"{type(exc).__name__}: {exc}"[:2000]


def relay_pending(*, limit=500):
    """Send pending tasks in the order they were recorded; stop at the first broker failure.

    Returns (sent, still pending).
    """
    sent = 0
    for task_id in OutboxTask.objects.filter(sent_at=None).values_list("pk", flat=True)[:limit]:
        if not _send(task_id, relay=True):
            break
        sent += 1
    return sent, OutboxTask.objects.filter(sent_at=None).count()


def pending_count():
    return OutboxTask.objects.filter(sent_at=None).count()


# The first key of the PostgreSQL advisory locks taken by run_once (the second is the row's id).
_RUN_LOCK_CLASS = 0x6F62  # "ob"


@contextmanager
def _one_copy_at_a_time(outbox_id):
    """On PostgreSQL, hold a session advisory lock on the outbox row while its task runs: a second copy
    of the message waits for the first to end, then finds the row done. It is a lock of the database
    session, not of a transaction: the task's own writes commit as they always do. Should the
    connection be lost meanwhile, the lock goes with it (two copies may then both run, as before)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    key = (_RUN_LOCK_CLASS, int(outbox_id) % 2**31)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", key)
    try:
        yield
    finally:
        with contextlib.suppress(Exception), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def run_once(task, run, *args, **kwargs):
    """Run ``task`` (by calling ``run``) unless a worker already finished its outbox row.

    A publish that timed out may still have reached the broker (a frozen Redis takes the command
    once it thaws), and the relay then sends the row again: the broker holds it twice, often side by
    side, so that two worker processes take both copies at the same moment. The row records when a
    worker finished the task (``done_at``); on PostgreSQL a copy runs only while it holds the row's
    advisory lock, so the second copy waits for the first and then finds the row done. (On SQLite
    two copies running at the same moment may both run: tasks stay safe to run twice.) A task that
    was not sent through the outbox (a chord's part) simply runs.
    """
    outbox_id = (task.request.headers or {}).get("outbox_id") or getattr(task.request, "outbox_id", None)
    if outbox_id is None:
        return run(*args, **kwargs)
    with _one_copy_at_a_time(outbox_id):
        if OutboxTask.objects.filter(pk=outbox_id, done_at__isnull=False).exists():
            logger.info("%s[%s]: outbox row %s already done, not run again", task.name, task.request.id, outbox_id)
            return None
        result = run(*args, **kwargs)
        OutboxTask.objects.filter(pk=outbox_id, done_at=None).update(done_at=timezone.now())
        return result
