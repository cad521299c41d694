"""Compiling the presidential declaration: contributions, reports and practices into a new draft.

Stages and modules
------------------

A job goes through four stages (its ``CompileJob.stage`` key in brackets), each in a module:

1. ``jobs`` [``queued``]: a job is requested and followed (``request_compile``, ``job_progress``;
   the revival of a job whose worker was lost); the steps the Celery tasks run (``start``,
   ``compile_section``, ``assemble``, or all of them in this process: ``run_inline``) and a
   failure. ``progress`` writes the progress and the heartbeat while those steps work.
2. ``inputs`` [``checking``]: reading the inputs (the forum's texts, per round table its reports,
   published practices and contributions, streamed) and their SHA-256 hash: did anything change
   since the latest draft?
3. ``sections`` [``round_tables``]: one round table per task: its contributions read once, merged
   (``declarations.dedup``) and turned into its part of the draft, kept in a ``CompileSection``.
   ``paragraphs`` makes the paragraph dicts that part and the document are made of.
4. ``document`` [``assembling``]: the whole draft from the sections (preamble, sub-themes and round
   tables, the section by Compact theme, the annex), positioned and numbered; ``storage`` writes
   it (the ``Draft``, its ``Paragraph`` rows and their sources) in the assembly's transaction.

The package itself exposes only the public API below (``from declarations import compile``).

Public API (what the staff pages, the API, the tasks and the command call)
--------------------------------------------------------------------------

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

``start(job_id)``, ``compile_section(job_id, round_table_id)``, ``assemble(job_id)``,
``record_task(job_id, task_id)``, ``revive_stalled()``, ``has_unfinished_jobs()``
    The steps the tasks of ``declarations.tasks`` run (see "How it runs" below). ``ACTIVE`` is the
    statuses of an unfinished job; ``CompileError`` a failure whose message is shown to staff as is.

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

What goes in (``RECOMMENDATIONS`` and the other numbers are constants of ``sections`` and
``synthesis``):

* preamble (not numbered): the forum (title, theme, city, dates as the language writes them,
  co-chairs = host countries) and participation (contributions, organisations and countries, by
  constituency);
* per round table: key messages: the rapporteurs' reports (one paragraph per block), then the
  synthesis of the statements (``synthesis``: the sentences most representative of what many
  contributions said, extractive, a paragraph per Global Compact theme, each sentence attributed by
  constituency in words, or by organisation when the forum shows names, and ending with its support
  in words; the paragraph's ``sentences`` keep each sentence's sources), then a paragraph counting
  the statements it does not cite; the ``RECOMMENDATIONS`` best recommendations (near-duplicates
  merged; ranked by support, then breadth: constituencies, then regions; each followed by its
  support in words, its constituencies and regions), then one paragraph counting the others (its
  sources are all of them); the SDG targets and Compact themes said of the recommendations that
  address them ("The recommendations in paragraphs 12 and 14 address SDG target 10.7."; targets in
  natural order; the paragraph cites those recommendations' contributions); up to ``PRACTICES``
  published good practices linked to the round table;
* by Compact theme: the ``PER_THEME`` most supported recommendations tagged with it, all round
  tables together, and a paragraph counting the others;
* annex (not numbered): the contributing organisations by constituency, with their country.

Every numbered paragraph traces to at least one contribution, report or practice
(``declarations/tests/compile/test_text.py`` checks it).

Accepted contributions are used; those staff marked ``duplicate`` count as support of their
original (``duplicate_of``) when it is used too (else they stand on their own). A contribution
staff marked the same as one in another language (``Contribution.same_as``) is merged with it: the
cluster's text is its earliest contribution in the draft's language, the others count as support.
Contributions in another language than the draft's with no such link are kept as written, with the
language in brackets (``… [en]``): the co-chairs decide what to translate, and a silent machine
translation would put words in participants' mouths. A rapporteur's report is taken in the
draft's language, else in English, French, Spanish.

Determinism: the same inputs give the same ``content`` and ``html``, byte for byte: no time stamps,
everything ordered by stable keys (contribution ids, codes, positions), merging seeded
(``declarations.dedup``). ``Draft.inputs_hash`` is the SHA-256 of ``inputs.COMPILER_VERSION``, the language,
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
``CompileJob.progress``, ``heartbeat_at``) is written at least every ``progress.PROGRESS_SECONDS``.

Worker lost: tasks are acknowledged late, so a task whose worker process dies is delivered again;
but a worker killed outright leaves its messages unacknowledged until the broker's visibility
timeout (an hour). So a job whose heartbeat is older than ``DECLARATION_COMPILE_STALL_SECONDS`` is
*revived*: ``start_compile`` is sent again and re-sends a chord for the round tables that are not
finished (or only ``assemble_draft``). This is done by ``job_progress`` (the staff page polls it), by
every worker when it starts (``declarations.tasks``: it watches unfinished jobs while there are
some), and by ``compile_declaration --async``. A failure (any exception) marks the job ``failed``
with its message and removes its sections; the draft transaction is rolled back.
"""

from declarations.compile.jobs import (
    ACTIVE,
    CompileError,
    assemble,
    compile_section,
    has_unfinished_jobs,
    job_progress,
    record_task,
    request_compile,
    revive_stalled,
    run_inline,
    start,
)

__all__ = [
    "ACTIVE",
    "CompileError",
    "assemble",
    "compile_section",
    "has_unfinished_jobs",
    "job_progress",
    "record_task",
    "request_compile",
    "revive_stalled",
    "run_inline",
    "start",
]
