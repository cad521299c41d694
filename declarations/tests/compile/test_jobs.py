"""Compile jobs (declarations.compile.jobs), run in-process: the same steps the workers run; the
chord itself is tested with a real worker in declarations/tests/test_worker.py."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from common.models import OutboxTask
from declarations import compile as compiler
from declarations.compile import sections
from declarations.models import CompileJob, CompileSection, Declaration, Draft, Paragraph
from declarations.tests.compile.helpers import compile_now, contribute
from stakeholders.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_request_compile_queues_once_and_is_audited(inputs, personas, django_capture_on_commit_callbacks):
    staff = personas.staff()
    with django_capture_on_commit_callbacks() as callbacks:
        job = compiler.request_compile(forum=inputs["forum"], language="fr", user=staff)
        second = compiler.request_compile(forum=inputs["forum"], language="fr", user=staff, force=True)
    assert second == job and CompileJob.objects.count() == 1
    assert job.status == CompileJob.Status.QUEUED and job.requested_by == staff
    assert job.declaration == Declaration.objects.get(forum=inputs["forum"], language="fr")
    task = OutboxTask.objects.get(task_name__startswith="declarations.")
    assert (task.task_name, task.kwargs) == ("declarations.tasks.start_compile", {"job_id": job.pk})
    # Published once the transaction commits (one send, although two requests were made).
    assert [cb.__qualname__ for cb in callbacks].count("enqueue.<locals>.<lambda>") == 1
    entry = AuditEntry.objects.get(action="declarations.compile.requested")
    assert entry.actor == staff and entry.object_id == str(job.pk) and entry.after["language"] == "fr"
    # Another language is another declaration: its own job.
    other = compiler.request_compile(forum=inputs["forum"], language="en", user=staff, dispatch=False)
    assert other != job
    with pytest.raises(ValueError):
        compiler.request_compile(forum=inputs["forum"], language="de", user=staff)


def test_job_progress_reports_the_stage(inputs):
    job = compiler.request_compile(forum=inputs["forum"], language="en", user=None, dispatch=False)
    assert compiler.job_progress(job)["stage"] == "Waiting for a worker…"
    CompileJob.objects.filter(pk=job.pk).update(
        status="running", stage="round_tables", round_tables_total=6, round_tables_done=2, progress=1240,
        total=5000, heartbeat_at=timezone.now(),
    )  # fmt: skip
    state = compiler.job_progress(job)
    assert state["stage"] == "round table 3 of 6 — 1,240 of 5,000 contributions"
    assert (state["percent"], state["status"], state["finished"]) == (23, "running", False)
    with translation.override("fr"):
        stage = compiler.job_progress(job)["stage"]  # French grouping of thousands
        assert "1\xa0240" in stage and "5\xa0000" in stage

    CompileJob.objects.filter(pk=job.pk).update(status="queued", stage="queued", heartbeat_at=None)
    finished = compiler.run_inline(job)
    state = compiler.job_progress(finished)
    assert state == {**state, "status": "succeeded", "percent": 100, "finished": True, "draft_id": finished.draft_id,
                     "version": 1, "stage": "Version 1 is ready.", "progress": 9, "total": 9}  # fmt: skip


def test_a_failing_round_table_fails_the_job_and_writes_nothing(inputs, monkeypatch):
    def broken(round_table, language, *, progress=None):
        if round_table.code == "2.1":
            raise RuntimeError("the database went away")
        return original(round_table, language, progress=progress)

    original = sections.compile_round_table
    monkeypatch.setattr(sections, "compile_round_table", broken)
    job = compile_now(inputs["forum"])
    assert job.status == CompileJob.Status.FAILED
    assert job.error == "RuntimeError: the database went away"
    assert job.finished_at is not None and job.draft is None
    assert not Draft.objects.exists() and not Paragraph.objects.exists()
    assert not CompileSection.objects.exists()
    state = compiler.job_progress(job)
    assert (state["status"], state["error"], state["stage"]) == ("failed", job.error, "The compile failed.")
    # A later compile works again.
    monkeypatch.setattr(sections, "compile_round_table", original)
    assert compile_now(inputs["forum"]).status == CompileJob.Status.SUCCEEDED


def test_a_failing_assembly_leaves_no_half_written_draft(inputs, monkeypatch):
    def broken(draft, paragraphs, forum):
        Paragraph.objects.create(draft=draft, position=1, kind="heading", text="half")
        raise ValueError("disk full")

    monkeypatch.setattr("declarations.compile.storage.save_paragraphs", broken)
    job = compile_now(inputs["forum"])
    assert (job.status, job.error) == (CompileJob.Status.FAILED, "ValueError: disk full")
    assert not Draft.objects.exists() and not Paragraph.objects.exists()


def test_tasks_are_safe_to_run_twice(inputs):
    job = compiler.request_compile(forum=inputs["forum"], language="en", user=None, dispatch=False)
    missing = compiler.start(job.pk)
    assert len(missing) == 6
    assert compiler.start(job.pk) == missing  # a second delivery: the same work, nothing reset
    compiler.compile_section(job.pk, missing[0])
    section = CompileSection.objects.get(job=job, round_table_id=missing[0])
    compiler.compile_section(job.pk, missing[0])  # already finished: left alone
    assert CompileSection.objects.get(pk=section.pk).finished_at == section.finished_at
    assert compiler.start(job.pk) == missing[1:]
    assert compiler.assemble(job.pk) == "waiting"  # a chord fired early waits for the rest
    for round_table_id in missing[1:]:
        compiler.compile_section(job.pk, round_table_id)
    assert compiler.assemble(job.pk) == "done"
    assert compiler.assemble(job.pk) == "done"
    assert compiler.start(job.pk) is None
    assert Draft.objects.count() == 1 and Draft.objects.get().paragraphs.count() > 0


def test_stalled_jobs_are_sent_again(inputs, settings):
    settings.DECLARATION_COMPILE_STALL_SECONDS = 30
    stale = compiler.request_compile(forum=inputs["forum"], language="en", user=None, dispatch=False)
    fresh = compiler.request_compile(forum=inputs["forum"], language="fr", user=None, dispatch=False)
    long_ago = timezone.now() - timedelta(seconds=31)
    CompileJob.objects.filter(pk=stale.pk).update(status="running", heartbeat_at=long_ago)
    CompileJob.objects.filter(pk=fresh.pk).update(status="running", heartbeat_at=timezone.now())
    assert compiler.revive_stalled() == [stale.pk]
    assert list(
        OutboxTask.objects.filter(task_name__startswith="declarations.").values_list("task_name", "kwargs")
    ) == [("declarations.tasks.start_compile", {"job_id": stale.pk})]
    stale.refresh_from_db()
    assert stale.heartbeat_at > long_ago
    assert compiler.revive_stalled() == []  # not twice in a row


def test_a_job_lost_while_checking_checks_again(inputs):
    first = compile_now(inputs["forum"])
    job = compiler.request_compile(forum=inputs["forum"], language="en", user=None, dispatch=False)
    # Its worker was lost after claiming the job, in the middle of the hash.
    CompileJob.objects.filter(pk=job.pk).update(status="running", stage="checking", heartbeat_at=timezone.now())
    assert compiler.start(job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.draft, job.stage) == (CompileJob.Status.UNCHANGED, first.draft, "done")


def _queries(callable_):
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


def test_query_counts_do_not_grow_with_the_contributions(inputs, monkeypatch):
    monkeypatch.setattr("declarations.compile.progress.PROGRESS_SECONDS", 3600)
    rt12 = inputs["forum"].round_tables.get(code="1.2")

    def run():
        job = compiler.request_compile(forum=inputs["forum"], language="en", user=None, dispatch=False, force=True)
        compiler.start(job.pk)
        section = _queries(lambda: compiler.compile_section(job.pk, rt12.pk))
        for round_table in inputs["forum"].round_tables.exclude(pk=rt12.pk):
            compiler.compile_section(job.pk, round_table.pk)
        assemble = _queries(lambda: compiler.assemble(job.pk))
        return section, assemble

    few = run()
    for number in range(60):
        contribute(rt12, f"Recommendation number {number} about topic {number * 7} and item {number * 13}.",
                   targets=["10.7"], themes=["A.a"])  # fmt: skip
    many = run()
    assert few == many


def test_command_compiles_inline_and_reports(inputs, capsys):
    call_command("compile_declaration", forum="gfmd-2017", language="fr")
    out = capsys.readouterr().out
    assert out.startswith("version 1 of ") and "9 contributions" in out
    call_command("compile_declaration", "--forum", "gfmd-2017", "--language", "fr")
    assert capsys.readouterr().out.startswith("unchanged: nothing changed since version 1")
    call_command("compile_declaration", "--forum", "gfmd-2017", "--language", "fr", "--force")
    assert capsys.readouterr().out.startswith("version 2 of ")
    with pytest.raises(CommandError, match="No forum"):
        call_command("compile_declaration", forum="nowhere", language="fr")
    compiler.request_compile(forum=inputs["forum"], language="en", user=None)  # queued for the workers
    with pytest.raises(CommandError, match="already running"):
        call_command("compile_declaration", forum="gfmd-2017", language="en")
