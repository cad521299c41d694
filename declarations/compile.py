"""Compiling the presidential declaration: contributions, reports and practices into a new draft.

Public API (what the staff pages, the API and the command call)
----------------------------------------------------------------

``request_compile(*, forum, language, user, force=False, dispatch=True) -> CompileJob``
    Creates the job (and the ``Declaration`` of that forum and language if needed) in a transaction,
    writes the audit entry ``declarations.compile.requested`` and records the task
    ``declarations.tasks.start_compile`` in the outbox, sent once the transaction commits. While a job
    of the same declaration is queued or running, returns that job instead of starting a second one.
    ``dispatch=False`` (the command's inline mode) only creates the job; ``run_inline(job)`` runs it.

``job_progress(job) -> dict``
    What the progress bar shows: ``{"status", "percent", "stage", "error", "draft_id", "version",
    "round_tables_done", "round_tables_total", "progress", "total", "finished", "status_label"}``. ``stage`` is a
    sentence in the active language ("round table 3 of 6 — 1,240 of 5,000 contributions"). Calling it
    also revives the job when its workers went silent (see "Worker lost" below), so a page that polls
    it is enough to bring a job back once a worker is there.

``CompileJob.status``: ``queued`` → ``running`` → ``succeeded`` (``job.draft`` is the new draft) or
``unchanged`` (nothing changed since the latest draft and ``force`` was not set: no new version;
``job.draft`` is that latest draft) or ``failed`` (``job.error`` says why; no draft was written).
``CompileJob.stage`` is a key: ``queued``, ``checking`` (hashing the inputs), ``round_tables``,
``assembling``, ``done``. ``progress``/``total`` count contributions; ``round_tables_done``/``_total``.

The draft
---------

``Draft.content`` is ``{"compiler", "forum", "language", "inputs_hash", "paragraphs": [...]}``;
each paragraph dict mirrors a ``Paragraph`` row (``position``, ``kind``, ``level``, ``section``,
``number``, ``text``, ``support_count``, ``constituencies``, ``round_table`` (code or ``null``),
``sources``, ``reports``, ``practice_ids``, and ``targets``/``themes`` (codes)). ``Paragraph`` rows:
positions 1..n; headings have ``kind="heading"`` and ``level`` 1 (the title), 2 (the preamble, a
sub-theme, the section by Compact theme, the annex), 3 (a round table, a Compact theme), 4 (a part
of a round table); paragraphs are numbered "1", "2", … through the whole document. Section keys:
``preamble`` (the title heading too), ``subtheme:<number>`` (a sub-theme heading), ``rt:<code>``
(a round-table heading), ``rt:<code>:messages``, ``rt:<code>:recommendations``,
``rt:<code>:frameworks``, ``rt:<code>:practices``, ``themes`` (its heading), ``themes:<code>``,
``annex``. ``Paragraph.sources`` are the contributions a paragraph came from (for a merged
recommendation: every contribution of the cluster, its representative first in ``content``),
``Paragraph.reports`` the rapporteurs' reports, ``practice_ids`` the good practices it cites.
``Draft.html`` is ``declarations.rendering.render_html(draft)``.

What goes in:

* preamble: the forum (title, theme, city, dates, co-chairs = host countries) and participation
  (contributions, organisations and countries, by constituency);
* per round table: key messages (the rapporteurs' reports, one paragraph each, then the
  ``KEY_MESSAGES`` most supported statements, merged like recommendations), the ``RECOMMENDATIONS``
  most supported recommendations (near-duplicates merged, with their support and constituencies),
  then one paragraph counting the other recommendations (its sources are all of them); the SDG
  targets and Compact themes the recommendations address (with counts; the round table's own links
  when none are tagged; these two paragraphs count tags and list no sources); up to ``PRACTICES``
  published good practices linked to the round table;
* by Compact theme: the ``PER_THEME`` most supported recommendations tagged with it, all round
  tables together, and a paragraph counting the others;
* annex: the contributing organisations by constituency, with their country.

Accepted contributions are used; those staff marked ``duplicate`` count as support of their
original (``duplicate_of``) when it is used too (else they stand on their own). Contributions in
another language than the draft's are kept as written, with the language in brackets (``… [en]``):
the co-chairs decide what to translate, and a silent machine translation would put words in
participants' mouths. A rapporteur's report is taken in the draft's language, else in English,
French, Spanish.

Determinism: the same inputs give the same ``content`` and ``html``, byte for byte: no time stamps,
everything ordered by stable keys (contribution ids, codes, positions), merging seeded
(``declarations.dedup``). ``Draft.inputs_hash`` is the SHA-256 of ``COMPILER_VERSION``, the language,
the forum's texts in that language, and per round table its texts and links, its reports, its
published practices and its accepted and duplicate contributions (id, text, kind, language,
constituency, organisation name, country, status, duplicate_of, SDG targets, Compact themes).

How it runs
-----------

``start_compile`` (a Celery task, sent on commit) hashes the inputs; if they are those of the
latest draft and ``force`` is off, the job ends ``unchanged`` (with ``force``, or before the first
draft, it only counts the contributions: the round-table tasks hash what they read, and the assembly
checks the hash once more). Otherwise it sends a Celery chord:
one ``compile_round_table`` task per round table (several workers share them), each streaming its
contributions (``values_list`` + ``iterator``; no model instances kept) and writing a
``CompileSection``, then ``assemble_draft``, which writes the draft, its paragraphs and their
sources in one transaction. Tasks take ids and are safe to run twice (a finished section or job is
left alone; a section is written whole or not at all). Progress (``CompileSection.processed``,
``CompileJob.progress``, ``heartbeat_at``) is written at least every ``PROGRESS_SECONDS``.

Worker lost: tasks are acknowledged late, so a task whose worker process dies is delivered again;
but a worker killed outright leaves its messages unacknowledged until the broker's visibility
timeout (an hour). So a job whose heartbeat is older than ``DECLARATION_COMPILE_STALL_SECONDS`` is
*revived*: ``start_compile`` is sent again and re-sends a chord for the round tables that are not
finished (or only ``assemble_draft``). This is done by ``job_progress`` (the staff page polls it), by
every worker when it starts (``declarations.tasks``: it watches unfinished jobs while there are
some), and by ``compile_declaration --async``. A failure (any exception) marks the job ``failed``
with its message and removes its sections; the draft transaction is rolled back.
"""

