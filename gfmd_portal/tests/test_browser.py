"""The public pages in a real browser: axe-core finds no serious problem, the structure holds.

Playwright drives Debian's Chromium (/usr/bin/chromium; ``playwright install`` is never
needed) against pytest-django's live server, with the 2017 forum loaded. Without Chromium
the tests are skipped, or fail with ``--require-services``. Each page is saved as a
full-page screenshot under var/screenshots/ for a person to look at.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from conftest import _missing  # the root conftest: skip, or fail with --require-services

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Impacts that fail a page; "minor" and "moderate" ones are printed only.
BLOCKING_IMPACTS = {"serious", "critical"}

# (screenshot name, path, expected HTTP status)
PAGES = [
    ("home-en", "/en/", 200),
    ("home-fr", "/fr/", 200),
    ("home-es", "/es/", 200),
    ("programme-current-en", "/en/roundtables/", 200),
    ("programme-2017-fr", "/fr/roundtables/gfmd-2017/", 200),
    ("roundtable-1.1-en", "/en/roundtables/gfmd-2017/1.1/", 200),
    ("roundtable-3.2-fr", "/fr/roundtables/gfmd-2017/3.2/", 200),
    ("targets-en", "/en/sdg-targets/", 200),
    ("target-10.7-fr", "/fr/sdg-targets/10.7/", 200),
    ("themes-en", "/en/compact-themes/", 200),
    ("theme-A.a-es", "/es/compact-themes/A.a/", 200),
    ("not-found-en", "/en/roundtables/gfmd-2017/9.9/", 404),
]


@pytest.fixture(scope="module")
def chromium(request):
    """One headless Chromium for the whole module."""
    if not CHROMIUM.exists():
        _missing(request, f"Chromium ({CHROMIUM})")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def loaded_forum(transactional_db):
    """The 2017 forum, committed so that the live server's thread sees it."""
    from roundtables.programme.services import load_forum

    forum, _tally = load_forum()
    return forum


@pytest.fixture
def page(chromium, live_server, loaded_forum):
    """A fresh browser context (no cookies) whose relative URLs go to the live server.

    The site's Content-Security-Policy forbids inline scripts; the context bypasses it only
    so that the test can inject axe-core (test_csp_blocks_inline_scripts checks the policy).
    """
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize(("name", "path", "status"), PAGES, ids=[name for name, _path, _status in PAGES])
def test_page_is_accessible(page, name, path, status):
    response = page.goto(path)
    assert response is not None
    assert response.status == status, f"{path} answered {response.status}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    problems = []
    language = path.split("/")[1]
    if page.get_attribute("html", "lang") != language:
        problems.append(f"html[lang] is {page.get_attribute('html', 'lang')!r}, not {language!r}")
    if (count := page.locator("h1").count()) != 1:
        problems.append(f"{count} h1 elements instead of one")
    if page.locator("main, [role=main]").count() == 0:
        problems.append("no main landmark")

    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = results["violations"]
    if violations:
        print(f"axe on {path}:\n{_describe(violations)}")
    if results.get("incomplete"):
        print(f"axe on {path}, to review by hand: {', '.join(item['id'] for item in results['incomplete'])}")
    blocking = [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]
    if blocking:
        problems.append(f"axe found serious or critical violations:\n{_describe(blocking)}")
    assert not problems, f"{path}:\n" + "\n".join(problems)


def test_language_switcher_keeps_the_page(page):
    page.goto("/en/roundtables/gfmd-2017/1.1/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Français", exact=True).click()
    page.wait_for_url("**/fr/roundtables/gfmd-2017/1.1/")
    assert page.get_attribute("html", "lang") == "fr"
    expect(page.locator("h1")).to_contain_text("Outils et garanties de la cohérence des politiques")


def test_first_tab_reaches_the_visible_skip_link(page):
    page.goto("/en/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to main content")
    expect(focused).to_have_attribute("href", "#content")
    expect(focused).to_be_visible()
    box = focused.bounding_box()
    viewport = page.viewport_size
    assert box is not None
    assert box["width"] > 0 and box["height"] > 0
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= viewport["width"] and box["y"] + box["height"] <= viewport["height"], box
    # Following it moves the focus to the main content.
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()


# What the keyboard's focus shows on an element: its outline and the colour behind it (the nearest
# ancestor with an opaque background; the ring is drawn outside the element, over that).
FOCUS_RING = """(element) => {
    const style = getComputedStyle(element);
    let behind = element.parentElement, background = "rgb(255, 255, 255)";
    for (; behind; behind = behind.parentElement) {
        const colour = getComputedStyle(behind).backgroundColor;
        if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") { background = colour; break; }
    }
    return {
        element: element.tagName + (element.className ? "." + element.className.split(" ").join(".") : ""),
        classes: element.className, style: style.outlineStyle, width: parseFloat(style.outlineWidth),
        colour: style.outlineColor, background: background,
    };
}"""


def _luminance(colour):
    red, green, blue = (int(part) / 255 for part in re.findall(r"[\d.]+", colour)[:3])
    linear = [part / 12.92 if part <= 0.03928 else ((part + 0.055) / 1.055) ** 2.4 for part in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first, second):
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_every_tab_stop_shows_a_focus_ring_of_3_to_1(page):
    """WCAG 2.2 (2.4.7, 1.4.11): the focus indicator is visible and has 3:1 against what surrounds
    it, on Bootstrap's components too (buttons, header links), whose own rules drop the outline."""
    page.goto("/en/")
    seen, problems = set(), []
    for _stop in range(40):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if not focused.count():
            continue
        ring = focused.first.evaluate(FOCUS_RING)
        seen.update(ring["classes"].split())
        contrast = _contrast(ring["colour"], ring["background"])
        if ring["style"] in ("none", "hidden") or ring["width"] < 2 or contrast < 3:
            problems.append(
                f"{ring['element']}: outline {ring['style']} {ring['width']}px {ring['colour']} on "
                f"{ring['background']} ({contrast:.1f}:1)"
            )
    assert {"nav-link", "btn"} <= seen, seen  # the components whose focus Bootstrap styles itself
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.browser
def test_csp_blocks_inline_scripts(chromium, live_server, loaded_forum):
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/en/")
    with pytest.raises(Exception, match="Content Security Policy"):
        page.add_script_tag(content="window.injected = true;")
    assert page.evaluate("window.injected === undefined")
    context.close()
