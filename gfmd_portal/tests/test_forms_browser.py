"""The site's frame and forms in a real browser: the navigation bar on one line, searchable selects.

Chromium at 1280 px, as in test_browser; screenshots go to var/screenshots/ for a person to look at.
"""

import pytest
from playwright.sync_api import expect

from gfmd_portal.tests import test_browser
from gfmd_portal.tests.test_browser import AXE, BLOCKING_IMPACTS, SCREENSHOTS, _describe

pytestmark = pytest.mark.browser

chromium = test_browser.chromium
loaded_forum = test_browser.loaded_forum
page = test_browser.page

NAV_BOX = """() => {
  const nav = document.querySelector('nav[aria-label]');
  const items = [...nav.querySelectorAll('.navbar-brand, .nav-link')];
  const style = getComputedStyle(nav);
  return {
    height: nav.getBoundingClientRect().height,
    padding: parseFloat(style.paddingTop) + parseFloat(style.paddingBottom),
    tallest: Math.max(...items.map(item => item.getBoundingClientRect().height)),
    tops: [...new Set(items.map(item => {
      const rect = item.getBoundingClientRect();
      return Math.round(rect.top + rect.height / 2);
    }))],
    texts: items.map(item => item.textContent.trim()),
    // Lines of text in the item that has most: its height without padding over its line height.
    lines: Math.max(...items.map(item => {
      const css = getComputedStyle(item);
      const inner = item.getBoundingClientRect().height - parseFloat(css.paddingTop) - parseFloat(css.paddingBottom);
      return Math.round(inner / parseFloat(css.lineHeight));
    })),
  };
}"""


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_navigation_bar_is_one_line_at_1280_px(page, language):
    page.goto(f"/{language}/")
    box = page.evaluate(NAV_BOX)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / f"navbar-{language}.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 80}
    )
    # No item breaks inside, every item is centred on the same line, and the bar is as tall as its
    # tallest item and its padding.
    assert box["lines"] == 1, box
    assert len(box["tops"]) == 1, box
    assert box["height"] == box["tallest"] + box["padding"], box
    assert len(box["texts"]) == 1 + 6 + 1 + 3, box  # brand, six sections, sign in, three languages


def test_the_navigation_bar_is_one_line_for_a_signed_in_person(page, live_server, personas):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(personas.delegate())
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    for language in ("en", "fr", "es"):
        page.goto(f"/{language}/")
        box = page.evaluate(NAV_BOX)
        assert box["lines"] == 1, box
        assert len(box["tops"]) == 1, box
        assert box["height"] == box["tallest"] + box["padding"], box


# --- Searchable selects (common/widgets.py, static/js/searchable-select.js) ----------------------


def _signed_in_context(chromium, live_server, user, **options):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, **options)
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
    return context


def _axe_blocking(page):
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return _describe([violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS])


def test_a_delegate_types_into_the_countries_and_chooses_them_with_mouse_and_keyboard(
    chromium, live_server, loaded_forum, personas
):
    from practices.models import Practice

    delegate = personas.delegate()
    context = _signed_in_context(chromium, live_server, delegate)
    page = context.new_page()
    csp_errors = []
    page.on("console", lambda message: "Content Security Policy" in message.text and csp_errors.append(message.text))
    page.goto("/en/practices/submit/")
    page.get_by_label("Title").fill("Diaspora bonds")

    # The plain select is replaced by a box one types into, named by the field's label.
    countries = page.get_by_role("combobox", name="Implementing countries")
    expect(countries).to_be_visible()
    expect(page.locator("#id_countries_helptext")).to_have_text(
        "Type a name to find it, then choose it; choose as many as apply."
    )
    expect(countries).to_have_attribute("aria-describedby", "id_countries_helptext")
    countries.click()
    countries.press_sequentially("morocc")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_count(1)
    listbox.get_by_role("option", name="Morocco").click()
    # Keyboard only: type, the first match is active, Enter chooses it; accents need not be typed.
    countries.press_sequentially("cote d")
    expect(listbox.get_by_role("option", name="Côte d'Ivoire")).to_be_visible()
    countries.press("Enter")
    countries.press_sequentially("zzzz")
    expect(page.locator(".ts-dropdown .no-results")).to_have_text("Nothing matches.")
    countries.press("Escape")
    expect(page.locator("#id_countries")).to_have_values(["MA", "CI"])

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "searchable-select-countries-en.png"), full_page=False)

    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".alert-success")).to_contain_text("Your draft is saved.")
    practice = Practice.objects.get(title="Diaspora bonds")
    assert [country.code for country in practice.countries] == ["CI", "MA"]  # the field keeps them sorted
    # The saved draft shows both again in the box.
    items = page.locator("#id_countries + .ts-wrapper .item")
    expect(items).to_have_count(2)
    assert items.evaluate_all("items => items.map(item => item.dataset.value)") == ["CI", "MA"]
    expect(items.get_by_role("button", name="Remove: Morocco")).to_have_count(1)
    # Tom Select is loaded under the site's Content-Security-Policy (no inline script, no other origin).
    assert csp_errors == []
    context.close()

    # axe, with the list open (a second context that bypasses the policy only to inject axe).
    context = _signed_in_context(chromium, live_server, delegate, bypass_csp=True)
    page = context.new_page()
    page.goto(f"/en/practices/{practice.pk}/edit/")
    countries = page.get_by_role("combobox", name="Implementing countries")
    countries.focus()  # as Tab does: with countries chosen, the text box shows only when focused
    countries.press_sequentially("ger")
    expect(page.get_by_role("listbox").get_by_role("option", name="Germany")).to_be_visible()
    assert _axe_blocking(page) == ""
    context.close()


