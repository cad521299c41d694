"""The agenda's read model (agenda/queries.py): what agenda_of returns, in how many queries, and
where a session takes place."""

import datetime

import pytest

from roundtables.agenda.queries import (
    Agenda,
    AgendaSession,
    Change,
    Day,
    Person,
    Room,
    Step,
    agenda_of,
    agenda_sessions,
    place,
    sessions_of,
)
from roundtables.models import Session
from roundtables.tests.agenda import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda(forum, personas):
    return helpers.build_agenda(forum, personas)


def test_a_forums_agenda_is_days_of_rooms_of_sessions_read_in_six_queries(agenda, django_assert_num_queries):
    forum = agenda["forum"]
    # sessions, round tables, people with roles, running orders, their guiding questions, changes
    with django_assert_num_queries(6):
        result = agenda_of(forum)
    assert isinstance(result, Agenda)
    assert [day.date for day in result.days] == [datetime.date(2017, 6, 28), datetime.date(2017, 6, 29)]
    assert all(isinstance(day, Day) and all(isinstance(room, Room) for room in day.rooms) for day in result.days)
    assert [room.room for room in result.days[1].rooms] == ["Saal 1", "Saal 2"]
    assert result.sessions == [
        *(e for day in result.days for room in day.rooms for e in room.sessions),
        *result.undated,
    ]
    assert "side-event" not in {entry.session.slug for entry in result.sessions}  # a draft

    [rt11] = result.days[1].rooms[0].sessions
    assert isinstance(rt11, AgendaSession) and rt11.session == agenda["rt11"]
    assert (rt11.time_text, rt11.kind_label, rt11.place) == ("09:00–10:30", "Round table", "Saal 1, Berlin")
    assert rt11.local_start == helpers.at(29, 9)
    assert (rt11.round_table_label, rt11.round_table_url) == ("Round table 1.1", "/en/roundtables/gfmd-2017/1.1/")
    assert rt11.page_url == "/en/agenda/gfmd-2017/sessions/round-table-1-1/"
    assert rt11.people[0] == Person(role="chair", label="Chair", name="Amina Diallo", organisation="Ministry of Labour")
    assert [person.name for person in rt11.people][1] == "Jean Dupont"
    assert all(isinstance(step, Step) for step in rt11.running_order)
    assert [(step.at_text, step.short, step.minutes_text) for step in rt11.running_order] == [
        ("09:00", "Opening", "10 min"),
        ("09:10", "Guiding question 1", "45 min"),
        ("09:55", "Wrap-up by the chair", "15 min"),
    ]
    assert rt11.running_order[1].question == agenda["question"]
    assert rt11.running_order[1].text == agenda["question"].text
    assert rt11.changes == [
        Change(at=datetime.datetime(2017, 6, 20, 10, 0, tzinfo=helpers.BERLIN), summary="Room changed to Saal 1")
    ]
    # Nothing is hung on the model instance, and the entry takes no attribute of its own (slots).
    assert not hasattr(rt11.session, "people")
    with pytest.raises(AttributeError):
        rt11.block = "<article>"


def test_a_persons_sessions_of_any_forum_in_four_more_queries(agenda, django_assert_num_queries):
    rapporteur = agenda["rapporteur"]
    with django_assert_num_queries(5):  # sessions (with forum and round table), people, steps, questions, changes
        entries = agenda_sessions(sessions_of(rapporteur))
    assert [entry.session.slug for entry in entries] == ["round-table-1-1"]
    assert entries[0].page_url == "/en/agenda/gfmd-2017/sessions/round-table-1-1/"
    assert agenda_sessions(Session.objects.none()) == []


def test_place_names_room_venue_and_city_once(forum):
    session = Session(forum=forum, room="Saal 1", venue="Auswärtiges Amt")
    forum.city = "Berlin"
    assert place(session) == "Saal 1, Auswärtiges Amt, Berlin"
    assert place(session, city=False) == "Saal 1, Auswärtiges Amt"
    session.room, session.venue = "", "Berlin"
    assert place(session) == "Berlin"  # not "Berlin, Berlin"
    session.venue = ""
    assert (place(session), place(session, city=False)) == ("Berlin", "")
