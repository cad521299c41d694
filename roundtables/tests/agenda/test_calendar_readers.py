"""Every calendar file of the portal (the forum's feed, a round table's, the private feed, the
registration's file) is read with the same times by ical.js, node-ical, vobject and icalendar
with zoneinfo, in winter and in summer, and carries one UID per session."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar, Event

from roundtables.agenda import feeds
from roundtables.models import CalendarFeedToken, Registration, RegistrationPolicy, Session, SessionRole
from roundtables.registration import services
from roundtables.tests.agenda import helpers
from roundtables.tests.agenda.readers import READERS, read_all
from roundtables.tests.factories import make_marrakesh_common_space

pytestmark = [pytest.mark.node, pytest.mark.usefixtures("node_readers")]

BERLIN = ZoneInfo("Europe/Berlin")
FEED = "/en/agenda/gfmd-2017/calendar.ics"


def berlin(year, month, day, hour, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def agenda(forum, personas):
    """The 2017 forum's sessions in June (summer time), and a preparatory meeting in January (winter
    time) and two sessions right after the changes of 2017 (26 March, 29 October)."""
    agenda = helpers.build_agenda(forum, personas)
    for slug, title, start, end in [
        ("preparatory-meeting", "Preparatory meeting", berlin(2017, 1, 18, 9), berlin(2017, 1, 18, 12, 30)),
        ("spring-call", "Spring call", berlin(2017, 3, 26, 3, 30), berlin(2017, 3, 26, 4, 30)),
        ("autumn-call", "Autumn call", berlin(2017, 10, 29, 3, 30), berlin(2017, 10, 29, 4, 30)),
    ]:
        agenda[slug] = Session.objects.create(
            forum=forum,
            slug=slug,
            kind=Session.Kind.PLENARY,
            title_en=title,
            start=start,
            end=end,
            room="Saal 1",
            status=Session.Status.PUBLISHED,
            published_at=timezone.now(),
        )
    return agenda


def expected(*sessions):
    return {feeds.event_uid(session): (session.start, session.end) for session in sessions}


def assert_read_alike(content, sessions):
    """Each reader finds exactly ``sessions``, at their real start and end (in UTC)."""
    found = read_all(content)
    assert set(found) == set(READERS)
    want = expected(*sessions)
    for reader in READERS:
        assert found[reader] == want, reader
    return found


def test_the_forum_feed_is_read_alike_in_winter_and_in_summer(client, agenda):
    content = client.get(FEED).content
    sessions = Session.objects.filter(forum=agenda["forum"], status="published", start__isnull=False)
    assert sessions.count() == 6
    found = assert_read_alike(content, sessions)
    # The winter meeting at 09:00 in Berlin is 08:00 UTC; round table 1.1 at 09:00 in June, 07:00 UTC.
    winter, summer = feeds.event_uid(agenda["preparatory-meeting"]), feeds.event_uid(agenda["rt11"])
    for reader in READERS:
        assert found[reader][winter][0] == datetime.datetime(2017, 1, 18, 8, tzinfo=datetime.UTC)
        assert found[reader][summer][0] == datetime.datetime(2017, 6, 29, 7, tzinfo=datetime.UTC)


def test_a_round_table_feed_is_read_alike(client, agenda):
    content = client.get("/en/agenda/gfmd-2017/round-tables/1.1/calendar.ics").content
    assert_read_alike(content, [agenda["rt11"]])


@pytest.fixture
def holder(agenda, personas):
    """Rapporteur of round table 1.1 (June), speaker at the preparatory meeting (January), registered
    for the common space (June), the preparatory meeting and the spring call (summer time's first day)."""
    person = agenda["rapporteur"]
    SessionRole.objects.create(session=agenda["preparatory-meeting"], role="speaker", person=person)
    common_space = Session.objects.get(forum=agenda["forum"], slug="common-space")
    for session in (common_space, agenda["preparatory-meeting"], agenda["spring-call"]):
        RegistrationPolicy.objects.create(session=session, total_seats=10)
        services.register(session=session, person=person)
    return person


def my_feed(client, person):
    client.force_login(person)
    client.post("/en/accounts/calendar/", {"action": "create"})
    key = CalendarFeedToken.objects.get(person=person, revoked_at__isnull=True).key
    client.logout()
    return client.get(f"/en/agenda/feeds/my/{key}.ics").content


def test_the_private_feed_and_the_registration_files_are_read_alike_with_the_feeds_uids(client, holder, agenda):
    common_space = Session.objects.get(forum=agenda["forum"], slug="common-space")
    mine = [agenda["rt11"], agenda["preparatory-meeting"], common_space, agenda["spring-call"]]
    assert_read_alike(my_feed(client, holder), mine)
    client.force_login(holder)
    public = {
        str(event["SUMMARY"]): str(event["UID"])
        for event in Calendar.from_ical(client.get(FEED).content).walk("VEVENT")
    }
    registrations = Registration.objects.filter(person=holder)
    assert {registration.session.start.month for registration in registrations} == {1, 3, 6}
    for registration in registrations:
        content = client.get(f"/en/accounts/registrations/{registration.pk}/calendar.ics").content
        found = assert_read_alike(content, [registration.session])
        # The file's event is the feed's event: one UID for the session in every file.
        assert set(found["ical.js"]) == {public[registration.session.title]}


def test_a_private_feed_with_two_forums_zones_is_read_alike(client, holder, agenda):
    session = make_marrakesh_common_space("Marrakesh common space")
    SessionRole.objects.create(session=session, role="speaker", person=holder)
    common_space = Session.objects.get(forum=agenda["forum"], slug="common-space")
    mine = [agenda["rt11"], agenda["preparatory-meeting"], common_space, agenda["spring-call"], session]
    assert_read_alike(my_feed(client, holder), mine)


ZONES = [
    "Europe/Berlin",
    "Africa/Casablanca",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Asia/Kolkata",
]


@pytest.mark.parametrize("tzid", ZONES)
def test_the_vtimezone_is_read_alike_every_month(tzid):
    """A 09:00 event on the 15th of every month of 2017 and of 2025, in ``tzid``, with the feeds' VTIMEZONE."""
    zone = ZoneInfo(tzid)
    calendar = Calendar()
    calendar.add("prodid", "-//test//EN")
    calendar.add("version", "2.0")
    calendar.add_component(feeds.vtimezone(tzid))
    want = {}
    for year in (2017, 2025):
        for month in range(1, 13):
            start = datetime.datetime(year, month, 15, 9, tzinfo=zone)
            event = Event()
            event.add("uid", f"{year}-{month}")
            event.add("dtstamp", datetime.datetime(2017, 1, 1, tzinfo=datetime.UTC))
            event.add("dtstart", start)
            event.add("dtend", start + datetime.timedelta(hours=2))
            calendar.add_component(event)
            want[f"{year}-{month}"] = (start, start + datetime.timedelta(hours=2))
    found = read_all(calendar.to_ical())
    for reader in READERS:
        assert found[reader] == want, reader
