"""The stack that bench/faults.py breaks: private PostgreSQL and Redis servers on free ports, gunicorn,
a Celery worker and the relay on them, the HTTP helpers that load them, and the clean-up that stops
every process and removes every temporary directory, also on error, Ctrl-C or SIGTERM."""

import collections
import concurrent.futures
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # bench/pages.py: gunicorn, manage.py, free ports, percentiles
import registration_race as race  # people, sessions and CSRF tokens
from pages import BASE_DIR, PYTHON, BenchError

PG_BIN = "/usr/lib/postgresql/15/bin"
DATABASE = "gfmd_faults"
PREFIX = "fault-"  # the bench's people: fault-0000@example.org, …
FORUM, LANGUAGE = "gfmd-2017", "en"
REGISTER = race.REGISTER
ANONYMOUS_PAGES = ["/en/", "/en/roundtables/", "/en/practices/", "/en/accounts/login/", "/api/v1/roundtables/"]
RESTART_ANONYMOUS = ["/en/", "/en/roundtables/", "/api/v1/roundtables/"]
RESTART_SIGNED_IN = ["/en/", "/en/accounts/registrations/", "/en/common-space/"]
# The promises' figures (issue "Reliability").
ACTION_P99_S = 1.0
RECOVERY_S = 60.0
# Settings of the portal the bench waits out between two outages (common/outbox.py, settings.py).
OUTBOX_BROKER_COOLDOWN = 10.0
STALL_SECONDS = 5  # DECLARATION_COMPILE_STALL_SECONDS of every process: a lost worker is noticed soon
TO = re.compile(r"^To: (.+)$", re.MULTILINE)
# Taken out of the environment of every process: they could point at shared servers or change the
# figures the promises are about; the bench measures the shipped defaults.
UNSET = [
    "CACHE_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "CACHE_SOCKET_TIMEOUT",
    "OUTBOX_PUBLISH_TIMEOUT",
    "OUTBOX_BROKER_COOLDOWN",
    "CONN_MAX_AGE",
]


def say(line=""):
    print(line, flush=True)


# --- Cleaning up --------------------------------------------------------------------------------

_cleanups = []


def on_exit(function):
    """Run ``function()`` at the end (last registered, first run), whatever happens."""
    _cleanups.append(function)
    return function


def cleanup():
    while _cleanups:
        function = _cleanups.pop()
        try:
            function()
        except Exception as exc:  # noqa: BLE001 - the other clean-ups must run too
            print(f"bench/faults.py: clean-up {getattr(function, '__name__', function)}: {exc}", file=sys.stderr)


def stop_on_signal(signum, _frame):
    raise SystemExit(f"bench/faults.py: stopped by signal {signum}")


# --- Private servers ----------------------------------------------------------------------------


def _wait_port(port, timeout, process=None, name="server"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise BenchError(f"{name} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f"{name} did not listen on 127.0.0.1:{port} within {timeout} s")


class PrivatePostgres:
    """A throw-away PostgreSQL cluster in a temporary directory, on a free port of 127.0.0.1."""

    def __init__(self, bin_dir):
        self.bin_dir = Path(bin_dir)
        if not (self.bin_dir / "initdb").exists():
            raise BenchError(f"no initdb in {self.bin_dir} (--pg-bin)")
        self.root = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        on_exit(lambda: shutil.rmtree(self.root, ignore_errors=True))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = pages._free_port()
        # PostgreSQL refuses to run as root: its programs run as the postgres user, which owns the directory.
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.root, self.user, self.user)
        self.started = False

    def url(self, database=DATABASE):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program, *args, timeout=60, check=True):
        command = [str(self.bin_dir / program), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, cwd=self.root, capture_output=True, text=True, timeout=timeout, check=False)
        if check and result.returncode:
            raise BenchError(f"{program} {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}\n{self.log_tail()}")
        return result

    def log_tail(self, chars=2000):
        with contextlib.suppress(OSError):
            return self.log.read_text(errors="replace")[-chars:]
        return ""

    def init(self):
        options = ["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]
        self._run("initdb", "-D", str(self.data), *options, timeout=120)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\n# bench/faults.py\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\nmax_connections = 100\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )

    def start(self):
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start", timeout=90)
        self.started = True
        on_exit(self.stop)

    def restart(self):
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "-t", "60", "restart", timeout=90
        )

    def accepts(self, timeout=1):
        import psycopg2

        try:
            connection = psycopg2.connect(
                dbname=DATABASE, user="postgres", host="127.0.0.1", port=self.port, connect_timeout=timeout
            )
        except psycopg2.Error:
            return False
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                return cursor.fetchone() == (1,)
        except psycopg2.Error:
            return False
        finally:
            connection.close()

    def stop(self):
        if not self.started:
            return
        self.started = False
        result = self._run(
            "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "20", "stop", timeout=40, check=False
        )
        if result.returncode:
            self._run(
                "pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "20", "stop", timeout=40, check=False
            )