def test_without_javascript_the_select_stays_plain_and_the_form_posts(chromium, live_server, loaded_forum, personas):
    from practices.models import Practice

    delegate = personas.delegate()
    context = _signed_in_context(chromium, live_server, delegate, java_script_enabled=False)
    page = context.new_page()
    page.goto("/en/practices/submit/")
    expect(page.locator(".ts-wrapper")).to_have_count(0)
    expect(page.locator("#id_countries_helptext")).to_have_text("Hold Ctrl (⌘ on a Mac) to choose several.")
    page.get_by_label("Title").fill("Remittance corridors")
    page.get_by_role("listbox", name="Implementing countries").select_option(["DE", "MA"])
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".alert-success")).to_contain_text("Your draft is saved.")
    assert [country.code for country in Practice.objects.get(title="Remittance corridors").countries] == ["DE", "MA"]
    context.close()


def test_a_single_searchable_select_chooses_the_organisation_of_a_profile(
    chromium, live_server, loaded_forum, personas
):
    from stakeholders.models import Organisation, Profile

    person = personas.participant()
    Organisation.objects.create(name="Migration Policy Institute", constituency="academia", status="approved")
    context = _signed_in_context(chromium, live_server, person, bypass_csp=True)  # to inject axe
    page = context.new_page()
    page.goto("/fr/accounts/profile/")
    page.locator("#id_given_name").fill("Amina")
    page.locator("#id_family_name").fill("Diallo")
    # A chosen organisation shows as text; the box one types into takes the keyboard's focus (Tab).
    organisation = page.get_by_role("combobox", name="Organisation")
    organisation.focus()
    organisation.press_sequentially("policy inst")
    page.get_by_role("listbox").get_by_role("option", name="Migration Policy Institute").click()
    country = page.get_by_role("combobox", name="Pays")
    country.click()
    country.press_sequentially("Allem")
    country.press("Enter")
    expect(page.locator("#id_country")).to_have_value("DE")
    assert _axe_blocking(page) == ""
    page.screenshot(path=str(SCREENSHOTS / "searchable-select-profile-fr.png"), full_page=False)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/fr/accounts/")
    profile = Profile.objects.get(user=person)
    assert profile.organisation.name == "Migration Policy Institute"
    assert profile.country == "DE"
    context.close()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_sign_up_page_has_searchable_selects_and_no_axe_violation(page, language):
    page.goto(f"/{language}/accounts/signup/")
    expect(page.locator(".ts-wrapper")).to_have_count(2)  # organisation and country
    country = page.locator("#id_country-ts-control")
    country.click()
    country.press_sequentially("mex")
    expect(page.locator("#id_country-ts-dropdown [role=option]").first).to_have_text(
        "Mexico" if language == "en" else "México"
    )
    country.press("Enter")
    expect(page.locator("#id_country")).to_have_value("MX")
    assert _axe_blocking(page) == ""
    page.screenshot(path=str(SCREENSHOTS / f"searchable-select-signup-{language}.png"), full_page=True)


def test_the_pages_that_say_why_a_second_factor_and_the_password_are_asked_have_no_axe_violation(
    chromium, live_server, loaded_forum, personas
):
    staff = personas.staff(second_factor=False)
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/es/accounts/login/")
    page.locator("input[name=login]").fill(staff.email)
    page.locator("input[name=password]").fill(personas.PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Mi cuenta")).to_be_visible()
    page.goto("/es/staff/delegate-requests/")
    expect(page.locator("#why-reauthenticate")).to_contain_text("Va a configurar un segundo factor")
    assert _axe_blocking(page) == ""
    page.locator("input[name=password]").fill(personas.PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#why-second-factor")).to_contain_text("Las páginas del personal exigen un segundo factor.")
    assert _axe_blocking(page) == ""
    page.screenshot(path=str(SCREENSHOTS / "why-second-factor-es.png"), full_page=True)
    context.close()
