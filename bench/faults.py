"""The reliability promises, measured by breaking private servers under real traffic.

    .venv/bin/python bench/faults.py
    .venv/bin/python bench/faults.py --people 100 --concurrency 8 --contributions 30000

Needs no running service: it starts servers of its own on free ports of 127.0.0.1 and never
touches the shared PostgreSQL (5432) or Redis (6379):

* a PostgreSQL 15 cluster (``initdb`` into a temporary directory, run as the ``postgres`` user when
  started as root; trust authentication, its socket in that directory; ``fsync`` off: a throw-away
  cluster), and a ``redis-server`` (no persistence): the cache and the Celery broker, as with
  REDIS_URL in production;
* ``migrate``, ``collectstatic``, ``seed_demo`` (with ``--contributions`` for the compile),
  ``load_forum``, then 2 × ``--people`` signed-in people with verified emails and profiles and the
  common space open to them (bench/registration_race.py's setup);
* gunicorn (``--web-workers`` sync workers, DEBUG=0, HTTPS=0), a Celery worker
  (``celery -A gfmd_portal worker``) and the relay (``manage.py relay_outbox --interval 1``); emails
  go to files (``EMAIL_URL=file://``), where they are counted.

Then four faults, each printing one line ``<promise>: holds|broken (<figures>)``:

1. Redis stopped for ``--outage-seconds`` (15) while ``--people`` people register for the common
   space (POST with CSRF, spread over the outage, at most ``--concurrency`` at a time, so that the
   circuit breakers close again during it) and anonymous visitors read public pages: no 5xx, POST
   p99 ≤ 1 s, every registration committed, every page 200; Redis started again: every outbox row
   sent and done within 60 s, each email sent exactly once (counted in the email files).
2. The same with Redis frozen (SIGSTOP, then SIGCONT), with the other half of the people.
3. The Celery worker killed (SIGKILL of its process group) in the middle of a forced declaration
   compile, and a new one started: it finishes the job (every process runs with
   DECLARATION_COMPILE_STALL_SECONDS=5, so a lost worker is noticed soon), exactly one new draft;
   compiling again without ``force`` finds the same inputs hash and makes no new version.
4. PostgreSQL restarted (``pg_ctl restart -m fast``) under ``--rate`` (20) anonymous and signed-in
   GETs a second for about 10 s: requests in flight while it restarts may fail, none of those that
   start once it accepts new connections again. Whether the relay and the worker outlived the
   restart is printed too.

The last line is ``faults: N/M promises hold``. Exit status 0 whatever the promises (this is a
measurement), 2 when the bench itself fails, 1 when stopped by a signal or ``--budget``. Every wait
is bounded; every process started is stopped and every temporary directory removed, also on
error, Ctrl-C or SIGTERM.
"""

import argparse
import atexit
import collections
import concurrent.futures
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import registration_race as race  # people, sessions and CSRF tokens
from fault_stack import (
    ACTION_P99_S,
    ANONYMOUS_PAGES,
    FORUM,
    LANGUAGE,
    OUTBOX_BROKER_COOLDOWN,
    PG_BIN,
    RECOVERY_S,
    REGISTER,
    RESTART_ANONYMOUS,
    RESTART_SIGNED_IN,
    STALL_SECONDS,
    Stack,
    cleanup,
    fresh_connection,
    percentile_ms,
    read_pages,
    register_all,
    request,
    say,
    stop_on_signal,
    tail,
)
from pages import BenchError

# --- 1 and 2: Redis stopped or frozen -------------------------------------------------------------


def redis_outage(stack, people, *, frozen):
    """Fault 1 (``frozen`` False) or 2: the people register while Redis is down, then Redis comes back."""
    name = "Redis frozen (SIGSTOP) during registrations" if frozen else "Redis stopped during registrations"
    baseline, skipped_before = _before_outage(stack, people)
    figures = _during_outage(stack, people, baseline, frozen=frozen)
    figures.update(_recovery(stack, figures["rows"], frozen=frozen))
    figures.update(_emails(stack, people, skipped_before))
    return _outage_report(stack, name, people, figures)


