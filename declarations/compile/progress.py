"""Progress and heartbeat of a compile job, written while its workers work.

``Progress`` writes how far a round-table task got (its ``CompileSection`` and the job's totals) at
most every ``PROGRESS_SECONDS``; ``KeepAlive`` keeps the job's heartbeat fresh from a thread while
the draft is written in one long transaction. A job whose heartbeat gets too old is taken for lost
and sent again (``declarations.compile.jobs.revive_stalled``).
"""

import logging
import threading
import time

from django.db import connection
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from declarations.models import CompileJob, CompileSection

logger = logging.getLogger(__name__)

# How often progress and heartbeats are written (also while the inputs are hashed: inputs.py).
PROGRESS_SECONDS = 0.5


class Progress:
    """Writes how far a round-table task got, every PROGRESS_SECONDS."""

    def __init__(self, job_id, section_id):
        self.job_id = job_id
        self.section_id = section_id
        self.processed = 0
        self.last = time.monotonic()

    def step(self, rows=1):
        self.processed += rows
        if time.monotonic() - self.last >= PROGRESS_SECONDS:
            self.write()

    def write(self):
        CompileSection.objects.filter(pk=self.section_id).update(processed=self.processed)
        update_job_progress(self.job_id)
        self.last = time.monotonic()


def update_job_progress(job_id):
    sections = CompileSection.objects.filter(job_id=OuterRef("pk")).order_by().values("job_id")
    CompileJob.objects.filter(pk=job_id, status=CompileJob.Status.RUNNING).update(
        progress=Coalesce(Subquery(sections.annotate(total=Sum("processed")).values("total")), 0),
        round_tables_done=Coalesce(
            Subquery(sections.filter(finished_at__isnull=False).annotate(done=Count("pk")).values("done")), 0
        ),
        heartbeat_at=timezone.now(),
    )


class KeepAlive:
    """While the draft is written in one long transaction, another connection (a thread) keeps
    the job's heartbeat fresh, so that the progress bar moves and nobody thinks the worker lost.
    PostgreSQL only (SQLite would make the thread wait for the writing transaction)."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.stop = threading.Event()
        self.thread = None

    def _beat(self):
        from django.db import connection as thread_connection

        try:
            while not self.stop.wait(PROGRESS_SECONDS):
                CompileJob.objects.filter(pk=self.job_id, status=CompileJob.Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:  # a missed heartbeat is no reason to fail the compile
            logger.warning("Heartbeat of compile job %s failed", self.job_id, exc_info=True)
        finally:
            thread_connection.close()

    def __enter__(self):
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.thread = threading.Thread(target=self._beat, name=f"compile-job-{self.job_id}", daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc_info):
        if self.thread is not None:
            self.stop.set()
            self.thread.join()
