"""The programme editor in a real browser (Chromium, CSP enforced): staff create a forum with two
round tables and their questions, reorder questions by keyboard, translate a field and see it out of
date after its source changed; link the forum to Compact themes in place; axe finds no violation
on the editor's pages. Screenshots go to var/screenshots/."""

import pytest
from playwright.sync_api import expect

from gfmd_portal.tests import test_browser
from gfmd_portal.tests.test_browser import AXE, _describe
from roundtables.models import Forum, RoundTable
from roundtables.tests.agenda import test_staff_browser as agenda_browser

pytestmark = pytest.mark.browser

chromium = test_browser.chromium
loaded_forum = test_browser.loaded_forum
# Signed in as co-chair staff with a second factor, CSP enforced (the agenda editor's fixture).
staff_page = agenda_browser.staff_page
_screenshot = agenda_browser._screenshot


def _questions(round_table):
    return list(round_table.guiding_questions.order_by("position").values_list("text_en", flat=True))


def _all_violations(page):
    page.add_script_tag(path=str(AXE))
    return page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")


def _round_table(page, code, title, questions):
    page.get_by_role("link", name="New round table", exact=True).click()
    page.get_by_label("Code").fill(code)
    page.get_by_label("Sub-theme").select_option(label="1. Honouring commitments")
    page.locator("#id_title_en").fill(title)
    page.get_by_role("button", name="Create the round table").click()
    expect(page.locator("h1")).to_have_text(f"{code} {title}")
    for text in questions:
        summary = page.locator("#questions-panel summary", has_text="Add a question")
        if page.locator("#id_new-question-text_en").is_hidden():
            summary.click()
        page.locator("#id_new-question-text_en").fill(text)
        page.get_by_role("button", name="Add the question").click()
        expect(page.locator("#questions-panel .question-text").last).to_have_text(text)