def _before_outage(stack, people):
    """Each person opens the page (CSRF token and cookie, got while Redis answers); returns the last
    outbox row before the outage and how many duplicate deliveries the worker had skipped so far."""
    from common.models import OutboxTask

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda person: race.get_token(stack.web.port, person), people))
    # A broker failure of the previous outage is remembered by each process for OUTBOX_BROKER_COOLDOWN s.
    if stack.redis_back_at is not None:
        time.sleep(max(0.0, stack.redis_back_at + OUTBOX_BROKER_COOLDOWN + 1 - time.monotonic()))
    fresh_connection()
    baseline = OutboxTask.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return baseline, stack.worker_output().count("already done, not run again")


def _during_outage(stack, people, baseline, *, frozen):
    """Stop (or freeze) Redis; the registrations and anonymous reads meanwhile; what was committed."""
    from common.models import OutboxTask
    from roundtables.models import Registration

    args, redis, port = stack.args, stack.redis, stack.web.port
    ids = [person["user"] for person in people]
    down_at = time.monotonic()
    if frozen:
        redis.freeze()
    else:
        redis.stop()
    reads = []
    # The registrations and the reads spread over the outage: the circuit breakers (5 s for the cache,
    # 10 s for the broker) close again during it and each process tries Redis once more.
    spread = 0.9 * args.outage_seconds
    reader = threading.Thread(
        target=read_pages, args=(port, ANONYMOUS_PAGES, args.read_rounds, spread, reads), daemon=True
    )
    reader.start()
    posts = register_all(port, people, concurrency=args.concurrency, timeout=30, spread=spread)
    reader.join(spread + 120)
    time.sleep(max(0.0, down_at + args.outage_seconds - time.monotonic()))
    rows = OutboxTask.objects.filter(pk__gt=baseline)
    return {
        "posts": posts,
        "reads": reads,
        "spread": spread,
        "committed": Registration.objects.filter(session__slug="common-space", person_id__in=ids).count(),
        "rows": rows,
        "waiting": rows.filter(sent_at=None).count(),
        "outage": time.monotonic() - down_at,
    }


def _recovery(stack, rows, *, frozen):
    """Start (or thaw) Redis; seconds until the outbox ``rows`` are all sent, then all done (None: not
    within --recovery-timeout), and how many are not done once the broker is idle."""
    redis = stack.redis
    if frozen:
        redis.thaw()
    else:
        redis.start()
    back_at = stack.redis_back_at = time.monotonic()
    deadline = back_at + stack.args.recovery_timeout
    sent_s = done_s = None
    while time.monotonic() < deadline:
        now = time.monotonic()
        if sent_s is None and not rows.filter(sent_at=None).exists():
            sent_s = now - back_at
        if sent_s is not None and not rows.filter(done_at=None).exists():
            done_s = now - back_at
            break
        time.sleep(0.2)
    # Copies of a message (a publish that timed out may still arrive) are taken by the worker too.
    idle_deadline = time.monotonic() + 30
    while time.monotonic() < idle_deadline and not redis.broker_idle():
        time.sleep(0.2)
    time.sleep(2)
    return {"sent_s": sent_s, "done_s": done_s, "total": rows.count(), "not_done": rows.filter(done_at=None).count()}


def _emails(stack, people, skipped_before):
    """The emails each person got (counted in the email files) against the registrations committed."""
    from django.contrib.auth import get_user_model

    from roundtables.models import Registration

    ids = [person["user"] for person in people]
    registered = set(
        Registration.objects.filter(session__slug="common-space", person_id__in=ids).values_list(
            "person__email", flat=True
        )
    )
    addresses = {email.lower() for email in get_user_model().objects.filter(pk__in=ids).values_list("email", flat=True)}
    emails = stack.emails()
    return {
        "registered": registered,
        "once": sum(1 for email in registered if emails[email.lower()] == 1),
        "twice": sum(1 for email in addresses if emails[email] > 1),
        "missing": sum(1 for email in registered if emails[email.lower()] == 0),
        "strays": sum(emails[email] for email in addresses if email not in {e.lower() for e in registered}),
        "skipped": stack.worker_output().count("already done, not run again") - skipped_before,
    }


