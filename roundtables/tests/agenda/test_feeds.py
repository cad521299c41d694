"""The calendar feeds: valid iCalendar with stable UIDs and the forum's time zone; the private feed's key."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, vText

from roundtables.agenda import feeds
from roundtables.models import CalendarFeedToken, RegistrationPolicy, Session, SessionRole
from roundtables.registration import services
from roundtables.tests.agenda import helpers
from roundtables.tests.agenda.helpers import at
from roundtables.tests.agenda.readers import assert_valid
from roundtables.tests.factories import make_marrakesh_common_space

FEED = "/en/agenda/gfmd-2017/calendar.ics"


@pytest.fixture
def agenda(forum, personas):
    return helpers.build_agenda(forum, personas)


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert_valid(response.content)
    return Calendar.from_ical(response.content)


def events(calendar):
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_the_forum_feed_is_valid_icalendar_in_the_forums_time_zone(client, agenda):
    calendar = parse(client.get(FEED))
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert calendar["X-WR-TIMEZONE"] == "Europe/Berlin"
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Berlin"
    found = events(calendar)
    # The dated, published sessions only: no draft, no session without a date.
    assert set(found) == {"Round table 1.1", "Round table 1.2", "Common Space"}
    event = found["Round table 1.1"]
    session = agenda["rt11"]
    assert event["UID"] == f"session-{session.pk}@127.0.0.1"
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTSTART") == at(29, 9)
    assert event.decoded("DTEND") == at(29, 10, 30)
    assert str(event["LOCATION"]) == "Saal 1, Berlin"
    assert event["SEQUENCE"] == 1
    assert event.decoded("LAST-MODIFIED") == session.updated.replace(microsecond=0)
    assert event.decoded("DTSTAMP").tzinfo is not None
    description = str(event["DESCRIPTION"])
    assert "Chair: Amina Diallo, Ministry of Labour" in description
    assert "09:10 Guiding question 1 (45 min)" in description  # its number: the page has its text
    assert "2017-06-20: Room changed to Saal 1" in description
    assert "@example.org" not in client.get(FEED).content.decode()
    assert str(event["URL"]) == "http://testserver/en/agenda/gfmd-2017/sessions/round-table-1-1/"


def test_uids_are_stable_and_a_change_bumps_sequence_not_uid(client, agenda):
    first = events(parse(client.get(FEED)))
    session = agenda["rt11"]
    session.start, session.end, session.version = at(29, 11), at(29, 12, 30), 2
    session.save()
    second = events(parse(client.get(FEED)))
    assert {str(e["UID"]) for e in first.values()} == {str(e["UID"]) for e in second.values()}
    assert second["Round table 1.1"]["UID"] == first["Round table 1.1"]["UID"]
    assert second["Round table 1.1"]["SEQUENCE"] == 2
    assert second["Round table 1.1"].decoded("DTSTART") == at(29, 11)


def test_a_session_without_an_end_lasts_its_running_order(client, agenda):
    session = agenda["rt11"]
    session.end = None
    session.save()
    event = events(parse(client.get(FEED)))["Round table 1.1"]
    assert "DTEND" not in event
    assert event.decoded("DURATION") == datetime.timedelta(minutes=70)


def test_the_round_table_feed_has_its_sessions_only(client, agenda):
    calendar = parse(client.get("/en/agenda/gfmd-2017/round-tables/1.2/calendar.ics"))
    assert set(events(calendar)) == {"Round table 1.2"}
    assert "Round table 1.2" in str(calendar["X-WR-CALNAME"])
    assert client.get("/en/agenda/gfmd-2017/round-tables/9.9/calendar.ics").status_code == 404


def test_a_feed_with_no_dated_session_still_names_its_time_zone(client, forum):
    calendar = parse(client.get(FEED))
    assert calendar.walk("VEVENT") == []
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_the_feed_in_french(client, agenda):
    calendar = parse(client.get("/fr/agenda/gfmd-2017/calendar.ics"))
    assert "Table ronde 1.1" in events(calendar)


# --- The private "my sessions" feed -----------------------------------------------------------------


@pytest.fixture
def holder(agenda, personas):
    """A person who is rapporteur of round table 1.1 and registered for the common space."""
    person = agenda["rapporteur"]
    common_space = Session.objects.get(forum=agenda["forum"], slug="common-space")
    RegistrationPolicy.objects.create(session=common_space, total_seats=10)
    services.register(session=common_space, person=person)
    return person


def my_feed_url(client):
    html = client.get("/en/accounts/calendar/").content.decode()
    token = CalendarFeedToken.objects.filter(revoked_at__isnull=True).get()
    url = f"/en/agenda/feeds/my/{token.key}.ics"
    assert f'value="http://testserver{url}"' in html
    return url


def test_my_feed_holds_my_roles_and_registrations_only(client, holder, agenda):
    client.force_login(holder)
    assert "You have no calendar address" in client.get("/en/accounts/calendar/").content.decode()
    client.post("/en/accounts/calendar/", {"action": "create"})
    url = my_feed_url(client)
    client.logout()  # calendar applications send no cookie
    response = client.get(url)
    assert set(events(parse(response))) == {"Round table 1.1", "Common Space"}
    # Never kept by the anonymous page cache, nor by any other cache.
    assert response["Cache-Control"] == "private, no-store"
    assert "X-Page-Cache" not in response
    assert len(CalendarFeedToken.objects.get().key) >= 43


def test_a_revoked_address_is_a_404_at_once_and_a_new_one_works(client, holder):
    client.force_login(holder)
    client.post("/en/accounts/calendar/", {"action": "create"})
    old = my_feed_url(client)
    assert client.get(old).status_code == 200
    client.post("/en/accounts/calendar/", {"action": "regenerate"})
    new = my_feed_url(client)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    response = client.post("/en/accounts/calendar/", {"action": "revoke"}, follow=True)
    assert "Your calendar address is revoked" in response.content.decode()
    assert client.get(new).status_code == 404
    assert CalendarFeedToken.objects.filter(revoked_at__isnull=True).count() == 0
    assert "You have no calendar address" in response.content.decode()


def test_unknown_keys_and_inactive_people_get_nothing(client, holder):
    assert client.get("/en/agenda/feeds/my/not-a-key.ics").status_code == 404
    client.force_login(holder)
    client.post("/en/accounts/calendar/", {"action": "create"})
    url = my_feed_url(client)
    holder.is_active = False
    holder.save()
    assert client.get(url).status_code == 404


def test_my_feed_leaves_out_drafts_and_cancelled_registrations(client, holder, agenda):
    SessionRole.objects.create(session=agenda["draft"], role="speaker", person=holder)
    services.cancel(registration=holder.registrations.get(), actor=holder)
    client.force_login(holder)
    client.post("/en/accounts/calendar/", {"action": "create"})
    assert set(events(parse(client.get(my_feed_url(client))))) == {"Round table 1.1"}


def test_the_page_is_for_signed_in_people_and_shows_only_their_address(client, holder, personas):
    assert client.get("/en/accounts/calendar/")["Location"].startswith("/en/accounts/login/")
    client.force_login(holder)
    client.post("/en/accounts/calendar/", {"action": "create"})
    key = CalendarFeedToken.objects.get().key
    client.force_login(personas.participant())
    html = client.get("/en/accounts/calendar/").content.decode()
    assert key not in html and "You have no calendar address" in html


def test_an_unknown_action_changes_nothing(client, holder):
    client.force_login(holder)
    response = client.post("/en/accounts/calendar/", {"action": "explode"}, follow=True)
    assert "Unknown action" in response.content.decode()
    assert not CalendarFeedToken.objects.exists()


@pytest.mark.parametrize("url", [FEED, "/en/agenda/gfmd-2017/round-tables/1.1/calendar.ics"])
def test_a_feed_takes_the_same_queries_with_one_or_many_sessions(
    client, agenda, personas, settings, django_assert_num_queries, url
):
    settings.PAGE_CACHE_SECONDS = 0
    # forum, sessions, round tables, roles, running order, guiding questions, changes (+ the round table)
    expected = 8 if "round-tables" in url else 7
    with django_assert_num_queries(expected):
        parse(client.get(url))
    helpers.grow(agenda, personas, sessions=12, roles_each=3)
    with django_assert_num_queries(expected):
        assert "Extra 11" in events(parse(client.get(url)))


def test_the_private_feed_takes_the_same_queries_with_one_or_many_sessions(
    client, holder, agenda, personas, django_assert_num_queries
):
    client.force_login(holder)
    client.post("/en/accounts/calendar/", {"action": "create"})
    url = my_feed_url(client)
    client.logout()
    # token, sessions (with forum and round table), roles, running order, guiding questions, changes
    with django_assert_num_queries(6):
        parse(client.get(url))
    helpers.grow(agenda, personas, sessions=5, roles_each=2)
    for session in Session.objects.filter(slug__startswith="extra-"):
        SessionRole.objects.create(session=session, role="speaker", person=holder)
    with django_assert_num_queries(6):
        assert "Extra 4" in events(parse(client.get(url)))


def test_long_lines_are_folded_to_75_octets_and_unfold_to_the_same_text():
    line = "DESCRIPTION:" + "Séance sur l'intégration des migrants; " * 6 + "fin\\, suite"
    folded = feeds.fold(line)
    pieces = folded.split("\r\n ")
    assert len(pieces) > 1
    assert all(len(piece.encode()) <= 74 for piece in pieces)
    assert "".join(pieces) == line
    # An escape ("\\,") is never split: the line breaks before its backslash.
    assert feeds.fold("X" * 73 + "\\,after").split("\r\n ") == ["X" * 73, "\\,after"]
    assert feeds.fold("SUMMARY:Short") == "SUMMARY:Short"


def test_text_values_are_escaped_as_icalendars_vtext_escapes_them():
    for value in ['a, b; c \\ "d"', "one\r\ntwo\nthree\rfour", "\\N and \\n", "Séance: 9:00–10:30", ""]:
        assert feeds.text(value) == vText(value).to_ical().decode()


def test_texts_with_commas_semicolons_backslashes_and_line_breaks_come_back_unchanged(client, agenda):
    session = agenda["rt11"]
    session.title_en = 'Labour, mobility; skills \\ "recognition"'
    session.room = "Saal 1; East wing"
    session.description_en = "First line, with a comma.\nSecond line; with a semicolon."
    session.save()
    SessionRole.objects.create(session=session, role="speaker", guest_name="Ana, María", guest_organisation="A; B")
    event = events(parse(client.get(FEED)))['Labour, mobility; skills \\ "recognition"']
    assert str(event["LOCATION"]) == "Saal 1; East wing, Berlin"
    description = str(event["DESCRIPTION"])
    assert "First line, with a comma.\nSecond line; with a semicolon." in description
    assert "Speaker: Ana, María, A; B" in description
    assert [str(value) for value in event["CATEGORIES"].cats] == ["Round table"]


def test_my_feed_with_sessions_of_two_forums_holds_both_time_zones(client, holder, agenda):
    session = make_marrakesh_common_space("Marrakesh common space")
    SessionRole.objects.create(session=session, role="speaker", person=holder)
    client.force_login(holder)
    client.post("/en/accounts/calendar/", {"action": "create"})
    calendar = parse(client.get(my_feed_url(client)))
    assert sorted(str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")) == ["Africa/Casablanca", "Europe/Berlin"]
    found = events(calendar)
    assert found["Marrakesh common space"]["DTSTART"].params["TZID"] == "Africa/Casablanca"
    assert found["Marrakesh common space"].decoded("DTSTART") == session.start
    assert found["Round table 1.1"]["DTSTART"].params["TZID"] == "Europe/Berlin"


def test_a_description_never_starts_with_an_empty_line(client, agenda):
    """The common space has no round table: its description starts with its own text, then the
    blocks follow, each after one empty line."""
    session = Session.objects.get(forum=agenda["forum"], slug="common-space")
    session.description_en = "Open to all."
    session.save()
    event = events(parse(client.get(FEED)))["Common Space"]
    assert str(event["DESCRIPTION"]) == ("Open to all.\n\nhttp://testserver/en/agenda/gfmd-2017/sessions/common-space/")
    description = str(events(parse(client.get(FEED)))["Round table 1.1"]["DESCRIPTION"])
    assert description.startswith("Round table 1.1: ")
    assert "\n\n\n" not in description


def test_the_vtimezone_has_one_onset_per_line_at_the_local_time_before_the_change():
    """RFC 5545, 3.6.5: an onset is the local time in TZOFFSETFROM; in Berlin summer time begins at
    02:00 (CET) and ends at 03:00 (CEST). Each onset after the first is an RDATE line of its own."""
    lines = feeds.timezone_lines("Europe/Berlin")
    text = "\n".join(lines)
    assert "BEGIN:DAYLIGHT\nDTSTART:19800406T020000\n" in text
    assert "BEGIN:STANDARD\nDTSTART:19800928T030000\n" in text
    assert "RDATE:20170326T020000" in lines and "RDATE:20171029T030000" in lines
    assert not any("," in line for line in lines if line.startswith("RDATE"))
    assert feeds.timezone_lines("Europe/Berlin") is lines  # built once per process
    # Every change of the span, as the zone database has it.
    changes = feeds.transitions(ZoneInfo("Europe/Berlin"))[1:]
    assert len(changes) == 2 * (2037 - 1980 + 1)
    assert all(before.utcoffset() != after.utcoffset() for before, after in _around(changes))


def _around(changes):
    zone = ZoneInfo("Europe/Berlin")
    second = datetime.timedelta(seconds=1)
    return [((utc - second).astimezone(zone), utc.astimezone(zone)) for utc, *_rest in changes]
