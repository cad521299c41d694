"""The compile engine, run in-process (the same steps the workers run; the chord itself is tested
with a real worker in test_worker.py)."""

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from declarations import compile as compiler
from declarations.compile import sections
from declarations.compile.inputs import inputs_digest
from declarations.models import CompileJob, CompileSection, Declaration, Draft, Paragraph
from declarations.rendering import render_html
from gfmd_portal.models import OutboxTask
from practices.models import Practice
from roundtables.models import Contribution, RapporteurReport, Session
from sdg_targets.models import CompactTheme, Target
from stakeholders.models import AuditEntry, Constituency, Organisation

pytestmark = pytest.mark.django_db

A_TEXTS = [
    "Governments should expand fair recruitment standards for domestic workers through bilateral labour agreements.",
    "We recommend that states expand fair recruitment standards for domestic workers through bilateral labour "
    "agreements as a priority.",
    "States are encouraged to expand fair recruitment standards for domestic workers through bilateral labour "
    "agreements.",
]
B_TEXT = "Countries should digitise birth registration services for children on the move using mobile technology."
FR_TEXT = "Les gouvernements devraient renforcer l'assistance consulaire pour les migrants de retour."


def contribute(round_table, text, *, kind=Contribution.Kind.RECOMMENDATION, constituency=Constituency.CIVIL_SOCIETY,
               organisation="Migrant Rights Network", country="MA", language="en",
               status=Contribution.Status.ACCEPTED, duplicate_of=None, targets=(), themes=()):  # fmt: skip
    contribution = Contribution.objects.create(
        round_table=round_table,
        kind=kind,
        text=text,
        language=language,
        constituency=constituency,
        organisation_name=organisation,
        country=country,
        status=status,
        duplicate_of=duplicate_of,
    )
    contribution.sdg_targets.set(Target.objects.filter(code__in=targets))
    contribution.compact_themes.set(CompactTheme.objects.filter(code__in=themes))
    return contribution


@pytest.fixture
def inputs(forum):
    """A small forum's worth of contributions, reports and practices, in round tables 1.1 and 2.1."""
    rt11 = forum.round_tables.get(code="1.1")
    rt21 = forum.round_tables.get(code="2.1")
    a1 = contribute(rt11, A_TEXTS[0], constituency=Constituency.GOVERNMENT, organisation="Federal Foreign Office",
                    country="DE", targets=["10.7"], themes=["A.a"])  # fmt: skip
    a2 = contribute(rt11, A_TEXTS[1], targets=["10.7"], themes=["A.a"])
    b = contribute(rt11, B_TEXT, constituency=Constituency.ACADEMIA, organisation="University of Dakar",
                   country="SN", targets=["16.9"])  # fmt: skip
    a3 = contribute(rt11, A_TEXTS[2], constituency=Constituency.PRIVATE_SECTOR, organisation="Mensah Textiles",
                    country="GH")  # fmt: skip
    # Staff marked it a duplicate of a1: it counts as support although its words differ.
    dup = contribute(rt11, "Same as the first one, really.", status=Contribution.Status.DUPLICATE, duplicate_of=a1,
                     constituency=Constituency.LOCAL_AUTHORITY, organisation="City of Lyon", country="FR")  # fmt: skip
    rejected = contribute(rt11, A_TEXTS[0] + " Rejected copy.", status=Contribution.Status.REJECTED)
    waiting = contribute(rt11, A_TEXTS[1], status=Contribution.Status.SUBMITTED)
    fr = contribute(rt11, FR_TEXT, language="fr")
    s1 = contribute(rt11, "We observe that migrant workers still pay high recruitment fees in the Gulf corridors.",
                    kind=Contribution.Kind.STATEMENT)  # fmt: skip
    s2 = contribute(rt11, "Our members report that migrant workers still pay high recruitment fees in the Gulf "
                    "corridors today.", kind=Contribution.Kind.STATEMENT, constituency=Constituency.GOVERNMENT,
                    organisation="Federal Foreign Office", country="DE")  # fmt: skip
    c21 = contribute(rt21, "Host municipalities should open language courses for refugees in cities.",
                     themes=["B.e"])  # fmt: skip
    session = Session.objects.get(forum=forum, slug="round-table-1-1")
    report_en = RapporteurReport.objects.create(
        session=session, language="en", text="The round table agreed on fair recruitment.\n\nIt asked for data."
    )
    report_fr = RapporteurReport.objects.create(session=session, language="fr", text="La table ronde a convenu.")
    government = Organisation.objects.create(name="Ministry of Labour", country="PH", constituency="government")
    published = Practice.objects.create(
        organisation=government, title="Fair recruitment corridor", status=Practice.Status.PUBLISHED, countries=["PH"]
    )
    published.round_tables.add(rt11)
    draft_practice = Practice.objects.create(organisation=government, title="Not yet", status=Practice.Status.DRAFT)
    draft_practice.round_tables.add(rt11)
    return {
        "forum": forum, "rt11": rt11, "rt21": rt21, "a": [a1, a2, a3], "dup": dup, "b": b, "fr": fr,
        "rejected": rejected, "waiting": waiting, "statements": [s1, s2], "c21": c21,
        "report_en": report_en, "report_fr": report_fr, "practice": published, "draft_practice": draft_practice,
    }  # fmt: skip