def _outage_report(stack, name, people, figures):
    """Print the fault's line (and the logs when a promise is broken); whether the promises hold."""
    posts, reads, spread, committed = figures["posts"], figures["reads"], figures["spread"], figures["committed"]
    sent_s, done_s, total, not_done = figures["sent_s"], figures["done_s"], figures["total"], figures["not_done"]
    registered, once, twice = figures["registered"], figures["once"], figures["twice"]
    missing, strays, skipped = figures["missing"], figures["strays"], figures["skipped"]
    statuses = collections.Counter(status for status, _seconds, _error in posts)
    ok = sum(count for status, count in statuses.items() if 200 <= status < 400)
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    failed = sum(count for status, count in statuses.items() if status == 0)
    other = len(posts) - ok - server_errors - failed
    seconds = [s for _status, s, _error in posts]
    p50, p99 = percentile_ms(seconds, 50), percentile_ms(seconds, 99)
    reads_ok = sum(1 for _url, status, _s, _e in reads if status == 200)
    bad_reads = collections.Counter(
        f"{url} {status or error[:40]}" for url, status, _s, error in reads if status != 200
    )

    broken = []
    if server_errors or failed:
        broken.append(f"{server_errors} 5xx and {failed} failed connections")
    if p99 > ACTION_P99_S * 1000:
        broken.append(f"p99 {p99:.0f} ms > {ACTION_P99_S * 1000:.0f} ms")
    if committed != len(people):
        broken.append(f"{committed}/{len(people)} committed")
    if reads_ok != len(reads):
        broken.append(f"{len(reads) - reads_ok} anonymous GETs not 200: {dict(bad_reads)}")
    if sent_s is None or sent_s > RECOVERY_S:
        broken.append(f"tasks not all sent within {RECOVERY_S:.0f} s")
    if done_s is None or not_done:
        broken.append(f"{not_done} tasks not done")
    if twice or missing or strays:
        broken.append(f"{twice} people emailed more than once, {missing} registrations without an email")
    line = (
        f"{len(posts)} POSTs {REGISTER} over {spread:.0f} s: {ok} 2xx/3xx, {server_errors} 5xx, "
        f"{failed} failed, {other} other; p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {max(seconds) * 1000:.0f} ms; "
        f"{committed}/{len(people)} registrations committed, {figures['waiting']}/{total} outbox rows waiting; "
        f"anonymous GETs {reads_ok}/{len(reads)} 200; outage {figures['outage']:.1f} s; after Redis came back: "
        + (
            f"all {total} sent in {sent_s:.1f} s"
            if sent_s is not None
            else f"NOT all sent in {stack.args.recovery_timeout} s"
        )
        + (f", done in {done_s:.1f} s" if done_s is not None else f", {not_done} not done")
        + f"; emails: {once}/{len(registered)} registrations emailed exactly once, {twice} more than once, "
        f"{missing} none; {skipped} duplicate deliveries skipped by the worker"
    )
    say(f"{name}: {'broken' if broken else 'holds'} ({line})")
    if broken:
        say("  broken: " + "; ".join(broken))
        say("  gunicorn log (errors):\n" + tail(stack.web.output(), pattern=r"ERROR|Error|Traceback|Timeout"))
        say("  worker log (end):\n" + tail(stack.worker.output(), 1200))
        say("  relay log (end):\n" + tail(stack.relay.output(), 800))
    return not broken


# --- 3: a worker killed mid-compile ---------------------------------------------------------------


JOB_FIELDS = ("status", "stage", "progress", "total", "round_tables_done", "round_tables_total", "task_id")


def _job_state(job):
    from declarations.models import CompileJob

    return dict(zip(JOB_FIELDS, CompileJob.objects.filter(pk=job.pk).values_list(*JOB_FIELDS).get(), strict=True))


def killed_worker(stack):
    """Fault 3: the Celery worker killed in the middle of a forced compile; a new one finishes it."""
    from declarations.models import Draft
    from roundtables.models import Forum

    name = "Worker killed mid-compile"
    fresh_connection()
    forum = Forum.objects.get(slug=FORUM)
    drafts = Draft.objects.filter(declaration__forum=forum, declaration__language=LANGUAGE)
    job, before, requested = _compile_to_the_middle(forum, drafts)
    figures = _kill_during(stack, job)
    figures["new_drafts"] = drafts.count() - before
    figures["revived"] = stack.worker.output().count("had stalled; sent again")
    again = _compile_unforced(forum)
    figures["after_again"] = drafts.count() - before
    return _killed_worker_report(stack, name, job, again, requested, figures)


