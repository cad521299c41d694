"""practices.search.results: a page of a search: visibility, pages, default order, the cache of searches."""

import datetime

import pytest

from practices.tests.search.helpers import counts, run, titles
from practices.tests.search_factories import (
    HIDDEN_STATUSES,
    SEES_HIDDEN,
    Status,
    make_practice,
    one_of_each_status,
    other_government,
    user_for,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(SEES_HIDDEN))
def test_statuses_other_than_published_are_visible_only_to_staff_and_the_governments_delegates(personas, role):
    practices = one_of_each_status(personas.government())
    # Another government's draft: its own delegates and staff see it.
    make_practice(other_government(personas), title="Lighthouse practice elsewhere", status=Status.DRAFT)
    user = user_for(role, personas)
    expected = {Status.PUBLISHED} | (set(HIDDEN_STATUSES) if SEES_HIDDEN[role] else set())
    for q in ("", "lighthouse"):
        result = run(user, q=q)
        found = {practice.pk for practice in result.results}
        own = {practices[status].pk for status in expected}
        assert own <= found
        assert not {practices[status].pk for status in set(Status.values) - expected} & found
        elsewhere = "Lighthouse practice elsewhere" in titles(result)
        assert elsewhere == (role in ("other_delegate", "staff", "administrator"))
        # The facet counts and the total count the same practices.
        assert result.total == len(found)
        assert counts(result, "country") == {"MA": len(own)}
        assert counts(result, "sdg_target") == {"10.7": len(own)}
        assert counts(result, "gender_responsive") == {"yes": len(own)}


def test_pages_of_twenty(personas):
    government = personas.government()
    for number in range(45):
        make_practice(government, title=f"Practice {number:02d}")
    first = run(sort="title")
    assert first.total == 45 and first.pagination.num_pages == 3
    assert titles(first)[:2] == ["Practice 00", "Practice 01"] and len(first.results) == 20
    last = run(sort="title", page=3)
    assert titles(last) == [f"Practice {n}" for n in range(40, 45)]
    assert (last.pagination.start_index, last.pagination.end_index) == (41, 45)
    # A page past the end shows the last one.
    assert run(sort="title", page=99).pagination.number == 3
    assert first.pagination.window == [1, 2, 3]


def test_newest_first_without_a_query(personas):
    government = personas.government()
    for day in (3, 1, 2):
        make_practice(government, title=f"Day {day}", published_at=datetime.datetime(2020, 1, day, tzinfo=datetime.UTC))
    result = run(sort="relevance")  # relevance means nothing without words
    assert result.sort == "newest"
    assert titles(result) == ["Day 3", "Day 2", "Day 1"]


def test_searches_are_cached_per_visibility_until_the_content_changes(personas, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 600
    practices = one_of_each_status(personas.government())
    delegate = personas.delegate()
    assert run(q="lighthouse").total == 1
    # Another visibility is another entry: the delegate sees the drafts of their government.
    assert run(delegate, q="lighthouse").total == len(Status.values)
    # The same search again: the practices of the page and the codes of targets and themes, no counting.
    with django_assert_num_queries(2):
        again = run(q="lighthouse")
    assert again.total == 1 and titles(again) == ["Lighthouse practice published"]
    # Any change to the content is seen at once.
    draft = practices[Status.DRAFT]
    draft.status = Status.PUBLISHED
    draft.save(update_fields=["status"])
    assert run(q="lighthouse").total == 2
    settings.PAGE_CACHE_SECONDS = 0
    # Uncached: the index's token, the labels, the matches, their ranking, the page, the codes.
    with django_assert_num_queries(6):
        assert run(q="lighthouse").total == 2
