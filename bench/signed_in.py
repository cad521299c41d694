"""What a signed-in visitor's pages cost on the server, next to a bare signed-in view, in one process.

    .venv/bin/python bench/signed_in.py
    .venv/bin/python bench/signed_in.py --runs 51 --profile /en/practices/?q=migrants

Needs PostgreSQL and Redis on the loopback interface (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/gfmd_bench_signed_in, created if missing; REDIS_URL, default
redis://127.0.0.1:6379/12, flushed at the start). It migrates that database, collects the static
files, loads the 2017 forum and ``seed_demo --scale 20 --seed 1``, then, in one Django child
process (DEBUG=0, plain HTTP):
signs in a civil-society participant with a verified email (the Django test client, through the
whole middleware stack and the Redis session cache), requests each page once to fill the
per-process caches, then ``--runs`` times in turn with the bare view (``/bench/signed-in``, which
reads ``request.user``: the session and the user are loaded as for a page), and prints for each
page the median server time, its ratio to the bare view's median, the SQL queries of one request,
and (for comparison, not a target) its ratio to the plain bare view (``/bench/bare``: no session read).
Signed-in visitors are never served from the page cache, so every request renders.

Targets: the median of the pages' ratios at most 25, no page over 60, no page over 10 queries.
``--profile URL`` prints a cProfile of that URL (the top functions by cumulative time) instead.
"""

import argparse
import json
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # bench/pages.py: services, child environment
from pages import BASE_DIR, PYTHON, BenchError

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gfmd_bench_signed_in"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
BARE = "/bench/signed-in"
PLAIN = "/bench/bare"  # no session, no user: shown for comparison
# The main page of every feature, as a signed-in participant sees it.
URLS = [
    ("home", "/en/"),
    ("programme", "/en/roundtables/"),
    ("round table", "/en/roundtables/gfmd-2017/1.1/"),
    ("SDG targets", "/en/sdg-targets/"),
    ("SDG target", "/en/sdg-targets/10.7/"),
    ("agenda", "/en/agenda/"),
    ("agenda feed", "/en/agenda/gfmd-2017/calendar.ics"),
    ("practices", "/en/practices/"),
    ("practices ?q=", "/en/practices/?q=migrants"),
    ("practice", None),  # the first published practice, found in the child
    ("contributions", "/en/roundtables/gfmd-2017/1.1/contributions/"),
    ("declaration", "/en/declaration/"),
    ("common space", "/en/common-space/"),
    ("account", "/en/accounts/"),
    ("my registrations", "/en/accounts/registrations/"),
    ("API round tables", "/api/v1/roundtables/"),
    ("API SDG targets", "/api/v1/sdg-targets/"),
    ("API practices", "/api/v1/practices/"),
    ("API sessions", "/api/v1/sessions/"),
]
MAX_MEDIAN_RATIO = 25
MAX_RATIO = 60
MAX_QUERIES = 10

# Run in a Django child process: sign in, warm, time each page against the bare view, count queries.
MEASURE = """
import cProfile, io, json, pstats, statistics, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from practices.models import Practice
from roundtables.models import Forum, Session
from roundtables.registration import services
from stakeholders.tests import personas

urls, bare, runs, profile, plain = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
email = "bench-signed-in@example.org"
get_user_model().objects.filter(username=email).delete()
user = personas.participant(email)
session = Session.objects.get(forum=Forum.objects.current(), slug="common-space")
if not hasattr(session, "registration_policy"):
    staff = get_user_model().objects.filter(username="bench-staff@example.org").first()
    staff = staff or personas.staff("bench-staff@example.org")
    services.configure_registration(
        session=session, staff=staff, total_seats=200, quotas={"civil_society": 60}, eligible_constituencies=[]
    )
services.register(session=session, person=user)
practice = Practice.objects.filter(status="published").order_by("pk").first()
urls = [(name, url or f"/en/practices/{practice.pk}/") for name, url in urls]
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)

def timed(url):
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code} {response.get('Location', '')}")
    return elapsed * 1000

for _name, url in [("bare", bare), ("plain", plain), *urls]:
    timed(url)
    timed(url)

if profile:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        timed(profile)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue())
    raise SystemExit(0)

times = {url: [] for _name, url in [("bare", bare), ("plain", plain), *urls]}
for _ in range(runs):
    for _name, url in urls:
        times[bare].append(timed(bare))
        times[plain].append(timed(plain))
        times[url].append(timed(url))
result = {"bare": statistics.median(times[bare]), "plain": statistics.median(times[plain]), "pages": []}
for name, url in urls:
    with CaptureQueriesContext(connection) as queries:
        timed(url)
    result["pages"].append({"name": name, "url": url, "ms": statistics.median(times[url]), "queries": len(queries)})
print("BENCH_JSON " + json.dumps(result))
"""