def test_staff_build_a_forum_reorder_by_keyboard_and_see_a_translation_go_out_of_date(
    chromium, live_server, staff_page, loaded_forum
):
    page, _staff = staff_page
    page.goto("/en/staff/programme/")
    page.get_by_role("link", name="New forum", exact=True).click()
    page.get_by_label("Slug").fill("gfmd-2018")
    page.get_by_label("Edition").fill("11")
    page.get_by_label("Year").fill("2018")
    page.get_by_label("City").fill("Marrakesh")
    page.get_by_label("Time zone").fill("Africa/Casablanca")
    page.locator("#id_title_en").fill("Eleventh GFMD – Morocco 2018")
    page.locator("#id_theme_en").fill("Honouring international commitments")
    page.get_by_role("button", name="Create the forum").click()
    expect(page.locator("h1")).to_have_text("Eleventh GFMD – Morocco 2018")
    forum = Forum.objects.get(slug="gfmd-2018")
    assert forum.status == "draft"

    page.locator("#new-sub-theme summary").click()
    page.locator("#id_new-sub-theme-title_en").fill("Honouring commitments")
    page.get_by_role("button", name="Add the sub-theme").click()
    expect(page.locator("#sub-themes-panel")).to_contain_text("1. Honouring commitments")

    _round_table(page, "1.1", "Safe migration", ["First question?", "Second question?", "Third question?"])
    page.goto("/en/staff/programme/gfmd-2018/")
    _round_table(page, "1.2", "Regular pathways", ["Only question?"])
    assert list(RoundTable.objects.filter(forum=forum).values_list("code", flat=True)) == ["1.1", "1.2"]
    first_table = RoundTable.objects.get(forum=forum, code="1.1")
    assert _questions(first_table) == ["First question?", "Second question?", "Third question?"]

    # Reorder by keyboard: the Down button of the first question, twice; the focus stays on it.
    page.goto(f"/en/staff/programme/gfmd-2018/round-tables/{first_table.pk}/")
    page.evaluate("window.notReloaded = true")
    items = page.locator("#questions-panel li[data-item-id]")
    first_id = items.first.get_attribute("data-item-id")
    page.locator(f"#move-down-{first_id}").focus()
    page.keyboard.press("Enter")
    expect(items.nth(1)).to_have_attribute("data-item-id", first_id)
    expect(page.locator(f"#move-down-{first_id}")).to_be_focused()
    page.keyboard.press("Enter")
    expect(items.nth(2)).to_have_attribute("data-item-id", first_id)
    expect(page.locator("#agenda-status")).to_contain_text("Question moved to position 3 of 3.")
    assert page.evaluate("window.notReloaded") is True
    assert _questions(first_table) == ["Second question?", "Third question?", "First question?"]
    _screenshot(page, "programme-round-table-after-keyboard-en")

    # Translate the title into French: written. Change the English title: the French is out of date.
    page.locator("#id_title_fr").fill("Migration sûre")
    page.get_by_role("button", name="Save the details").click()
    expect(page.locator("#id_title_fr-state")).to_have_text("Written")
    expect(page.locator("#id_title_es-state")).to_have_text("Missing")
    page.locator("#id_title_en").fill("Safe and orderly migration")
    page.get_by_role("button", name="Save the details").click()
    expect(page.locator("#id_title_fr-state")).to_have_text("Out of date")
    _screenshot(page, "programme-round-table-out-of-date-en")
    page.goto("/en/staff/programme/gfmd-2018/translations/")
    row = page.locator("tr.translation-gap-out_of_date")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Round table 1.1")
    expect(row).to_contain_text("FR")
    row.get_by_role("link").click()
    expect(page.locator("#id_title_fr")).to_have_value("Migration sûre")
    _screenshot(page, "programme-translations-en")
    assert not page.csp_errors, [message.text for message in page.csp_errors]

    # axe: no violation of any impact on the editor's pages (axe's script needs the CSP bypassed).
    context = chromium.new_context(base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.add_cookies(page.context.cookies())
    checked = context.new_page()
    for path in (
        "/en/staff/programme/",
        "/en/staff/programme/new/",
        "/en/staff/programme/gfmd-2018/",
        f"/en/staff/programme/gfmd-2018/round-tables/{first_table.pk}/",
        "/en/staff/programme/gfmd-2018/round-tables/new/",
        "/en/staff/programme/gfmd-2018/translations/",
        "/en/staff/programme/gfmd-2018/copy/",
        "/en/forums/",
    ):
        checked.goto(path)
        violations = _all_violations(checked)
        assert not violations, f"{path}:\n{_describe(violations)}"
    context.close()


def test_staff_link_the_forum_to_compact_themes_in_place(live_server, staff_page, loaded_forum):
    """The forum's links panel is swapped in by htmx: add a theme, a refused code, remove one."""
    page, _staff = staff_page
    page.goto("/en/staff/programme/gfmd-2017/")
    page.evaluate("window.notReloaded = true")
    panel = page.locator("#links-panel")
    expect(panel).to_contain_text("Compact theme A.a (Named in the concept note)")
    panel.get_by_label("Code").fill("A.b")
    panel.get_by_role("button", name="Add the link").click()
    expect(panel).to_contain_text("Compact theme A.b (Added by the portal)")
    expect(page.locator("#agenda-status")).to_contain_text("A.b linked.")
    # The latest changes begin with it, without a reload.
    expect(page.locator("#changes-panel li").first).to_contain_text("Forum 2017 linked: Global Compact themes")
    panel.get_by_label("Code").fill("Z.z")
    panel.get_by_role("button", name="Add the link").click()
    expect(panel.get_by_role("alert").first).to_have_text("No Compact theme has this code.")
    expect(panel.get_by_label("Code")).to_have_value("Z.z")
    panel.get_by_role("button", name="Remove A.a").click()
    expect(page.locator("#agenda-status")).to_contain_text("Link to A.a removed.")
    expect(page.locator("#changes-panel li").first).to_contain_text("Forum 2017 link removed: Global Compact themes")
    expect(panel).not_to_contain_text("Compact theme A.a")
    assert page.evaluate("window.notReloaded") is True
    forum = Forum.objects.get(slug="gfmd-2017")
    assert list(forum.theme_links.values_list("theme__code", "source")) == [("A.b", "portal")]
    _screenshot(page, "programme-forum-links-en")
    assert not page.csp_errors, [message.text for message in page.csp_errors]
