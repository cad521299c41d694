"""The agenda editor in a real browser: drag and drop, the keyboard's Up/Down buttons, htmx panels.

Chromium enforces the site's Content-Security-Policy here (no bypass): the editor's script and
htmx are same-origin files, so nothing is blocked. Screenshots go to var/screenshots/.
"""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from gfmd_portal.tests import test_browser
from gfmd_portal.tests.test_browser import AXE, BLOCKING_IMPACTS, SCREENSHOTS, _describe
from roundtables.agenda import queries
from roundtables.agenda import services as agenda
from roundtables.models import Session

pytestmark = pytest.mark.browser

# The browser and the committed 2017 forum of the public pages' browser tests.
chromium = test_browser.chromium
loaded_forum = test_browser.loaded_forum


def _order(session):
    return list(session.agenda_items.order_by("position").values_list("kind", "guiding_question__position"))


@pytest.fixture
def staff_page(chromium, live_server, loaded_forum, personas):
    """A browser context signed in as co-chair staff (with a second factor), CSP enforced."""
    staff = personas.staff()
    client = Client()
    client.force_login(staff)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_errors.append(message))
    yield page, staff
    context.close()


@pytest.fixture
def round_table_session(loaded_forum, personas):
    """Round table 1.1 on the forum's second day, 10:00–12:30, with its default running order and people."""
    staff = personas.staff("curator@example.org")
    session = Session.objects.get(forum=loaded_forum, slug="round-table-1-1")
    day = datetime.date(2017, 6, 29)
    session = agenda.update_session(
        session=session,
        actor=staff,
        data={
            "start": queries.combine(day, datetime.time(10), loaded_forum),
            "end": queries.combine(day, datetime.time(12, 30), loaded_forum),
            "room": "Saal 1",
            "venue": "Weltsaal",
        },
        version=session.version,
    )
    agenda.default_running_order(session=session, actor=staff)
    agenda.add_role(session=session, actor=staff, role="chair", person=personas.delegate())
    agenda.add_role(
        session=session,
        actor=staff,
        role="moderator",
        guest_name="Fatima Benali",
        guest_organisation="Migrant Rights Network",
        guest_constituency="civil_society",
        guest_country="MA",
        guest_gender="woman",
    )
    return session


def _screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _axe(page):
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]


