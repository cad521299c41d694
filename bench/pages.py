"""Throughput and latency of the public pages next to a bare Django view, on gunicorn.

    .venv/bin/python bench/pages.py            # 10 s per URL
    .venv/bin/python bench/pages.py --quick    # 3 s per URL

Needs PostgreSQL and Redis on the loopback interface (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/gfmd_bench, created if missing; REDIS_URL, default
redis://127.0.0.1:6379/14). The server runs with DEBUG=0 and HTTPS=0 (plain HTTP on the
loopback interface). It migrates that database, collects the static files, loads
``seed_demo --scale 200 --seed 1``, starts gunicorn with 2 sync workers on a free port of
127.0.0.1, warms each URL (anonymous pages are served from the page cache), then loads each
URL with wrk (or, without wrk, a small Python load generator) and prints one table: req/s,
ratio to the bare view, latency percentiles, the SQL queries of an uncached render (counted
in a separate process with PAGE_CACHE_SECONDS=0), whether the page cache hit, the CPU time
gunicorn spent per request (steadier than req/s on a busy machine) and the time of an
uncached render. gunicorn is always stopped, also on error or Ctrl-C.
"""

import argparse
import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gfmd_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
BARE = "/bench/bare"
URLS = [
    BARE,
    "/en/",
    "/en/roundtables/",
    "/en/roundtables/gfmd-2017/1.1/",
    "/fr/sdg-targets/",
    "/api/v1/roundtables/?lang=fr",
    "/api/v1/sdg-targets/",
]
# A page slower than this share of the bare view, or with a p99 at or above this, is flagged.
MIN_RATIO = 40
MAX_P99_MS = 50

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format(
    "BENCH_JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"bytes\\": %d, "
    .. "\\"connect\\": %d, \\"read\\": %d, \\"write\\": %d, \\"status\\": %d, \\"timeout\\": %d, "
    .. "\\"p50\\": %d, \\"p95\\": %d, \\"p99\\": %d, \\"max\\": %d, \\"mean\\": %.1f}\\n",
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
"""

# Run in a child process (same environment, page cache off): SQL queries and time of an uncached render.
COUNT_QUERIES = """
import json, os, sys, time
import django
os.environ["PAGE_CACHE_SECONDS"] = "0"
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1")
result = {}
for url in sys.argv[1:]:
    first = client.get(url)  # the first render fills per-process caches (site, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len(queries)  # now: the next request resets the connection's query log
    started = time.perf_counter()
    for _ in range(5):
        client.get(url)
    result[url] = {
        "status": response.status_code,
        "cache": response.get("X-Page-Cache", "-"),
        "queries": count,
        "render_ms": (time.perf_counter() - started) * 1000 / 5,
    }
print("BENCH_JSON " + json.dumps(result))
"""


class BenchError(Exception):
    pass


def _stop_on_signal(signum, _frame):
    raise SystemExit(f"stopped by signal {signum}")


# --- Services ---------------------------------------------------------------------------------


def check_services(database_url, redis_url, *, names=("DATABASE_URL", "REDIS_URL")):
    """PostgreSQL and Redis on the loopback interface, answering (``names``: how the caller calls the
    two addresses, for the messages); a BenchError saying what is wrong otherwise."""
    if urlparse(database_url).scheme not in ("postgres", "postgresql", "pgsql"):
        raise BenchError(f"{names[0]} must be PostgreSQL, not {database_url}")
    _check_loopback(names[0], database_url)
    _check_loopback(names[1], redis_url)
    if not _answers(database_url, 5432):
        raise BenchError(f"PostgreSQL does not answer at {database_url}")
    if not _answers(redis_url, 6379):
        raise BenchError(f"Redis does not answer at {redis_url}")


def _check_loopback(name, url):
    host = urlparse(url).hostname or "127.0.0.1"
    if host not in LOOPBACK:
        raise BenchError(f"{name} must point at the loopback interface, not {host!r}")


def _answers(url, default_port):
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def _ensure_database(url):
    """Create the benchmark database if it does not exist (psycopg2, via the postgres db)."""
    import psycopg2
    from psycopg2 import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name:
        raise BenchError("DATABASE_URL names no database")
    connection = psycopg2.connect(
        dbname="postgres",
        user=parsed.username or "postgres",
        password=parsed.password,
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
        connect_timeout=5,
    )
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        connection.close()


def _child_env(database_url, redis_url):
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "gfmd_portal.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on the loopback interface: no redirect to https, no secure-only cookies.
            "HTTPS": "0",
            "SECRET_KEY": secrets.token_hex(25),  # 50 characters
            "LOG_LEVEL": "WARNING",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.pop("PAGE_CACHE_SECONDS", None)
    return env


def _manage(env, *args, timeout=600):
    started = time.monotonic()
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout, time.monotonic() - started


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, env, workers, log, wsgi="gfmd_portal.wsgi"):
        self.env, self.workers, self.log, self.wsgi = env, workers, log, wsgi
        self.port = _free_port()
        self.process = None

    def options(self):
        """gunicorn's options after the application and its address: a subclass that wants another
        worker class, threads or backlog changes these, not ``start``."""
        return ["--workers", str(self.workers), "--worker-class", "sync", "--timeout", "30", "--log-level", "warning"]

    def start(self):
        gunicorn = Path(PYTHON).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn) if gunicorn.exists() else "gunicorn",
                self.wsgi,
                "--bind",
                f"127.0.0.1:{self.port}",
                *self.options(),
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )

    def wait_healthy(self, timeout=30):
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.process.returncode}:\n{self.output()}")
            try:
                status, _headers, body = fetch(self.port, "/healthz")
                if status == 200:
                    return
                last = f"{status} {body[:300]!r}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.2)
        raise BenchError(f"/healthz did not answer 200 within {timeout} s: {last}\n{self.output()}")

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-3000:]

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)  # the master stops its workers gracefully
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def group_cpu_seconds(pgid):
    """CPU time (user + system) used so far by the processes of a process group (Linux /proc)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[2]) == pgid:  # state, ppid, pgrp, …, utime (11), stime (12)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def fetch(port, path, timeout=5):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


