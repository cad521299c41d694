"""Compiling the presidential declaration from 50,000 contributions, with one and two Celery workers.

    .venv/bin/python bench/declaration_compile.py
    .venv/bin/python bench/declaration_compile.py --contributions 20000 --load-seconds 5

Needs PostgreSQL and Redis on the loopback interface: DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/gfmd_declaration_bench, created if missing) and REDIS_URL (default
redis://127.0.0.1:6379/13; the broker, the result backend of the chord and the cache). It migrates
that database, runs ``seed_demo --scale 200 --seed 1 --contributions N`` (idempotent: a second run
finds the data there), then, for 1 and for 2 worker processes (``celery -A gfmd_portal worker -c 1``
each), compiles the 2017 forum's declaration (``force``: a full compile every time) and measures:

* the time from the request to the finished draft (the job's own start and end too);
* the peak memory of each worker (VmHWM of the worker and of its pool process, from /proc);
* the longest interval between two updates of the job (its progress or heartbeat), polled every 50 ms
  (an upper bound: an update between two polls is missed, never invented);

and, with gunicorn (2 sync workers) serving anonymous pages from the page cache, the p95 latency of
public pages while nothing runs (before and after) and while a compile runs on one worker, each for
the same time (the Python load generator of bench/pages.py, 4 connections, in a process of its own).
Prints the figures and one summary line. Workers and gunicorn are always stopped. The machine is
shared: run it when it is quiet, and read the load average printed.
"""

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from pages import (  # noqa: E402 - the helpers of the page benchmark, next to this file
    BASE_DIR,
    PYTHON,
    BenchError,
    Gunicorn,
    _answers,
    _check_loopback,
    _child_env,
    _ensure_database,
    _manage,
    warm,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gfmd_declaration_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
PAGES = ["/en/", "/en/roundtables/gfmd-2017/1.1/"]
LIMITS = {"seconds_one_worker": 60, "peak_mb": 300, "progress_gap_s": 2, "p95_ratio": 1.5}


def page_load(port, page, *, connections, duration):
    """bench/pages.py's Python load generator, in a process of its own (this one polls the job: its
    threads would share the interpreter lock with the load)."""
    code = (
        f"import json, sys; sys.path.insert(0, {str(BENCH_DIR)!r}); from pages import load_python; "
        f"print(json.dumps(load_python({port}, {page!r}, connections={connections}, duration={float(duration)!r})))"
    )
    result = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=duration + 60, check=True)
    return json.loads(result.stdout)


def _stop_on_signal(signum, _frame):
    raise SystemExit(f"stopped by signal {signum}")


