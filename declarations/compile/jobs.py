"""Compile jobs: requesting one, following it, and the steps its tasks run.

``request_compile`` makes the ``CompileJob`` and queues ``start_compile``; ``job_progress`` is what
the progress bar shows (and revives a job whose workers went silent: ``revive_stalled``). The tasks
of ``declarations.tasks`` call the steps: ``start`` (claim the job, check its inputs' hash),
``compile_section`` (one round table, ``declarations.compile.sections``), ``assemble`` (the draft,
``declarations.compile.document``, written by ``declarations.compile.storage``). ``run_inline`` runs
the same steps in this process. See ``declarations.compile`` for the whole story.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common import outbox
from common.jobs import send_stalled_again
from declarations.compile import document, inputs, sections, storage
from declarations.compile.paragraphs import format_number
from declarations.compile.progress import KeepAlive, Progress, update_job_progress
from declarations.models import CompileJob, CompileSection, Declaration
from roundtables.models import Contribution, RoundTable
from stakeholders import audit

logger = logging.getLogger(__name__)

ACTIVE = (CompileJob.Status.QUEUED, CompileJob.Status.RUNNING)


class CompileError(Exception):
    """A compile that cannot go on; its message is shown to staff."""


# --- Requesting a compile and following it ---------------------------------------------------------


def request_compile(*, forum, language, user, force=False, dispatch=True):
    """Start compiling a new draft of ``forum``'s declaration in ``language`` (see the module doc)."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    with transaction.atomic():
        declaration, _created = Declaration.objects.get_or_create(forum=forum, language=language)
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        running = declaration.jobs.filter(status__in=ACTIVE).order_by("created", "id").first()
        if running is not None:
            return running
        job = CompileJob.objects.create(
            declaration=declaration,
            force=force,
            stage="queued",
            requested_by=user if user is not None and user.is_authenticated else None,
        )
        audit.record(
            actor=user,
            action="declarations.compile.requested",
            obj=job,
            after={"forum": forum.slug, "language": language, "force": force},
        )
        if dispatch:
            outbox.enqueue("declarations.tasks.start_compile", job_id=job.pk)
    return job


def job_progress(job):
    """The state of ``job`` for a progress bar (reloads it; revives it when its workers went silent)."""
    job.refresh_from_db()
    if job.status in ACTIVE and _stalled(job, timezone.now()):
        revive_stalled(job_ids=[job.pk])
        job.refresh_from_db()
    finished = job.status not in ACTIVE
    if finished:
        percent = 100
    elif job.total:
        # The round tables are 95% of the work, assembling the last 5%.
        percent = min(95, job.progress * 95 // job.total)
    else:
        percent = 0
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "percent": percent,
        "stage": _stage_text(job),
        "summary": _summary(job, percent, finished),
        "error": job.error,
        "draft_id": job.draft_id,
        "version": job.draft.version if job.draft_id else None,
        "round_tables_done": job.round_tables_done,
        "round_tables_total": job.round_tables_total,
        "progress": job.progress,
        "total": job.total,
        "finished": finished,
    }


def _summary(job, percent, finished):
    """The line under the bar, saying what its percentage counts, so that the two agree: the
    contributions read (the round tables' tasks) and the round tables whose part is written."""
    if finished:
        return _("Done.") if job.status != CompileJob.Status.FAILED else ""
    if job.stage == "assembling":
        return _("%(percent)s%% — all %(total)s round tables done; assembling the draft.") % {
            "percent": percent,
            "total": format_number(job.round_tables_total),
        }
    if job.stage != "round_tables" or not job.total:
        return _("%(percent)s%% done") % {"percent": percent}
    return _("%(percent)s%% — %(read)s; %(written)s.") % {
        "percent": percent,
        "read": ngettext(
            "%(done)s of %(count)s contribution read", "%(done)s of %(count)s contributions read", job.total
        )
        % {"done": format_number(job.progress), "count": format_number(job.total)},
        "written": ngettext(
            "%(done)s of %(count)s round table written",
            "%(done)s of %(count)s round tables written",
            job.round_tables_total,
        )
        % {"done": format_number(job.round_tables_done), "count": format_number(job.round_tables_total)},
    }


def _stage_text(job):
    status = CompileJob.Status
    if job.status == status.QUEUED:
        return _("Waiting for a worker…")
    if job.status == status.FAILED:
        return _("The compile failed.")
    if job.status == status.UNCHANGED:
        return _("Nothing changed since version %(version)s: no new version was made.") % {
            "version": job.draft.version if job.draft_id else "?"
        }
    if job.status == status.SUCCEEDED:
        return _("Version %(version)s is ready.") % {"version": job.draft.version if job.draft_id else "?"}
    if job.stage == "checking":
        return _("Checking what changed since the last draft…")
    if job.stage == "assembling":
        return _("Assembling the draft…")
    return _("round table %(current)s of %(total)s — %(done)s of %(count)s contributions") % {
        "current": min(job.round_tables_done + 1, job.round_tables_total),
        "total": job.round_tables_total,
        "done": format_number(job.progress),
        "count": format_number(job.total),
    }


