"""Badges through real Celery worker processes and a private Redis: the worker making a large set
is killed in the middle; the staff member's progress page sends the job again once it has been
silent for BADGE_JOB_STALL_SECONDS, and a worker started afterwards makes the whole PDF."""

import io
import re
import time
from pathlib import Path

import pypdf
import pytest

from gfmd_portal.tests.brokers import Worker
from roundtables.models import BadgeJob, Session
from roundtables.registration import badges, services

pytestmark = [pytest.mark.django_db(transaction=True)]

STALL_SECONDS = 3
PEOPLE = badges.WORKER_THRESHOLD + 10

# The project's worker with the cards laid out 4 at a time and SLOW_BADGES seconds per chunk, so that
# a set lasts long enough to be interrupted. The code run is the project's, unchanged otherwise.
SLOW_WORKER = """
import os, time
import django
django.setup()
from roundtables.registration import badges
html = badges.html
def slow(batch, *, layout):
    time.sleep(float(os.environ["SLOW_BADGES"]))
    return html(batch, layout=layout)
badges.html = slow
badges.CHUNK = 4
from gfmd_portal.celery import app
app.worker_main(["worker", "--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                 "--without-heartbeat"])
"""


@pytest.fixture
def common_space(require_postgres, forum, staff, personas, settings):
    settings.BADGE_JOB_STALL_SECONDS = STALL_SECONDS
    session = Session.objects.get(forum=forum, slug="common-space")
    services.configure_registration(
        session=session, staff=staff, total_seats=PEOPLE, quotas={}, eligible_constituencies=[]
    )
    for number in range(PEOPLE):
        person = personas.person(f"badge{number:02}@example.org", constituency="civil_society")
        person.first_name, person.last_name = "Person", f"Number{number:02}"
        person.save()
        services.register(session=session, person=person)
    return session


def _poll(client, job, condition, timeout, logs):
    """Ask for the progress as the page does (htmx, every 0.2 s here) until ``condition(job)``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert client.get(f"/en/staff/badges/{job.pk}/", headers={"HX-Request": "true"}).status_code == 200
        job.refresh_from_db()
        if condition(job):
            return job
        time.sleep(0.2)
    output = "\n".join(path.read_text(errors="replace")[-3000:] for path in logs)
    pytest.fail(f"badge job {job.pk} still {job.status} ({job.progress}/{job.total})\n{output}")


def test_a_badge_job_whose_worker_is_killed_is_finished_by_the_next_worker(
    client, staff, common_space, private_broker, tmp_path
):
    first = Worker(private_broker, Path(tmp_path) / "first.log", program=SLOW_WORKER, env={"SLOW_BADGES": "0.4"})
    second = None
    try:
        client.force_login(staff)
        response = client.post("/en/staff/sessions/common-space/badges/", {"layout": "sheet"})
        job = BadgeJob.objects.get()
        assert response.status_code == 302 and job.total == PEOPLE
        _poll(client, job, lambda j: j.status == BadgeJob.Status.RUNNING and 8 <= j.progress < 40, 60, [first.log])
        first.kill()
        time.sleep(1)
        interrupted = BadgeJob.objects.get(pk=job.pk)
        assert interrupted.status == BadgeJob.Status.RUNNING and interrupted.progress < PEOPLE
        # The killed worker's message would come back only after the broker's visibility timeout.
        second = Worker(private_broker, Path(tmp_path) / "second.log")
        logs = [first.log, second.log]
        done = _poll(client, job, lambda j: j.status == BadgeJob.Status.DONE, 60 + STALL_SECONDS, logs)
        assert done.progress == PEOPLE and done.error == ""
        assert re.search(r"Task roundtables\.tasks\.make_badges\[[^]]+\] succeeded", second.output())
    finally:
        first.stop()
        if second is not None:
            second.stop()
    download = client.get(f"/en/staff/badges/{job.pk}/badges.pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(download.content))
    assert len(reader.pages) == -(-PEOPLE // 4)  # four cards to a sheet, every card once
    text = " ".join(page.extract_text() for page in reader.pages)
    assert all(f"Number{number:02}" in text for number in range(PEOPLE))
