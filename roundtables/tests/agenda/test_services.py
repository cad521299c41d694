"""Agenda curation services (roundtables/agenda/services.py): sessions, roles, running order, checks,
publication, the changelog and the emails to people with roles."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from common.models import OutboxTask
from roundtables.agenda import checks, queries
from roundtables.agenda import services as agenda
from roundtables.models import AgendaItem, RoundTable, Session, SessionChange, SessionRole
from stakeholders.models import AuditEntry, Profile

pytestmark = pytest.mark.django_db

EMAIL_TASK = "roundtables.tasks.send_agenda_change_email"


def at(forum, day, hour, minute=0, month=6):
    """A wall-clock time in Berlin (the forum's time zone) in 2017."""
    return queries.combine(datetime.date(2017, month, day), datetime.time(hour, minute), forum)


def make_session(forum, staff, title, *, kind="plenary", day=29, start=(10, 0), end=(12, 0), room="", **data):
    values = {
        "kind": kind,
        "title_en": title,
        "start": at(forum, day, *start) if start else None,
        "end": at(forum, day, *end) if end else None,
        "venue": "Weltsaal",
        "room": room,
        **data,
    }
    return agenda.create_session(forum=forum, actor=staff, data=values)


def run_outbox():
    """Run the recorded email tasks in-process, as a worker would, each once."""
    from gfmd_portal.celery import app

    for task in OutboxTask.objects.filter(sent_at=None, task_name=EMAIL_TASK).order_by("id"):
        app.tasks[task.task_name](**task.kwargs)
        task.sent_at = timezone.now()
        task.save(update_fields=["sent_at"])


def kinds_of(problems):
    return sorted(problem.kind for problem in problems)


# --- Sessions -----------------------------------------------------------------------------------


def test_staff_create_a_draft_session_recorded_in_the_changelog_and_the_audit_trail(forum, staff):
    session = make_session(forum, staff, "Opening plenary", room="Saal 1")

    assert session.status == Session.Status.DRAFT
    assert session.slug == "opening-plenary"
    assert session.start == datetime.datetime(2017, 6, 29, 8, 0, tzinfo=datetime.UTC)  # 10:00 in Berlin (CEST)
    [change] = SessionChange.objects.filter(session=session)
    assert change.actor == staff
    assert change.summary == "Session created"
    assert change.after_publication is False
    assert {"field": "start", "old": "", "new": "2017-06-29 10:00"} in change.changes
    assert {"field": "room", "old": "", "new": "Saal 1"} in change.changes
    entry = AuditEntry.objects.get(action="roundtables.session.created", object_id=str(session.pk))
    assert entry.actor == staff
    assert entry.after["title_en"] == "Opening plenary"
    # Another session of the same title gets a slug of its own.
    assert make_session(forum, staff, "Opening plenary").slug == "opening-plenary-2"


@pytest.mark.parametrize("who", ["participant", "delegate", "staff_without_second_factor"])
def test_only_staff_with_a_second_factor_change_an_agenda(forum, staff, personas, who):
    session = make_session(forum, staff, "Plenary")
    person = {
        "participant": lambda: personas.participant(),
        "delegate": lambda: personas.delegate(),
        "staff_without_second_factor": lambda: personas.staff("no2fa@example.org", second_factor=False),
    }[who]()
    changes, entries = SessionChange.objects.count(), AuditEntry.objects.count()
    actions = [
        lambda: agenda.create_session(forum=forum, actor=person, data={"kind": "plenary", "title_en": "Mine"}),
        lambda: agenda.update_session(session=session, actor=person, data={"room": "X"}, version=session.version),
        lambda: agenda.add_role(session=session, actor=person, role="chair", guest_name="Someone"),
        lambda: agenda.add_item(session=session, actor=person, kind="opening", minutes=10),
        lambda: agenda.default_running_order(session=session, actor=person),
        lambda: agenda.publish(session=session, actor=person),
    ]
    for action in actions:
        with pytest.raises(PermissionDenied):
            action()
    session.refresh_from_db()
    assert (session.room, session.status, session.version) == ("", "draft", 1)
    assert (SessionChange.objects.count(), AuditEntry.objects.count()) == (changes, entries)
    assert not session.roles.exists() and not session.agenda_items.exists()


def test_a_save_from_a_stale_form_is_refused_and_changes_nothing(forum, staff, personas):
    session = make_session(forum, staff, "Plenary", room="Saal 1")
    opened_at = session.version
    other = personas.staff("second.staff@example.org")
    agenda.update_session(session=session, actor=other, data={"room": "Saal 2"}, version=opened_at)

    with pytest.raises(agenda.VersionConflict, match="Someone else saved this session"):
        agenda.update_session(session=session, actor=staff, data={"room": "Saal 3"}, version=opened_at)

    session.refresh_from_db()
    assert session.room == "Saal 2"
    assert session.version == opened_at + 1
    assert SessionChange.objects.filter(session=session, summary__startswith="Changed").count() == 1


def test_an_update_records_what_changed_from_what_to_what(forum, staff):
    session = make_session(forum, staff, "Plenary", room="Saal 1")
    agenda.update_session(
        session=session,
        actor=staff,
        data={"room": "Saal 2", "start": at(forum, 29, 11), "end": at(forum, 29, 12), "title_en": "Plenary"},
        version=session.version,
    )
    change = SessionChange.objects.filter(session=session).first()  # the newest
    assert change.summary == "Changed: Start, Room"
    assert change.changes == [
        {"field": "start", "old": "2017-06-29 10:00", "new": "2017-06-29 11:00"},
        {"field": "room", "old": "Saal 1", "new": "Saal 2"},
    ]
    entry = AuditEntry.objects.get(action="roundtables.session.updated")
    assert entry.before == {"start": "2017-06-29 10:00", "room": "Saal 1"}
    assert entry.after == {"start": "2017-06-29 11:00", "room": "Saal 2"}
    # Saving the same values again records nothing.
    session.refresh_from_db()
    agenda.update_session(session=session, actor=staff, data={"room": "Saal 2"}, version=session.version)
    assert SessionChange.objects.filter(session=session).count() == 2


def test_a_round_table_session_needs_its_round_table_and_an_end_after_its_start(forum, staff):
    with pytest.raises(ValidationError) as refused:
        agenda.create_session(forum=forum, actor=staff, data={"kind": "round_table", "title_en": "RT"})
    assert "round_table" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        make_session(forum, staff, "Backwards", start=(12, 0), end=(10, 0))
    assert "end" in refused.value.error_dict
    assert not Session.objects.filter(title_en__in=["RT", "Backwards"]).exists()


# --- Problems -----------------------------------------------------------------------------------


def test_a_person_with_roles_in_two_overlapping_sessions_is_a_problem(forum, staff, personas):
    delegate = personas.delegate()
    first = make_session(forum, staff, "First", start=(10, 0), end=(12, 0))
    second = make_session(forum, staff, "Second", start=(11, 30), end=(13, 0))
    right_after = make_session(forum, staff, "Right after", start=(12, 0), end=(13, 0))
    for session in (first, second, right_after):
        agenda.add_role(session=session, actor=staff, role="speaker", person=delegate)
    # The same guest (by name) in two sessions at once, too.
    agenda.add_role(session=first, actor=staff, role="moderator", guest_name="Amina Diallo")
    agenda.add_role(session=right_after, actor=staff, role="moderator", guest_name="amina diallo ")

    found = checks.problems(forum)
    person_problems = [problem for problem in found if problem.kind == "person_overlap"]
    assert {problem.sessions for problem in person_problems} == {(first.pk, second.pk), (second.pk, right_after.pk)}
    assert any("delegate@example.org has roles in two sessions" in problem.message for problem in person_problems)
    assert kinds_of(checks.problems_for(first)) == ["person_overlap"]
    assert kinds_of(checks.problems_for(right_after)) == ["person_overlap"]


def test_a_room_used_by_two_sessions_at_once_is_a_problem(forum, staff):
    first = make_session(forum, staff, "First", room="Saal 1")
    second = make_session(forum, staff, "Second", room="saal 1", start=(11, 0), end=(11, 30))
    make_session(forum, staff, "Other room", room="Saal 2")
    make_session(forum, staff, "Other venue", room="Saal 1", venue="Auswärtiges Amt")
    make_session(forum, staff, "Later", room="Saal 1", start=(12, 0), end=(13, 0))

    [problem] = checks.problems(forum)
    assert problem.kind == "room_overlap"
    assert problem.sessions == (first.pk, second.pk)
    assert problem.message == "Saal 1 is used by two sessions at the same time: First and Second."


def test_a_summit_session_outside_the_forums_dates_in_its_time_zone_is_a_problem(forum, staff):
    assert (forum.start_date, forum.end_date) == (datetime.date(2017, 6, 28), datetime.date(2017, 6, 30))
    # 23:30–23:50 on the last day in Berlin (21:30 UTC): inside.
    make_session(forum, staff, "Late", day=30, start=(23, 30), end=(23, 50))
    # 00:30 on 1 July in Berlin is still 30 June in UTC: outside, by the forum's clock.
    early = make_session(forum, staff, "After midnight", day=1, month=7, start=None, end=None)
    agenda.update_session(
        session=early,
        actor=staff,
        data={"start": at(forum, 1, 0, 30, month=7), "end": at(forum, 1, 1, 30, month=7)},
        version=early.version,
    )
    before = make_session(forum, staff, "Too early", day=27)
    # The thematic workshop meets in Geneva in the second half of the year: not bound by the summit's dates.
    make_session(forum, staff, "Workshop", kind="thematic_workshop", day=14, month=9)

    found = checks.problems(forum)
    assert kinds_of(found) == ["outside_dates", "outside_dates"]
    assert {problem.sessions for problem in found} == {(early.pk,), (before.pk,)}
    assert "After midnight is outside the forum's dates (2017-06-28 to 2017-06-30)." in [p.message for p in found]


def test_a_running_order_longer_than_its_session_is_a_problem(forum, staff):
    session = make_session(forum, staff, "Short", start=(10, 0), end=(11, 0))
    agenda.add_item(session=session, actor=staff, kind="opening", minutes=30)
    agenda.add_item(session=session, actor=staff, kind="discussion", minutes=30)
    assert checks.problems(forum) == []

    agenda.add_item(session=session, actor=staff, kind="conclusions", minutes=5)
    [problem] = checks.problems_for(session)
    assert problem.kind == "too_long"
    assert problem.message == "The running order of Short takes 65 minutes; the session lasts 60."


def test_problems_take_the_same_queries_whatever_the_size(forum, staff, personas, django_assert_num_queries):
    make_session(forum, staff, "Only one", room="Saal 1")
    with django_assert_num_queries(3):
        checks.problems(forum)
    people = [personas.participant(f"p{n}@example.org") for n in range(5)]
    for n in range(10):
        session = make_session(forum, staff, f"Session {n}", room=f"Saal {n % 3}", start=(9 + n % 2, 0), end=(11, 0))
        for person in people[: n % 5 + 1]:
            agenda.add_role(session=session, actor=staff, role="speaker", person=person)
        agenda.add_item(session=session, actor=staff, kind="opening", minutes=200)
    with django_assert_num_queries(3):
        found = checks.problems(forum)
    assert {"person_overlap", "room_overlap", "too_long"} <= set(kinds_of(found))


# --- Balance ------------------------------------------------------------------------------------


def test_balance_counts_constituencies_regions_and_genders_with_a_not_stated_bucket(forum, staff, personas):
    session = make_session(forum, staff, "Balanced")
    delegate = personas.delegate()  # government, organisation in Germany, no gender given
    Profile.objects.filter(user=delegate).update(gender="woman")
    participant = personas.participant()  # civil society, organisation in Morocco
    Profile.objects.filter(user=participant).update(country="SN")  # their own country counts first
    no_country = personas.person("nocountry@example.org", constituency="")
    for person in (delegate, participant, no_country):
        agenda.add_role(session=session, actor=staff, role="speaker", person=person)
    agenda.add_role(
        session=session,
        actor=staff,
        role="panellist",
        guest_name="Jorge Ramírez",
        guest_constituency="academia",
        guest_country="CL",
        guest_gender="man",
    )
    agenda.add_role(session=session, actor=staff, role="rapporteur", guest_name="Unknown guest")

    result = checks.balance(session)
    assert result["total"] == 5
    assert result["constituencies"] == [("Government", 1), ("Civil society", 1), ("Academia", 1), ("Not stated", 2)]
    assert result["regions"] == [("Africa", 1), ("Americas", 1), ("Europe", 1), ("Not stated", 2)]
    assert result["genders"] == [("Woman", 1), ("Man", 1), ("Not stated", 3)]


# --- Roles and running order --------------------------------------------------------------------


def test_roles_are_added_changed_and_removed_with_a_change_each(forum, staff, personas):
    session = make_session(forum, staff, "Plenary")
    delegate = personas.delegate()
    holder = agenda.add_role(session=session, actor=staff, role="speaker", person=delegate)
    with pytest.raises(ValidationError, match="already has this role"):
        agenda.add_role(session=session, actor=staff, role="speaker", person=delegate)
    with pytest.raises(ValidationError, match="Name a person"):
        agenda.add_role(session=session, actor=staff, role="speaker")
    agenda.update_role(holder=holder, actor=staff, role="moderator")
    agenda.remove_role(holder=holder, actor=staff)

    summaries = list(SessionChange.objects.filter(session=session).order_by("id").values_list("summary", flat=True))
    # The changelog becomes public: people are named by name and organisation, never by email address.
    assert summaries == [
        "Session created",
        "Added Speaker: Federal Foreign Office",
        "Changed Speaker: Federal Foreign Office to Moderator: Federal Foreign Office",
        "Removed Moderator: Federal Foreign Office",
    ]
    delegate.first_name, delegate.last_name = "Anna", "Weber"
    delegate.save()
    named = agenda.add_role(session=session, actor=staff, role="chair", person=delegate)
    assert (
        SessionChange.objects.filter(session=session).first().summary
        == "Added Chair: Anna Weber (Federal Foreign Office)"
    )
    agenda.remove_role(holder=named, actor=staff)
    assert list(
        AuditEntry.objects.filter(object_id=str(session.pk)).order_by("id").values_list("action", flat=True)
    ) == [
        "roundtables.session.created",
        "roundtables.session.role_added",
        "roundtables.session.role_changed",
        "roundtables.session.role_removed",
        "roundtables.session.role_added",
        "roundtables.session.role_removed",
    ]
    assert not session.roles.exists()
    assert not any("@" in str(change) for change in SessionChange.objects.values_list("changes", flat=True))


def test_default_running_order_follows_the_guiding_questions_and_fits_the_session(forum, staff):
    round_table = RoundTable.objects.get(forum=forum, code="2.1")
    questions = list(round_table.guiding_questions.order_by("position"))
    session = make_session(
        forum, staff, "RT 2.1", kind="round_table", round_table=round_table, start=(10, 0), end=(12, 30)
    )
    agenda.default_running_order(session=session, actor=staff)

    items = list(session.agenda_items.order_by("position"))
    assert [item.kind for item in items] == ["opening"] + ["guiding_question"] * len(questions) + [
        "discussion",
        "conclusions",
    ]
    assert [item.guiding_question for item in items[1:-2]] == questions
    assert [item.position for item in items] == list(range(1, len(items) + 1))
    assert sum(item.minutes for item in items) <= 150
    assert checks.problems_for(session) == []
    with pytest.raises(ValidationError, match="already has a running order"):
        agenda.default_running_order(session=session, actor=staff)
    assert session.agenda_items.count() == len(items)


def test_reordering_persists_and_a_stale_order_is_refused(forum, staff):
    session = make_session(forum, staff, "Plenary")
    opening, discussion, conclusions = (
        agenda.add_item(session=session, actor=staff, kind=kind, minutes=10)
        for kind in ("opening", "discussion", "conclusions")
    )

    def order():
        return list(AgendaItem.objects.filter(session=session).order_by("position").values_list("kind", flat=True))

    agenda.reorder_items(session=session, actor=staff, order=[conclusions.pk, opening.pk, discussion.pk])
    assert order() == ["conclusions", "opening", "discussion"]
    assert list(session.agenda_items.order_by("position").values_list("position", flat=True)) == [1, 2, 3]
    change = SessionChange.objects.filter(session=session).first()
    assert change.summary == "Running order changed"
    assert change.changes == [
        {
            "field": "running_order",
            "old": "Opening (10 min) · Discussion (10 min) · Conclusions (10 min)",
            "new": "Conclusions (10 min) · Opening (10 min) · Discussion (10 min)",
        }
    ]

    assert agenda.move_item(item=opening, actor=staff, direction="up") is True
    assert order() == ["opening", "conclusions", "discussion"]
    opening.refresh_from_db()
    assert agenda.move_item(item=opening, actor=staff, direction="up") is False  # already first
    discussion.refresh_from_db()
    assert agenda.move_item(item=discussion, actor=staff, direction="down") is False  # already last

    # Someone removed a step meanwhile: an order naming it (or missing one) is refused, nothing moves.
    changes = SessionChange.objects.count()
    for stale in ([opening.pk, conclusions.pk], [opening.pk, conclusions.pk, discussion.pk, 999999], ["x"]):
        with pytest.raises(ValidationError, match="changed while you were editing"):
            agenda.reorder_items(session=session, actor=staff, order=stale)
    assert order() == ["opening", "conclusions", "discussion"]
    assert SessionChange.objects.count() == changes


# --- Publication, the changelog and the emails ----------------------------------------------------


def test_changes_after_publication_are_public_and_emailed_to_the_people_with_roles(forum, staff, personas):
    session = make_session(forum, staff, "Plenary", room="Saal 1")
    french = personas.participant("francoise@example.org", language="fr")
    delegate = personas.delegate()
    agenda.add_role(session=session, actor=staff, role="chair", person=french)
    agenda.add_role(session=session, actor=staff, role="speaker", person=delegate)
    agenda.add_role(session=session, actor=staff, role="speaker", guest_name="A guest")  # no account, no email
    assert not OutboxTask.objects.filter(task_name=EMAIL_TASK).exists()  # a draft: nobody is told

    agenda.publish(session=session, actor=staff)
    session.refresh_from_db()
    assert session.status == Session.Status.PUBLISHED and session.published_at is not None
    assert not SessionChange.objects.filter(session=session, after_publication=True).exists()
    assert not OutboxTask.objects.filter(task_name=EMAIL_TASK).exists()
    assert AuditEntry.objects.filter(action="roundtables.session.published", object_id=str(session.pk)).exists()

    agenda.update_session(session=session, actor=staff, data={"room": "Saal 3"}, version=session.version)
    [public] = SessionChange.objects.filter(session=session, after_publication=True)
    assert public.summary == "Changed: Room"
    assert sorted(OutboxTask.objects.filter(task_name=EMAIL_TASK).values_list("kwargs", flat=True), key=str) == sorted(
        [{"change_id": public.pk, "person_id": french.pk}, {"change_id": public.pk, "person_id": delegate.pk}],
        key=str,
    )

    mail.outbox.clear()
    run_outbox()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"francoise@example.org", "delegate@example.org"}
    english = by_address["delegate@example.org"]
    assert english.subject.endswith("Agenda changed: Plenary")
    assert "Your role: Speaker" in english.body
    assert "- Room: Saal 1 → Saal 3" in english.body
    assert "Thursday" not in english.body and "29 June 2017, 10:00–12:00 (Europe/Berlin)" in english.body
    assert f"/en/agenda/{forum.slug}/sessions/{session.slug}/" in english.body
    # Each person in their own language: the French participant's link is to the French page.
    assert f"/fr/agenda/{forum.slug}/sessions/{session.slug}/" in by_address["francoise@example.org"].body


