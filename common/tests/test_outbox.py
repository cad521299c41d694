"""Follow-up tasks survive a broker outage: the action commits, the task is sent later."""

import time

import pytest
from django.db import transaction

from common import outbox
from common.models import OutboxTask


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_task_is_sent_on_commit_when_the_broker_answers(private_broker):
    with transaction.atomic():
        outbox.enqueue("roundtables.example", round_table_id=1)
        assert private_broker.queue_length() == 0  # nothing leaves before the commit
    task = OutboxTask.objects.get()
    assert task.sent_at is not None
    assert private_broker.queue_length() == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_action_commits_with_the_broker_down_and_the_task_is_sent_when_it_is_back(private_broker):
    private_broker.stop()

    started = time.monotonic()
    with transaction.atomic():
        outbox.enqueue("roundtables.example", round_table_id=7)
    elapsed = time.monotonic() - started

    # The caller waited at most the broker timeout (2 s) and its action is committed.
    assert elapsed < 3.0
    task = OutboxTask.objects.get()
    assert task.sent_at is None
    assert task.attempts == 1
    assert task.last_error
    assert outbox.pending_count() == 1

    # Still down: the relay leaves it pending.
    assert outbox.relay_pending() == (0, 1)

    private_broker.start()
    assert outbox.relay_pending() == (1, 0)
    task.refresh_from_db()
    assert task.sent_at is not None
    assert private_broker.queue_length() == 1
    # A second pass sends nothing twice.
    assert outbox.relay_pending() == (0, 0)
    assert private_broker.queue_length() == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_action_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("roundtables.example", round_table_id=1)
        raise RuntimeError("the action failed")
    assert not OutboxTask.objects.exists()


def _copy_of(outbox_id):
    """What run_once reads of a Celery task: its name, its id and the outbox row in its headers."""
    from types import SimpleNamespace

    return SimpleNamespace(name="example", request=SimpleNamespace(id="copy", headers={"outbox_id": outbox_id}))


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_a_message_taken_at_the_same_moment_run_once(require_postgres):
    """As when a frozen Redis thaws with a timed-out publish and the relay sends the row again: two
    worker processes take the two copies side by side. The second waits for the first, then skips."""
    import threading

    from django.db import connection

    row = OutboxTask.objects.create(task_name="roundtables.example", kwargs={}, sent_at="2026-01-01T00:00Z")
    runs, first_running, results = [], threading.Event(), {}

    def slow_task():
        runs.append(threading.current_thread().name)
        first_running.set()
        time.sleep(1.0)
        return "done"

    def worker_process(name):
        try:
            results[name] = outbox.run_once(_copy_of(row.pk), slow_task)
        finally:
            connection.close()  # each thread has a connection of its own

    first = threading.Thread(target=worker_process, args=("first",), name="first")
    first.start()
    assert first_running.wait(10)
    second = threading.Thread(target=worker_process, args=("second",), name="second")
    second.start()
    first.join(10)
    second.join(10)

    assert runs == ["first"]
    assert results == {"first": "done", "second": None}
    row.refresh_from_db()
    assert row.done_at is not None
