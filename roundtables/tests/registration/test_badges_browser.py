"""Staff in a real browser: the staff home, printing badges (the PDF's text holds the names), a large
set's progress page and the profile's names, each checked by axe.

Chromium enforces the site's Content-Security-Policy; axe runs in a second context that bypasses it
only to inject its script. The staff home and the badges page are saved as var/screenshots/staff-home-en.png
and badges-en.png.
"""

import pypdf
import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from gfmd_portal.tests import test_browser
from gfmd_portal.tests.test_browser import AXE, BLOCKING_IMPACTS, SCREENSHOTS, _describe
from roundtables.models import BadgeJob, Session
from roundtables.registration import services

pytestmark = pytest.mark.browser

chromium = test_browser.chromium
loaded_forum = test_browser.loaded_forum

BADGES = "/en/staff/sessions/common-space/badges/"


def _signed_in_context(chromium, live_server, user, **options):
    client = Client()
    client.force_login(user)
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True, **options
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def staff_with_participants(live_server, loaded_forum, personas):
    staff = personas.staff()
    staff.first_name, staff.last_name = "Sara", "Koch"
    staff.save()
    session = Session.objects.get(forum=loaded_forum, slug="common-space")
    services.configure_registration(session=session, staff=staff, total_seats=10, quotas={}, eligible_constituencies=[])
    for email, first, last in (("amina@example.org", "Amina", "Diallo"), ("jonas@example.org", "Jonas", "Weber")):
        person = personas.participant(email)
        person.first_name, person.last_name = first, last
        person.save()
        services.register(session=session, person=person)
    return staff, session


def _axe(page):
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    blocking = [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]
    assert not blocking, _describe(blocking)


def test_staff_print_badges_from_the_staff_home(chromium, live_server, staff_with_participants):
    staff, _session = staff_with_participants
    context = _signed_in_context(chromium, live_server, staff)
    page = context.new_page()
    csp_errors = []
    page.on("console", lambda message: "Content Security Policy" in message.text and csp_errors.append(message))

    page.goto("/en/staff/")
    expect(page.locator("#queue-registrations_waiting .queue-count")).to_have_text("0")
    page.goto(BADGES)
    expect(page.locator("h1")).to_have_text("Badges: Common Space")
    page.get_by_label("A4 sheets of four cards").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Print badges (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "badges-common-space.pdf"
    reader = pypdf.PdfReader(download.path())
    text = " ".join(pdf_page.extract_text() for pdf_page in reader.pages)
    assert "Amina Diallo" in text and "Jonas Weber" in text and "Migrant Rights Network" in text
    assert len(reader.pages) == 1

    # One person's badge, chosen by name in the list.
    page.get_by_label("One person").select_option(label="Jonas WEBER — Migrant Rights Network")
    page.get_by_label("One card per page (A6)").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Print badges (PDF)").click()
    reader = pypdf.PdfReader(download_info.value.path())
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1 and "Jonas Weber" in text and "Amina" not in text
    assert not csp_errors, [message.text for message in csp_errors]
    context.close()


def test_the_new_staff_pages_pass_axe(chromium, live_server, staff_with_participants):
    staff, session = staff_with_participants
    running = BadgeJob.objects.create(session=session, status="running", total=120, progress=40, requested_by=staff)
    done = BadgeJob.objects.create(session=session, status="done", total=120, progress=120, pdf=b"%PDF-1.4")
    context = _signed_in_context(chromium, live_server, staff, bypass_csp=True)
    page = context.new_page()
    for path, marker in (
        ("/en/staff/", "What waits for you"),
        (BADGES, "Colours of the constituencies"),
        (f"/en/staff/badges/{running.pk}/", "40 of 120 badges laid out"),
        (f"/en/staff/badges/{done.pk}/", "Download the badges (PDF)"),
        ("/en/accounts/profile/", "Name on your badge (optional)"),
        ("/fr/staff/", "Ce qui vous attend"),
        ("/es/staff/sessions/common-space/badges/", "Imprimir las credenciales (PDF)"),
    ):
        page.goto(path)
        expect(page.locator("main")).to_contain_text(marker)
        if path in ("/en/staff/", BADGES):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = "staff-home-en.png" if path == "/en/staff/" else "badges-en.png"
            page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        _axe(page)
    context.close()