import hashlib
import json
import logging
import threading
import time
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from common import outbox
from declarations import dedup
from declarations.models import CompileJob, CompileSection, Declaration, Draft, Paragraph
from declarations.rendering import render_html
from practices.models import Practice
from roundtables.models import Contribution, RapporteurReport, RoundTable
from sdg_targets.models import CompactTheme
from stakeholders import audit
from stakeholders.models import Constituency, constituency_label

logger = logging.getLogger(__name__)

COMPILER_VERSION = "1"
KEY_MESSAGES = 5  # statements kept as key messages per round table (the most supported)
RECOMMENDATIONS = 30  # recommendations listed per round table (the most supported)
PER_THEME = 20  # recommendations listed per Compact theme
PRACTICES = 10  # good practices cited per round table
PROGRESS_SECONDS = 0.5
STREAM_CHUNK = 2000
BULK_SIZE = 5000
REPORT_LANGUAGES = ("en", "fr", "es")

ACTIVE = (CompileJob.Status.QUEUED, CompileJob.Status.RUNNING)
INCLUDED = (Contribution.Status.ACCEPTED, Contribution.Status.DUPLICATE)
REC = Contribution.Kind.RECOMMENDATION
STATEMENT = Contribution.Kind.STATEMENT


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


def _number(value):
    return formats.number_format(value, force_grouping=True)


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
        "error": job.error,
        "draft_id": job.draft_id,
        "version": job.draft.version if job.draft_id else None,
        "round_tables_done": job.round_tables_done,
        "round_tables_total": job.round_tables_total,
        "progress": job.progress,
        "total": job.total,
        "finished": finished,
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
        "done": _number(job.progress),
        "count": _number(job.total),
    }


def _stall_limit(now):
    return now - timedelta(seconds=settings.DECLARATION_COMPILE_STALL_SECONDS)


def _stalled(job, now):
    last = job.heartbeat_at or job.created
    return last < _stall_limit(now)


