"""The outbox relay outlives the database's hiccups: it waits and tries again instead of exiting."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import OperationalError

from common.management.commands import relay_outbox

ROOT = django_settings.BASE_DIR


def test_the_wait_doubles_from_half_a_second_up_to_the_maximum():
    assert [relay_outbox.backoff(n, 5) for n in range(1, 7)] == [0.5, 1, 2, 4, 5, 5]


def test_a_database_error_is_waited_out_and_the_relay_goes_on(monkeypatch):
    passes = iter(
        [
            OperationalError("database is locked"),
            OperationalError("server closed the connection unexpectedly"),
            (0, 0),
            KeyboardInterrupt(),  # the end of the test, as a SIGINT would end the process
        ]
    )

    def relay_pending():
        outcome = next(passes)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    waits, closed = [], []
    monkeypatch.setattr(relay_outbox.outbox, "relay_pending", relay_pending)
    monkeypatch.setattr(relay_outbox.time, "sleep", waits.append)
    monkeypatch.setattr(relay_outbox.connections, "close_all", lambda: closed.append(True))
    monkeypatch.setattr(relay_outbox, "close_old_connections", lambda: None)

    with pytest.raises(KeyboardInterrupt):
        call_command("relay_outbox", interval=7)
    assert waits == [0.5, 1.0, 7]  # two growing waits after the errors, then the usual interval
    assert closed == [True, True]  # a fresh connection after each error


def test_once_reports_a_database_error(monkeypatch):
    def relay_pending():
        raise OperationalError("database is locked")

    monkeypatch.setattr(relay_outbox.outbox, "relay_pending", relay_pending)
    monkeypatch.setattr(relay_outbox, "close_old_connections", lambda: None)
    with pytest.raises(OperationalError):
        call_command("relay_outbox", once=True)


def _environment(tmp_path, database):
    environment = {
        **os.environ,
        # SQLite with a 1 s busy timeout (the default is 20 s), the filesystem broker, all under tmp_path.
        "DATABASE_URL": f"sqlite:///{database}?timeout=1",
        "GFMD_VAR_DIR": str(tmp_path),
        "HTTPS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"):
        environment.pop(name, None)
    return environment


def _wait_for(condition, timeout, what, process, output):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if condition():
            return
        time.sleep(0.1)
    state = "running" if process.poll() is None else f"exited with {process.returncode}"
    pytest.fail(f"no {what} within {timeout} s; the relay is {state}\n{output.read_text()[-3000:]}")


def test_the_relay_keeps_running_through_a_held_sqlite_write_lock_then_sends(tmp_path):
    database = tmp_path / "db.sqlite3"
    environment = _environment(tmp_path, database)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "gfmd_portal", "--noinput"],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        timeout=120,
    )
    queue = tmp_path / "celery" / "queue"
    holder = sqlite3.connect(database, isolation_level=None, timeout=5)
    assert holder.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # set by the settings' init_command
    holder.execute(
        "INSERT INTO gfmd_portal_outboxtask (task_name, kwargs, created, attempts, last_error) "
        "VALUES ('gfmd_portal.tasks.warm_page_cache', '{}', '2026-01-01 00:00:00', 0, '')"
    )
    # Another process takes the write lock and keeps it for 4 s, four times the relay's busy timeout.
    holder.execute("BEGIN IMMEDIATE")
    output = tmp_path / "relay.log"
    relay = subprocess.Popen(
        [sys.executable, "manage.py", "relay_outbox", "--interval", "0.2", "--max-backoff", "1"],
        cwd=ROOT,
        env=environment,
        stdout=output.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_for(lambda: output.read_text().count("database is locked") >= 2, 60, "two locked tries", relay, output)
        time.sleep(3)  # the lock is still held: more failed tries, no exit
        assert relay.poll() is None, output.read_text()
        assert list(queue.iterdir()) == []
        holder.execute("ROLLBACK")

        # The pass that sends it reports once its transaction is committed.
        _wait_for(lambda: "outbox: sent=1 pending=0" in output.read_text(), 30, "task sent", relay, output)
        row = holder.execute("SELECT sent_at, attempts FROM gfmd_portal_outboxtask").fetchone()
        assert row[0] is not None and row[1] == 1
        (message,) = queue.iterdir()
        assert json.loads(message.read_text())["headers"]["task"] == "gfmd_portal.tasks.warm_page_cache"
        time.sleep(1)
        assert relay.poll() is None  # and it goes on relaying
    finally:
        holder.close()
        if relay.poll() is None:
            os.killpg(relay.pid, signal.SIGTERM)
        relay.wait(10)