def compile_now(forum, language="en", force=False, user=None):
    job = compiler.request_compile(forum=forum, language=language, user=user, force=force, dispatch=False)
    return compiler.run_inline(job)


def test_draft_structure_merges_near_duplicates_and_keeps_provenance(inputs):
    job = compile_now(inputs["forum"])

    assert job.status == CompileJob.Status.SUCCEEDED and job.error == ""
    draft = job.draft
    assert draft.version == 1 and draft.inputs_hash == job.inputs_hash and len(draft.inputs_hash) == 64
    rows = list(draft.paragraphs.order_by("position"))
    assert [row.position for row in rows] == list(range(1, len(rows) + 1))
    numbered = [row.number for row in rows if row.kind == Paragraph.Kind.PARAGRAPH]
    assert numbered == [str(n) for n in range(1, len(numbered) + 1)]
    assert all(row.number == "" for row in rows if row.kind == Paragraph.Kind.HEADING)
    assert rows[0].kind == "heading" and rows[0].level == 1 and rows[0].section == "preamble"
    headings = [(row.level, row.section) for row in rows if row.kind == "heading"]
    for expected in [
        (2, "preamble"),
        (2, "subtheme:1"),
        (3, "rt:1.1"),
        (4, "rt:1.1:messages"),
        (4, "rt:1.1:recommendations"),
        (4, "rt:1.1:frameworks"),
        (4, "rt:1.1:practices"),
        (2, "themes"),
        (3, "themes:A.a"),
        (3, "themes:B.e"),
        (2, "annex"),
    ]:
        assert expected in headings
    # Six round tables, in programme order, even those without contributions.
    assert [s for _level, s in headings if s.startswith("rt:") and s.count(":") == 1] == [
        "rt:1.1", "rt:1.2", "rt:2.1", "rt:2.2", "rt:3.1", "rt:3.2",
    ]  # fmt: skip

    a1, a2, a3 = inputs["a"]
    recommendations = [row for row in rows if row.section == "rt:1.1:recommendations" and row.kind == "paragraph"]
    merged = recommendations[0]
    assert merged.text == a1.text  # the earliest contribution represents the cluster
    assert merged.support_count == 4
    assert set(merged.sources.values_list("pk", flat=True)) == {a1.pk, a2.pk, a3.pk, inputs["dup"].pk}
    assert merged.constituencies == sorted(
        [Constituency.GOVERNMENT, Constituency.CIVIL_SOCIETY, Constituency.PRIVATE_SECTOR, Constituency.LOCAL_AUTHORITY]
    )
    assert merged.round_table == inputs["rt11"]
    texts = [row.text for row in recommendations]
    assert texts[1:] == [B_TEXT, f"{FR_TEXT} [fr]"]  # by support, then earliest
    assert [row.support_count for row in recommendations] == [4, 1, 1]

    # Statements sharing their words are one key message; the report comes first, in the draft's language.
    messages = [row for row in rows if row.section == "rt:1.1:messages" and row.kind == "paragraph"]
    assert [row.text for row in messages[:2]] == ["The round table agreed on fair recruitment.", "It asked for data."]
    assert list(messages[0].reports.all()) == [inputs["report_en"]]
    assert messages[2].support_count == 2
    assert set(messages[2].sources.all()) == set(inputs["statements"])

    practices = [row for row in rows if row.section == "rt:1.1:practices"]
    assert [row.practice_ids for row in practices if row.kind == "paragraph"] == [[inputs["practice"].pk]]
    assert "Fair recruitment corridor (Philippines)" in [row.text for row in practices]

    frameworks = [row.text for row in rows if row.section == "rt:1.1:frameworks" and row.kind == "paragraph"]
    assert frameworks == [
        "The recommendations address SDG targets 10.7 (2), 16.9 (1).",
        "They address the Global Compact themes A.a (2).",
    ]

    theme = [row for row in rows if row.section == "themes:A.a" and row.kind == "paragraph"]
    assert [(row.text, row.support_count) for row in theme] == [(a1.text, 4)]
    assert {row.section for row in rows if inputs["c21"] in row.sources.all()} == {"rt:2.1:recommendations",
                                                                                   "themes:B.e"}  # fmt: skip

    # Every paragraph knows its sources: the rows and the stored content agree, rejected and
    # waiting contributions are nowhere, every used contribution is somewhere.
    content = {item["position"]: item for item in draft.content["paragraphs"]}
    everywhere = set()
    for row in rows:
        sources = set(row.sources.values_list("pk", flat=True))
        assert sources == set(content[row.position]["sources"])
        assert set(row.reports.values_list("pk", flat=True)) == set(content[row.position]["reports"])
        everywhere |= sources
    used = {a1.pk, a2.pk, a3.pk, inputs["dup"].pk, inputs["b"].pk, inputs["fr"].pk, inputs["c21"].pk}
    used |= {s.pk for s in inputs["statements"]}
    assert everywhere == used

    preamble = [row.text for row in rows if row.section == "preamble" and row.kind == "paragraph"]
    assert preamble[0].startswith("The Tenth Global Forum on Migration and Development – Germany 2017 met in Berlin")
    assert "Germany and Morocco" in preamble[0]
    annex = [row.text for row in rows if row.section == "annex" and row.kind == "paragraph"]
    assert annex[0] == "Government (1): Federal Foreign Office (Germany)."
    assert draft.html == render_html(draft)
    assert '<p id="p-1" class="declaration-paragraph">' in draft.html and "style=" not in draft.html
    assert not CompileSection.objects.filter(job=job).exists()