def revive_stalled(*, job_ids=None):
    """Send ``start_compile`` again for unfinished jobs that gave no sign of life for
    DECLARATION_COMPILE_STALL_SECONDS (their worker was lost). Returns the ids of the jobs revived."""
    now = timezone.now()
    limit = _stall_limit(now)
    revived = []
    with transaction.atomic():
        jobs = CompileJob.objects.select_for_update(skip_locked=True).filter(
            Q(heartbeat_at__lt=limit) | Q(heartbeat_at=None, created__lt=limit), status__in=ACTIVE
        )
        if job_ids is not None:
            jobs = jobs.filter(pk__in=job_ids)
        for job in jobs.order_by("pk"):
            # The new heartbeat keeps other watchers from reviving it again at once.
            job.heartbeat_at = now
            job.save(update_fields=["heartbeat_at"])
            outbox.enqueue("declarations.tasks.start_compile", job_id=job.pk)
            revived.append(job.pk)
    for job_id in revived:
        logger.warning("Compile job %s had stalled; sent again.", job_id)
    return revived


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
            total = Contribution.objects.filter(round_table__forum_id=declaration.forum_id, status__in=INCLUDED).count()
        else:
            inputs_hash, total = inputs_digest(
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


class _Progress:
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
        progress = _Progress(job_id, section.pk)
        with translation.override(job.declaration.language):
            content = compile_round_table(round_table, job.declaration.language, progress=progress)
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
        with _KeepAlive(job_id):
            _assemble(job_id)
    except Exception as exc:  # noqa: BLE001 - any failure is the job's, shown to staff
        fail(job_id, exc)
    return "done"


class _KeepAlive:
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
    order = {pk: index for index, pk in enumerate(_round_table_ids(forum.pk))}
    sections = sorted(
        CompileSection.objects.filter(job_id=job_id, finished_at__isnull=False).values_list(
            "round_table_id", "content"
        ),
        key=lambda pair: order.get(pair[0], len(order)),
    )
    contents = [content for round_table_id, content in sections if round_table_id in order]
    if len(contents) != len(order):
        raise CompileError(_("The round tables of the forum changed during the compile; compile again."))
    with translation.override(declaration.language):
        forum_hash = _forum_digest(forum, declaration.language)
        inputs_hash = _combine(declaration.language, forum_hash, [content["digest"] for content in contents])
        latest = declaration.drafts.order_by("-version").first()
        if not job.force and latest is not None and latest.inputs_hash == inputs_hash:
            _finish(job_id, status=CompileJob.Status.UNCHANGED, draft=latest, inputs_hash=inputs_hash)
            CompileSection.objects.filter(job_id=job_id).delete()
            return
        paragraphs = build_paragraphs(forum, declaration.language, contents)
        draft = Draft.objects.create(
            declaration=declaration,
            version=(latest.version + 1) if latest else 1,
            content={
                "compiler": COMPILER_VERSION,
                "forum": forum.slug,
                "language": declaration.language,
                "inputs_hash": inputs_hash,
                "paragraphs": paragraphs,
            },
            html=render_html(paragraphs, language=declaration.language),
            inputs_hash=inputs_hash,
            author=job.requested_by,
        )
        save_paragraphs(draft, paragraphs, forum)
    CompileSection.objects.filter(job_id=job_id).delete()
    audit.record(
        actor=job.requested_by,
        action="declarations.draft.compiled",
        obj=draft,
        after={"version": draft.version, "inputs_hash": inputs_hash, "paragraphs": len(paragraphs)},
    )
    # Last: from here to the commit the job's row is locked (the heartbeat thread waits).
    _finish(job_id, status=CompileJob.Status.SUCCEEDED, draft=draft, inputs_hash=inputs_hash)


def save_paragraphs(draft, paragraphs, forum):
    """Paragraph rows of ``draft`` from paragraph dicts, with their sources and reports, in bulk."""
    round_tables = dict(RoundTable.objects.filter(forum=forum).values_list("code", "pk"))
    rows = Paragraph.objects.bulk_create(
        [
            Paragraph(
                draft=draft,
                position=item["position"],
                kind=item["kind"],
                level=item["level"],
                section=item["section"],
                number=item["number"],
                text=item["text"],
                support_count=item["support_count"],
                constituencies=item["constituencies"],
                round_table_id=round_tables.get(item["round_table"]),
                practice_ids=item["practice_ids"],
            )
            for item in paragraphs
        ],
        batch_size=BULK_SIZE,
    )
    for field, key in ((Paragraph.sources.field, "sources"), (Paragraph.reports.field, "reports")):
        pairs = [(row.pk, pk) for row, item in zip(rows, paragraphs, strict=True) for pk in item[key]]
        _insert_links(field.remote_field.through, field.m2m_column_name(), field.m2m_reverse_name(), pairs)


def _insert_links(through, left, right, pairs):
    """Many-to-many rows in bulk: on PostgreSQL one INSERT … SELECT unnest() per BULK_SIZE * 10."""
    if connection.vendor != "postgresql":
        through.objects.bulk_create([through(**{left: a, right: b}) for a, b in pairs], batch_size=BULK_SIZE)
        return
    table = connection.ops.quote_name(through._meta.db_table)
    columns = f"{connection.ops.quote_name(left)}, {connection.ops.quote_name(right)}"
    step = BULK_SIZE * 10
    with connection.cursor() as cursor:
        for start_at in range(0, len(pairs), step):
            chunk = pairs[start_at : start_at + step]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest(%s::bigint[], %s::bigint[])",  # noqa: S608
                [[a for a, _b in chunk], [b for _a, b in chunk]],
            )