def test_a_person_whose_role_is_removed_after_publication_is_told(forum, staff, personas):
    session = make_session(forum, staff, "Plenary")
    delegate, participant = personas.delegate(), personas.participant()
    holder = agenda.add_role(session=session, actor=staff, role="speaker", person=delegate)
    agenda.add_role(session=session, actor=staff, role="chair", person=participant)
    agenda.publish(session=session, actor=staff)
    agenda.remove_role(holder=holder, actor=staff)

    mail.outbox.clear()
    run_outbox()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"delegate@example.org", "participant@example.org"}
    assert "You no longer have a role in this session." in by_address["delegate@example.org"].body
    assert "Your role: Chair" in by_address["participant@example.org"].body


def test_no_email_once_the_session_is_withdrawn_and_republishing_keeps_the_first_date(forum, staff, personas):
    session = make_session(forum, staff, "Plenary")
    agenda.add_role(session=session, actor=staff, role="speaker", person=personas.delegate())
    agenda.publish(session=session, actor=staff)
    session.refresh_from_db()
    first_published = session.published_at
    agenda.update_session(session=session, actor=staff, data={"room": "Saal 9"}, version=session.version)
    agenda.unpublish(session=session, actor=staff)
    session.refresh_from_db()
    assert session.status == Session.Status.DRAFT

    mail.outbox.clear()
    run_outbox()  # the email task finds the session withdrawn: it sends nothing
    assert mail.outbox == []
    # Changes while withdrawn are not public; publishing again keeps the first publication's date.
    agenda.update_session(session=session, actor=staff, data={"room": "Saal 8"}, version=session.version)
    latest = SessionChange.objects.filter(session=session).first()
    assert (latest.summary, latest.after_publication) == ("Changed: Room", False)
    agenda.publish(session=session, actor=staff)
    session.refresh_from_db()
    assert session.published_at == first_published


