"""Contributions in a real browser: a participant contributes, staff accept it from the queue, the
round table's page shows it (by constituency); a rapporteur writes a report. Chromium enforces the
site's Content-Security-Policy; axe-core checks each page. Screenshots go to var/screenshots/."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from gfmd_portal.tests.test_browser import AXE, BLOCKING_IMPACTS, SCREENSHOTS, _describe, chromium, loaded_forum  # noqa: F401
from roundtables.models import Contribution, RapporteurReport, Session, SessionRole

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_as(request, live_server):
    """``browser_as(user)``: a new page signed in as ``user`` (None: anonymous), CSP enforced."""
    browser = request.getfixturevalue("chromium")
    request.getfixturevalue("loaded_forum")
    contexts = []

    def open_page(user):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.csp_errors = []
        page.on(
            "console", lambda message: "Content Security Policy" in message.text and page.csp_errors.append(message)
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


def _check(page, name):
    """Screenshot, then axe-core: no serious or critical violation, no CSP refusal."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.evaluate(AXE.read_text())  # evaluated by the browser's debugger: the page's CSP stays on
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    blocking = [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{name}:\n{_describe(blocking)}"
    assert not page.csp_errors, [message.text for message in page.csp_errors]


def test_a_participant_contributes_staff_accept_and_the_round_table_page_shows_it(browser_as, personas):
    participant = personas.participant("amina@example.org")
    staff = personas.staff()

    # The participant opens the round table and contributes to its second guiding question.
    page = browser_as(participant)
    page.goto("/en/roundtables/gfmd-2017/1.1/")
    page.get_by_role("link", name="Contribute a statement or a recommendation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Contribute to round table 1.1")
    page.get_by_label("Recommendation").check()
    page.get_by_label("Guiding question").select_option(index=2)
    page.get_by_label("Your contribution").fill("Recognise the skills that migrants gained abroad, in every sector.")
    expect(page.locator("#text-counter")).to_have_text("2934 characters left")  # the script runs under the CSP
    page.get_by_label("Target 10.7", exact=False).first.check()
    _check(page, "contributions-form-en")
    page.get_by_role("button", name="Send my contribution").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My contributions")
    expect(page.locator("main")).to_contain_text("Awaiting moderation")
    _check(page, "contributions-mine-en")
    contribution = Contribution.objects.get()
    assert (contribution.kind, contribution.guiding_question.position, contribution.organisation_name) == (
        "recommendation",
        2,
        "Migrant Rights Network",
    )
    assert list(contribution.sdg_targets.values_list("code", flat=True)) == ["10.7"]

    # Not public yet.
    anonymous = browser_as(None)
    anonymous.goto("/en/roundtables/gfmd-2017/1.1/")
    expect(anonymous.locator("main")).not_to_contain_text("Recognise the skills")

    # Staff accept it from the queue.
    staff_page = browser_as(staff)
    staff_page.goto("/en/staff/contributions/")
    row = staff_page.locator(f"#contribution-{contribution.pk}")
    expect(row).to_contain_text("Migrant Rights Network")
    _check(staff_page, "contributions-queue-en")
    row.get_by_role("button", name="Accept").click()
    expect(staff_page.locator("main")).to_contain_text(f"Contribution #{contribution.pk} is accepted")
    contribution.refresh_from_db()
    assert contribution.status == "accepted"

    # The round table's page shows it under its question, by constituency only.
    anonymous.goto("/en/roundtables/gfmd-2017/1.1/")
    section = anonymous.locator(".round-table-contributions")
    expect(section).to_contain_text("Recognise the skills that migrants gained abroad")
    expect(section).to_contain_text("by Civil society")
    expect(section).not_to_contain_text("Migrant Rights Network")
    expect(section.get_by_role("heading", name="Question 2", exact=False)).to_be_visible()
    _check(anonymous, "contributions-roundtable-1.1-en")
    anonymous.get_by_role("link", name=f"Recommendation #{contribution.pk}").click()
    expect(anonymous.get_by_role("heading", level=1)).to_have_text(f"Recommendation #{contribution.pk}")
    expect(anonymous.locator("main")).to_contain_text("Civil society")
    expect(anonymous.locator("main")).not_to_contain_text("Migrant Rights Network")
    _check(anonymous, "contributions-detail-en")
    anonymous.goto("/fr/roundtables/gfmd-2017/1.1/contributions/")
    expect(anonymous.locator("main")).to_contain_text("Recognise the skills")
    _check(anonymous, "contributions-all-1.1-fr")


def test_a_rapporteur_writes_the_report_and_a_stale_save_keeps_the_text(browser_as, personas):
    rapporteur = personas.participant("rapporteur@example.org")
    session = Session.objects.get(forum__is_current=True, slug="round-table-1-1")
    SessionRole.objects.create(session=session, role="rapporteur", person=rapporteur)
    first, second = browser_as(rapporteur), browser_as(personas.staff())
    for page in (first, second):
        page.goto("/en/sessions/round-table-1-1/report/?language=fr")
    first.get_by_role("textbox", name="Report").fill("Les participants ont retenu trois pistes.")
    first.get_by_role("button", name="Save the report").click()
    expect(first.locator("main")).to_contain_text("is saved (version 1)")
    _check(first, "contributions-report-fr")
    second.get_by_role("textbox", name="Report").fill("Texte du personnel, à ne pas perdre.")
    second.get_by_role("button", name="Save the report").click()
    expect(second.locator("#conflict")).to_contain_text("Someone else saved this report")
    expect(second.get_by_role("textbox", name="Report")).to_have_value("Texte du personnel, à ne pas perdre.")
    _check(second, "contributions-report-conflict")
    assert (
        RapporteurReport.objects.get(session=session, language="fr").text == "Les participants ont retenu trois pistes."
    )
    second.get_by_role("button", name="Replace version 1 with my text").click()
    expect(second.locator("main")).to_contain_text("is saved (version 2)")
    report = RapporteurReport.objects.get(session=session, language="fr")
    assert (report.text, report.version) == ("Texte du personnel, à ne pas perdre.", 2)