def run_inline(job):
    """Run a job in this process, step by step as the workers would (the command's default)."""
    missing = start(job.pk)
    for round_table_id in missing or []:
        compile_section(job.pk, round_table_id)
    if missing is not None:
        assemble(job.pk)
    job.refresh_from_db()
    return job


# --- Reading the inputs -------------------------------------------------------------------------------


def _hasher(*parts):
    digest = hashlib.sha256()
    for part in parts:
        _feed(digest, part)
    return digest


def _feed(digest, value):
    digest.update(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode())
    digest.update(b"\n")


def _feed_row(digest, row):
    # A contribution row holds only str, int, None and lists of str: repr is exact and fast.
    digest.update(repr(row).encode())
    digest.update(b"\n")


def _combine(language, forum_hash, round_table_hashes):
    return _hasher(COMPILER_VERSION, language, forum_hash, round_table_hashes).hexdigest()


def _forum_digest(forum, language):
    """What the preamble, the headings and the themes section read from the forum, in ``language``."""
    with translation.override(language):
        values = [
            forum.slug,
            forum.edition,
            forum.year,
            forum.title,
            forum.theme,
            forum.city,
            forum.start_date,
            forum.end_date,
            sorted(str(code) for code in forum.host_countries),
            [(number, title) for number, title in forum.sub_themes.order_by("number").values_list("number", "title")],
            [tuple(row) for row in CompactTheme.objects.order_by("code").values_list("code", "title")],
        ]
    return _hasher(values).hexdigest()


def inputs_digest(forum, language, *, alive=None):
    """(hash of every input of a draft of ``forum`` in ``language``, contributions to process).
    ``alive()`` is called now and then (the job's heartbeat)."""
    forum_hash = _forum_digest(forum, language)
    hashes, total = [], 0
    last = time.monotonic()
    for round_table in RoundTable.objects.filter(forum=forum).select_related("sub_theme").order_by("position", "code"):
        digest = _round_table_hasher(round_table, language)
        for row in contribution_rows(round_table.pk):
            _feed_row(digest, row)
            total += 1
            if alive is not None and time.monotonic() - last >= PROGRESS_SECONDS:
                alive()
                last = time.monotonic()
        hashes.append(digest.hexdigest())
    return _combine(language, forum_hash, hashes), total


def _round_table_meta(round_table, language):
    with translation.override(language):
        return [
            round_table.code,
            round_table.position,
            round_table.title,
            round_table.sub_theme.number,
            sorted(round_table.sdg_targets.values_list("code", flat=True)),
            sorted(round_table.compact_themes.values_list("code", flat=True)),
        ]


def _reports(round_table):
    return list(
        RapporteurReport.objects.filter(session__round_table=round_table)
        .order_by("session__start", "session_id", "language")
        .values_list("pk", "session_id", "language", "text")
    )


def _practices(round_table):
    return list(
        Practice.objects.filter(round_tables=round_table, status=Practice.Status.PUBLISHED)
        .order_by("pk")
        .values_list("pk", "title", "language", "countries")
    )


def _round_table_hasher(round_table, language, reports=None, practices=None, meta=None):
    return _hasher(
        meta if meta is not None else _round_table_meta(round_table, language),
        reports if reports is not None else _reports(round_table),
        [[*row[:3], str(row[3])] for row in (practices if practices is not None else _practices(round_table))],
    )


def _codes_by_contribution(queryset, code_field):
    """(contribution id, [codes]) in contribution order, from a through table, streamed."""
    rows = (
        queryset.order_by("contribution_id", code_field)
        .values_list("contribution_id", code_field)
        .iterator(chunk_size=STREAM_CHUNK)
    )
    current, codes = None, []
    for contribution_id, code in rows:
        if contribution_id != current:
            if current is not None:
                yield current, codes
            current, codes = contribution_id, []
        codes.append(code)
    if current is not None:
        yield current, codes


