"""The public agenda and the private feed page in a real browser: axe-core finds no serious problem.

Screenshots land in var/screenshots/agenda-*.png, with one of the printable programme's HTML
(the PDF itself is drawn by WeasyPrint from that HTML and its print stylesheet).
"""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from gfmd_portal.tests import test_browser as browser
from gfmd_portal.tests.test_browser import AXE, BLOCKING_IMPACTS, SCREENSHOTS, _describe
from roundtables.models import AgendaItem, Session, SessionChange, SessionRole
from roundtables.tests.agenda.helpers import at, date_session
from stakeholders.tests import personas

pytestmark = pytest.mark.browser

# The browser, the live server's forum and a fresh page: the fixtures of the site's browser tests.
chromium, loaded_forum, page = browser.chromium, browser.loaded_forum, browser.page


@pytest.fixture
def dated_agenda(loaded_forum):
    forum = loaded_forum
    rt11 = date_session(forum, "round-table-1-1", at(29, 9), at(29, 10, 30), room="Saal 1")
    date_session(forum, "round-table-1-2", at(29, 9), at(29, 10, 30), room="Saal 2")
    date_session(forum, "round-table-2-1", at(29, 11), at(29, 12, 30), room="Saal 1")
    date_session(forum, "common-space", at(28, 14), at(28, 18), room="Foyer")
    SessionRole.objects.create(session=rt11, role="chair", guest_name="Amina Diallo", guest_organisation="IOM")
    SessionRole.objects.create(session=rt11, role="rapporteur", guest_name="Jean Dupont", guest_organisation="MRN")
    question = rt11.round_table.guiding_questions.get(position=1)
    AgendaItem.objects.create(session=rt11, kind="opening", minutes=10, position=1)
    AgendaItem.objects.create(session=rt11, kind="guiding_question", guiding_question=question, minutes=60, position=2)
    AgendaItem.objects.create(session=rt11, kind="conclusions", minutes=20, position=3)
    change = SessionChange.objects.create(session=rt11, summary="Moved to Saal 1", after_publication=True)
    SessionChange.objects.filter(pk=change.pk).update(changed_at=datetime.datetime(2017, 6, 20, 8, tzinfo=datetime.UTC))
    return forum


def check(page, path, name):
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert page.locator("h1").count() == 1
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    blocking = [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{path}:\n{_describe(blocking)}"


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("agenda-en", "/en/agenda/"),
        ("agenda-fr", "/fr/agenda/"),
        ("agenda-round-table-1.1-en", "/en/agenda/gfmd-2017/round-tables/1.1/"),
        ("agenda-session-en", "/en/agenda/gfmd-2017/sessions/round-table-1-1/"),
    ],
)
def test_agenda_pages_are_accessible(page, dated_agenda, name, path):
    check(page, path, name)


def test_the_running_order_opens(page, dated_agenda):
    page.goto("/en/agenda/")
    session = page.locator("article", has=page.get_by_role("link", name="Round table 1.1", exact=True))
    order = session.locator("details")
    expect(order.locator("ol")).to_be_hidden()
    order.locator("summary").click()
    expect(order.locator("ol li").first).to_contain_text("09:00 Opening (10 min)")


def test_the_private_feed_page(page, dated_agenda, live_server):
    person = personas.participant()
    client = Client()
    client.force_login(person)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/en/accounts/calendar/")
    page.get_by_role("button", name="Make my calendar address").click()
    field = page.get_by_label("Your private calendar address")
    expect(field).to_have_value(f"{live_server.url}/en/agenda/feeds/my/{person.calendar_feed_tokens.get().key}.ics")
    page.get_by_role("button", name="Copy").click()
    expect(page.locator(".copy-status")).to_have_text("Copied")
    check(page, "/en/accounts/calendar/", "agenda-my-feed-en")


def test_the_printable_programme_layout(page, dated_agenda):
    """The PDF's HTML, drawn by the browser with print media: a look at the layout, not at WeasyPrint's."""
    from django.utils import timezone

    from roundtables.agenda import pdf
    from roundtables.agenda.queries import agenda_of

    html = pdf.html(forum=dated_agenda, agenda=agenda_of(dated_agenda), generated=timezone.now())
    page.emulate_media(media="print")
    page.set_content(html)
    page.screenshot(path=str(SCREENSHOTS / "agenda-programme-pdf-html.png"), full_page=True)
    expect(page.locator("h2").first).to_have_text("Wednesday 28 June 2017")
    assert Session.objects.filter(status="published").count() == 9
