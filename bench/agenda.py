"""The public agenda, its calendar feed, the sessions API and the printable programme with a big agenda.

    .venv/bin/python bench/agenda.py               # 200 sessions, 1,000 role assignments, 10 s per URL
    .venv/bin/python bench/agenda.py --quick       # 3 s per URL

Needs PostgreSQL and Redis on the loopback interface (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/gfmd_agenda_bench, created if missing; REDIS_URL, default
redis://127.0.0.1:6379/12). It migrates that database, loads the 2017 forum, then (again on each
run, so that runs compare) replaces its "bench-" sessions with ``--sessions`` published, dated
sessions over the three days of the summit in 10 rooms, with ``--roles`` role assignments among
them (3 in 5 held by 300 people with accounts, names and organisations, the others by guests),
4 steps of running order each and a change since publication for one in four; the note's own 9
sessions stay too, undated.

Then, with the anonymous page cache OFF (PAGE_CACHE_SECONDS=0: every request renders, which is
what a signed-in visitor or the first visitor after a change gets):

1. the SQL queries of one render of each URL (a separate process, Django's test client);
2. gunicorn (2 sync workers) serves each URL to 2 keep-alive connections (one per worker, so
   that the times are the server's, not a queue's) for ``--duration`` seconds: p50/p95/p99, the
   ratio of the p50 to the bare view's served in the same run, and the server's CPU time per
   request;
3. the programme PDF in English and French, ``--pdf-runs`` times each: seconds per PDF.

4. the same server with the page cache on (PAGE_CACHE_SECONDS=600, Redis): the agenda, the feed and
   the API as anonymous visitors and calendar applications get them.

Targets: the agenda page and the full feed at most 10 queries and p95 under 150 ms; the PDF
under 5 s. The last line sums it up; the exit status is 1 when a target is missed.
"""

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # bench/pages.py: services, gunicorn, load generators, query counting
from pages import BASE_DIR, PYTHON, BenchError

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gfmd_agenda_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
AGENDA = "/en/agenda/"
FEED = "/en/agenda/gfmd-2017/calendar.ics"
URLS = [
    pages.BARE,
    AGENDA,
    FEED,
    "/en/agenda/gfmd-2017/round-tables/1.1/",
    "/en/agenda/gfmd-2017/round-tables/1.1/calendar.ics",
    "/api/v1/sessions/",
]
PDFS = ["/en/agenda/gfmd-2017/programme.pdf", "/fr/agenda/gfmd-2017/programme.pdf"]
MAX_QUERIES = 10
MAX_P95_MS = 150
MAX_PDF_S = 5

BUILD = """
import datetime, json, random, sys
from zoneinfo import ZoneInfo
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from roundtables.models import AgendaItem, Session, SessionChange, SessionRole
from roundtables.programme.services import load_forum
from stakeholders.models import Organisation, Profile

sessions_wanted, roles_wanted = int(sys.argv[1]), int(sys.argv[2])
forum, _tally = load_forum()
zone = ZoneInfo(forum.time_zone)
rng = random.Random(1)
User = get_user_model()
with transaction.atomic():
    Session.objects.filter(forum=forum, slug__startswith="bench-").delete()
    organisations = [
        Organisation.objects.get_or_create(
            name=f"Bench organisation {number}", country="DE", defaults={"constituency": "civil_society"}
        )[0]
        for number in range(20)
    ]
    have = User.objects.filter(username__startswith="bench-person-").count()
    created = User.objects.bulk_create(
        User(username=f"bench-person-{n}", email=f"bench{n}@example.org", first_name=f"Person{n}", last_name="Bench")
        for n in range(have, 300)
    )
    Profile.objects.bulk_create(
        Profile(user=user, organisation=organisations[n % 20], constituency="civil_society")
        for n, user in enumerate(created)
    )
    people = list(User.objects.filter(username__startswith="bench-person-").order_by("id"))
    round_tables = list(forum.round_tables.order_by("position").prefetch_related("guiding_questions"))
    now = timezone.now()
    sessions = []
    for n in range(sessions_wanted):
        day, slot, room = 28 + n % 3, (n // 3) % 8, (n // 24) % 10
        start = datetime.datetime(2017, 6, day, 8 + slot, 0, tzinfo=zone)
        round_table = round_tables[n % len(round_tables)]
        title = f"Session {n + 1}: {round_table.title_en[:60]}"
        sessions.append(
            Session(
                forum=forum, slug=f"bench-{n + 1}", kind="round_table", round_table=round_table,
                title=title, title_en=title, title_fr=f"Séance {n + 1} : {round_table.title_fr[:60]}",
                start=start, end=start + datetime.timedelta(minutes=55), venue="Berlin", room=f"Room {room + 1}",
                status="published", published_at=now,
            )
        )
    sessions = Session.objects.bulk_create(sessions)
    kinds = ["chair", "moderator", "rapporteur", "speaker", "speaker", "panellist"]
    roles = []
    for n in range(roles_wanted):
        session = sessions[n % len(sessions)]
        if n % 5 < 3:
            who = {"person": people[rng.randrange(len(people))]}
        else:
            who = {"guest_name": f"Guest {n}", "guest_organisation": f"Guest organisation {n % 40}"}
        roles.append(SessionRole(session=session, role=kinds[n % 6], position=n, **who))
    SessionRole.objects.bulk_create(roles)
    items = []
    for session in sessions:
        questions = list(session.round_table.guiding_questions.all())
        items += [
            AgendaItem(session=session, kind="opening", minutes=5, position=1),
            AgendaItem(session=session, kind="guiding_question", guiding_question=questions[0], minutes=20, position=2),
            AgendaItem(session=session, kind="guiding_question", guiding_question=questions[1], minutes=20, position=3),
            AgendaItem(session=session, kind="conclusions", minutes=10, position=4),
        ]
    AgendaItem.objects.bulk_create(items)
    SessionChange.objects.bulk_create(
        SessionChange(session=session, summary="Room changed", after_publication=True) for session in sessions[::4]
    )
print(json.dumps({
    "sessions": Session.objects.filter(forum=forum, status="published").count(),
    "dated": Session.objects.filter(forum=forum, status="published", start__isnull=False).count(),
    "roles": SessionRole.objects.filter(session__forum=forum).count(),
    "items": AgendaItem.objects.filter(session__forum=forum).count(),
    "changes": SessionChange.objects.filter(session__forum=forum).count(),
}))
"""