def contribution_rows(round_table_id):
    """The round table's accepted and duplicate contributions, by id, as tuples:
    (id, text, kind, language, constituency, organisation name, country, status, duplicate_of,
    [target codes], [theme codes]). Streamed: three ordered queries merged, nothing held."""
    contributions = (
        Contribution.objects.filter(round_table_id=round_table_id, status__in=INCLUDED)
        .order_by("pk")
        .values_list(
            "pk",
            "text",
            "kind",
            "language",
            "constituency",
            "organisation_name",
            "country",
            "status",
            "duplicate_of_id",
        )
        .iterator(chunk_size=STREAM_CHUNK)
    )
    linked = {"contribution__round_table_id": round_table_id, "contribution__status__in": INCLUDED}
    targets = _codes_by_contribution(Contribution.sdg_targets.through.objects.filter(**linked), "target__code")
    themes = _codes_by_contribution(Contribution.compact_themes.through.objects.filter(**linked), "compacttheme__code")
    next_target = next(targets, None)
    next_theme = next(themes, None)
    for row in contributions:
        pk = row[0]
        row_targets, row_themes = [], []
        # Links of a contribution that changed status meanwhile are skipped, never mismatched.
        while next_target is not None and next_target[0] <= pk:
            if next_target[0] == pk:
                row_targets = next_target[1]
            next_target = next(targets, None)
        while next_theme is not None and next_theme[0] <= pk:
            if next_theme[0] == pk:
                row_themes = next_theme[1]
            next_theme = next(themes, None)
        yield (*row[:6], str(row[6] or ""), *row[7:], row_targets, row_themes)


# --- One round table ------------------------------------------------------------------------------------


def _language_mark(text, language, draft_language):
    return text if language == draft_language else f"{text} [{language}]"


class _Clusters:
    """Contributions of one kind of one round table, merged into near-duplicate clusters."""

    def __init__(self):
        self.clusterer = dedup.Clusterer()
        self.info = {}  # contribution id -> (text, language, constituency, targets, themes)

    def add(self, pk, text, language, constituency, targets, themes):
        self.info[pk] = (text, language, constituency, targets, themes)
        self.clusterer.add(pk, text)

    def join(self, pk, original, text, language, constituency, targets, themes):
        if original not in self.info:
            return False
        self.info[pk] = (text, language, constituency, targets, themes)
        return self.clusterer.join(pk, original)

    def clusters(self, draft_language, round_table_code):
        """Cluster dicts, most supported first (ties: the earliest representative)."""
        result = []
        for members in self.clusterer.clusters:
            text, language, _constituency, _targets, _themes = self.info[members[0]]
            targets = sorted({code for pk in members for code in self.info[pk][3]})
            themes = sorted({code for pk in members for code in self.info[pk][4]})
            result.append(
                {
                    "text": _language_mark(text, language, draft_language),
                    "representative": members[0],
                    "sources": sorted(members),
                    "support_count": len(members),
                    "constituencies": sorted({self.info[pk][2] for pk in members if self.info[pk][2]}),
                    "round_table": round_table_code,
                    "targets": targets,
                    "themes": themes,
                }
            )
        result.sort(key=lambda cluster: (-cluster["support_count"], cluster["representative"]))
        return result


def _paragraph(section, text, *, round_table=None, sources=(), reports=(), practice_ids=(), **extra):
    return {
        "kind": Paragraph.Kind.PARAGRAPH,
        "level": 0,
        "section": section,
        "text": text,
        # Only a merged contribution has support; a paragraph that counts others lists them as sources.
        "support_count": extra.get("support_count", 0),
        "constituencies": extra.get("constituencies", []),
        "round_table": round_table,
        "sources": list(sources),
        "reports": list(reports),
        "practice_ids": list(practice_ids),
        "targets": extra.get("targets", []),
        "themes": extra.get("themes", []),
    }


def _heading(section, text, level, round_table=None):
    item = _paragraph(section, text, round_table=round_table)
    item.update(kind=Paragraph.Kind.HEADING, level=level)
    return item


def _cluster_paragraph(section, cluster):
    return _paragraph(
        section,
        cluster["text"],
        round_table=cluster["round_table"],
        sources=cluster["sources"],
        support_count=cluster["support_count"],
        constituencies=cluster["constituencies"],
        targets=cluster["targets"],
        themes=cluster["themes"],
    )


def _choose_reports(reports, language):
    """One report per session: in ``language``, else the first of REPORT_LANGUAGES there is."""
    by_session = {}
    for pk, session_id, report_language, text in reports:
        by_session.setdefault(session_id, {})[report_language] = (pk, report_language, text)
    chosen = []
    for versions in by_session.values():
        for candidate in (language, *REPORT_LANGUAGES, *sorted(versions)):
            if candidate in versions:
                chosen.append(versions[candidate])
                break
    return chosen


