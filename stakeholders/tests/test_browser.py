"""Governments, proposed organisations and focal points in a real browser (Chromium), with axe-core.

A fresh database (the live server's, flushed between tests) has the shipped governments: a
participant chooses one and sends a delegate request; a focal point approves their government's
request. Screenshots go to var/screenshots/.
"""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from gfmd_portal.tests import test_browser
from gfmd_portal.tests.test_browser import AXE, BLOCKING_IMPACTS, SCREENSHOTS, _describe
from stakeholders import services
from stakeholders.models import DelegateRequest, Organisation, Profile

pytestmark = pytest.mark.browser

chromium = test_browser.chromium
loaded_forum = test_browser.loaded_forum


@pytest.fixture
def signed_in(chromium, live_server, loaded_forum):
    """``signed_in(user)``: a browser page signed in as ``user`` (axe injected: the CSP is bypassed)."""
    contexts = []

    def open_page(user):
        client = Client()
        client.force_login(user)
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
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
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _check(page, name):
    """One h1, a screenshot, and no serious or critical axe violation."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    expect(page.locator("h1")).to_have_count(1)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    blocking = [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{page.url}:\n{_describe(blocking)}"


def test_a_delegate_chooses_a_government_on_a_fresh_database(signed_in, personas):
    assert Organisation.objects.filter(reference__startswith="state:").count() == 195
    participant = personas.participant("attache@example.org")
    page = signed_in(participant)
    page.goto("/en/accounts/delegate/")
    _check(page, "delegate-request-form-en")
    # A searchable select (common/widgets.py): typed into, chosen with Enter.
    government = page.get_by_role("combobox", name="Government")
    government.click()
    government.press_sequentially("moroc")
    government.press("Enter")
    page.get_by_label("Justification").fill("First secretary at the permanent mission in Geneva")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("h1")).to_have_text("Delegate verification request")
    expect(page.locator("main")).to_contain_text("Morocco")
    expect(page.locator("main")).to_contain_text("Pending")
    delegate_request = DelegateRequest.objects.get(user=participant)
    assert (delegate_request.organisation.reference, delegate_request.status) == ("state:MA", "pending")


def test_a_focal_point_approves_a_delegate_of_their_government(signed_in, personas):
    morocco = Organisation.objects.get(reference="state:MA")
    focal_point = personas.focal_point("focal@example.org", organisation=morocco)
    applicant = personas.participant("applicant@example.org")
    services.request_delegate_status(user=applicant, organisation=morocco, justification="Counsellor, Rabat")
    other = personas.participant("other@example.org")
    services.request_delegate_status(
        user=other, organisation=Organisation.objects.get(reference="state:SN"), justification="Dakar"
    )

    page = signed_in(focal_point)
    page.goto("/en/accounts/")
    page.get_by_role("link", name="Delegate requests of my government (focal point)").click()
    expect(page.locator("main")).to_contain_text("As the focal point of Morocco")
    expect(page.locator("main")).not_to_contain_text("other@example.org")
    _check(page, "focal-point-queue-en")
    page.get_by_role("row", name="applicant@example.org").get_by_role("link").click()
    expect(page.locator("main")).to_contain_text("Counsellor, Rabat")
    _check(page, "focal-point-request-en")
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("main")).to_contain_text("The decision is recorded and the person is told by email.")
    assert Profile.objects.get(user=applicant).delegate_status == "verified"
    assert DelegateRequest.objects.get(user=applicant).decided_by == focal_point
    assert DelegateRequest.objects.get(user=other).status == "pending"


def test_the_staff_pages_of_organisations_and_focal_points_pass_axe(signed_in, personas):
    proposer = personas.participant("proposer@example.org")
    organisation = services.save_profile(
        user=proposer, proposed_organisation="Diaspora Forum Berlin", constituency="civil_society", country="DE"
    ).organisation
    personas.focal_point("focal@example.org", organisation=Organisation.objects.get(reference="state:DE"))
    page = signed_in(personas.staff())
    page.goto("/en/staff/organisations/")
    expect(page.locator("main")).to_contain_text("proposer@example.org")
    _check(page, "staff-organisations-en")
    page.get_by_role("link", name="Diaspora Forum Berlin").click()
    _check(page, "staff-organisation-review-en")
    page.get_by_label("Merge it into an organisation already listed").check()
    into = page.get_by_role("combobox", name="Organisation to merge into")
    into.click()
    into.press_sequentially("germany")
    into.press("Enter")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("main")).to_contain_text("The decision is recorded")
    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    assert Profile.objects.get(user=proposer).organisation.reference == "state:DE"
    page.goto("/fr/staff/focal-points/")
    expect(page.locator("h1")).to_have_text("Points focaux des gouvernements")
    _check(page, "staff-focal-points-fr")
