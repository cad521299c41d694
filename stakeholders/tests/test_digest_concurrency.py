"""Two beats at the same moment (real threads, each with its own PostgreSQL connection) plan each
person's digest once: the unique (person, day) row decides, not the timing."""

import threading

import pytest
from django.db import connection, connections

from common import outbox
from common.models import OutboxTask
from stakeholders import digest
from stakeholders.models import StaffDigest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEATS = 4


def test_beats_racing_plan_one_digest_per_person(require_postgres, personas, monkeypatch):
    monkeypatch.setattr(outbox, "_publish", lambda task: None)  # the broker stand-in takes everything
    staff = [personas.staff(f"staff{number}@example.org") for number in range(5)]
    barrier = threading.Barrier(BEATS, timeout=30)
    planned, errors = [], []

    def beat():
        try:
            connection.ensure_connection()
            barrier.wait()
            planned.append(digest.plan_digests())
        except BaseException as exc:  # noqa: BLE001 - every failure of every thread is reported
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()  # this thread's connections only

    threads = [threading.Thread(target=beat, name=f"beat-{number}") for number in range(BEATS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert sum(planned) == len(staff)
    assert StaffDigest.objects.count() == len(staff)
    assert OutboxTask.objects.filter(task_name=digest.SEND_TASK).count() == len(staff)