def _code_counts(counter):
    return [[code, count] for code, count in sorted(counter.items(), key=lambda item: (-item[1], item[0]))]


def compile_round_table(round_table, language, *, progress=None):
    """The part of the draft about one round table, with what the preamble, the themes section and
    the annex need from it (a JSON-able dict; see ``build_paragraphs``)."""
    code = round_table.code
    reports = _reports(round_table)
    practices = _practices(round_table)
    meta = _round_table_meta(round_table, language)
    digest = _round_table_hasher(round_table, language, reports, practices, meta)
    clusters = {REC: _Clusters(), STATEMENT: _Clusters()}
    kind_of = {}
    by_constituency = Counter()
    organisations = set()
    country_codes = set()
    target_counts, theme_counts = Counter(), Counter()
    processed = 0
    for row in contribution_rows(round_table.pk):
        _feed_row(digest, row)
        pk, text, kind, row_language, constituency, organisation_name, country, status, original, targets, themes = row
        processed += 1
        by_constituency[constituency or ""] += 1
        if organisation_name:
            organisations.add((constituency or "", organisation_name, country))
        if country:
            country_codes.add(country)
        if kind == REC:
            target_counts.update(targets)
            theme_counts.update(themes)
        values = (text, row_language, constituency, targets, themes)
        if status == Contribution.Status.DUPLICATE and original in kind_of:
            clusters[kind_of[original]].join(pk, original, *values)
            kind_of[pk] = kind_of[original]
        else:
            clusters[kind].add(pk, *values)
            kind_of[pk] = kind
        if progress is not None:
            progress.step()
    if progress is not None:
        progress.write()

    recommendations = clusters[REC].clusters(language, code)
    statements = clusters[STATEMENT].clusters(language, code)
    paragraphs = []

    messages = f"rt:{code}:messages"
    for pk, report_language, text in _choose_reports(reports, language):
        for block in (part.strip() for part in text.replace("\r\n", "\n").split("\n\n")):
            if block:
                paragraphs.append(
                    _paragraph(
                        messages,
                        _language_mark(" ".join(block.split()), report_language, language),
                        round_table=code,
                        reports=[pk],
                    )
                )
    for cluster in statements[:KEY_MESSAGES]:
        paragraphs.append(_cluster_paragraph(messages, cluster))
    others = statements[KEY_MESSAGES:]
    if others:
        paragraphs.append(
            _paragraph(
                messages,
                _("%(count)s other statements (%(contributions)s contributions) were received.")
                % {"count": _number(len(others)), "contributions": _number(sum(c["support_count"] for c in others))},
                round_table=code,
                sources=sorted(pk for cluster in others for pk in cluster["sources"]),
            )
        )

    section = f"rt:{code}:recommendations"
    for cluster in recommendations[:RECOMMENDATIONS]:
        paragraphs.append(_cluster_paragraph(section, cluster))
    others = recommendations[RECOMMENDATIONS:]
    if others:
        paragraphs.append(
            _paragraph(
                section,
                _(
                    "%(count)s other recommendations (%(contributions)s contributions), each supported by fewer "
                    "contributions, are kept with this draft."
                )
                % {"count": _number(len(others)), "contributions": _number(sum(c["support_count"] for c in others))},
                round_table=code,
                sources=sorted(pk for cluster in others for pk in cluster["sources"]),
            )
        )

    section = f"rt:{code}:frameworks"
    own_targets, own_themes = meta[4], meta[5]
    if target_counts:
        listing = ", ".join(
            _("%(code)s (%(count)s)") % {"code": target, "count": _number(count)}
            for target, count in _code_counts(target_counts)
        )
        paragraphs.append(
            _paragraph(
                section,
                _("The recommendations address SDG targets %(targets)s.") % {"targets": listing},
                round_table=code,
                targets=sorted(target_counts),
            )
        )
    elif own_targets:
        paragraphs.append(
            _paragraph(
                section,
                _("The round table relates to SDG targets %(targets)s.") % {"targets": ", ".join(own_targets)},
                round_table=code,
                targets=own_targets,
            )
        )
    if theme_counts:
        listing = ", ".join(
            _("%(code)s (%(count)s)") % {"code": theme, "count": _number(count)}
            for theme, count in _code_counts(theme_counts)
        )
        paragraphs.append(
            _paragraph(
                section,
                _("They address the Global Compact themes %(themes)s.") % {"themes": listing},
                round_table=code,
                themes=sorted(theme_counts),
            )
        )
    elif own_themes:
        paragraphs.append(
            _paragraph(
                section,
                _("The round table relates to the Global Compact themes %(themes)s.")
                % {"themes": ", ".join(own_themes)},
                round_table=code,
                themes=own_themes,
            )
        )

    section = f"rt:{code}:practices"
    for pk, title, practice_language, practice_countries in practices[:PRACTICES]:
        # values_list gives a multiple CountryField as stored: "DE,MA".
        codes = [code for code in str(practice_countries or "").split(",") if code]
        names = ", ".join(sorted(str(countries.name(code)) for code in codes))
        text = f"{title} ({names})" if names else title
        paragraphs.append(
            _paragraph(section, _language_mark(text, practice_language, language), round_table=code, practice_ids=[pk])
        )
    if len(practices) > PRACTICES:
        paragraphs.append(
            _paragraph(
                section,
                _("%(count)s other published good practices relate to this round table.")
                % {"count": _number(len(practices) - PRACTICES)},
                round_table=code,
                practice_ids=[row[0] for row in practices[PRACTICES:]],
            )
        )

    # For the section by Compact theme: the most supported recommendations of each theme, and counts.
    by_theme = {}
    for cluster in recommendations:
        for theme in cluster["themes"]:
            entry = by_theme.setdefault(theme, {"top": [], "clusters": 0, "contributions": 0})
            entry["clusters"] += 1
            entry["contributions"] += cluster["support_count"]
            if len(entry["top"]) < PER_THEME:
                entry["top"].append(cluster)
            else:
                entry.setdefault("rest_sources", []).extend(cluster["sources"])

    return {
        "round_table": code,
        "sub_theme": round_table.sub_theme.number,
        "title": round_table.title,
        "digest": digest.hexdigest(),
        "processed": processed,
        "paragraphs": paragraphs,
        "by_theme": by_theme,
        "by_constituency": dict(sorted(by_constituency.items())),
        "organisations": sorted(organisations),
        "countries": sorted(country_codes),
    }


