"""Helpers of the agenda's tests: times in Berlin, the 2017 forum with a small published agenda."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from roundtables.models import AgendaItem, Session, SessionChange, SessionRole

BERLIN = ZoneInfo("Europe/Berlin")


def at(day, hour, minute=0):
    """A time in Berlin on a day of June 2017."""
    return datetime.datetime(2017, 6, day, hour, minute, tzinfo=BERLIN)


def in_order(html, *texts):
    """Each text appears after the previous one."""
    position = 0
    for text in texts:
        found = html.find(text, position)
        assert found >= 0, f"{text!r} not found after position {position}"
        position = found + len(text)


def date_session(forum, slug, start, end=None, room=""):
    session = Session.objects.get(forum=forum, slug=slug)
    session.start, session.end, session.room = start, end, room
    session.save()
    return session


def named_person(personas, email, first, last, **kwargs):
    user = personas.person(email, organisation=personas.civil_society(), **kwargs)
    user.first_name, user.last_name = first, last
    user.save()
    return user


def build_agenda(forum, personas):
    """The 2017 forum with three dated sessions (two rooms on 29 June, the common space on 28 June),
    people and a running order for round table 1.1, its changelog, and a dated draft."""
    rt11 = date_session(forum, "round-table-1-1", at(29, 9), at(29, 10, 30), room="Saal 1")
    date_session(forum, "round-table-1-2", at(29, 9), at(29, 10, 30), room="Saal 2")
    date_session(forum, "common-space", at(28, 14), at(28, 18), room="Foyer")
    draft = Session.objects.create(
        forum=forum,
        slug="side-event",
        kind=Session.Kind.PLENARY,
        title_en="Secret side event",
        start=at(30, 8),
        room="Saal 1",
        status=Session.Status.DRAFT,
    )
    rapporteur = named_person(personas, "jean.dupont@example.org", "Jean", "Dupont")
    nameless = personas.person("no.name@example.org", organisation=personas.government())
    SessionRole.objects.create(
        session=rt11, role="chair", guest_name="Amina Diallo", guest_organisation="Ministry of Labour", position=1
    )
    SessionRole.objects.create(session=rt11, role="rapporteur", person=rapporteur, position=2)
    SessionRole.objects.create(session=rt11, role="speaker", person=nameless, position=3)
    question = rt11.round_table.guiding_questions.get(position=1)
    AgendaItem.objects.create(session=rt11, kind="opening", minutes=10, position=1)
    AgendaItem.objects.create(session=rt11, kind="guiding_question", guiding_question=question, minutes=45, position=2)
    AgendaItem.objects.create(session=rt11, kind="conclusions", title="Wrap-up by the chair", minutes=15, position=3)
    SessionChange.objects.create(session=rt11, summary="Draft tidied", after_publication=False)
    change = SessionChange.objects.create(session=rt11, summary="Room changed to Saal 1", after_publication=True)
    SessionChange.objects.filter(pk=change.pk).update(
        changed_at=datetime.datetime(2017, 6, 20, 8, 0, tzinfo=datetime.UTC)
    )
    return {"forum": forum, "rt11": rt11, "draft": draft, "rapporteur": rapporteur, "question": question}


def grow(agenda, personas, sessions, roles_each):
    forum = agenda["forum"]
    for number in range(sessions):
        session = Session.objects.create(
            forum=forum,
            slug=f"extra-{number}",
            kind=Session.Kind.ROUND_TABLE,
            round_table=agenda["rt11"].round_table,
            title_en=f"Extra {number}",
            start=at(29, 11) + datetime.timedelta(hours=number % 6),
            room=f"Room {number % 4}",
            status=Session.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        for index in range(roles_each):
            person = named_person(personas, f"p{number}-{index}@example.org", "P", str(index))
            SessionRole.objects.create(session=session, role="speaker", person=person, position=index)
        SessionRole.objects.create(session=session, role="chair", guest_name="Guest", position=99)
        AgendaItem.objects.create(session=session, kind="opening", minutes=5)
        AgendaItem.objects.create(
            session=session, kind="guiding_question", guiding_question=agenda["question"], minutes=5
        )
        SessionChange.objects.create(session=session, summary="Moved", after_publication=True)
