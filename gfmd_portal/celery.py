"""The Celery application. Its configuration is the CELERY_* part of settings.py, plus:

- ``redis://`` and ``rediss://`` brokers go through :class:`RedisTransport`, kombu's own Redis
  transport with one repair (see :class:`RedisChannel`): without it, a worker that loses Redis while
  it runs a task (late acknowledgement) exits instead of reconnecting;
- every task is tried again, later, when the database fails in a way that passes (:class:`Task`);
- the periodic tasks that ``celery beat`` sends (``BEAT_SCHEDULE``).
"""

import os

from celery import Celery
from celery import Task as BaseTask
from celery.schedules import crontab
from django.db import InterfaceError, OperationalError
from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd_portal.settings")


class RedisChannel(kombu_redis.Channel):
    """kombu's Redis channel, still able to reach Redis once its connection has been collected.

    When a Celery 5.7.0 worker (kombu 5.7.0) loses the broker, the consumer calls
    ``connection.collect()`` and then ``connection.close()``. ``collect()`` closes the consuming
    channel, which still waits for the answer to its BRPOP: reading it from the dead socket raises a
    ConnectionError before the channel marks itself closed. It then closes the transport's channels
    one by one, and stops at the first that fails (the remote-control channel, which deletes its
    fanout queue on close) before reaching the consuming one. Both errors are ignored, and
    ``collect()`` detaches the transport (``transport.client = None``). ``close()`` closes the
    consuming channel again; holding an unacknowledged message (``CELERY_TASK_ACKS_LATE``), it builds
    a Redis client to put the message back in the queue from the transport's client, now None:
    ``AttributeError: 'NoneType' object has no attribute 'hostname'`` in ``_connparams()``. That is
    not a connection error, so it escapes Celery's clean-up and the worker stops ("Unrecoverable
    error"). Celery 5.6 did not call ``close()`` after ``collect()``; no release newer than 5.7.0
    (Celery or kombu) exists at the time of writing.

    The channel keeps the connection it was opened for and reads the connection parameters from it
    when the transport no longer has one. A late close then tries Redis and, if it is still down,
    fails with a connection error that Celery ignores (the message stays in Redis's unacknowledged
    set, restored after the visibility timeout); the acknowledgement of the running task, sent when
    it finishes, reaches Redis once it is back.
    """

    def __init__(self, connection, *args, **kwargs):
        self._conninfo = connection.client
        super().__init__(connection, *args, **kwargs)

    def _connparams(self, asynchronous=False):
        transport = self.connection
        if transport.client is not None or self._conninfo is None:
            return super()._connparams(asynchronous=asynchronous)
        transport.client = self._conninfo
        try:
            return super()._connparams(asynchronous=asynchronous)
        finally:
            transport.client = None  # the transport stays detached, as collect() left it


class RedisTransport(kombu_redis.Transport):
    Channel = RedisChannel


# Every redis:// broker connection made by kombu in this process (worker, web, relay) uses it.
TRANSPORT_ALIASES["redis"] = TRANSPORT_ALIASES["rediss"] = f"{__name__}:RedisTransport"


class Task(BaseTask):
    """The project's tasks.

    - One that meets a passing database error (SQLite's "database is locked" past the busy timeout,
      a PostgreSQL restart, a dropped connection) is sent again, to run after a random wait of up to
      2, 4, 8... seconds (60 at most), six times at most, instead of being lost. Tasks are written to
      be safe to run twice, and Celery's Django fix-up gives each run a fresh database connection.
    - One sent through the outbox runs once per outbox row, however often the broker delivers it
      (``common.outbox.run_once``).
    """

    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = 2
    retry_backoff_max = 60
    retry_jitter = True
    retry_kwargs = {"max_retries": 6}

    def __call__(self, *args, **kwargs):
        from common.outbox import run_once

        return run_once(self, super().__call__, *args, **kwargs)


# What `celery beat` (one process: supervisord.conf, or one systemd unit) sends. Periodic jobs go here.
BEAT_SCHEDULE = {
    # Chords (the declaration compile) keep their parts' results in the result backend. Redis expires
    # them by itself; the file backend of `make run` (var/celery/results) needs this task to delete
    # those older than a day (result_expires). Under this name it replaces the daily run beat would
    # add on its own.
    "celery.backend_cleanup": {
        "task": "celery.backend_cleanup",
        "schedule": crontab(minute=0),
        "options": {"expires": 3600},
    },
    # The staff's daily digest. Every hour from 06:30 to 18:30 UTC: the first run of the day sends it,
    # the others find today's rows and send nothing (one per person and day, see stakeholders.digest),
    # so a beat that was down in the morning still sends it later that day.
    "stakeholders.staff-digest": {
        "task": "stakeholders.tasks.plan_staff_digests",
        "schedule": crontab(minute=30, hour="6-18"),
        "options": {"expires": 3000},
    },
}

app = Celery("gfmd_portal", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
# Set before the settings are read and kept over them: the schedule lives here, not in settings.py.
app.conf.update(beat_schedule=BEAT_SCHEDULE)
app.autodiscover_tasks()