def _stall_limit(now):
    return now - timedelta(seconds=settings.DECLARATION_COMPILE_STALL_SECONDS)


def _stalled(job, now):
    last = job.heartbeat_at or job.created
    return last < _stall_limit(now)


def revive_stalled(*, job_ids=None):
    """Send ``start_compile`` again for unfinished jobs that gave no sign of life for
    DECLARATION_COMPILE_STALL_SECONDS (their worker was lost). Returns the ids of the jobs revived."""
    return send_stalled_again(
        CompileJob.objects.filter(status__in=ACTIVE),
        seconds=settings.DECLARATION_COMPILE_STALL_SECONDS,
        task_name="declarations.tasks.start_compile",
        label="Compile job",
        job_ids=job_ids,
    )


def record_task(job_id, task_id):
    """Remember the id of the task that will assemble the draft (for the admin and the logs)."""
    CompileJob.objects.filter(pk=job_id).update(task_id=task_id or "")


def has_unfinished_jobs():
    return CompileJob.objects.filter(status__in=ACTIVE).exists()


# --- The steps (the tasks in declarations/tasks.py call these) --------------------------------------


def _round_table_ids(forum_id):
    return list(RoundTable.objects.filter(forum_id=forum_id).order_by("position", "code").values_list("pk", flat=True))


def start(job_id):
    """Begin or resume a job. Returns the ids of the round tables still to compile (``[]``: only the
    assembly is left), or None when there is nothing to do (job gone, finished or unchanged)."""
    try:
        return _start(job_id)
    except Exception as exc:  # noqa: BLE001 - any failure is the job's, shown to staff
        fail(job_id, exc)
        return None


def _start(job_id):
    job = CompileJob.objects.select_related("declaration__forum").filter(pk=job_id).first()
    if job is None or job.status not in ACTIVE:
        return None
    declaration = job.declaration
    round_table_ids = _round_table_ids(declaration.forum_id)
    if job.status == CompileJob.Status.QUEUED:
        now = timezone.now()
        claimed = CompileJob.objects.filter(pk=job_id, status=CompileJob.Status.QUEUED).update(
            status=CompileJob.Status.RUNNING,
            stage="checking",
            started_at=now,
            heartbeat_at=now,
            round_tables_total=len(round_table_ids),
        )
        if not claimed:  # another delivery of this task took it meanwhile
            return _start(job_id)
        job.stage = "checking"
    if job.stage == "checking":  # also when the worker that was checking was lost
        latest = declaration.drafts.order_by("-version").first()
        if job.force or latest is None:
            # A new version is made whatever the hash: the round tables' tasks compute it as they read.
            inputs_hash = ""
            total = Contribution.objects.filter(
                round_table__forum_id=declaration.forum_id, status__in=inputs.INCLUDED
            ).count()
        else:
            inputs_hash, total = inputs.inputs_digest(
                declaration.forum,
                declaration.language,
                alive=lambda: CompileJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now()),
            )
            if latest.inputs_hash == inputs_hash:
                _finish(job_id, status=CompileJob.Status.UNCHANGED, draft=latest, inputs_hash=inputs_hash)
                return None
        CompileJob.objects.filter(pk=job_id, status=CompileJob.Status.RUNNING).update(
            stage="round_tables", inputs_hash=inputs_hash, total=total, heartbeat_at=timezone.now()
        )
    else:
        CompileJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())
    if not round_table_ids:
        raise CompileError(_("This forum has no round tables."))
    finished = set(
        CompileSection.objects.filter(job_id=job_id, finished_at__isnull=False).values_list("round_table_id", flat=True)
    )
    return [pk for pk in round_table_ids if pk not in finished]


def fail(job_id, exc):
    """Mark the job failed with the error's message; its sections go, no draft is written."""
    if isinstance(exc, CompileError):
        message = str(exc)
    else:
        logger.exception("Compile job %s failed", job_id)
        message = f"{type(exc).__name__}: {exc}"
    with transaction.atomic():
        updated = CompileJob.objects.filter(pk=job_id, status__in=ACTIVE).update(
            status=CompileJob.Status.FAILED, error=message[:5000], stage="done", finished_at=timezone.now()
        )
        if updated:
            CompileSection.objects.filter(job_id=job_id).delete()


def _finish(job_id, *, status, draft, inputs_hash):
    now = timezone.now()
    CompileJob.objects.filter(pk=job_id).update(
        status=status,
        draft=draft,
        inputs_hash=inputs_hash,
        stage="done",
        finished_at=now,
        heartbeat_at=now,
        error="",
    )


