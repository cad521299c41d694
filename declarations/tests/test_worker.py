"""The compile through real Celery worker processes and a real Redis broker: the chord end to end,
and a worker killed in the middle of a job."""

import json
import time
from pathlib import Path

import pytest

from declarations import compile as compiler
from declarations.compile.inputs import inputs_digest
from declarations.models import CompileJob, CompileSection, Draft
from demo.contributions import seed_contributions
from demo.services import seed_demo
from gfmd_portal.tests.brokers import Worker
from roundtables.models import Forum

pytestmark = [pytest.mark.django_db(transaction=True)]

STALL_SECONDS = 3

# The project's worker; SLOW_COMPILE (seconds per contribution) makes a job last long enough to be
# interrupted. The code run is the project's, unchanged otherwise.
SLOW_WORKER = """
import os, time
import django
django.setup()
from declarations.compile.progress import Progress
step = Progress.step
def slow(self, rows=1):
    time.sleep(float(os.environ["SLOW_COMPILE"]))
    step(self, rows)
Progress.step = slow
from gfmd_portal.celery import app
app.worker_main(["worker", "--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                 "--without-heartbeat"])
"""


@pytest.fixture
def workers(private_broker, tmp_path):
    started = []

    def start(slow=None):
        env = {"DECLARATION_COMPILE_STALL_SECONDS": str(STALL_SECONDS), "SLOW_COMPILE": str(slow or 0)}
        log = Path(tmp_path) / f"worker-{len(started)}.log"
        worker = Worker(private_broker, log, program=SLOW_WORKER if slow else None, env=env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def demo_forum(require_postgres, settings):
    settings.DECLARATION_COMPILE_STALL_SECONDS = STALL_SECONDS
    seed_demo(scale=6, seed=3)
    forum = Forum.objects.get(slug="gfmd-2017")
    return forum


def wait_for(job, condition, timeout, worker_logs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        compiler.job_progress(job)  # as the staff page does: it also revives a stalled job
        if condition(job):
            return job
        time.sleep(0.1)
    logs = "\n".join(path.read_text()[-3000:] for path in worker_logs)
    pytest.fail(f"job {job.pk} still {job.status} ({job.stage}, {job.progress}/{job.total})\n{logs}")


def test_compile_through_a_worker_matches_the_inline_compile(demo_forum, workers, tmp_path):
    seed_contributions(demo_forum, count=240, seed=3)
    worker = workers()
    job = compiler.request_compile(forum=demo_forum, language="en", user=None)
    wait_for(job, lambda j: j.status not in compiler.ACTIVE, 90, [worker.log])

    assert job.status == CompileJob.Status.SUCCEEDED, job.error
    assert job.round_tables_done == job.round_tables_total == 6
    assert job.progress == job.total > 200
    assert job.task_id and not CompileSection.objects.filter(job=job).exists()
    draft = job.draft
    assert draft.version == 1 and draft.paragraphs.count() == len(draft.content["paragraphs"])
    assert "compile_round_table" in worker.log.read_text()  # one task per round table ran there

    # The same inputs compiled here, in this process: the same draft, byte for byte.
    inline = compiler.run_inline(
        compiler.request_compile(forum=demo_forum, language="en", user=None, force=True, dispatch=False)
    )
    assert inline.draft.version == 2
    assert inline.draft.inputs_hash == draft.inputs_hash
    assert json.dumps(inline.draft.content, sort_keys=True) == json.dumps(draft.content, sort_keys=True)
    assert inline.draft.html == draft.html

    # Nothing changed: the worker makes no new version.
    again = compiler.request_compile(forum=demo_forum, language="en", user=None)
    wait_for(again, lambda j: j.status not in compiler.ACTIVE, 60, [worker.log])
    assert again.status == CompileJob.Status.UNCHANGED and again.draft == inline.draft

    # A job that fails in the worker says why and leaves no draft.
    empty = Forum.objects.create(slug="empty-forum", edition=99, year=2099, title="Empty", theme="Nothing")
    failed = compiler.request_compile(forum=empty, language="en", user=None)
    wait_for(failed, lambda j: j.status not in compiler.ACTIVE, 60, [worker.log])
    assert (failed.status, failed.error) == (CompileJob.Status.FAILED, "This forum has no round tables.")
    assert not Draft.objects.filter(declaration__forum=empty).exists()


def test_a_job_whose_worker_is_killed_completes_once_a_worker_is_back(demo_forum, workers):
    seed_contributions(demo_forum, count=360, seed=4)
    first = workers(slow=0.02)
    job = compiler.request_compile(forum=demo_forum, language="fr", user=None)
    wait_for(job, lambda j: j.status == CompileJob.Status.RUNNING and 30 < j.progress < j.total - 60, 90, [first.log])
    first.kill()
    interrupted = CompileJob.objects.get(pk=job.pk)
    assert interrupted.status == CompileJob.Status.RUNNING
    assert interrupted.round_tables_done < interrupted.round_tables_total

    second = workers()
    wait_for(job, lambda j: j.status not in compiler.ACTIVE, 120, [first.log, second.log])
    assert job.status == CompileJob.Status.SUCCEEDED, job.error
    assert Draft.objects.filter(declaration=job.declaration).count() == 1
    assert job.draft.inputs_hash == inputs_digest(demo_forum, "fr")[0]
    assert job.progress == job.total and not CompileSection.objects.filter(job=job).exists()
    assert job.task_id != interrupted.task_id  # a new chord was sent for what was left