def test_an_email_task_for_a_change_or_person_that_is_gone_is_quiet(forum, staff, personas):
    from roundtables.agenda.tasks import send_agenda_change_email

    session = make_session(forum, staff, "Plenary")
    person = personas.delegate()
    SessionRole.objects.create(session=session, role="chair", person=person)
    change = SessionChange.objects.filter(session=session).first()
    Session.objects.filter(pk=session.pk).update(status="published", published_at=timezone.now())
    send_agenda_change_email(change_id=999999, person_id=person.pk)
    send_agenda_change_email(change_id=change.pk, person_id=999999)
    assert mail.outbox == []
    send_agenda_change_email(change_id=change.pk, person_id=person.pk)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_staff_saving_the_same_version_at_once_one_wins_the_other_is_refused(
    require_postgres, forum, staff, personas
):
    """Real threads on PostgreSQL: the version check is one conditional UPDATE, so exactly one save wins."""
    import threading

    from django.db import connections

    session = make_session(forum, staff, "Plenary", room="Saal 1")
    second = personas.staff("second.staff@example.org")
    opened = session.version
    barrier = threading.Barrier(2)
    outcomes = {}

    def save(actor, room):
        try:
            barrier.wait(5)
            agenda.update_session(session=session, actor=actor, data={"room": room}, version=opened)
            outcomes[room] = "saved"
        except agenda.VersionConflict:
            outcomes[room] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=args) for args in ((staff, "Saal A"), (second, "Saal B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(outcomes.values()) == ["refused", "saved"]
    session.refresh_from_db()
    winner = next(room for room, outcome in outcomes.items() if outcome == "saved")
    assert (session.room, session.version) == (winner, opened + 1)
    assert SessionChange.objects.filter(session=session, summary="Changed: Room").count() == 1