# --- Load -------------------------------------------------------------------------------------


def _percentile(sorted_values, percent):
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(percent / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def load_wrk(wrk, script, port, path, *, threads, connections, duration):
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "5s",
        "-H",
        "Host: 127.0.0.1",
        "-s",
        script,
        f"http://127.0.0.1:{port}{path}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30, check=False)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line.removeprefix("BENCH_JSON "))
            seconds = data["duration_us"] / 1e6
            errors = sum(data[name] for name in ("connect", "read", "write", "status", "timeout"))
            return {
                "requests": data["requests"],
                "rps": data["requests"] / seconds if seconds else 0.0,
                "p50": data["p50"] / 1000,
                "p95": data["p95"] / 1000,
                "p99": data["p99"] / 1000,
                "errors": errors,
            }
    raise BenchError(f"wrk printed no result for {path}:\n{result.stdout}\n{result.stderr}")


def load_python(port, path, *, connections, duration):
    """Keep-alive HTTP/1.1 clients, one thread each, for ``duration`` seconds."""
    deadline = time.monotonic() + duration
    latencies, errors, lock = [], [0], threading.Lock()

    def client():
        mine, failed = [], 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                continue
            mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    workers = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(duration + 10)
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50": _percentile(latencies, 50) * 1000,
        "p95": _percentile(latencies, 95) * 1000,
        "p99": _percentile(latencies, 99) * 1000,
        "errors": errors[0],
    }


def warm(port, path, count):
    """Request ``path`` ``count`` times; returns (status, X-Page-Cache of the last answer, size)."""
    status, headers, body = 0, {}, b""
    for _ in range(count):
        status, headers, body = fetch(port, path)
    return status, headers.get("X-Page-Cache", "-"), len(body)


