"""A forum's time zone, used by the agenda, its checks, its feeds and the registration calendar file."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings

from roundtables.models import Forum, Registration, Session
from roundtables.registration import tickets

pytestmark = pytest.mark.django_db


def test_an_unknown_or_empty_zone_falls_back_to_the_sites():
    assert Forum(time_zone="Europe/Berlin").zone() == ZoneInfo("Europe/Berlin")
    assert Forum(time_zone="Mars/Olympus_Mons").zone() == ZoneInfo(settings.TIME_ZONE)
    assert Forum(time_zone="").zone() == ZoneInfo(settings.TIME_ZONE)


def test_the_registration_calendar_file_is_in_the_forums_zone(personas):
    forum = Forum.objects.create(
        slug="rabat", edition=11, year=2018, title="Forum", theme="-", city="Marrakesh", time_zone="Africa/Casablanca"
    )
    session = Session.objects.create(
        forum=forum,
        slug="common-space",
        kind="common_space",
        title="Common space",
        status="published",
        start=datetime.datetime(2018, 12, 5, 9, tzinfo=datetime.UTC),
        end=datetime.datetime(2018, 12, 5, 12, tzinfo=datetime.UTC),
        room="Hall B",
    )
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
