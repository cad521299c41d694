"""Follow-up tasks survive a broker outage: the action commits, the task is sent later."""

import shutil
import socket
import subprocess
import time

import pytest
from django.db import transaction

from gfmd_portal import outbox
from gfmd_portal.celery import app
from gfmd_portal.models import OutboxTask


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A Redis server of the test's own, on a free port, that the test can stop and start."""

    def __init__(self, tmp_path):
        self.port = _free_port()
        self.tmp_path = tmp_path
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def queue_length(self):
        import redis

        return redis.Redis.from_url(self.url).llen("celery")


@pytest.fixture
def private_broker(request, tmp_path, require_redis):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    saved = (app.conf.broker_url, dict(app.conf.broker_transport_options or {}))
    app.conf.broker_url = server.url
    app.conf.broker_transport_options = {"socket_timeout": 2, "socket_connect_timeout": 2}
    yield server
    server.stop()
    app.conf.broker_url, app.conf.broker_transport_options = saved


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