def _compile_to_the_middle(forum, drafts):
    """A forced compile (a new version whatever the hash), followed every 20 ms until it is in the
    middle of its round tables; one that ends before (a fast machine) is requested again. Returns the
    job, the number of drafts before it and when it was requested."""
    from declarations import compile as compiler
    from declarations.models import CompileJob

    for _attempt in range(3):
        before = drafts.count()
        requested = time.monotonic()
        job = compiler.request_compile(forum=forum, language=LANGUAGE, user=None, force=True)
        deadline = requested + 120
        while time.monotonic() < deadline:
            state = _job_state(job)
            if state["status"] not in compiler.ACTIVE or (
                state["status"] == CompileJob.Status.RUNNING
                and state["stage"] == "round_tables"
                and state["total"]
                and 0.1 * state["total"] <= state["progress"] <= 0.7 * state["total"]
                and state["round_tables_done"] < state["round_tables_total"]
            ):
                break
            time.sleep(0.02)
        else:
            raise BenchError(f"compile job {job.pk} never reached the middle of its round tables in 120 s: {state}")
        if state["status"] in compiler.ACTIVE:
            return job, before, requested
    raise BenchError(
        f"3 compiles ended before the worker could be killed ({state['total']} contributions): raise --contributions"
    )


def _kill_during(stack, job):
    """Kill the worker, start a new one and wait for it to finish ``job``; the figures of that."""
    from declarations import compile as compiler
    from declarations.models import CompileJob

    old_worker = stack.worker
    killed_at = time.monotonic()
    old_worker.kill()
    at_kill = _job_state(job)
    stack.new_worker()
    ready_s = time.monotonic() - killed_at
    finished_s = None
    deadline = time.monotonic() + 120 + STALL_SECONDS
    while time.monotonic() < deadline:
        # Polled raw: job_progress (the staff page) would revive it itself; the new worker must.
        if CompileJob.objects.filter(pk=job.pk).exclude(status__in=compiler.ACTIVE).exists():
            finished_s = time.monotonic() - killed_at
            break
        time.sleep(0.1)
    job.refresh_from_db()
    time.sleep(2)  # a late copy of the assembly would write a second draft now
    return {
        "old_worker": old_worker,
        "killed_at": killed_at,
        "at_kill": at_kill,
        "ready_s": ready_s,
        "finished_s": finished_s,
    }


def _compile_unforced(forum):
    """Compile again without ``force``: the same inputs, so no new version is expected."""
    from declarations import compile as compiler
    from declarations.models import CompileJob

    again = compiler.request_compile(forum=forum, language=LANGUAGE, user=None)  # same inputs, not forced
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and CompileJob.objects.filter(pk=again.pk, status__in=compiler.ACTIVE).exists():
        time.sleep(0.1)
    again.refresh_from_db()
    time.sleep(1)
    return again


def _killed_worker_report(stack, name, job, again, requested, figures):
    """Print the fault's line (and the workers' logs when a promise is broken); whether they hold."""
    from declarations.models import CompileJob

    at_kill, finished_s, killed_at = figures["at_kill"], figures["finished_s"], figures["killed_at"]
    new_drafts, after_again = figures["new_drafts"], figures["after_again"]
    revived = figures["revived"]
    draft = job.draft
    broken = []
    if job.status != CompileJob.Status.SUCCEEDED:
        broken.append(f"the job ended {job.status} {job.error[:200]!r}" if finished_s else "the job never finished")
    if new_drafts != 1:
        broken.append(f"{new_drafts} new drafts")
    if again.status != CompileJob.Status.UNCHANGED or after_again != new_drafts:
        broken.append(f"compiling again: {again.status}, {after_again - new_drafts} more drafts")
    if draft is not None and again.inputs_hash != draft.inputs_hash:
        broken.append(f"hash {again.inputs_hash[:12]} != draft's {draft.inputs_hash[:12]}")
    line = (
        f"killed at {at_kill['progress']:,}/{at_kill['total']:,} contributions, round tables "
        f"{at_kill['round_tables_done']}/{at_kill['round_tables_total']} done, "
        f"{killed_at - requested:.1f} s after the request; new worker ready in {figures['ready_s']:.1f} s; "
        + (f"job {job.status} {finished_s:.1f} s after the kill" if finished_s is not None else "job not finished")
        + f" (stall limit {STALL_SECONDS} s; revived {revived}×, "
        + ("a new chord sent" if job.task_id != at_kill["task_id"] else "same chord")
        + f"); {new_drafts} new draft"
        + (f" v{draft.version} hash {draft.inputs_hash[:12]}" if draft else "")
        + f"; compiled again unforced: {again.status}, hash {again.inputs_hash[:12] or '-'}, "
        f"{after_again - new_drafts} more drafts"
    )
    say(f"{name}: {'broken' if broken else 'holds'} ({line})")
    if broken:
        say("  broken: " + "; ".join(broken))
        say("  killed worker's log (end):\n" + tail(figures["old_worker"].output(), 1000))
        say("  new worker's log (end):\n" + tail(stack.worker.output(), 1500))
    return not broken


