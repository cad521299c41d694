"""The door in a real browser: a code typed as people type it, then the next one as a scanner types it.

Chromium enforces the site's Content-Security-Policy (axe runs in a second context that bypasses it
only to inject its script). The page after a check-in is saved as var/screenshots/door-checkin-en.png.
"""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from gfmd_portal.tests import test_browser
from gfmd_portal.tests.test_browser import AXE, BLOCKING_IMPACTS, SCREENSHOTS, _describe
from roundtables.models import Registration, Session
from roundtables.registration import services

pytestmark = pytest.mark.browser

chromium = test_browser.chromium
loaded_forum = test_browser.loaded_forum

CHECK_IN = "/en/staff/sessions/common-space/check-in/"


@pytest.fixture
def door(chromium, live_server, loaded_forum, personas):
    """Staff signed in (with a second factor) and two confirmed participants with known codes."""
    staff = personas.staff()
    session = Session.objects.get(forum=loaded_forum, slug="common-space")
    services.configure_registration(session=session, staff=staff, total_seats=10, quotas={}, eligible_constituencies=[])
    people = []
    for email, first, last, code in (
        ("amina@example.org", "Amina", "Diallo", "K3M9X2TQ7R"),
        ("jonas@example.org", "Jonas", "Weber", "10ABC0DEF1"),
    ):
        person = personas.participant(email)
        person.first_name, person.last_name = first, last
        person.save()
        registration = services.register(session=session, person=person)[0]
        Registration.objects.filter(pk=registration.pk).update(checkin_code=code)
        people.append(person)
    client = Client()
    client.force_login(staff)
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_errors.append(message))
    yield page
    context.close()


def test_a_code_typed_in_lower_case_with_a_hyphen_checks_the_person_in(chromium, live_server, door):
    page = door
    page.goto(CHECK_IN)
    field = page.get_by_label("Check-in code")
    expect(field).to_be_focused()
    expect(page.locator("#check-in-counts")).to_have_text("Checked in so far: 0 of 2 confirmed participants.")

    field.type("k3m9x-2tq7r")
    field.press("Enter")
    expect(page.locator(".alert-success .checked-name")).to_have_text("Amina DIALLO")
    expect(page.locator(".alert-success .checked-organisation")).to_have_text("Migrant Rights Network")
    expect(page.locator(".alert-success .checked-constituency")).to_have_text("Civil society")
    expect(page.locator("#check-in-counts")).to_have_text("Checked in so far: 1 of 2 confirmed participants.")
    expect(field).to_be_focused()
    expect(field).to_have_value("")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "door-checkin-en.png"), full_page=True)

    # The next person's code, as a scanner sends it: keystrokes and Enter, nobody clicks the field.
    page.keyboard.type("IOABC-ODEFL")
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success .checked-name")).to_have_text("Jonas WEBER")
    expect(page.locator("#check-in-counts")).to_have_text("Checked in so far: 2 of 2 confirmed participants.")
    # The first person again: a warning, and the first time is kept.
    page.keyboard.type("K3M9X2TQ7R")
    page.keyboard.press("Enter")
    expect(page.locator(".alert-warning")).to_contain_text("Already checked in at")
    expect(page.locator(".alert-warning .checked-name")).to_have_text("Amina DIALLO")
    assert not page.csp_errors, [message.text for message in page.csp_errors]

    context = chromium.new_context(base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.add_cookies(page.context.cookies())
    checked = context.new_page()
    checked.goto(CHECK_IN)
    checked.get_by_label("Check-in code").type("jonas")  # unknown: the danger alert is checked too
    checked.get_by_label("Check-in code").press("Enter")
    expect(checked.locator(".alert-danger")).to_contain_text("Unknown code.")
    checked.add_script_tag(path=str(AXE))
    violations = checked.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    blocking = [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]
    assert not blocking, _describe(blocking)
    context.close()