class Worker:
    """``celery -A gfmd_portal worker -c 1`` in its own process group."""

    def __init__(self, env, name, log, nice=0):
        celery = Path(PYTHON).with_name("celery")
        self.log = log
        self.process = subprocess.Popen(
            [
                *(["nice", "-n", str(nice)] if nice else []),
                str(celery) if celery.exists() else "celery",
                "-A",
                "gfmd_portal",
                "worker",
                "-c",
                "1",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "INFO",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if nice:
            # A new session is a new scheduling "autogroup" (Linux): niceness inside it does not weigh
            # against other sessions, the group's own does.
            with contextlib.suppress(OSError):
                Path(f"/proc/{self.process.pid}/autogroup").write_text(str(nice))

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"worker exited with {self.process.returncode}:\n{self.output()}")
            if " ready." in self.output():
                return
            time.sleep(0.2)
        raise BenchError(f"worker not ready within {timeout} s:\n{self.output()}")

    def output(self):
        self.log.flush()
        return Path(self.log.name).read_text()[-5000:]

    def pids(self):
        """The worker's main process and its pool processes."""
        pids = [self.process.pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    pids.append(int(stat.parent.name))
        return pids

    def peak_mb(self):
        """{pid: peak resident memory in MB} of the worker's processes (VmHWM)."""
        peaks = {}
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[pid] = int(line.split()[1]) / 1024
        return peaks

    def stop(self):
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def _celery(env, *args):
    celery = Path(PYTHON).with_name("celery")
    subprocess.run(
        [str(celery) if celery.exists() else "celery", "-A", "gfmd_portal", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        check=True,
        timeout=60,
    )


def compile_once(forum, *, poll=0.05, timeout=600):
    """Request a full compile and follow it; returns the measures."""
    from declarations import compile as compiler
    from declarations.models import CompileJob

    requested = time.monotonic()
    job = compiler.request_compile(forum=forum, language="en", user=None, force=True)
    seen, last_change, gaps, worst = None, None, [], (0.0, None, None)
    states = 0
    while True:
        row = CompileJob.objects.filter(pk=job.pk).values_list("status", "stage", "progress", "heartbeat_at").get()
        now = time.monotonic()
        if row != seen:
            if last_change is not None and seen[0] != CompileJob.Status.QUEUED:
                gaps.append(now - last_change)
                if gaps[-1] > worst[0]:
                    worst = (gaps[-1], seen[1:3], row[1:3])
            seen, last_change = row, now
            states += 1
        if row[0] not in compiler.ACTIVE:
            break
        if now - requested > timeout:
            raise BenchError(f"compile job {job.pk} still {row[0]} after {timeout} s")
        time.sleep(poll)
    elapsed = time.monotonic() - requested
    job.refresh_from_db()
    if job.status != CompileJob.Status.SUCCEEDED:
        raise BenchError(f"compile job {job.pk} ended {job.status}: {job.error}")
    return {
        "job": job,
        "seconds": elapsed,
        "job_seconds": (job.finished_at - job.started_at).total_seconds(),
        "max_gap": max(gaps, default=0.0),
        "worst_gap": worst,
        "updates": states,
        "contributions": job.total,
        "paragraphs": job.draft.paragraphs.count(),
        "version": job.draft.version,
    }


def run_workers(env, count, tmp, forum, *, load=None, nice=0):
    # Messages left in the broker by an earlier, interrupted run would be worked on first.
    _celery(env, "purge", "-f")
    workers = []
    try:
        for number in range(count):
            log = open(Path(tmp) / f"worker-{count}-{number}.log", "w+")  # noqa: SIM115 - closed below
            workers.append(Worker(env, f"bench{count}-{number}", log, nice=nice))
        for worker in workers:
            worker.wait_ready()
        measured = {}
        if load is not None:
            load_thread = threading.Thread(target=lambda: measured.update(load()), daemon=True)
            load_thread.start()
        result = compile_once(forum)
        if load is not None:
            load_thread.join(120)
            result["pages"] = measured
        result["peaks"] = [worker.peak_mb() for worker in workers]
        return result
    finally:
        for worker in workers:
            worker.stop()
            worker.log.close()


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contributions", type=int, default=50000, help="contributions to seed (default 50000)")
    parser.add_argument("--scale", type=int, default=200, help="seed_demo --scale (default 200)")
    parser.add_argument("--load-seconds", type=int, default=15, help="seconds of idle page load (default 15)")
    parser.add_argument("--connections", type=int, default=4, help="page load connections (default 4)")
    parser.add_argument(
        "--nice", type=int, default=0, help="niceness of the worker processes (default 0; the README advises 10)"
    )
    return parser.parse_args(argv)


def check_services(database_url, redis_url):
    if urlparse(database_url).scheme not in ("postgres", "postgresql", "pgsql"):
        raise BenchError(f"DATABASE_URL must be PostgreSQL, not {database_url}")
    _check_loopback("DATABASE_URL", database_url)
    _check_loopback("REDIS_URL", redis_url)
    if not _answers(database_url, 5432) or not _answers(redis_url, 6379):
        raise BenchError("PostgreSQL and Redis must answer on the loopback interface")


def prepare(args, database_url, redis_url):
    """Migrate, collect the static files and seed the contributions; returns the workers' environment."""
    if _ensure_database(database_url):
        print(f"created database {urlparse(database_url).path.lstrip('/')}")
    env = _child_env(database_url, redis_url)
    env["LOG_LEVEL"] = "INFO"
    _manage(env, "migrate", "--noinput")
    _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    output, seconds = _manage(
        env,
        "seed_demo",
        "--scale",
        str(args.scale),
        "--seed",
        "1",
        "--contributions",
        str(args.contributions),
        timeout=1200,
    )
    print(f"seed_demo --scale {args.scale} --seed 1 --contributions {args.contributions}: {seconds:.1f} s")
    print("  " + output.strip().splitlines()[-1])
    return env


def the_forum(env):
    """The 2017 forum, read in this process, which reads and writes the same database as the workers
    (to request and follow jobs)."""
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from roundtables.models import Forum

    return Forum.objects.get(slug="gfmd-2017")


def measure(args, env, forum):
    """A compile with 1, then 2 workers; then the pages idle, during a compile on one worker, and idle
    again. Returns the compiles by worker count, and the pages' loads idle, busy and idle after."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-compile-") as tmp:
        for count in (1, 2):
            load_before = os.getloadavg()[0]
            results[count] = run_workers(env, count, tmp, forum, nice=args.nice)
            results[count]["load"] = (load_before, os.getloadavg()[0])

        with open(Path(tmp) / "gunicorn.log", "w+") as log:
            server = Gunicorn(env, 2, log)
            try:
                server.start()
                server.wait_healthy()
                for page in PAGES:
                    status, _cache, _size = warm(server.port, page, 20)
                    if status != 200:
                        raise BenchError(f"{page} answered {status}")
                # The pages in turn, for about 80% of the time a compile took on one worker, so that
                # the whole load falls while the compile runs; idle runs as long, before and after.
                share = max(2.0, results[1]["seconds"] * 0.8 / len(PAGES))

                def pages_load():
                    return {
                        page: page_load(server.port, page, connections=args.connections, duration=share)
                        for page in PAGES
                    }

                idle = pages_load()
                busy = run_workers(env, 1, tmp, forum, load=pages_load, nice=args.nice)
                idle_after = pages_load()
            finally:
                server.stop()
    return results, idle, busy, idle_after


def report(args, results, idle, busy, idle_after):
    """The compiles' table, the longest gaps, the pages' p95 and the summary line."""
    print()
    print("workers  total s  job s  contributions  paragraphs  peak MB per process (main/pool)  max gap s  load")
    for count, result in results.items():
        peaks = "; ".join(" / ".join(f"{mb:.0f}" for _pid, mb in sorted(peak.items())) for peak in result["peaks"])
        print(
            f"{count:>7}  {result['seconds']:7.1f}  {result['job_seconds']:5.1f}  {result['contributions']:>13,}  "
            f"{result['paragraphs']:>10,}  {peaks:<32}  {result['max_gap']:9.2f}  "
            f"{result['load'][0]:.1f}→{result['load'][1]:.1f}"
        )
    for label, result in [*((f"{count} worker(s)", result) for count, result in results.items()), ("busy", busy)]:
        seconds, before, after = result["worst_gap"]
        print(f"  longest gap, {label}: {seconds:.2f} s, from (stage, progress) {before} to {after}")
    print()
    print(f"page p95 ms (Python load generator, {args.connections} connections, page cache):")
    ratios = []
    for page in PAGES:
        before, loaded, after = idle[page], busy["pages"][page], idle_after[page]
        calm = min(before["p95"], after["p95"]) or 1e-9
        ratio = loaded["p95"] / calm
        ratios.append(ratio)
        print(
            f"  {page:<34} idle p95 {before['p95']:5.1f} / {after['p95']:5.1f} (before / after, "
            f"{before['rps']:.0f} req/s)   during a compile p95 {loaded['p95']:5.1f} ({loaded['rps']:.0f} req/s)"
            f"   ratio {ratio:.2f}   errors {loaded['errors']}"
        )
    one, two = results[1], results[2]
    peak = max(mb for result in results.values() for peaks in result["peaks"] for mb in peaks.values())
    gap = max(result["max_gap"] for result in (*results.values(), busy))
    print()
    print(
        f"summary: 1 worker {one['seconds']:.1f} s (limit {LIMITS['seconds_one_worker']}), 2 workers "
        f"{two['seconds']:.1f} s ({'faster' if two['seconds'] < one['seconds'] else 'NOT faster'}); peak worker "
        f"memory {peak:.0f} MB (limit {LIMITS['peak_mb']}); longest gap between progress updates {gap:.2f} s "
        f"(limit {LIMITS['progress_gap_s']}); page p95 during/idle {max(ratios):.2f}x (limit {LIMITS['p95_ratio']}); "
        f"{one['contributions']:,} contributions compiled; workers at nice {args.nice}; "
        f"load average now {os.getloadavg()[0]:.2f}"
    )


def main(argv=None):
    args = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    check_services(database_url, redis_url)
    signal.signal(signal.SIGALRM, _stop_on_signal)
    signal.alarm(1800)
    signal.signal(signal.SIGTERM, _stop_on_signal)

    print(f"database {database_url}, redis {redis_url}; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    env = prepare(args, database_url, redis_url)
    forum = the_forum(env)
    report(args, *measure(args, env, forum))


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"error: {exc}")
