"""300 signed-in people press "Register" for the common space at the same moment, over HTTP.

    .venv/bin/python bench/registration_race.py
    .venv/bin/python bench/registration_race.py --users 300 --seats 100 --workers 4

Needs PostgreSQL and Redis on the loopback interface (--database-url, default
postgres://postgres@127.0.0.1:5432/gfmd_race, created if missing; --redis-url, default
redis://127.0.0.1:6379/13, flushed at the start: the cache, and the broker that receives the
confirmation emails). It migrates that database, collects the static files and loads the
2017 forum, then, in a Django child process: opens registration for the current forum's
common space (``--seats``, 30 % civil society, 20 % private sector, 20 % government, the rest
open to anyone) through ``roundtables.registration.services.configure_registration``, replaces the
previous run's people with ``--users`` new ones (verified email, profiles of six
constituencies) and signs each in by writing a Django session, whose cookies it writes to a
file. gunicorn (DEBUG=0, plain HTTP on 127.0.0.1) starts; each person GETs
/en/common-space/ for a CSRF token. Then, on the same server:

1. the bare burst: one thread per person POSTs the bare signed-in view (/bench/signed-in: the
   session, the user and the CSRF check, nothing else), all released together by a barrier;
2. the race: the same people, the same way, POST /en/common-space/register/;
3. the sustained case: ``--rate`` other people a second for ``--duration`` seconds register (all
   on the waiting list by then: the same work under the lock), each request sent at its time
   whatever the answers to the earlier ones.

Each request is timed. The outcome is read from the database. gunicorn is always stopped, also
on error or Ctrl-C. The last line printed is always, on success::

    confirmed=N waitlisted=N errors=N duplicates=N p50_ms=N p95_ms=N bare_p95_ms=N ratio=R

errors: answers other than 2xx/3xx (and connections that failed); duplicates: people with
more than one live registration; ratio: the race's p95 over the bare burst's. A burst of 300
queues behind the server's cores whatever the code does: the bare burst measures that queue.
Targets: confirmed=seats, waitlisted=users-seats, errors=0, duplicates=0, ratio at most 3; the
sustained case's p95 at most 150 ms (printed on the line before).
"""

import argparse
import collections
import concurrent.futures
import http.client
import http.cookies
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # bench/pages.py: services, gunicorn, percentiles
from pages import BASE_DIR, PYTHON, BenchError

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gfmd_race"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
PAGE = "/en/common-space/"
REGISTER = "/en/common-space/register/"
BARE = "/bench/signed-in"
PREFIX = "race-"  # the benchmark's people: race-0001@example.org, …
STEADY_PREFIX = "steady-"  # the sustained case's people
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Run in a Django child process: the policy, the people, their sessions (cookies to a file).
SETUP = """
import json, sys
import django
django.setup()
from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session as StoredSession
from django.db import transaction

from common.models import OutboxTask
from roundtables.registration import services
from roundtables.models import Forum, Registration, Session
from stakeholders.models import Profile
from stakeholders.tests import personas

path, count, seats, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
steady_count, steady_prefix = int(sys.argv[5]), sys.argv[6]
User = get_user_model()
session = Session.objects.get(forum=Forum.objects.current(), slug="common-space")
staff_email = prefix + "staff@example.org"
staff = User.objects.filter(username=staff_email).first() or personas.staff(staff_email)
with transaction.atomic():
    Registration.objects.filter(session=session).delete()
    User.objects.filter(username__startswith=prefix).exclude(pk=staff.pk).delete()
    User.objects.filter(username__startswith=steady_prefix).delete()
    StoredSession.objects.all().delete()
    OutboxTask.objects.all().delete()
quotas = {"civil_society": seats * 30 // 100, "private_sector": seats * 20 // 100, "government": seats * 20 // 100}
services.configure_registration(
    session=session, staff=staff, total_seats=seats, quotas=quotas, eligible_constituencies=[]
)
constituencies = [
    "civil_society", "private_sector", "government", "civil_society", "international_organisation",
    "private_sector", "academia", "government", "local_authority", "civil_society",
]
unusable = make_password(None)  # nobody signs in with a password: the session is written directly
names = [f"{prefix}{n:04d}@example.org" for n in range(count)]
names += [f"{steady_prefix}{n:04d}@example.org" for n in range(steady_count)]
with transaction.atomic():
    users = User.objects.bulk_create([User(username=name, email=name, password=unusable) for name in names])
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users]
    )
    Profile.objects.bulk_create(
        [Profile(user=user, constituency=constituencies[n % len(constituencies)], preferred_language="en")
         for n, user in enumerate(users)]
    )
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
people = []
for user in users:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    people.append(
        {"user": user.pk, "steady": user.username.startswith(steady_prefix),
         "cookies": {settings.SESSION_COOKIE_NAME: store.session_key}}
    )
with open(path, "w") as file:
    json.dump(people, file)
print(json.dumps({"quotas": quotas, "open": seats - sum(quotas.values()), "people": count, "steady": steady_count}))
"""