def count_queries(env, urls):
    result = subprocess.run(
        [PYTHON, "-c", COUNT_QUERIES, *urls],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise BenchError(f"counting queries failed:\n{result.stdout}\n{result.stderr}")


# --- Report -----------------------------------------------------------------------------------


def table(rows):
    header = ["url", "req/s", "% bare", "p50 ms", "p95 ms", "p99 ms", "queries"]
    header += ["cache", "server cpu µs/req", "uncached ms", "errors"]
    lines = [header] + [
        [
            row["url"],
            f"{row['rps']:.0f}",
            f"{row['ratio']:.1f}",
            f"{row['p50']:.1f}",
            f"{row['p95']:.1f}",
            f"{row['p99']:.1f}",
            str(row["queries"]),
            row["cache"],
            f"{row['cpu_us']:.0f}",
            f"{row['render_ms']:.1f}",
            str(row["errors"]),
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

    def format_line(cells):
        return "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    out = [format_line(lines[0]), "  ".join("-" * width for width in widths)]
    out += [format_line(line) for line in lines[1:]]
    return "\n".join(out)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL (default 10)")
    parser.add_argument("--quick", action="store_true", help="3 s per URL")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--warmup", type=int, default=20, help="requests per URL before the load (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--scale", type=int, default=200, help="seed_demo --scale (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="seed_demo --seed (default 1)")
    parser.add_argument(
        "--wsgi",
        default="gfmd_portal.wsgi",
        help="WSGI module for gunicorn (default gfmd_portal.wsgi; another, e.g. on PYTHONPATH, to compare a change)",
    )
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even with wrk")
    return parser.parse_args(argv)


def prepare(args, database_url, redis_url):
    """Migrate, collect the static files and seed the benchmark database; returns the servers'
    environment and the query counts of uncached renders."""
    if _ensure_database(database_url):
        print(f"created database {urlparse(database_url).path.lstrip('/')}")
    env = _child_env(database_url, redis_url)
    _manage(env, "migrate", "--noinput")
    _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    output, seconds = _manage(env, "seed_demo", "--scale", str(args.scale), "--seed", str(args.seed))
    print(f"seed_demo --scale {args.scale} --seed {args.seed}: {seconds:.1f} s")
    print("\n".join("  " + line for line in output.strip().splitlines()[1:]))

    print("counting queries of uncached renders (PAGE_CACHE_SECONDS=0, in-process test client)")
    return env, count_queries(env, URLS)


def load_description(args, wrk, duration):
    """How the load is made, for the report (and a note when it is the slower Python generator)."""
    if wrk:
        return f"wrk {args.threads} threads, {args.connections} connections, {duration} s per URL"
    reason = "--python-load" if args.python_load else "wrk is not installed (apt-get install wrk)"
    print(f"note: {reason}; using the Python load generator, which is slower than wrk and")
    print("      shares the CPU with the server: figures are lower bounds")
    return f"Python load generator, {args.connections} connections, {duration} s per URL"


def measure(args, env, queries, *, wrk, duration, load):
    """Start gunicorn, then warm and load each URL in turn; one row per URL. gunicorn is stopped
    (and the time limit lifted) whatever happens."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp, open(Path(tmp) / "gunicorn.log", "w+") as log:
        script = Path(tmp) / "done.lua"
        script.write_text(WRK_SCRIPT)
        server = Gunicorn(env, args.workers, log, args.wsgi)
        try:
            server.start()
            server.wait_healthy()
            print(f"gunicorn {args.wsgi}, {args.workers} sync workers on 127.0.0.1:{server.port}; {load}")
            for url in URLS:
                rows.append(
                    measure_url(args, server, url, queries.get(url, {}), wrk=wrk, script=script, duration=duration)
                )
        finally:
            server.stop()
            signal.alarm(0)
    return rows


def measure_url(args, server, url, counted, *, wrk, script, duration):
    """Warm ``url``, load it for ``duration`` seconds and measure gunicorn's CPU time meanwhile."""
    status, cache, size = warm(server.port, url, args.warmup)
    if status != 200:
        raise BenchError(f"{url} answered {status} after warming")
    cpu_before = group_cpu_seconds(server.process.pid)
    if wrk:
        result = load_wrk(
            wrk,
            str(script),
            server.port,
            url,
            threads=args.threads,
            connections=args.connections,
            duration=duration,
        )
    else:
        result = load_python(server.port, url, connections=args.connections, duration=duration)
    cpu = group_cpu_seconds(server.process.pid) - cpu_before
    print(f"  {url}: {result['rps']:.0f} req/s, p99 {result['p99']:.1f} ms, {size} bytes, cache {cache}")
    return {
        "url": url,
        **result,
        "cache": cache,
        "size": size,
        "queries": counted.get("queries", "?"),
        "render_ms": counted.get("render_ms", 0.0),
        "cpu_us": cpu * 1e6 / result["requests"] if result["requests"] else 0.0,
    }


def report(rows, *, load, load_before):
    """Print the table and the one-line summary; the exit status (1 when any request failed)."""
    bare_rps = rows[0]["rps"] or 1.0
    for row in rows:
        row["ratio"] = 100 * row["rps"] / bare_rps
    print()
    print(table(rows))
    pages = rows[1:]
    flagged = [row["url"] for row in pages if row["ratio"] < MIN_RATIO or row["p99"] >= MAX_P99_MS]
    slowest = min(pages, key=lambda row: row["ratio"])
    errors = sum(row["errors"] for row in rows)
    print()
    print(
        f"summary: bare {bare_rps:.0f} req/s; pages {min(r['ratio'] for r in pages):.0f}–"
        f"{max(r['ratio'] for r in pages):.0f}% of bare (slowest {slowest['url']}); "
        f"max p99 {max(r['p99'] for r in pages):.1f} ms; "
        f"{len(flagged)} below {MIN_RATIO}% or p99 ≥ {MAX_P99_MS} ms"
        + (f" ({', '.join(flagged)})" if flagged else "")
        + f"; {errors} errors; {load}; server, load generator, Redis and PostgreSQL share {os.cpu_count()} CPUs"
        f" (load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after)"
    )
    return 1 if errors else 0


def main(argv=None):
    args = parse_args(argv)
    duration = 3 if args.quick else max(1, args.duration)

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    check_services(database_url, redis_url)

    # Bounded in time: setup, load and query counting, with a margin.
    budget = 900 + len(URLS) * (duration + 30)
    signal.signal(signal.SIGALRM, _stop_on_signal)
    signal.alarm(budget)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored

    wrk = None if args.python_load else shutil.which("wrk")
    load_before = os.getloadavg()[0]
    print(f"database {database_url}, redis {redis_url}; {os.cpu_count()} CPUs, load average {load_before:.2f}")
    env, queries = prepare(args, database_url, redis_url)
    load = load_description(args, wrk, duration)
    rows = measure(args, env, queries, wrk=wrk, duration=duration, load=load)
    return report(rows, load=load, load_before=load_before)


def run(main, name):
    """A benchmark's entry point: its exit status; 2 with a one-line message when the bench itself
    fails; 130 on Ctrl-C (the servers it started are stopped by their context managers)."""
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench/{name}: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(f"bench/{name}: interrupted; gunicorn stopped", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    run(main, "pages.py")
