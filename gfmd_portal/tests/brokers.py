"""A Redis server of a test's own, that the test can stop and start again (broker outages)."""

import socket
import subprocess
import time


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


def database_url(sqlite_dir=None):
    """The URL of the test database, for a process of its own (a worker) to use; with ``sqlite_dir``,
    a SQLite file there when the test database is not PostgreSQL."""
    from django.db import connection

    db = connection.settings_dict
    if sqlite_dir is not None and db["ENGINE"] != "django.db.backends.postgresql":
        return f"sqlite:///{sqlite_dir / 'worker.sqlite3'}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A Celery worker process of the test's own (solo pool), on the test database and ``broker``.

    ``program`` is the Python code it runs (by default the project's worker, unchanged); ``env``
    adds variables. Its output goes to ``log``; ``stop()`` ends it and its children.
    """

    PROGRAM = (
        "import django\n"
        "django.setup()\n"
        "from gfmd_portal.celery import app\n"
        'app.worker_main(["worker", "--pool", "solo", "--loglevel", "INFO", "--without-gossip",'
        ' "--without-mingle", "--without-heartbeat"])\n'
    )

    def __init__(self, broker, log, *, program=None, env=None):
        import os
        import sys

        from django.conf import settings

        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "gfmd_portal.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker.url,
            "EMAIL_URL": "console://",
            "HTTPS": "0",
            **(env or {}),
        }
        environment.pop("CELERY_TASK_ALWAYS_EAGER", None)
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-c", program or self.PROGRAM],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self):
        return self.log.read_text(errors="replace")

    def kill(self):
        import os
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self):
        stop_group(self.process)


def stop_group(process):
    """End a process started with ``start_new_session`` and its children: SIGTERM to its group,
    then SIGKILL after 20 s."""
    import os
    import signal

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
