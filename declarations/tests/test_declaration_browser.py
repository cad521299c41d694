"""The declaration in a real browser: compile, follow the progress, read, edit, compare, publish, read.

Chromium enforces the site's Content-Security-Policy here (no bypass for staff pages): the progress
bar is polled by htmx, a same-origin file. The compile runs for real (``declarations.compile``),
inline in the test's thread instead of a Celery worker; the page only reads the job's row, as it
would with workers. axe-core runs on each page. Screenshots go to var/screenshots/declaration-*.png.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from declarations import compile as engine
from declarations import views
from declarations.models import CompileJob, Declaration
from gfmd_portal.tests.test_browser import (  # noqa: F401 - fixtures
    AXE,
    BLOCKING_IMPACTS,
    CHROMIUM,
    SCREENSHOTS,
    _describe,
    chromium,
    loaded_forum,
)
from roundtables.models import Contribution

pytestmark = pytest.mark.browser

TEXTS = [
    ("recommendation", "Lower the recruitment fees paid by migrant workers through bilateral agreements."),
    ("recommendation", "Lower the recruitment fees paid by migrant workers through bilateral labour agreements."),
    ("recommendation", "Recognise the skills and diplomas of returning migrants in national qualification frameworks."),
    ("statement", "Cities are where migrants arrive first; local authorities must be at the table."),
    ("recommendation", "Open regular pathways for seasonal work with portable social security rights."),
]
ORGANISATIONS = [
    ("Migrant Rights Network", "civil_society", "MA"),
    ("Federal Foreign Office", "government", "DE"),
    ("Chamber of Commerce of Casablanca", "private_sector", "MA"),
]


@pytest.fixture
def contributions(loaded_forum):  # noqa: F811 - the imported fixture
    rows = []
    for index, round_table in enumerate(loaded_forum.round_tables.order_by("position")):
        for number, (kind, text) in enumerate(TEXTS):
            name, constituency, country = ORGANISATIONS[(index + number) % len(ORGANISATIONS)]
            rows.append(
                Contribution(
                    round_table=round_table,
                    kind=kind,
                    text=text,
                    language="en",
                    organisation_name=name,
                    constituency=constituency,
                    country=country,
                    status="accepted",
                )
            )
    return Contribution.objects.bulk_create(rows)


def _context(browser, live_server, user=None, bypass_csp=False):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp
    )
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_errors.append(message))
    return context, page


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"declaration-{name}.png"), full_page=True)


def _axe(page):
    """axe-core on the page's address, opened in a context of the same person that lets the test
    inject axe (the CSP forbids it, rightly, in the context under test)."""
    browser = page.context.browser
    checker = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        checker.add_cookies(page.context.cookies())
        other = checker.new_page()
        other.goto(page.url)
        other.add_script_tag(path=str(AXE))
        results = other.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    finally:
        checker.close()
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{page.url}:\n{_describe(blocking)}"


def test_staff_compile_edit_compare_publish_and_the_public_reads_it(
    chromium,  # noqa: F811 - the imported fixture
    live_server,
    loaded_forum,  # noqa: F811 - the imported fixture
    contributions,
    personas,
    monkeypatch,
):
    # The button creates the job without sending it to Celery; the test plays the worker.
    monkeypatch.setattr(
        views,
        "request_compile",
        lambda **kwargs: engine.request_compile(**kwargs, dispatch=False),
    )
    staff = personas.staff()
    context, page = _context(chromium, live_server, staff)

    page.goto("/en/staff/declaration/")
    _axe(page)
    page.locator("#id_language").select_option("en")
    page.get_by_role("button", name="Compile draft").click()
    page.wait_for_url("**/en/staff/declaration/jobs/*/")
    expect(page.locator(".job-stage")).to_contain_text("Waiting for a worker")

    # A worker reports progress: the bar follows without a reload (htmx polling under the CSP).
    job = CompileJob.objects.get()
    CompileJob.objects.filter(pk=job.pk).update(
        status="running",
        stage="round_tables",
        round_tables_total=6,
        round_tables_done=2,
        progress=12,
        total=30,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    expect(page.locator(".job-stage")).to_contain_text("round table 3 of 6 — 12 of 30 contributions")
    expect(page.locator("progress.job-progress-bar")).to_have_attribute("value", "38")
    _shot(page, "job-running")
    _axe(page)

    # The worker does the job (for real); when it is done the page opens the new draft.
    CompileJob.objects.filter(pk=job.pk).update(
        status="queued", stage="queued", round_tables_done=0, round_tables_total=0, progress=0, total=0
    )
    job = engine.run_inline(CompileJob.objects.get(pk=job.pk))
    assert job.status == "succeeded", job.error
    page.wait_for_url(f"**/en/staff/declaration/versions/{job.draft_id}/")
    expect(page.locator("h1")).to_contain_text("Declaration v1 (English)")
    merged = page.locator(".draft-row", has_text="Lower the recruitment fees").first
    merged.locator("details.sources summary").click()
    expect(merged.locator(".source-list")).to_contain_text("Federal Foreign Office")
    _shot(page, "draft")
    _axe(page)
    assert not page.csp_errors

    # Edit the first numbered paragraph: a new version opens, with the new text.
    first = page.locator(".draft-row:not(.draft-row-heading)").first
    first.get_by_role("link", name="Edit").click()
    page.wait_for_url("**/paragraphs/*/edit/")
    _shot(page, "edit")
    _axe(page)
    # A sentence added to the paragraph's own text: the comparison shows the paragraph changed.
    text = page.get_by_label("Text")
    text.fill(text.input_value() + " The co-chairs thank every participant of the tenth GFMD summit.")
    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_url(re.compile(r"/en/staff/declaration/versions/\d+/#para-\d+$"))
    expect(page.get_by_role("status")).to_contain_text("Saved as version 2.")
    expect(page.locator(".draft-paragraphs")).to_contain_text("The co-chairs thank every participant")

    page.get_by_role("link", name="Compare with v1").click()
    expect(page.locator(".diff-summary")).to_contain_text("0 added, 0 removed, 1 changed")
    expect(page.locator(".diff-changed ins").first).to_contain_text("thank every participant")
    _shot(page, "compare")
    _axe(page)
    page.go_back()

    page.get_by_role("button", name="Mark as final").click()
    expect(page.get_by_role("status")).to_contain_text("Version 2 is now the final version.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("Version 2 is published.")
    _shot(page, "draft-published")
    declaration = Declaration.objects.get(language="en")
    assert declaration.final_draft.version == 2 and declaration.published_at is not None
    page.goto("/en/staff/declaration/")
    expect(page.locator("#lang-en")).to_contain_text("v2 published")
    _shot(page, "overview")
    assert not page.csp_errors
    context.close()

    # The public reads the published version (in French, with a note that it is in English).
    context, page = _context(chromium, live_server)
    page.goto("/en/declaration/")
    expect(page.locator(".declaration-document")).to_contain_text("The co-chairs thank every participant")
    assert page.locator("h1").count() == 1
    _shot(page, "public-en")
    _axe(page)
    page.goto("/fr/declaration/")
    expect(page.locator(".alert-info")).to_be_visible()
    _shot(page, "public-fr-fallback")
    _axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="DOCX").click()
    assert download.value.suggested_filename == "gfmd-2017-declaration-en-v2.docx"
    context.close()