def test_overview_and_editor_render_and_pass_axe(chromium, live_server, staff_page, round_table_session):
    page, _staff = staff_page
    page.goto("/en/staff/agenda/")
    expect(page.locator("h1")).to_have_text("Agenda")
    expect(page.get_by_role("link", name="Round table 1.1", exact=True)).to_be_visible()
    _screenshot(page, "agenda-staff-overview-en")
    page.goto(f"/en/staff/agenda/{round_table_session.slug}/")
    expect(page.locator("#order-panel li[data-item-id]")).to_have_count(round_table_session.agenda_items.count())
    expect(page.locator("#balance-panel")).to_contain_text("Civil society")
    _screenshot(page, "agenda-staff-editor-en")
    page.goto("/en/staff/agenda/new/")
    expect(page.locator("h1")).to_have_text("New session")
    _screenshot(page, "agenda-staff-create-en")
    page.goto(f"/fr/staff/agenda/{round_table_session.slug}/")
    assert page.get_attribute("html", "lang") == "fr"
    _screenshot(page, "agenda-staff-editor-fr")
    assert not page.csp_errors, [message.text for message in page.csp_errors]

    # axe needs its script injected: a context that bypasses the CSP for that only.
    context = chromium.new_context(base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.add_cookies(page.context.cookies())
    checked = context.new_page()
    for path in ("/en/staff/agenda/", f"/en/staff/agenda/{round_table_session.slug}/", "/en/staff/agenda/new/"):
        checked.goto(path)
        blocking = _axe(checked)
        assert not blocking, f"{path}:\n{_describe(blocking)}"
    context.close()


def test_drag_and_drop_saves_the_new_order_without_a_reload(staff_page, round_table_session):
    page, _staff = staff_page
    # Tall enough for the whole running order: headless Chromium does not scroll while dragging.
    page.set_viewport_size({"width": 1280, "height": 3000})
    page.goto(f"/en/staff/agenda/{round_table_session.slug}/")
    page.evaluate("window.notReloaded = true")
    items = page.locator("#order-panel li[data-item-id]")
    before = _order(round_table_session)
    # Drag the conclusions (the last step) onto the opening (the first).
    last_id = items.last.get_attribute("data-item-id")
    with page.expect_response(lambda response: response.url.endswith("/items/order/")) as answer:
        items.last.locator(".drag-handle").drag_to(items.first, target_position={"x": 20, "y": 5})
    assert answer.value.status == 200
    expect(items.first).to_have_attribute("data-item-id", last_id)
    expect(page.locator("#agenda-status")).to_contain_text("Running order saved.")
    assert page.evaluate("window.notReloaded") is True
    assert _order(round_table_session) == [before[-1], *before[:-1]]
    _screenshot(page, "agenda-staff-after-drag-en")
    assert not page.csp_errors


def test_keyboard_up_and_down_buttons_move_a_step_and_keep_the_focus(staff_page, round_table_session):
    page, _staff = staff_page
    page.goto(f"/en/staff/agenda/{round_table_session.slug}/")
    page.evaluate("window.notReloaded = true")
    items = page.locator("#order-panel li[data-item-id]")
    first_id = items.first.get_attribute("data-item-id")
    before = _order(round_table_session)

    page.locator(f"#move-down-{first_id}").focus()
    page.keyboard.press("Enter")
    expect(items.nth(1)).to_have_attribute("data-item-id", first_id)
    expect(page.locator(f"#move-down-{first_id}")).to_be_focused()
    page.keyboard.press("Enter")
    expect(items.nth(2)).to_have_attribute("data-item-id", first_id)
    expect(page.locator("#agenda-status")).to_contain_text("moved to position 3")
    expect(page.locator(f"#move-down-{first_id}")).to_be_focused()
    assert _order(round_table_session) == [before[1], before[2], before[0], *before[3:]]

    # Back up with the keyboard: Tab reaches the Up button just before it (Shift+Tab).
    page.keyboard.press("Shift+Tab")
    expect(page.locator(f"#move-up-{first_id}")).to_be_focused()
    page.keyboard.press("Enter")
    expect(items.nth(1)).to_have_attribute("data-item-id", first_id)
    expect(page.locator(f"#move-up-{first_id}")).to_be_focused()
    assert page.evaluate("window.notReloaded") is True
    assert _order(round_table_session) == [before[1], before[0], *before[2:]]
    _screenshot(page, "agenda-staff-after-keyboard-en")
    assert not page.csp_errors


def test_adding_a_guest_updates_the_roles_and_the_balance_in_place(staff_page, round_table_session):
    page, _staff = staff_page
    page.goto(f"/en/staff/agenda/{round_table_session.slug}/")
    page.evaluate("window.notReloaded = true")
    page.get_by_text("Add a person").click()
    page.locator("#id_role").select_option("rapporteur")
    page.get_by_label("Or a guest's name").fill("Jorge Ramírez")
    page.get_by_label("Guest's organisation").fill("Universidad de Chile")
    page.get_by_label("Guest's constituency").select_option("academia")
    # The country is a searchable select (common/widgets.py): typed into, chosen with Enter.
    country = page.get_by_role("combobox", name="Guest's country")
    country.click()
    country.press_sequentially("chile")
    country.press("Enter")
    expect(page.locator("#id_guest_country")).to_have_value("CL")
    page.locator("#roles-panel").get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#roles-panel")).to_contain_text("Jorge Ramírez")
    expect(page.locator("#balance-panel")).to_contain_text("Academia")
    expect(page.locator("#balance-panel")).to_contain_text("Americas")
    expect(page.locator("#changes-panel")).to_contain_text("Added Rapporteur: Jorge Ramírez")
    assert page.evaluate("window.notReloaded") is True
    assert round_table_session.roles.filter(guest_name="Jorge Ramírez", role="rapporteur").exists()

    # An unknown address is refused in place, and what was typed stays.
    page.get_by_text("Add a person").click()
    page.get_by_label("Email address of a portal account").fill("nobody@example.org")
    page.locator("#roles-panel").get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#roles-panel")).to_contain_text("No account has this email address")
    expect(page.get_by_label("Email address of a portal account")).to_have_value("nobody@example.org")
    _screenshot(page, "agenda-staff-role-refused-en")
    assert not page.csp_errors


def test_a_step_removed_by_someone_else_meanwhile_is_reported_not_ignored(staff_page, round_table_session):
    page, _staff = staff_page
    page.goto(f"/en/staff/agenda/{round_table_session.slug}/")
    first = round_table_session.agenda_items.order_by("position").first()
    first_id = first.pk
    first.delete()  # another member of staff removed it after this page was loaded
    page.locator(f"#move-down-{first_id}").click()
    expect(page.locator("#agenda-status")).to_contain_text("That change could not be made")
    assert not page.csp_errors
