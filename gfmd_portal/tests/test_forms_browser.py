"""The site's frame and forms in a real browser: the navigation bar on one line, searchable selects.

Chromium at 1280 px, as in test_browser; screenshots go to var/screenshots/ for a person to look at.
"""

import pytest

from gfmd_portal.tests import test_browser
from gfmd_portal.tests.test_browser import SCREENSHOTS

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