def compile_section(job_id, round_table_id):
    """Compile one round table of a job into its CompileSection (nothing if already done)."""
    job = CompileJob.objects.select_related("declaration").filter(pk=job_id).first()
    if job is None or job.status != CompileJob.Status.RUNNING:
        return
    if CompileSection.objects.filter(job_id=job_id, round_table_id=round_table_id, finished_at__isnull=False).exists():
        return
    try:
        section, _created = CompileSection.objects.get_or_create(job_id=job_id, round_table_id=round_table_id)
        round_table = RoundTable.objects.select_related("sub_theme").get(pk=round_table_id)
        progress = Progress(job_id, section.pk)
        with translation.override(job.declaration.language):
            content = sections.compile_round_table(round_table, job.declaration.language, progress=progress)
        CompileSection.objects.filter(pk=section.pk).update(
            content=content, processed=progress.processed, finished_at=timezone.now()
        )
        update_job_progress(job_id)
    except Exception as exc:  # noqa: BLE001 - any failure is the job's, shown to staff
        fail(job_id, exc)


def assemble(job_id):
    """Write the draft from the finished sections in one transaction.

    Returns "done" (finished, or nothing to do) or "waiting" (a section is not finished yet)."""
    job = CompileJob.objects.filter(pk=job_id).first()
    if job is None or job.status != CompileJob.Status.RUNNING:
        return "done"
    finished = CompileSection.objects.filter(job_id=job_id, finished_at__isnull=False).count()
    if finished < job.round_tables_total:
        return "waiting"
    CompileJob.objects.filter(pk=job_id, status=CompileJob.Status.RUNNING).update(
        stage="assembling", heartbeat_at=timezone.now()
    )
    try:
        with KeepAlive(job_id):
            _assemble(job_id)
    except Exception as exc:  # noqa: BLE001 - any failure is the job's, shown to staff
        fail(job_id, exc)
    return "done"


@transaction.atomic
def _assemble(job_id):
    # The declaration's row lock makes versions one after the other and two deliveries of this task
    # wait for each other; the job's row stays free for the progress written meanwhile.
    if connection.vendor == "postgresql":
        # Foreign keys checked as rows go in, not all at the commit (where the job's row is locked
        # and the heartbeat would stop for a second or more).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    declaration = (
        Declaration.objects.select_for_update(of=("self",)).filter(jobs=job_id).select_related("forum").first()
    )
    job = CompileJob.objects.filter(pk=job_id).first()
    if declaration is None or job is None or job.status != CompileJob.Status.RUNNING:
        return
    forum = declaration.forum
    contents = _section_contents(job_id, forum)
    with translation.override(declaration.language):
        forum_hash = inputs.forum_digest(forum, declaration.language)
        inputs_hash = inputs.combine_hashes(
            declaration.language, forum_hash, [content["digest"] for content in contents]
        )
        latest = declaration.drafts.order_by("-version").first()
        if not job.force and latest is not None and latest.inputs_hash == inputs_hash:
            _finish(job_id, status=CompileJob.Status.UNCHANGED, draft=latest, inputs_hash=inputs_hash)
            CompileSection.objects.filter(job_id=job_id).delete()
            return
        paragraphs = document.build_paragraphs(forum, declaration.language, contents)
        draft = storage.create_draft(
            declaration,
            version=(latest.version + 1) if latest else 1,
            paragraphs=paragraphs,
            inputs_hash=inputs_hash,
            author=job.requested_by,
        )
    CompileSection.objects.filter(job_id=job_id).delete()
    audit.record(
        actor=job.requested_by,
        action="declarations.draft.compiled",
        obj=draft,
        after={"version": draft.version, "inputs_hash": inputs_hash, "paragraphs": len(paragraphs)},
    )
    # Last: from here to the commit the job's row is locked (the heartbeat thread waits).
    _finish(job_id, status=CompileJob.Status.SUCCEEDED, draft=draft, inputs_hash=inputs_hash)


def _section_contents(job_id, forum):
    """The finished sections' contents in the order of the forum's round tables (all of them)."""
    order = {pk: index for index, pk in enumerate(_round_table_ids(forum.pk))}
    finished = sorted(
        CompileSection.objects.filter(job_id=job_id, finished_at__isnull=False).values_list(
            "round_table_id", "content"
        ),
        key=lambda pair: order.get(pair[0], len(order)),
    )
    contents = [content for round_table_id, content in finished if round_table_id in order]
    if len(contents) != len(order):
        raise CompileError(_("The round tables of the forum changed during the compile; compile again."))
    return contents


def run_inline(job):
    """Run a job in this process, step by step as the workers would (the command's default)."""
    missing = start(job.pk)
    for round_table_id in missing or []:
        compile_section(job.pk, round_table_id)
    if missing is not None:
        assemble(job.pk)
    job.refresh_from_db()
    return job