class PrivateRedis:
    """redis-server on a free port without persistence (gfmd_portal/tests/brokers.py's flags), that
    the bench stops, starts again, freezes and thaws."""

    def __init__(self, directory):
        self.port = pages._free_port()
        self.directory = directory
        self.process = None
        self.frozen = False
        on_exit(self.stop)

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        with open(Path(self.directory) / "redis.log", "ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), *options],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_port(self.port, 10, self.process, "redis-server")

    def stop(self):
        if self.process is None:
            return
        self.thaw()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def freeze(self):
        on_exit(self.thaw)  # first of the clean-ups: the others may talk to Redis
        os.kill(self.process.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self):
        if self.frozen and self.process is not None:
            os.kill(self.process.pid, signal.SIGCONT)
        self.frozen = False

    def _client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)

    def broker_idle(self):
        """No message waiting in the default queue nor taken by a worker and not yet acknowledged."""
        client = self._client()
        try:
            return client.llen("celery") == 0 and client.hlen("unacked") == 0
        finally:
            client.close()


class Child:
    """A process of the bench (Celery worker, relay) in its own process group, its output in a file."""

    def __init__(self, name, command, env, log_dir):
        self.name, self.command, self.env = name, command, env
        self.log_path = Path(log_dir) / f"{name}.log"
        self.process = None
        on_exit(self.stop)

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def output(self):
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")
        return ""

    def wait_for(self, text, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if not self.alive():
                raise BenchError(f"{self.name} exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            time.sleep(0.2)
        raise BenchError(f"{self.name} did not print {text!r} within {timeout} s:\n{self.output()[-3000:]}")

    def kill(self):
        """SIGKILL to the whole process group (a worker and its pool processes)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self, timeout=15):
        if not self.alive():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()


def celery_worker(env, log_dir, name, concurrency):
    celery = Path(PYTHON).with_name("celery")
    command = [
        str(celery) if celery.exists() else "celery",
        "-A",
        "gfmd_portal",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        str(concurrency),
        "-n",
        f"{name}@%h",
        "--without-gossip",
        "--without-mingle",
    ]
    return Child(name, command, env, log_dir)


# --- HTTP ---------------------------------------------------------------------------------------


def request(port, method, path, *, cookies=None, body=None, timeout=15):
    """One request on a new connection: (status or 0 when the connection failed, seconds, error)."""
    headers = {"Host": "127.0.0.1"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started, ""
    except (OSError, http.client.HTTPException) as exc:
        return 0, time.perf_counter() - started, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()


def register_all(port, people, *, concurrency, timeout, spread):
    """Each person POSTs the registration form, the i-th ``i * spread / len(people)`` seconds from now
    (at most ``concurrency`` at a time): [(status, seconds, error)]."""
    start = time.monotonic()

    def post(index):
        time.sleep(max(0.0, start + index * spread / len(people) - time.monotonic()))
        person = people[index]
        body = urlencode(
            {
                "csrfmiddlewaretoken": person["token"],
                "accessibility_needs": "step-free access" if index % 7 == 0 else "",
                "visa_letter_needed": ["", "yes", "no"][index % 3],
                "dietary_needs": "vegetarian" if index % 4 == 0 else "",
            }
        )
        return request(port, "POST", REGISTER, cookies=person["cookies"], body=body, timeout=timeout)

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=concurrency)
    try:
        return list(pool.map(post, range(len(people))))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def read_pages(port, urls, rounds, spread, results):
    """Anonymous GETs of ``urls``, ``rounds`` times over ``spread`` seconds, into ``results``
    [(url, status, seconds, error)]."""
    start, count = time.monotonic(), rounds * len(urls)
    for index in range(count):
        time.sleep(max(0.0, start + index * spread / count - time.monotonic()))
        url = urls[index % len(urls)]
        results.append((url, *request(port, "GET", url)))


def percentile_ms(seconds, percent):
    return pages._percentile(sorted(seconds), percent) * 1000


def tail(text, chars=1500, pattern=None):
    """The end of a log, or of its lines matching ``pattern``, indented."""
    lines = text.splitlines()
    if pattern:
        lines = [line for line in lines if re.search(pattern, line)]
    kept = "\n".join(lines)[-chars:]
    return "\n".join("    | " + line for line in kept.splitlines())


# --- The stack ----------------------------------------------------------------------------------


class Stack:
    """The private servers and the portal's processes on them."""

    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="faults-"))
        if args.keep:
            on_exit(lambda: say(f"logs and emails kept in {self.tmp}"))
        else:
            on_exit(lambda: shutil.rmtree(self.tmp, ignore_errors=True))
        self.mail = self.tmp / "mail"
        self.pg = PrivatePostgres(args.pg_bin)
        self.redis = PrivateRedis(self.tmp)
        self.redis_back_at = None  # when Redis last came back after an outage
        self.workers = []

    def start(self):
        started = time.monotonic()
        self.pg.init()
        self.pg.start()
        pages._ensure_database(self.pg.url())
        self.redis.start()
        env = pages._child_env(self.pg.url(), self.redis.url)
        env.update(
            {
                "EMAIL_URL": f"file://{self.mail}",
                "GFMD_VAR_DIR": str(self.tmp / "var"),
                "LOG_LEVEL": "INFO",
                "DECLARATION_COMPILE_STALL_SECONDS": str(STALL_SECONDS),
                "PYTHONUNBUFFERED": "1",
            }
        )
        for name in UNSET:
            env.pop(name, None)
            os.environ.pop(name, None)
        self.env = env
        say(
            f"private PostgreSQL 127.0.0.1:{self.pg.port} ({time.monotonic() - started:.1f} s), redis-server "
            f"127.0.0.1:{self.redis.port}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
        )

        started = time.monotonic()
        with open(self.tmp / "collectstatic.log", "w+") as log:
            # Static files need no database: collected while the migrations run.
            collect = subprocess.Popen(
                [PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            on_exit(lambda: collect.poll() is None and collect.kill())
            pages._manage(env, "migrate", "--noinput", timeout=300)
            if collect.wait(300):
                log.seek(0)
                raise BenchError(f"collectstatic failed:\n{log.read()[-3000:]}")
        args = self.args
        seed = ["seed_demo", "--scale", str(args.scale), "--seed", "1", "--contributions", str(args.contributions)]
        pages._manage(env, *seed, timeout=600)
        pages._manage(env, "load_forum", timeout=120)
        cookie_file = self.tmp / "people.json"
        count = str(2 * args.people)  # people, and seats for each of them
        # None of registration_race's sustained-case people (its SETUP takes their count and prefix).
        setup = race.django_script(env, race.SETUP, str(cookie_file), count, count, PREFIX, "0", race.STEADY_PREFIX)
        self.people = json.loads(cookie_file.read_text())
        say(
            f"setup {time.monotonic() - started:.1f} s: migrate, collectstatic, {' '.join(seed)}, load_forum; "
            f"{setup['people']} people signed in, common space open ({2 * args.people} seats)"
        )

        self.gunicorn_log = open(self.tmp / "gunicorn.log", "w+")  # noqa: SIM115 - closed at the end
        on_exit(self.gunicorn_log.close)
        self.web = pages.Gunicorn(env, args.web_workers, self.gunicorn_log)
        on_exit(self.web.stop)
        self.web.start()
        self.relay = Child("relay", [PYTHON, "manage.py", "relay_outbox", "--interval", "1"], env, self.tmp).start()
        self.new_worker()
        self.web.wait_healthy(60)

        # This process reads the outcome from the database (and requests the compile) through the project's models.
        os.environ.update(env)
        os.environ["LOG_LEVEL"] = "WARNING"
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        say(
            f"gunicorn {args.web_workers} sync workers on 127.0.0.1:{self.web.port}, celery worker "
            f"-c {args.worker_concurrency}, relay_outbox --interval 1"
        )

    def new_worker(self):
        worker = celery_worker(self.env, self.tmp, f"worker{len(self.workers) + 1}", self.args.worker_concurrency)
        self.workers.append(worker)
        worker.start().wait_for(" ready.", 60)
        return worker

    @property
    def worker(self):
        return self.workers[-1]

    def worker_output(self):
        return "".join(worker.output() for worker in self.workers)

    def emails(self):
        """{recipient: messages} of the file email backend."""
        counts = collections.Counter()
        if self.mail.exists():
            for path in self.mail.iterdir():
                for match in TO.finditer(path.read_text(errors="replace")):
                    counts[match.group(1).strip().lower()] += 1
        return counts


def fresh_connection():
    """This process's database connection may have died (a restart): the next query opens a new one."""
    from django.db import connection

    connection.close()