# Run in a Django child process: what the database holds afterwards.
RESULTS = """
import json, sys
import django
django.setup()
from django.db.models import Count

from common.models import OutboxTask
from roundtables.registration import services
from roundtables.models import Forum, Registration, Session

prefix, steady_prefix = sys.argv[1], sys.argv[2]
session = Session.objects.get(forum=Forum.objects.current(), slug="common-space")
policy = session.registration_policy
live = Registration.objects.filter(session=session, person__username__startswith=prefix).exclude(status="cancelled")
pools = dict(live.filter(status="confirmed").order_by().values_list("seat_pool").annotate(n=Count("id")))
capacity = {**policy.quotas(), "open": policy.open_seats()}
waiting = list(live.filter(status="waitlisted").order_by("id").values_list("constituency", flat=True))
print(json.dumps({
    "confirmed": live.filter(status="confirmed").count(),
    "waitlisted": len(waiting),
    "duplicates": live.order_by().values("person").annotate(n=Count("id")).filter(n__gt=1).count(),
    "people": live.order_by().values("person").distinct().count(),
    "pools": pools,
    "capacity": capacity,
    # A free seat while someone who may take it waits: the rules were not applied.
    "free_while_waiting": sorted(
        pool for pool, seats in capacity.items()
        if pools.get(pool, 0) < seats and (pool == "open" and waiting or pool in waiting)
    ),
    "steady_registered": Registration.objects.filter(session=session, person__username__startswith=steady_prefix)
    .exclude(status="cancelled").count(),
    "steady_duplicates": Registration.objects.filter(session=session, person__username__startswith=steady_prefix)
    .exclude(status="cancelled").order_by().values("person").annotate(n=Count("id")).filter(n__gt=1).count(),
    "email_tasks": OutboxTask.objects.filter(task_name="roundtables.tasks.send_registration_email").count(),
    "email_tasks_pending": OutboxTask.objects.filter(
        task_name="roundtables.tasks.send_registration_email", sent_at=None
    ).count(),
}))
"""


class Server(pages.Gunicorn):
    """pages.Gunicorn with a choice of worker class and threads."""

    def __init__(self, env, log, *, workers, worker_class, threads, wsgi):
        super().__init__(env, workers, log, wsgi)
        self.worker_class, self.threads = worker_class, threads

    def options(self):
        return [
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--backlog",
            "2048",
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ]