# --- The whole draft ------------------------------------------------------------------------------------


def _date(value):
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _preamble(forum, contents):
    paragraphs = [_heading("preamble", _("Presidential declaration — %(forum)s") % {"forum": forum.title}, 1)]
    paragraphs.append(_heading("preamble", _("Preamble"), 2))
    hosts = sorted(str(countries.name(code)) for code in forum.host_countries)
    facts = {
        "forum": forum.title,
        "theme": forum.theme,
        "city": forum.city,
        "start": _date(forum.start_date),
        "end": _date(forum.end_date),
        "hosts": _(" and ").join(hosts),
    }
    if forum.city and forum.start_date and forum.end_date and hosts:
        text = _(
            "The %(forum)s met in %(city)s from %(start)s to %(end)s under the co-chairmanship of %(hosts)s, "
            "on the theme “%(theme)s”."
        )
    elif hosts:
        text = _("The %(forum)s met under the co-chairmanship of %(hosts)s, on the theme “%(theme)s”.")
    else:
        text = _("The %(forum)s met on the theme “%(theme)s”.")
    paragraphs.append(_paragraph("preamble", text % facts))

    by_constituency = Counter()
    for content in contents:
        by_constituency.update(content["by_constituency"])
    organisations = {tuple(row) for content in contents for row in content["organisations"]}
    country_codes = {code for content in contents for code in content["countries"]}
    total = sum(by_constituency.values())
    order = {value: index for index, value in enumerate(Constituency.values)}
    breakdown = "; ".join(
        _("%(constituency)s %(count)s")
        % {"constituency": constituency_label(value, missing=_("not stated")), "count": _number(count)}
        for value, count in sorted(by_constituency.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    )
    if total:
        text = _(
            "The %(round_tables)s round tables received %(contributions)s contributions from %(organisations)s "
            "organisations of %(countries)s countries, by constituency: %(breakdown)s."
        ) % {
            "round_tables": _number(len(contents)),
            "contributions": _number(total),
            "organisations": _number(len({(name, country) for _c, name, country in organisations})),
            "countries": _number(len(country_codes)),
            "breakdown": breakdown,
        }
    else:
        text = _("The %(round_tables)s round tables received no contribution yet.") % {
            "round_tables": _number(len(contents))
        }
    paragraphs.append(_paragraph("preamble", text))
    return paragraphs, organisations


def _themes_section(contents):
    titles = dict(CompactTheme.objects.values_list("code", "title"))
    merged = {}
    for content in contents:
        for theme, entry in content["by_theme"].items():
            target = merged.setdefault(theme, {"top": [], "clusters": 0, "contributions": 0, "rest_sources": []})
            target["top"].extend(entry["top"])
            target["clusters"] += entry["clusters"]
            target["contributions"] += entry["contributions"]
            target["rest_sources"].extend(entry.get("rest_sources", []))
    if not merged:
        return []
    position = {content["round_table"]: index for index, content in enumerate(contents)}
    paragraphs = [_heading("themes", _("Recommendations by Global Compact theme"), 2)]
    for theme in sorted(merged):
        entry = merged[theme]
        section = f"themes:{theme}"
        ranked = sorted(
            entry["top"],
            key=lambda c: (-c["support_count"], position[c["round_table"]], c["representative"]),
        )
        shown, rest = ranked[:PER_THEME], ranked[PER_THEME:]
        paragraphs.append(_heading(section, f"{theme} {titles.get(theme, '')}".strip(), 3))
        paragraphs.extend(_cluster_paragraph(section, cluster) for cluster in shown)
        hidden = entry["clusters"] - len(shown)
        if hidden:
            sources = sorted({pk for cluster in rest for pk in cluster["sources"]} | set(entry["rest_sources"]))
            paragraphs.append(
                _paragraph(
                    section,
                    _("%(count)s other recommendations (%(contributions)s contributions) address this theme.")
                    % {
                        "count": _number(hidden),
                        "contributions": _number(entry["contributions"] - sum(c["support_count"] for c in shown)),
                    },
                    sources=sources,
                    themes=[theme],
                )
            )
    return paragraphs


def _annex(organisations):
    paragraphs = [_heading("annex", _("Annex: contributing organisations"), 2)]
    grouped = {}
    for constituency, name, country in organisations:
        grouped.setdefault(constituency, set()).add((name, country))
    order = {value: index for index, value in enumerate(Constituency.values)}
    for constituency in sorted(grouped, key=lambda value: (order.get(value, len(order)), value)):
        names = [
            f"{name} ({countries.name(country)})" if country else name
            for name, country in sorted(grouped[constituency])
        ]
        paragraphs.append(
            _paragraph(
                "annex",
                _("%(constituency)s (%(count)s): %(names)s.")
                % {
                    "constituency": constituency_label(constituency, missing=_("not stated")),
                    "count": _number(len(names)),
                    "names": "; ".join(names),
                },
            )
        )
    if len(paragraphs) == 1:
        paragraphs.append(_paragraph("annex", _("No organisation has contributed yet.")))
    return paragraphs


def build_paragraphs(forum, language, contents):
    """The whole draft as paragraph dicts, positioned and numbered, from the round tables' sections."""
    with translation.override(language):
        preamble, organisations = _preamble(forum, contents)
        paragraphs = list(preamble)
        sub_themes = dict(forum.sub_themes.values_list("number", "title"))
        current_sub_theme = None
        for content in contents:
            code = content["round_table"]
            if content["sub_theme"] != current_sub_theme:
                current_sub_theme = content["sub_theme"]
                paragraphs.append(
                    _heading(
                        f"subtheme:{current_sub_theme}",
                        _("Sub-theme %(number)s: %(title)s")
                        % {"number": current_sub_theme, "title": sub_themes.get(current_sub_theme, "")},
                        2,
                    )
                )
            paragraphs.append(
                _heading(
                    f"rt:{code}",
                    _("Round table %(code)s: %(title)s") % {"code": code, "title": content["title"]},
                    3,
                    round_table=code,
                )
            )
            parts = [
                ("messages", _("Key messages")),
                ("recommendations", _("Recommendations")),
                ("frameworks", _("SDG targets and Global Compact themes")),
                ("practices", _("Good practices")),
            ]
            for part, title in parts:
                section = f"rt:{code}:{part}"
                items = [item for item in content["paragraphs"] if item["section"] == section]
                if items:
                    paragraphs.append(_heading(section, title, 4, round_table=code))
                    paragraphs.extend(items)
        paragraphs.extend(_themes_section(contents))
        paragraphs.extend(_annex(organisations))
    number = 0
    for position, item in enumerate(paragraphs, start=1):
        item["position"] = position
        if item["kind"] == Paragraph.Kind.PARAGRAPH:
            number += 1
            item["number"] = str(number)
        else:
            item["number"] = ""
    return paragraphs
