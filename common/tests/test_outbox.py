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
