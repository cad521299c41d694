"""`make run`'s processes under supervisord (supervisord.conf), as the Makefile starts them: the
embedded defaults (SQLite and the filesystem broker under GFMD_VAR_DIR), no Redis. A worker killed
outright comes back and the others go on; Ctrl-C stops everything."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from gfmd_portal.tests.brokers import _free_port

ROOT = Path(django_settings.BASE_DIR)


def _stat(pid):
    """(parent pid, process group) of a process, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return int(fields[1]), int(fields[2])


def _command(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _pids():
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


class Supervisor:
    """supervisord started as `make run` does, in a GFMD_VAR_DIR of the test's own. Every process it
    starts carries that GFMD_VAR_DIR in its environment, which is how the test finds them all."""

    def __init__(self, tmp_path):
        self.port = _free_port()
        self.var = tmp_path / "var"
        self.var.mkdir()
        self.environment = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "GFMD_VAR_DIR": str(self.var),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "WEB_WORKERS": "1",
            "WORKER_CONCURRENCY": "1",
            "HTTPS": "0",
        }
        for name in ("DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"):
            self.environment.pop(name, None)
        self.marker = f"GFMD_VAR_DIR={self.var}".encode()
        self.log = tmp_path / "supervisord.log"
        self.process = None

    def migrate(self):
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=self.environment,
            check=True,
            capture_output=True,
            timeout=300,
        )

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "supervisor.supervisord", "-c", str(ROOT / "supervisord.conf")],
            cwd=ROOT,
            env=self.environment,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )

    def output(self):
        return self.log.read_text()

    def wait_for(self, condition, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.2)
        pytest.fail(f"no {what} within {timeout} s\n{self.output()[-5000:]}")

    def ours(self):
        """Every process started under this supervisord (by its environment), itself included."""
        found = []
        for pid in _pids():
            try:
                environment = Path(f"/proc/{pid}/environ").read_bytes()
            except OSError:
                continue
            if self.marker in environment.split(b"\0"):
                found.append(pid)
        return found

    def program(self, *words):
        """The pid of supervisord's child whose command line has all these words."""
        for pid in _pids():
            stat = _stat(pid)
            names = [Path(part).name for part in _command(pid).split()]
            if stat and stat[0] == self.process.pid and all(word in names for word in words):
                return pid
        return None

    def healthz(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as response:
                return response.status
        except OSError:
            return None

    def cleanup(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        for pid in self.ours():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def supervisor(tmp_path):
    started = Supervisor(tmp_path)
    yield started
    started.cleanup()


def autogroup_of(pid):
    return (Path(f"/proc/{pid}/autogroup").read_text().split() or [""])[0]


def test_a_killed_worker_is_started_again_and_ctrl_c_stops_everything(supervisor):
    supervisor.migrate()
    supervisor.start()
    for name in ("web", "worker", "beat", "relay"):
        supervisor.wait_for(lambda name=name: f"success: {name} entered RUNNING state" in supervisor.output(), 90, name)
    supervisor.wait_for(lambda: supervisor.healthz() == 200, 60, "healthy web")

    web = supervisor.program("gunicorn")
    worker = supervisor.program("celery", "worker")
    beat = supervisor.program("celery", "beat")
    relay = supervisor.program("relay_outbox")
    assert None not in (web, worker, beat, relay), supervisor.output()[-5000:]
    # The worker at a lower CPU priority than the web, in the same scheduling group.
    assert (os.getpriority(os.PRIO_PROCESS, web), os.getpriority(os.PRIO_PROCESS, worker)) == (0, 19)
    # /proc/PID/autogroup names the group ("/autogroup-85 nice 0"); it is empty when the
    # process sits in a cgroup of its own (as under some CI runners), where autogroups do not apply.
    if Path(f"/proc/{worker}/autogroup").exists():
        assert autogroup_of(worker) == autogroup_of(web)
    supervisor.wait_for(lambda: supervisor.output().count(" ready.") >= 1, 60, "ready worker")

    os.kill(worker, signal.SIGKILL)
    exited = "exited: worker (terminated by SIGKILL; not expected)"
    supervisor.wait_for(lambda: exited in supervisor.output(), 30, "exit noticed")
    again = supervisor.wait_for(lambda: supervisor.program("celery", "worker"), 30, "new worker")
    assert again != worker
    supervisor.wait_for(lambda: supervisor.output().count(" ready.") >= 2, 60, "new worker ready")
    assert supervisor.healthz() == 200
    # The others never stopped.
    assert (supervisor.program("gunicorn"), supervisor.program("celery", "beat")) == (web, beat)
    assert supervisor.program("relay_outbox") == relay

    # Ctrl-C: supervisord stops every program, then exits.
    supervisor.process.send_signal(signal.SIGINT)
    assert supervisor.process.wait(90) == 0
    supervisor.wait_for(lambda: supervisor.ours() == [], 10, "end of every process")
    output = supervisor.output()
    for name in ("web", "worker", "beat", "relay"):
        assert f"stopped: {name}" in output