# --- 4: PostgreSQL restarted under load -----------------------------------------------------------


def postgres_restart(stack, people):
    """Fault 4: PostgreSQL restarted under anonymous and signed-in GETs."""
    name = "PostgreSQL restart under load"
    results, marks, load_started = _load_through_restart(stack, people)
    if "accepting" not in marks:
        raise BenchError(f"PostgreSQL did not restart:\n{stack.pg.log_tail()}")
    return _restart_report(stack, name, results, marks, load_started)


def _restart(pg, marks):
    """Restart PostgreSQL; ``marks``: when the restart began, when pg_ctl returned and the first moment
    a new connection works again (once one failed)."""
    marks["restart"] = time.monotonic()
    done = threading.Event()

    def poll():  # the first moment a new connection works again, once one failed
        seen_down = False
        while not done.is_set() and time.monotonic() - marks["restart"] < 90:
            if not pg.accepts(timeout=1):
                seen_down = True
            elif seen_down:
                marks["accepting"] = time.monotonic()
                return
            time.sleep(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        pg.restart()
        marks["pg_ctl"] = time.monotonic()
        poller.join(10)
    finally:
        done.set()
    marks.setdefault("accepting", marks["pg_ctl"])


def _load_through_restart(stack, people):
    """GETs at --rate a second; the restart after --restart-after s; the load goes on at least 5 s
    once new connections are accepted again. Returns each request (started, ended, kind, status,
    error), the restart's marks and when the load began."""
    args, port = stack.args, stack.web.port
    signed_in = [person["cookies"] for person in people[:8]]
    plan = [(url, None) for url in RESTART_ANONYMOUS] + [
        (url, signed_in[i % len(signed_in)]) for i, url in enumerate(RESTART_SIGNED_IN)
    ]
    results, lock = [], threading.Lock()
    marks = {}

    def one(url, cookies):
        started = time.monotonic()
        status, _seconds, error = request(port, "GET", url, cookies=cookies, timeout=10)
        with lock:
            results.append((started, time.monotonic(), "signed-in" if cookies else "anonymous", status, error))

    load_started = time.monotonic()
    end_at = load_started + args.restart_load_seconds
    restarter = None
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=16)
    try:
        index = 0
        while True:
            now = time.monotonic()
            if restarter is None and now - load_started >= args.restart_after:
                restarter = threading.Thread(target=_restart, args=(stack.pg, marks), daemon=True)
                restarter.start()
            if "accepting" in marks:  # at least 5 s of load once it accepts connections again
                end_at = max(end_at, marks["accepting"] + 5)
            if now >= end_at and restarter is not None and not restarter.is_alive():
                break
            if now - load_started > args.restart_load_seconds + 120:
                raise BenchError("the PostgreSQL restart did not end within 120 s")
            url, cookies = plan[index % len(plan)]
            pool.submit(one, url, cookies)
            index += 1
            time.sleep(max(0.0, load_started + index / args.rate - time.monotonic()))
        pool.shutdown(wait=True)  # each request times out after 10 s
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return results, marks, load_started


