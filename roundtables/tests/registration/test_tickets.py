"""A forum's time zone, used by the agenda, its checks, its feeds and the registration calendar file."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings

from roundtables.models import Forum, Registration, Session
from roundtables.registration import tickets
from roundtables.tests.factories import make_marrakesh_common_space

pytestmark = pytest.mark.django_db


def test_an_unknown_or_empty_zone_falls_back_to_the_sites():
    assert Forum(time_zone="Europe/Berlin").zone() == ZoneInfo("Europe/Berlin")
    assert Forum(time_zone="Mars/Olympus_Mons").zone() == ZoneInfo(settings.TIME_ZONE)
    assert Forum(time_zone="").zone() == ZoneInfo(settings.TIME_ZONE)


def test_the_registration_calendar_file_is_in_the_forums_zone(personas):
    session = make_marrakesh_common_space("Common space", room="Hall B")
    registration = Registration.objects.create(
        session=session,
        person=personas.participant(),
        constituency="civil_society",
        status="confirmed",
        checkin_code="X1",
    )
    [event] = icalendar.Calendar.from_ical(tickets.calendar(registration, page_url="https://example.org/")).walk(
        "VEVENT"
    )
    assert event["DTSTART"].params["TZID"] == "Africa/Casablanca"
    assert str(event["LOCATION"]) == "Hall B, Marrakesh"


def _registration(personas, *, start, end, description="", forum_title="Forum", time_zone="Europe/Berlin"):
    forum = Forum.objects.create(
        slug="winter", edition=12, year=2019, title=forum_title, theme="-", city="Berlin", time_zone=time_zone
    )
    session = Session.objects.create(
        forum=forum,
        slug="briefing",
        kind="plenary",
        title="Briefing",
        description=description,
        status="published",
        start=start,
        end=end,
        version=3,
    )
    return Registration.objects.create(
        session=session, person=personas.participant(), constituency="civil_society", status="confirmed"
    )


def _event(content):
    [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    return event


def test_the_file_carries_the_feeds_uid_and_sequence_for_the_session(personas):
    from roundtables.agenda import feeds

    berlin = ZoneInfo("Europe/Berlin")
    registration = _registration(
        personas,
        start=datetime.datetime(2019, 1, 17, 9, tzinfo=berlin),
        end=datetime.datetime(2019, 1, 17, 11, tzinfo=berlin),
    )
    event = _event(tickets.calendar(registration, page_url="https://example.org/"))
    assert str(event["UID"]) == feeds.event_uid(registration.session) == f"session-{registration.session.pk}@127.0.0.1"
    assert event["SEQUENCE"] == 3
    assert event.decoded("LAST-MODIFIED") == registration.session.updated.replace(microsecond=0)


def test_the_file_is_valid_and_its_vtimezone_is_the_feeds(personas):
    from roundtables.agenda import feeds
    from roundtables.tests.agenda.readers import assert_valid, read_with_icalendar, read_with_vobject

    berlin = ZoneInfo("Europe/Berlin")
    start, end = datetime.datetime(2019, 7, 17, 9, tzinfo=berlin), datetime.datetime(2019, 7, 17, 11, tzinfo=berlin)
    registration = _registration(personas, start=start, end=end, forum_title="")
    content = tickets.calendar(registration, page_url="https://example.org/")
    assert_valid(content)
    [zone] = icalendar.Calendar.from_ical(content).walk("VTIMEZONE")
    assert zone.to_ical() == feeds.vtimezone("Europe/Berlin").to_ical()
    uid = feeds.event_uid(registration.session)
    assert read_with_icalendar(content) == read_with_vobject(content) == {uid: (start, end)}
    # No forum title: the description starts with the registration, not with an empty line.
    assert str(_event(content)["DESCRIPTION"]).startswith("Registration: Confirmed")


def test_an_all_day_file_has_no_vtimezone(personas):
    from roundtables.tests.agenda.readers import assert_valid

    registration = _registration(personas, start=None, end=None)
    forum = registration.session.forum
    forum.start_date = forum.end_date = datetime.date(2019, 1, 17)
    forum.save()
    registration.session.refresh_from_db()
    content = tickets.calendar(registration, page_url="https://example.org/")
    assert_valid(content)
    assert icalendar.Calendar.from_ical(content).walk("VTIMEZONE") == []
    assert _event(content).decoded("DTSTART") == datetime.date(2019, 1, 17)