def build(env, sessions, roles):
    import json
    import subprocess

    started = time.monotonic()
    result = subprocess.run(
        [PYTHON, "-c", BUILD, str(sessions), str(roles)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode:
        raise BenchError(f"building the agenda failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1]), time.monotonic() - started


def time_pdfs(port, runs):
    """{url: [seconds, ...]}: each PDF fetched ``runs`` times, one after the other."""
    timings = {}
    for url in PDFS:
        timings[url] = []
        for _ in range(runs):
            started = time.perf_counter()
            status, headers, body = pages.fetch(port, url, timeout=60)
            elapsed = time.perf_counter() - started
            if status != 200 or not body.startswith(b"%PDF"):
                raise BenchError(f"{url} answered {status} {headers.get('Content-Type')}")
            timings[url].append(elapsed)
        timings[url + " bytes"] = len(body)
    return timings


def serve(env, urls, args, duration, *, pdf_runs, label):
    """Start gunicorn with ``env``, load each URL in turn; returns (rows, PDF timings)."""
    rows, pdfs = [], {}
    queries = pages.count_queries(env, urls) if env.get("PAGE_CACHE_SECONDS") == "0" else {}
    with tempfile.TemporaryDirectory(prefix="bench-agenda-") as tmp, open(Path(tmp) / "gunicorn.log", "w+") as log:
        server = pages.Gunicorn(env, args.workers, log)
        try:
            server.start()
            server.wait_healthy()
            print(
                f"gunicorn, {args.workers} sync workers on 127.0.0.1:{server.port}; {label}; "
                f"{args.connections} connections, {duration} s per URL"
            )
            for url in urls:
                status, cache, size = pages.warm(server.port, url, 5)
                if status != 200:
                    raise BenchError(f"{url} answered {status}")
                cpu_before = pages.group_cpu_seconds(server.process.pid)
                result = pages.load_python(server.port, url, connections=args.connections, duration=duration)
                cpu = pages.group_cpu_seconds(server.process.pid) - cpu_before
                rows.append(
                    {
                        "url": url,
                        **result,
                        "size": size,
                        "queries": queries.get(url, {}).get("queries", cache),
                        "cpu_us": cpu * 1e6 / result["requests"] if result["requests"] else 0.0,
                    }
                )
                print(f"  {url}: p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, {size} bytes")
            if pdf_runs:
                pdfs = time_pdfs(server.port, pdf_runs)
        finally:
            server.stop()
    bare_p50 = rows[0]["p50"] or 1.0
    for row in rows:
        row["ratio"] = row["p50"] / bare_p50
    return rows, pdfs


def table(rows):
    header = [
        "url",
        "queries/cache",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "p50 / bare",
        "req/s",
        "cpu µs/req",
        "bytes",
        "errors",
    ]
    lines = [header] + [
        [
            row["url"],
            str(row["queries"]),
            f"{row['p50']:.1f}",
            f"{row['p95']:.1f}",
            f"{row['p99']:.1f}",
            f"{row['ratio']:.1f}",
            f"{row['rps']:.0f}",
            f"{row['cpu_us']:.0f}",
            str(row["size"]),
            str(row["errors"]),
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for index, line in enumerate(lines):
        cells = zip(line, widths, strict=True)
        out.append("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(cells)))
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200, help="published, dated sessions (default 200)")
    parser.add_argument("--roles", type=int, default=1000, help="role assignments (default 1,000)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL (default 10)")
    parser.add_argument("--quick", action="store_true", help="3 s per URL, 2 PDFs of each language")
    parser.add_argument("--connections", type=int, default=2, help="keep-alive connections (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--pdf-runs", type=int, default=5, help="PDFs of each language (default 5)")
    args = parser.parse_args(argv)
    duration = 3 if args.quick else max(1, args.duration)
    pdf_runs = 2 if args.quick else max(1, args.pdf_runs)

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    pages.check_services(database_url, redis_url)

    signal.signal(signal.SIGALRM, pages._stop_on_signal)
    signal.alarm(900 + (len(URLS) + 4) * (duration + 30) + 2 * pdf_runs * 60)
    signal.signal(signal.SIGTERM, pages._stop_on_signal)
    signal.signal(signal.SIGINT, signal.default_int_handler)

    load_before = os.getloadavg()[0]
    print(f"database {database_url}, redis {redis_url}; {os.cpu_count()} CPUs, load average {load_before:.2f}")
    if pages._ensure_database(database_url):
        print(f"created database {urlparse(database_url).path.lstrip('/')}")
    env = pages._child_env(database_url, redis_url)
    env["PAGE_CACHE_SECONDS"] = "0"  # every request renders: the work, not the cache, is measured
    pages._manage(env, "migrate", "--noinput")
    pages._manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    counts, seconds = build(env, args.sessions, args.roles)
    print(
        f"agenda built in {seconds:.1f} s: {counts['sessions']} published sessions ({counts['dated']} dated), "
        f"{counts['roles']} roles, {counts['items']} running-order steps, {counts['changes']} changes"
    )

    rows, pdfs = serve(env, URLS, args, duration, pdf_runs=pdf_runs, label="page cache off")
    print()
    print("Every request renders (page cache off: a signed-in visitor, or the first visit after a change):")
    print(table(rows))
    print()
    for url in PDFS:
        times = pdfs[url]
        print(
            f"{url}: median {statistics.median(times):.2f} s, max {max(times):.2f} s over {len(times)} runs, "
            f"{pdfs[url + ' bytes']} bytes"
        )
    cached_env = dict(env, PAGE_CACHE_SECONDS="600")
    cached, _none = serve(
        cached_env, [pages.BARE, AGENDA, FEED, "/api/v1/sessions/"], args, duration, pdf_runs=0, label="page cache on"
    )
    print()
    signal.alarm(0)
    print("As served to anonymous visitors and calendar applications (page cache on, Redis):")
    print(table(cached))
    print()

    missed = []
    for row in rows:
        if row["url"] in (AGENDA, FEED):
            if not isinstance(row["queries"], int) or row["queries"] > MAX_QUERIES:
                missed.append(f"{row['url']} {row['queries']} queries > {MAX_QUERIES}")
            if row["p95"] >= MAX_P95_MS:
                missed.append(f"{row['url']} p95 {row['p95']:.1f} ms ≥ {MAX_P95_MS}")
    pdf_max = max(max(pdfs[url]) for url in PDFS)
    if pdf_max >= MAX_PDF_S:
        missed.append(f"PDF {pdf_max:.2f} s ≥ {MAX_PDF_S}")
    errors = sum(row["errors"] for row in rows)
    agenda_row = next(row for row in rows if row["url"] == AGENDA)
    feed_row = next(row for row in rows if row["url"] == FEED)
    print()
    print(
        f"summary: {counts['sessions']} sessions, {counts['roles']} roles; agenda {agenda_row['queries']} queries "
        f"p95 {agenda_row['p95']:.1f} ms; feed {feed_row['queries']} queries p95 {feed_row['p95']:.1f} ms; "
        f"bare p50 {rows[0]['p50']:.1f} ms; PDF max {pdf_max:.2f} s; {errors} errors; "
        + ("targets met" if not missed else "MISSED: " + "; ".join(missed))
        + f" (load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after)"
    )
    return 1 if missed or errors else 0


if __name__ == "__main__":
    pages.run(main, "agenda.py")