def _restart_report(stack, name, results, marks, load_started):
    """Print the fault's line: the failures before, during and after the restart; whether none after."""
    restart_at, accepting = marks["restart"], marks["accepting"]

    def window(started, ended):
        # during: in flight at some moment between the start of the restart and the first new connection
        return "after" if started >= accepting else "before" if ended < restart_at else "during"

    counts = collections.Counter(window(started, ended) for started, ended, *_rest in results)
    failed = [
        (window(started, ended), kind, status, error)
        for started, ended, kind, status, error in results
        if status != 200
    ]
    failures = collections.Counter(when for when, *_rest in failed)

    def kinds(when):
        found = collections.Counter(
            f"{kind} {status or error[:60]}" for at, kind, status, error in failed if at == when
        )
        return f" {dict(found)}" if found else ""

    elapsed = max(started for started, *_rest in results) - load_started
    relay = "running" if stack.relay.alive() else f"exited {stack.relay.process.returncode}"
    worker = "running" if stack.worker.alive() else f"exited {stack.worker.process.returncode}"
    broken = failures["after"] > 0
    figures = (
        f"{len(results)} GETs in {elapsed:.1f} s ({len(results) / elapsed:.0f}/s, anonymous and signed-in); "
        f"restart began at {restart_at - load_started:.1f} s, new connections accepted again "
        f"{accepting - restart_at:.2f} s later (pg_ctl returned after {marks['pg_ctl'] - restart_at:.2f} s); "
        f"failed: before {failures['before']}/{counts['before']}{kinds('before')}, "
        f"in flight during the restart {failures['during']}/{counts['during']}{kinds('during')}, "
        f"after {failures['after']}/{counts['after']}{kinds('after')}; "
        f"afterwards the relay is {relay}, the worker {worker}"
    )
    say(f"{name}: {'broken' if broken else 'holds'} ({figures})")
    if broken:
        say("  gunicorn log (errors):\n" + tail(stack.web.output(), pattern=r"ERROR|Error|Traceback"))
    if not stack.relay.alive():
        say(
            "  note: relay_outbox exited with the restart (not part of the promise); its log:\n"
            + tail(stack.relay.output(), 900)
        )
    return not broken


# --- Main -----------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100, help="registrations per Redis outage (default 100)")
    parser.add_argument("--concurrency", type=int, default=8, help="registrations sent at a time (default 8)")
    parser.add_argument("--outage-seconds", type=float, default=15, help="seconds Redis is down (default 15)")
    parser.add_argument("--read-rounds", type=int, default=4, help="rounds of anonymous GETs per outage (default 4)")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--worker-concurrency", type=int, default=2, help="Celery worker processes (default 2)")
    parser.add_argument("--scale", type=int, default=20, help="seed_demo --scale (default 20)")
    parser.add_argument("--contributions", type=int, default=30000, help="contributions to compile (default 30000)")
    parser.add_argument("--recovery-timeout", type=int, default=90, help="seconds to wait for the outbox (default 90)")
    parser.add_argument("--rate", type=float, default=20, help="GETs a second during the restart (default 20)")
    parser.add_argument("--restart-after", type=float, default=3, help="seconds of load before the restart")
    parser.add_argument("--restart-load-seconds", type=float, default=10, help="seconds of load (default 10)")
    parser.add_argument("--pg-bin", default=PG_BIN, help=f"PostgreSQL's programs (default {PG_BIN})")
    parser.add_argument("--keep", action="store_true", help="keep the logs and emails (their folder is printed)")
    parser.add_argument("--budget", type=int, default=600, help="seconds before the bench gives up (default 600)")
    args = parser.parse_args(argv)
    if args.people < 1 or args.concurrency < 1 or args.rate <= 0:
        raise BenchError("--people, --concurrency and --rate must be positive")
    if shutil.which("redis-server") is None:
        raise BenchError("redis-server is not installed")

    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGHUP, stop_on_signal)
    signal.signal(signal.SIGALRM, stop_on_signal)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.alarm(args.budget)
    atexit.register(cleanup)

    started = time.monotonic()
    try:
        stack = Stack(args)
        stack.start()
        people = stack.people
        held = [
            redis_outage(stack, people[: args.people], frozen=False),
            redis_outage(stack, people[args.people : 2 * args.people], frozen=True),
            killed_worker(stack),
            postgres_restart(stack, people[: args.people]),
        ]
    finally:
        cleanup()
        signal.alarm(0)
    say(f"faults: {sum(held)}/{len(held)} promises hold ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        cleanup()
        print(f"bench/faults.py: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        cleanup()
        print("bench/faults.py: interrupted; everything it started is stopped", file=sys.stderr)
        sys.exit(130)