def measure(env, runs, profile):
    urls = json.dumps(URLS)
    result = subprocess.run(
        [PYTHON, "-c", MEASURE, urls, BARE, str(runs), profile or "", PLAIN],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    if result.returncode:
        raise BenchError(f"measuring failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    if profile:
        print(result.stdout)
        return None
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise BenchError(f"no result:\n{result.stdout}\n{result.stderr}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=25, help="requests per page (default 25; the median is kept)")
    parser.add_argument("--scale", type=int, default=20, help="seed_demo --scale (default 20)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help=f"default {DEFAULT_REDIS_URL} (flushed)")
    parser.add_argument("--profile", metavar="URL", help="print a cProfile of this URL instead of the table")
    args = parser.parse_args(argv)
    database_url, redis_url = args.database_url, args.redis_url
    pages.check_services(database_url, redis_url, names=("--database-url", "--redis-url"))
    signal.signal(signal.SIGTERM, pages._stop_on_signal)

    import redis

    redis.Redis.from_url(redis_url, socket_timeout=5).flushdb()
    if pages._ensure_database(database_url):
        print(f"created database {urlparse(database_url).path.lstrip('/')}")
    env = pages._child_env(database_url, redis_url)
    started = time.monotonic()
    pages._manage(env, "migrate", "--noinput")
    pages._manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    pages._manage(env, "load_forum")
    pages._manage(env, "seed_demo", "--scale", str(args.scale), "--seed", "1")
    seconds = time.monotonic() - started
    print(f"database {database_url}, redis {redis_url}; seed_demo --scale {args.scale}: {seconds:.1f} s")
    result = measure(env, args.runs, args.profile)
    if result is None:
        return 0

    bare = result["bare"]
    rows = result["pages"]
    for row in rows:
        row["ratio"] = row["ms"] / bare
        row["plain_ratio"] = row["ms"] / result["plain"]
    width = max(len(row["url"]) for row in rows)
    print(f"{'page':<18} {'url':<{width}} {'median ms':>9} {'× bare':>7} {'queries':>7} {'× plain':>7}")
    for row in rows:
        flag = " !" if row["ratio"] > MAX_RATIO or row["queries"] > MAX_QUERIES else ""
        print(
            f"{row['name']:<18} {row['url']:<{width}} {row['ms']:>9.2f} {row['ratio']:>7.1f} {row['queries']:>7} "
            f"{row['plain_ratio']:>7.1f}{flag}"
        )
    median = statistics.median(row["ratio"] for row in rows)
    worst = max(rows, key=lambda row: row["ratio"])
    most = max(rows, key=lambda row: row["queries"])
    print(
        f"bare_ms={bare:.2f} plain_bare_ms={result['plain']:.2f} median_ratio={median:.1f} "
        f"max_ratio={worst['ratio']:.1f} ({worst['name']}) "
        f"max_queries={most['queries']} ({most['name']})"
    )
    target = median <= MAX_MEDIAN_RATIO and worst["ratio"] <= MAX_RATIO and most["queries"] <= MAX_QUERIES
    return 0 if target else 1


if __name__ == "__main__":
    pages.run(main, "signed_in.py")
