"""A real Celery worker (``celery -A gfmd_portal worker``) loses its Redis while it runs a task whose
message is not acknowledged yet (late acknowledgement), and carries on once Redis is back (issue #13:
with kombu's own Redis transport it exited, "Unrecoverable error: AttributeError(...'hostname')")."""

import os
import re
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings

from gfmd_portal.celery import app
from gfmd_portal.tests.brokers import database_url, stop_group

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


class Worker:
    def __init__(self, broker, tmp_path):
        environment = {
            **os.environ,
            "REDIS_URL": broker.url,
            # The test database when it is PostgreSQL (the worker's start-up task reads it); else a file.
            "DATABASE_URL": database_url(sqlite_dir=tmp_path),
            "GFMD_VAR_DIR": str(tmp_path),
            "HTTPS": "0",
            "PYTHONUNBUFFERED": "1",
        }
        environment.pop("CELERY_TASK_ALWAYS_EAGER", None)
        self.log = tmp_path / "worker.log"
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "gfmd_portal", "worker"),
                *("--include", "gfmd_portal.tests.worker_tasks"),
                *("--loglevel", "INFO", "--concurrency", "2", "--without-mingle"),
            ],
            cwd=django_settings.BASE_DIR,
            env=environment,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self):
        return self.log.read_text()

    def wait_for(self, condition, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if condition():
                return
            time.sleep(0.1)
        state = "running" if self.process.poll() is None else f"exited with {self.process.returncode}"
        pytest.fail(f"no {what} within {timeout} s; the worker is {state}\n{self.output()[-4000:]}")

    def stop(self):
        stop_group(self.process)


@pytest.fixture
def worker(private_broker, tmp_path):
    started = Worker(private_broker, tmp_path)
    yield started
    started.stop()


def test_a_worker_that_loses_redis_during_a_task_reconnects_and_drains_the_queue(private_broker, worker, tmp_path):
    worker.wait_for(lambda: " ready." in worker.output(), 60, "ready worker")
    held = tmp_path / "held"
    app.send_task("gfmd_portal.tests.hold", kwargs={"seconds": 6, "trace": str(held)})
    worker.wait_for(lambda: held.exists() and "started" in held.read_text(), 30, "task started")

    private_broker.stop()
    worker.wait_for(lambda: "Connection to broker lost" in worker.output(), 30, "noticed broker loss")
    time.sleep(1)  # the clean-up of the lost connection (where the worker used to exit) is done
    assert worker.process.poll() is None, worker.output()[-4000:]
    assert re.search(r"Restoring \d+ unacknowledged message", worker.output())  # the held one among them

    private_broker.start()
    worker.wait_for(lambda: worker.output().count("Connected to redis") >= 2, 60, "reconnection")
    traces = [tmp_path / f"after-{n}" for n in range(3)]
    for trace in traces:
        app.send_task("gfmd_portal.tests.touch", kwargs={"trace": str(trace)})
    worker.wait_for(lambda: all(trace.exists() for trace in traces), 30, "queue drained")
    # The task that ran through the outage finished in its pool process.
    worker.wait_for(lambda: "done" in held.read_text(), 30, "held task done")

    assert worker.process.poll() is None
    assert "Unrecoverable error" not in worker.output()
    assert private_broker.queue_length() == 0
