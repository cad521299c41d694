"""The forum as a data file both ways: export_forum writes what load_forum reads, and load_forum
never overwrites what staff changed in the browser."""

import pytest
import yaml
from django.core.management import CommandError, call_command

from roundtables.models import Forum, GuidingQuestion, RoundTable, Session, SessionChange
from roundtables.programme import services
from stakeholders import audit

pytestmark = pytest.mark.django_db


def _export(tmp_path, name="export.yaml", slug="gfmd-2017"):
    path = tmp_path / name
    call_command("export_forum", slug, "--output", str(path))
    return path


def test_the_export_of_the_2017_forum_is_the_data_file_it_was_loaded_from(forum, tmp_path):
    exported = yaml.safe_load(_export(tmp_path).read_text(encoding="utf-8"))
    assert exported == yaml.safe_load(services.FORUM_2017_FILE.read_text(encoding="utf-8"))


def test_the_2017_forum_round_trips_through_an_empty_database(forum, tmp_path, capsys):
    first = _export(tmp_path, "first.yaml")
    Forum.objects.all().delete()  # the programme, its sessions and their changes go with it
    assert RoundTable.objects.count() == Session.objects.count() == 0

    call_command("load_forum", str(first))
    assert "gfmd-2017: created=" in capsys.readouterr().out
    assert RoundTable.objects.count() == 6
    assert GuidingQuestion.objects.count() == 26
    second = _export(tmp_path, "second.yaml")
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")


def test_what_staff_set_on_sessions_travels_in_the_file(forum, tmp_path):
    import datetime
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    Session.objects.filter(slug="round-table-1-1").update(
        start=datetime.datetime(2017, 6, 29, 9, 30, tzinfo=berlin),
        end=datetime.datetime(2017, 6, 29, 11, tzinfo=berlin),
        room="Saal 3",
        title_es="Mesa redonda 1.1 (sala 3)",
    )
    path = _export(tmp_path)
    spec = next(
        s for s in yaml.safe_load(path.read_text(encoding="utf-8"))["sessions"] if s["slug"] == "round-table-1-1"
    )
    assert (spec["start"], spec["end"], spec["room"]) == (
        "2017-06-29T09:30:00+02:00",
        "2017-06-29T11:00:00+02:00",
        "Saal 3",
    )
    Forum.objects.all().delete()
    services.load_forum(path=path)
    session = Session.objects.get(slug="round-table-1-1")
    assert session.start == datetime.datetime(2017, 6, 29, 7, 30, tzinfo=datetime.UTC)
    assert (session.room, session.title_es) == ("Saal 3", "Mesa redonda 1.1 (sala 3)")


def test_export_to_the_standard_output_and_an_unknown_forum(forum, capsys):
    call_command("export_forum", "gfmd-2017")
    out = capsys.readouterr().out
    assert out.startswith("forum:\n  slug: gfmd-2017\n  edition: 10\n  year: 2017\n")
    with pytest.raises(CommandError, match="No forum 'gfmd-2099' \\(known: gfmd-2017\\)"):
        call_command("export_forum", "gfmd-2099")


def _file_with(tmp_path, change):
    data = yaml.safe_load(services.FORUM_2017_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _retitle(data):
    data["sub_themes"][0]["round_tables"][0]["title"]["en"] = "Retitled in the file"
    data["sub_themes"][0]["round_tables"][1]["title"]["en"] = "Also retitled in the file"
    data["sub_themes"][0]["round_tables"][0]["guiding_questions"][0]["en"] = "A question reworded in the file"
    data["sessions"][2]["title"]["en"] = "Round table 1.1, renamed in the file"


def test_load_forum_keeps_and_lists_what_staff_edited(forum, personas, tmp_path, capsys):
    staff = personas.staff()
    edited = RoundTable.objects.get(code="1.1")
    edited.title_en = "Retitled by staff"
    edited.save()
    audit.record(actor=staff, action="roundtables.round_table.updated", obj=edited)
    question = edited.guiding_questions.get(position=1)
    question.text_en = "Reworded by staff"
    question.save()
    audit.record(actor=staff, action="roundtables.guiding_question.updated", obj=question)
    session = Session.objects.get(slug="round-table-1-1")
    Session.objects.filter(pk=session.pk).update(version=2, title_en="Renamed by staff")
    SessionChange.objects.create(session=session, summary="Changed: Title (English)")

    call_command("load_forum", "--file", str(_file_with(tmp_path, _retitle)))

    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        "skipped round table 1.1: edited by staff, kept (the file differs in title_en)",
        "skipped round table 1.1, question 1: edited by staff, kept (the file differs in text_en)",
        "skipped session round-table-1-1: edited by staff, kept (the file differs in title_en)",
    ]
    assert out[3].startswith("gfmd-2017: created=0 updated=1 ")
    assert RoundTable.objects.get(code="1.1").title_en == "Retitled by staff"
    assert GuidingQuestion.objects.get(pk=question.pk).text_en == "Reworded by staff"
    assert Session.objects.get(pk=session.pk).title_en == "Renamed by staff"
    # A round table nobody edited follows the file.
    assert RoundTable.objects.get(code="1.2").title_en == "Also retitled in the file"


def test_an_audit_entry_without_a_person_is_not_a_staff_edit(forum, tmp_path, capsys):
    audit.record(actor=None, action="roundtables.round_table.loaded", obj=RoundTable.objects.get(code="1.1"))
    call_command("load_forum", str(_file_with(tmp_path, _retitle)))
    assert "skipped" not in capsys.readouterr().out
    assert RoundTable.objects.get(code="1.1").title_en == "Retitled in the file"


def test_a_staff_edited_question_the_file_no_longer_has_is_kept(forum, personas, tmp_path, capsys):
    question = GuidingQuestion.objects.get(round_table__code="1.1", position=5)
    audit.record(actor=personas.staff(), action="roundtables.guiding_question.updated", obj=question)

    call_command(
        "load_forum",
        str(_file_with(tmp_path, lambda d: d["sub_themes"][0]["round_tables"][0]["guiding_questions"].pop())),
    )

    assert "skipped round table 1.1, question 5: edited by staff, kept (the file no longer has it)" in (
        capsys.readouterr().out
    )
    assert GuidingQuestion.objects.filter(pk=question.pk).exists()


def test_load_forum_takes_the_file_once(db, tmp_path):
    with pytest.raises(CommandError, match="Give the file once"):
        call_command("load_forum", str(tmp_path / "a.yaml"), "--file", str(tmp_path / "b.yaml"))