def test_participation_counts(inputs):
    job = compile_now(inputs["forum"])
    preamble = job.draft.paragraphs.filter(section="preamble", kind="paragraph").order_by("position")
    assert preamble[1].text == (
        "The 6 round tables received 9 contributions from 5 organisations of 5 countries, by constituency: "
        "Government 2; Civil society 4; Private sector 1; Academia 1; Local authority 1."
    )


def test_french_draft_marks_other_languages_and_takes_the_french_report(inputs):
    job = compile_now(inputs["forum"], language="fr")
    rows = job.draft.paragraphs.order_by("position")
    messages = rows.filter(section="rt:1.1:messages", kind="paragraph")
    assert messages[0].text == "La table ronde a convenu."
    assert list(messages[0].reports.all()) == [inputs["report_fr"]]
    texts = list(rows.filter(section="rt:1.1:recommendations", kind="paragraph").values_list("text", flat=True))
    assert texts == [f"{A_TEXTS[0]} [en]", f"{B_TEXT} [en]", FR_TEXT]
    assert rows.first().text.endswith("Dixième Forum mondial sur la migration et le développement – Allemagne 2017")


def test_same_inputs_same_draft_and_no_new_version(inputs, personas):
    staff = personas.staff()
    first = compile_now(inputs["forum"], user=staff)
    again = compile_now(inputs["forum"], user=staff)
    assert again.status == CompileJob.Status.UNCHANGED
    assert again.draft == first.draft and Draft.objects.count() == 1

    forced = compile_now(inputs["forum"], user=staff, force=True)
    assert forced.status == CompileJob.Status.SUCCEEDED and forced.draft.version == 2
    assert forced.draft.inputs_hash == first.draft.inputs_hash
    assert json.dumps(forced.draft.content, sort_keys=True) == json.dumps(first.draft.content, sort_keys=True)
    assert forced.draft.html == first.draft.html
    assert forced.draft.author == staff

    # Any input changing makes a new version: a text, a tag, a report, a practice.
    changes = [
        lambda: Contribution.objects.filter(pk=inputs["b"].pk).update(text=B_TEXT + " Now."),
        lambda: inputs["b"].compact_themes.add(CompactTheme.objects.get(code="C.f")),
        lambda: RapporteurReport.objects.filter(pk=inputs["report_en"].pk).update(text="Changed."),
        lambda: Practice.objects.filter(pk=inputs["draft_practice"].pk).update(status=Practice.Status.PUBLISHED),
    ]
    hashes = {first.draft.inputs_hash}
    for version, change in enumerate(changes, start=3):
        change()
        job = compile_now(inputs["forum"], user=staff)
        assert job.status == CompileJob.Status.SUCCEEDED and job.draft.version == version
        hashes.add(job.draft.inputs_hash)
    assert len(hashes) == 5
    assert inputs_digest(inputs["forum"], "en")[0] == job.draft.inputs_hash


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


def test_a_job_lost_while_checking_checks_again(inputs):
    first = compile_now(inputs["forum"])
    job = compiler.request_compile(forum=inputs["forum"], language="en", user=None, dispatch=False)
    # Its worker was lost after claiming the job, in the middle of the hash.
    CompileJob.objects.filter(pk=job.pk).update(status="running", stage="checking", heartbeat_at=timezone.now())
    assert compiler.start(job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.draft, job.stage) == (CompileJob.Status.UNCHANGED, first.draft, "done")