def django_script(env, script, *args, timeout=300):
    result = subprocess.run(
        [PYTHON, "-c", script, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode:
        raise BenchError(f"Django script failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def flush_redis(url):
    import redis

    redis.Redis.from_url(url, socket_timeout=5).flushdb()


def queue_length(url):
    import redis

    return redis.Redis.from_url(url, socket_timeout=5).llen("celery")


def _cookie_header(cookies):
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def get_token(port, person):
    """GET the page as this person: the csrftoken cookie and the form's csrfmiddlewaretoken."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", PAGE, headers={"Host": "127.0.0.1", "Cookie": _cookie_header(person["cookies"])})
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        if response.status != 200:
            raise BenchError(f"GET {PAGE} answered {response.status} {response.getheader('Location', '')}")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                person["cookies"][name] = morsel.value
        match = TOKEN.search(body)
        if not match or "csrftoken" not in person["cookies"]:
            raise BenchError(f"no registration form on {PAGE} for user {person['user']}:\n{body[:1500]}")
        person["token"] = match.group(1)
    finally:
        connection.close()


def _post(port, path, index, person, timeout, before=None):
    """POST the registration form to ``path`` as this person: (status, location, seconds).
    ``before``: called once connected, just before the request (the barrier)."""
    body = urlencode(
        {
            "csrfmiddlewaretoken": person["token"],
            "accessibility_needs": "step-free access" if index % 7 == 0 else "",
            "visa_letter_needed": ["", "yes", "no"][index % 3],
            "dietary_needs": "vegetarian" if index % 4 == 0 else "",
        }
    )
    headers = {
        "Host": "127.0.0.1",
        "Cookie": _cookie_header(person["cookies"]),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    if before is not None:
        before()
    started = time.perf_counter()
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return (response.status, response.getheader("Location", ""), time.perf_counter() - started)
    except (OSError, http.client.HTTPException) as exc:
        return (0, f"{type(exc).__name__}: {exc}", time.perf_counter() - started)
    finally:
        connection.close()


def post_all(port, people, timeout, path=REGISTER):
    """One thread per person; a barrier releases them together. Returns [(status, location, seconds)]."""
    barrier = threading.Barrier(len(people), timeout=60)
    results = [None] * len(people)

    def post(index, person):
        results[index] = _post(port, path, index, person, timeout, before=barrier.wait)

    threading.stack_size(512 * 1024)
    threads = [threading.Thread(target=post, args=(i, p), daemon=True) for i, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 60)
    return [result or (0, "no answer", float(timeout)) for result in results]


def post_steadily(port, people, rate, timeout):
    """Each person registers at their own time, ``rate`` a second, whatever the answers to the
    earlier requests (an open loop: a slow server does not slow the arrivals down)."""
    start = time.perf_counter() + 0.5

    def post(index, person):
        delay = start + index / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        return _post(port, REGISTER, index, person, timeout)

    with concurrent.futures.ThreadPoolExecutor(max_workers=min(len(people), max(16, int(rate * 2)))) as pool:
        return list(pool.map(post, range(len(people)), people))


def _errors(results):
    return sum(1 for status, _location, _seconds in results if not 200 <= status < 400)


def _latencies(results):
    return sorted(seconds * 1000 for _status, _location, seconds in results)


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=300, help="people who register at once (default 300)")
    parser.add_argument("--seats", type=int, default=100, help="seats of the common space (default 100)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class: sync or gthread (default sync)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread; default 1)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help=f"default {DEFAULT_REDIS_URL} (flushed)")
    parser.add_argument("--timeout", type=int, default=30, help="seconds a request may take (default 30)")
    parser.add_argument("--rate", type=float, default=50, help="sustained case: registrations a second (default 50)")
    parser.add_argument(
        "--duration", type=float, default=20, help="sustained case: seconds (default 20; 0 leaves it out)"
    )
    parser.add_argument(
        "--wsgi",
        default="gfmd_portal.wsgi",
        help="WSGI module for gunicorn (default gfmd_portal.wsgi; another, e.g. on PYTHONPATH, to compare a change)",
    )
    args = parser.parse_args(argv)
    if args.users < 2 or args.seats < 1:
        raise BenchError("--users must be at least 2 and --seats at least 1")
    return args


def _prepare(args, cookie_file):
    """The database, the forum, the policy and the people (signed in; their cookies in ``cookie_file``).
    Returns (environment of the server, everyone, the burst's people, the sustained case's people)."""
    database_url, redis_url = args.database_url, args.redis_url
    print(f"database {database_url}, redis {redis_url}; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    if pages._ensure_database(database_url):
        print(f"created database {urlparse(database_url).path.lstrip('/')}")
    flush_redis(redis_url)
    env = pages._child_env(database_url, redis_url)  # one SECRET_KEY for the sessions and the server
    started = time.monotonic()
    pages._manage(env, "migrate", "--noinput")
    pages._manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    pages._manage(env, "load_forum")
    steady_count = round(args.rate * args.duration)
    setup = django_script(
        env, SETUP, str(cookie_file), str(args.users), str(args.seats), PREFIX, str(steady_count), STEADY_PREFIX
    )
    print(
        f"setup {time.monotonic() - started:.1f} s: {setup['people']} people signed in, {args.seats} seats "
        f"(quotas {setup['quotas']}, open {setup['open']}); {setup['steady']} more for the sustained case"
    )
    everyone = json.loads(cookie_file.read_text())  # the load phase reads the cookies from the file
    people = [person for person in everyone if not person["steady"]]
    steady = [person for person in everyone if person["steady"]]
    return env, everyone, people, steady


def _timed_burst(server, people, timeout, path=REGISTER):
    """The burst on ``path``: (results, wall seconds, gunicorn CPU seconds)."""
    time.sleep(1)
    cpu_before = pages.group_cpu_seconds(server.process.pid)
    started = time.monotonic()
    results = post_all(server.port, people, timeout, path=path)
    return results, time.monotonic() - started, pages.group_cpu_seconds(server.process.pid) - cpu_before


def _serve_and_measure(args, env, log, everyone, people, steady):
    """On one gunicorn: the CSRF tokens, the bare burst, the race and the sustained case."""
    measured = {"sustained": [], "steady_wall": 0.0}
    server = Server(
        env, log, workers=args.workers, worker_class=args.worker_class, threads=args.threads, wsgi=args.wsgi
    )
    try:
        server.start()
        server.wait_healthy()
        print(
            f"gunicorn {args.wsgi}, {args.workers} {args.worker_class} workers"
            + (f" × {args.threads} threads" if args.threads > 1 else "")
            + f" on 127.0.0.1:{server.port}"
        )
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda person: get_token(server.port, person), everyone))
        print(f"CSRF tokens: {len(everyone)} GETs of {PAGE} in {time.monotonic() - started:.1f} s")

        bare, _wall, bare_cpu = _timed_burst(server, people, args.timeout, path=BARE)
        bare_latencies = _latencies(bare)
        measured["bare"], measured["bare_p95"] = bare, pages._percentile(bare_latencies, 95)
        print(
            f"bare burst: {len(bare)} POSTs of {BARE} at once; errors {_errors(bare)}; "
            f"p50 {pages._percentile(bare_latencies, 50):.0f} ms, p95 {measured['bare_p95']:.0f} ms; "
            f"gunicorn CPU {bare_cpu * 1000 / len(bare):.1f} ms per request"
        )
        measured["results"], measured["wall"], measured["cpu"] = _timed_burst(server, people, args.timeout)
        if steady:
            time.sleep(1)
            started = time.monotonic()
            measured["sustained"] = post_steadily(server.port, steady, args.rate, args.timeout)
            measured["steady_wall"] = time.monotonic() - started
    finally:
        server.stop()
        measured["server_output"] = server.output()
    return measured


def _report_race(measured, outcome, queued):
    """The race's lines; returns (errors, p95)."""
    results, wall = measured["results"], measured["wall"]
    statuses = collections.Counter(status for status, _location, _seconds in results)
    errors = _errors(results)
    unexpected = collections.Counter(
        f"{status} {location}"[:120] for status, location, _s in results if (status, location) != (302, PAGE)
    )
    latencies = _latencies(results)
    print(
        f"POSTs: {len(results)} in {wall:.2f} s ({len(results) / wall:.0f} req/s); statuses {dict(statuses)}; "
        f"p99 {pages._percentile(latencies, 99):.0f} ms, max {latencies[-1]:.0f} ms; "
        f"gunicorn CPU {measured['cpu'] * 1000 / len(results):.1f} ms per request"
    )
    if unexpected:
        print(f"answers other than 302 to {PAGE}: {dict(unexpected.most_common(5))}")
    if errors and measured["server_output"].strip():
        print("gunicorn log (end):\n" + measured["server_output"][-1500:])
    print(
        f"database: seats taken {outcome['pools']} of {outcome['capacity']}; free while someone waits: "
        f"{outcome['free_while_waiting'] or 'none'}; {outcome['people']} people registered; "
        f"email tasks {outcome['email_tasks']} ({outcome['email_tasks_pending']} pending), {queued} in the broker queue"
    )
    return errors, latencies


def _report_sustained(args, measured, outcome, steady):
    """The sustained case's line; True when it met its target (or did not run)."""
    sustained = measured["sustained"]
    if not sustained:
        return True
    latencies = _latencies(sustained)
    p95 = pages._percentile(latencies, 95)
    errors = _errors(sustained)
    print(
        f"sustained: {len(sustained)} registrations at {args.rate:g}/s in {measured['steady_wall']:.1f} s: "
        f"registered={outcome['steady_registered']} errors={errors} "
        f"duplicates={outcome['steady_duplicates']} p50_ms={pages._percentile(latencies, 50):.0f} "
        f"p95_ms={p95:.0f} max_ms={latencies[-1]:.0f} (target p95 <= 150)"
    )
    return (
        errors == 0 and outcome["steady_registered"] == len(steady) and outcome["steady_duplicates"] == 0 and p95 <= 150
    )


def main(argv=None):
    args = _arguments(argv)
    pages.check_services(args.database_url, args.redis_url, names=("--database-url", "--redis-url"))

    signal.signal(signal.SIGALRM, pages._stop_on_signal)
    signal.alarm(1500)  # setup, the bursts, the sustained case and the counts, with a wide margin
    signal.signal(signal.SIGTERM, pages._stop_on_signal)
    signal.signal(signal.SIGINT, signal.default_int_handler)

    with tempfile.TemporaryDirectory(prefix="bench-race-") as tmp, open(Path(tmp) / "gunicorn.log", "w+") as log:
        env, everyone, people, steady = _prepare(args, Path(tmp) / "cookies.json")
        measured = _serve_and_measure(args, env, log, everyone, people, steady)
        signal.alarm(120)
        outcome = django_script(env, RESULTS, PREFIX, STEADY_PREFIX)
        queued = queue_length(args.redis_url)
    signal.alarm(0)

    errors, latencies = _report_race(measured, outcome, queued)
    steady_ok = _report_sustained(args, measured, outcome, steady)
    p50, p95, bare_p95 = pages._percentile(latencies, 50), pages._percentile(latencies, 95), measured["bare_p95"]
    print(
        f"confirmed={outcome['confirmed']} waitlisted={outcome['waitlisted']} errors={errors} "
        f"duplicates={outcome['duplicates']} p50_ms={p50:.0f} p95_ms={p95:.0f} "
        f"bare_p95_ms={bare_p95:.0f} ratio={p95 / max(bare_p95, 1):.2f}"
    )
    target = (
        outcome["confirmed"] == args.seats
        and outcome["waitlisted"] == args.users - args.seats
        and errors == 0
        and outcome["duplicates"] == 0
        and _errors(measured["bare"]) == 0
        and p95 <= 3 * bare_p95
        and steady_ok
    )
    return 0 if target else 1


if __name__ == "__main__":
    pages.run(main, "registration_race.py")
