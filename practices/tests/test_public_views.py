"""The public pages of the database: search page, a practice's page, its files; framework pages."""

import datetime
import re

import pytest
from django.urls import reverse

from practices.tests.search_factories import (
    HIDDEN_STATUSES,
    SEES_HIDDEN,
    Status,
    attach,
    make_practice,
    one_of_each_status,
    other_government,
    user_for,
)
from roundtables.tests.factories import make_forum, make_frameworks

pytestmark = pytest.mark.django_db


@pytest.fixture
def uncached(settings):
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


# --- The search page ----------------------------------------------------------------------------


def test_search_page_has_labelled_controls_facets_results_and_export_links(client, personas, uncached):
    target, theme = make_frameworks()
    make_practice(
        personas.government(),
        title="Skills partnership",
        summary="Training before departure.",
        countries=["MA"],
        targets=[target],
        themes=[theme],
        constituencies=["government"],
    )
    response = client.get("/en/practices/?q=skills&country=MA")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="practice-q">' in html and 'id="practice-q" name="q" value="skills"' in html
    assert '<label for="practice-sort">' in html
    assert "<legend" in html and 'name="country" value="MA"' in html
    assert re.search(r'name="country" value="MA" id="facet-country-1" checked>', html)
    assert "Morocco" in html and "(1)" in html
    assert 'href="/en/practices/1/"'.replace("1", str(response.context["result"].results[0].pk)) in html
    assert 'href="/en/practices/export.csv?q=skills&amp;country=MA&amp;sort=' not in html  # no sort was chosen
    assert 'href="/en/practices/export.csv?q=skills&amp;country=MA"' in html
    assert 'href="/en/practices/export.json?q=skills&amp;country=MA"' in html
    assert "1 practice found." in html


def test_search_page_works_in_french_and_ignores_malformed_parameters(client, personas, uncached):
    make_practice(personas.government(), title="Passerelles")
    response = client.get("/fr/practices/?country=XX&year=abc&page=zz")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Passerelles" in html
    assert "country" in html and "year" in html  # named in the notice of ignored parameters


