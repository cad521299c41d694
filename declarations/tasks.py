"""The compile as Celery tasks: start (hash, then a chord), one task per round table, the assembly.

Thin: each takes ids and calls declarations.compile. The round-table tasks keep their result
(a chord counts them through the result backend; the project ignores results otherwise).
A worker, once started, watches the unfinished jobs and revives those whose worker was lost
(see declarations.compile, "Worker lost").
"""

import logging

from celery import chord, shared_task
from celery.signals import worker_ready
from django.conf import settings

from declarations import compile as compiler

logger = logging.getLogger(__name__)

WAIT_SECONDS = 2
WAIT_RETRIES = 300


@shared_task(name="declarations.tasks.start_compile", ignore_result=True)
def start_compile(job_id):
    """Begin (or resume) a compile: send one task per round table still to do, then the assembly."""
    missing = compiler.start(job_id)
    if missing is None:
        return
    if missing:
        header = [compile_round_table.si(job_id, round_table_id) for round_table_id in missing]
        result = chord(header)(assemble_draft.si(job_id))
    else:
        result = assemble_draft.delay(job_id)
    compiler.record_task(job_id, result.id)


@shared_task(name="declarations.tasks.compile_round_table", ignore_result=False)
def compile_round_table(job_id, round_table_id):
    compiler.compile_section(job_id, round_table_id)
    return round_table_id


@shared_task(name="declarations.tasks.assemble_draft", bind=True, ignore_result=True, max_retries=WAIT_RETRIES)
def assemble_draft(self, job_id):
    """Write the draft. Should a chord fire early (a round-table task delivered twice), wait for the
    missing sections: they are on their way."""
    if compiler.assemble(job_id) == "waiting":
        raise self.retry(countdown=WAIT_SECONDS)


@shared_task(name="declarations.tasks.watch_compile_jobs", ignore_result=True)
def watch_compile_jobs():
    """Revive stalled jobs; come back while some job is unfinished."""
    compiler.revive_stalled()
    if compiler.has_unfinished_jobs():
        watch_compile_jobs.apply_async(countdown=settings.DECLARATION_COMPILE_STALL_SECONDS)


@worker_ready.connect
def _watch_on_start(sender=None, **kwargs):
    # A worker that starts may be the one replacing a lost worker: look at the jobs soon.
    try:
        watch_compile_jobs.apply_async(countdown=min(5, settings.DECLARATION_COMPILE_STALL_SECONDS))
    except Exception:  # the watch is a help; a broker hiccup must not stop the worker
        logger.warning("Could not schedule the compile-job watch", exc_info=True)


@shared_task(name="declarations.tasks.prepare_export", ignore_result=True)
def prepare_export(draft_id, fmt="pdf"):
    """Make a version's file and keep it in the cache (declarations.exports.prepare_in_background)."""
    from declarations import exports
    from declarations.models import Draft

    draft = Draft.objects.select_related("declaration__forum").filter(pk=draft_id).first()
    if draft is None:
        return
    try:
        exports.prepared(draft, fmt)
    except exports.PdfUnavailable as error:
        logger.error("declaration %s of draft %s unavailable: %s", fmt, draft_id, error)