def test_search_page_escapes_titles_and_queries(client, personas, uncached):
    make_practice(personas.government(), title="<script>alert(1)</script> pilot")
    html = client.get('/en/practices/?q="><script>alert(2)</script>').content.decode()
    assert "<script>alert(2)</script>" not in html
    html = client.get("/en/practices/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; pilot" in html


def test_search_page_paginates_with_the_search_in_the_links(client, personas, uncached):
    government = personas.government()
    for number in range(25):
        make_practice(government, title=f"Corridor {number:02d}", countries=["SN"])
    html = client.get("/en/practices/?country=SN&sort=title").content.decode()
    assert html.count('<li class="mb-4">') == 20
    assert 'href="?country=SN&amp;sort=title&amp;page=2"' in html
    second = client.get("/en/practices/?country=SN&sort=title&page=2").content.decode()
    assert second.count('<li class="mb-4">') == 5
    assert "Corridor 24" in second and "Corridor 00" not in second
    assert 'start="21"' in second


@pytest.mark.parametrize("role", list(SEES_HIDDEN))
def test_search_page_shows_hidden_statuses_only_to_those_who_may_see_them(client, personas, uncached, role):
    practices = one_of_each_status(personas.government())
    login(client, user_for(role, personas))
    html = client.get("/en/practices/?q=lighthouse").content.decode()
    for status, practice in practices.items():
        shown = f'href="/en/practices/{practice.pk}/"' in html
        assert shown == (status == Status.PUBLISHED or SEES_HIDDEN[role]), status
    count = 1 + (len(HIDDEN_STATUSES) if SEES_HIDDEN[role] else 0)
    assert f"{count} practice{'s' if count > 1 else ''} found." in html
    # The facet counts say the same.
    assert re.search(rf'name="country" value="MA"[^>]*>\s*<label[^>]*>Morocco <span[^>]*>\({count}\)', html)


def test_the_filters_column_is_cached_for_what_each_person_sees_until_content_changes(client, personas):
    """The filters' column is a cached fragment (the page cache on): per visibility, per search, renewed
    by any content change."""
    from django.test import Client

    government = personas.government()
    one_of_each_status(government)
    participant, staff = client, Client()
    participant.force_login(personas.participant())
    staff.force_login(personas.staff())

    def morocco(browser, url="/en/practices/?q=lighthouse"):
        html = browser.get(url).content.decode()
        found = re.search(r'name="country" value="MA"[^>]*>\s*<label[^>]*>Morocco <span[^>]*>\((\d+)\)', html)
        return int(found.group(1))

    hidden = len(HIDDEN_STATUSES)
    assert [morocco(participant), morocco(staff), morocco(participant), morocco(staff)] == [1, 1 + hidden] * 2
    # Another search, and the page without one: fragments of their own.
    assert morocco(participant, "/en/practices/") == 1
    assert morocco(participant, "/en/practices/?q=lighthouse&sort=newest") == 1
    make_practice(government, title="Lighthouse practice two", summary="A lighthouse.", countries=["MA"])
    assert [morocco(participant), morocco(staff)] == [2, 2 + hidden]


def test_the_list_of_results_is_cached_for_what_each_person_sees_until_content_changes(client, personas):
    """The page's practices are a cached fragment too (the page cache on): per visibility, search,
    page and language, renewed by any content change."""
    from django.test import Client

    government = personas.government()
    practices = one_of_each_status(government)
    participant, staff = client, Client()
    participant.force_login(personas.participant())
    staff.force_login(personas.staff())

    def listed(browser, url="/en/practices/?q=lighthouse"):
        html = browser.get(url).content.decode()
        return sorted(int(pk) for pk in re.findall(r'<a href="/en/practices/(\d+)/"', html))

    published = [practices[Status.PUBLISHED].pk]
    everyone = sorted(practice.pk for practice in practices.values())
    assert [listed(participant), listed(staff), listed(participant), listed(staff)] == [published, everyone] * 2
    assert "Lighthouse practice two" not in participant.get("/en/practices/?q=lighthouse").content.decode()
    two = make_practice(government, title="Lighthouse practice two", summary="A lighthouse.", countries=["MA"])
    assert listed(participant) == sorted([*published, two.pk])
    assert listed(staff) == sorted([*everyone, two.pk])
    # Another language is a fragment of its own (its links in that language).
    assert 'href="/fr/practices/' in participant.get("/fr/practices/?q=lighthouse").content.decode()


def _list_queries(client, django_assert_num_queries, url, expected):
    with django_assert_num_queries(expected):
        response = client.get(url)
        assert response.status_code == 200
    return response


@pytest.mark.parametrize("practices", [1, 30])
@pytest.mark.parametrize("url", ["/en/practices/", "/en/practices/?q=lighthouse&country=MA&sdg_target=10.7&sort=title"])
def test_search_page_query_count_is_the_same_whatever_the_size(
    client, personas, uncached, django_assert_num_queries, practices, url
):
    # The facet index's token (1), the labels of SDG targets, themes and round tables (1), the page
    # (1), the codes of SDG targets and themes (1); with a query, its matches (1); the first search after a
    # change also builds the index (1) and, sorted by title, reads the title order (1).
    target, theme = make_frameworks()
    government = personas.government()
    for number in range(practices):
        make_practice(
            government,
            title=f"Lighthouse {number}",
            countries=["MA", "SN"],
            targets=[target],
            themes=[theme],
            constituencies=["government", "academia"],
            start_date=datetime.date(2010 + number % 8, 1, 1),
            gender_responsive=bool(number % 2),
        )
    with_query = "q=" in url
    _list_queries(client, django_assert_num_queries, url, 7 if with_query else 5)
    _list_queries(client, django_assert_num_queries, url, 5 if with_query else 4)


@pytest.mark.parametrize("practices", [1, 30])
def test_search_page_query_count_for_signed_in_staff(client, personas, uncached, django_assert_num_queries, practices):
    # The user (with the staff group) and the second factor; then the search: the index's token, the
    # labels, the matches, their ranking, the page and the codes of targets and themes; the first search
    # after a change also builds the index. At most 12 (the bound for the list page).
    government = personas.government()
    for number in range(practices):
        make_practice(government, title=f"Lighthouse {number}", status=Status.DRAFT if number % 2 else "published")
    client.force_login(personas.staff())
    response = _list_queries(client, django_assert_num_queries, "/en/practices/?q=lighthouse", 9)
    assert len(response.context["result"].results) == min(practices, 20)
    _list_queries(client, django_assert_num_queries, "/en/practices/?q=lighthouse", 8)


def test_search_page_is_cached_for_anonymous_visitors_and_invalidated_by_a_change(client, personas, settings):
    settings.PAGE_CACHE_SECONDS = 600
    practice = make_practice(personas.government(), title="Cached practice")
    first = client.get("/en/practices/")
    assert first["X-Page-Cache"] == "miss"
    assert client.get("/en/practices/")["X-Page-Cache"] == "hit"
    practice.status = Status.WITHDRAWN
    practice.save()
    third = client.get("/en/practices/")
    assert third["X-Page-Cache"] == "miss"
    assert "Cached practice" not in third.content.decode()


# --- A practice's page ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(SEES_HIDDEN))
def test_practice_page_is_a_404_for_those_who_may_not_see_it(client, personas, uncached, role):
    practices = one_of_each_status(personas.government())
    login(client, user_for(role, personas))
    for status, practice in practices.items():
        response = client.get(practice.get_absolute_url())
        visible = status == Status.PUBLISHED or SEES_HIDDEN[role]
        assert response.status_code == (200 if visible else 404), status
        if visible and status != Status.PUBLISHED:
            assert "private" in response["Cache-Control"]


def test_practice_page_shows_frameworks_countries_period_documents_and_related(client, personas, uncached, media):
    forum = make_forum(round_tables=1)
    target, theme = make_frameworks()
    government = personas.government()
    practice = make_practice(
        government,
        title="Migrant resource centres",
        summary="One-stop shops.",
        description="Advice before departure.\n\nAnd after return.",
        countries=["MA", "SN"],
        start_date=datetime.date(2015, 6, 1),
        ongoing=True,
        targets=[target],
        themes=[theme],
        constituencies=["civil_society"],
        links="https://example.org/centres\njavascript:alert(1)",
        contact_name="Amina",
    )
    practice.round_tables.set([forum.round_tables.get()])
    attachment = attach(practice)
    related = [
        make_practice(
            government,
            title=f"Related {n}",
            targets=[target],
            published_at=datetime.datetime(2020, 1, n + 1, tzinfo=datetime.UTC),
        )
        for n in range(6)
    ]
    make_practice(government, title="Draft sharing the target", status=Status.DRAFT, targets=[target])
    make_practice(government, title="Unrelated practice")
    html = client.get(practice.get_absolute_url()).content.decode()
    assert "<h1" in html and "Migrant resource centres" in html
    assert "Morocco" in html and "Senegal" in html and "Africa" in html
    assert "ongoing" in html
    assert 'href="/en/sdg-targets/10.7/"' in html and 'href="/en/compact-themes/A.a/"' in html
    assert 'href="/en/roundtables/test-forum/1.1/"' in html
    assert reverse("practices:attachment", kwargs={"pk": practice.pk, "attachment_pk": attachment.pk}) in html
    assert "/media/" not in html
    assert 'href="https://example.org/centres"' in html and "javascript:" not in html
    # Related: the five most recent published practices sharing a target or theme.
    shown = [p.title for p in related if f'href="/en/practices/{p.pk}/"' in html]
    assert shown == [f"Related {n}" for n in range(1, 6)]
    assert "Draft sharing the target" not in html and "Unrelated practice" not in html
    # No status banner nor history for the public.
    assert "History" not in html and "Status:" not in html


@pytest.mark.parametrize("role", ["delegate", "staff"])
def test_practice_page_shows_status_and_history_to_staff_and_the_governments_delegates(client, personas, role):
    from practices.models import Transition

    practice = make_practice(personas.government(), title="Draft practice", status=Status.CHANGES_REQUESTED)
    Transition.objects.create(
        practice=practice, from_status="submitted", to_status="changes_requested", comment="Add the results."
    )
    client.force_login(user_for(role, personas))
    html = client.get(practice.get_absolute_url()).content.decode()
    assert "Changes requested" in html
    assert "Only the co-chairs" in html
    assert "Add the results." in html  # the history, included from practices/_history.html


@pytest.mark.parametrize("role", list(SEES_HIDDEN))
def test_attachment_downloads_follow_the_practices_visibility(client, personas, uncached, media, role):
    practices = one_of_each_status(personas.government())
    files = {status: attach(practice) for status, practice in practices.items()}
    login(client, user_for(role, personas))
    for status, practice in practices.items():
        url = reverse("practices:attachment", kwargs={"pk": practice.pk, "attachment_pk": files[status].pk})
        response = client.get(url)
        visible = status == Status.PUBLISHED or SEES_HIDDEN[role]
        assert response.status_code == (200 if visible else 404), status
        if visible:
            assert response["Content-Disposition"].startswith("attachment;")
            assert response["Content-Type"] == "application/pdf"
            assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # An attachment under another practice's number is a 404.
    published = practices[Status.PUBLISHED]
    other = files[Status.DRAFT]
    url = reverse("practices:attachment", kwargs={"pk": published.pk, "attachment_pk": other.pk})
    assert client.get(url).status_code == 404


# --- Framework pages ------------------------------------------------------------------------------


def test_target_theme_and_round_table_pages_list_published_practices_only(client, personas, uncached):
    forum = make_forum(round_tables=1)
    round_table = forum.round_tables.get()
    practices = one_of_each_status(personas.government())
    for practice in practices.values():
        practice.round_tables.set([round_table])
    make_practice(other_government(personas), title="Elsewhere", status=Status.DRAFT)
    client.force_login(personas.staff())  # even staff see published practices only there
    for url in ("/en/sdg-targets/10.7/", "/en/compact-themes/A.a/", "/en/roundtables/test-forum/1.1/"):
        html = client.get(url).content.decode()
        for status, practice in practices.items():
            assert (f'href="/en/practices/{practice.pk}/"' in html) == (status == Status.PUBLISHED), (url, status)
    assert 'href="/en/practices/?sdg_target=10.7"' in client.get("/en/sdg-targets/10.7/").content.decode()
