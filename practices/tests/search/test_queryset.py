"""practices.search.queryset: the search as one queryset (exports, API) agrees with the page."""

import pytest
from django.contrib.auth.models import AnonymousUser

from practices import search
from practices.tests.search.helpers import make_world
from practices.tests.search_factories import Status, make_practice

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"country": ["MA"]},
        {"region": ["europe", "americas"], "gender_responsive": ["yes"]},
        {"sdg_target": ["10.c"], "year": [2017]},
        {"compact_theme": ["A.a", "B.a"], "constituency": ["civil_society", "academia"]},
        {"country": ["DE", "FR"], "sdg_target": ["10.7"], "gender_responsive": ["no", "yes"]},
    ],
)
def test_the_page_and_the_exports_find_the_same_practices(personas, filters):
    """The page counts on the facet index, the exports and the API filter in SQL: they must agree."""
    make_world(personas)
    make_practice(personas.government(), title="Draft", status=Status.DRAFT, countries=["MA"])
    cleaned = {name: tuple(values) for name, values in filters.items()}
    for sort in ("newest", "title"):
        result = search.search(user=AnonymousUser(), q="", filters=cleaned, sort=sort, page=1)
        exported = search.search_queryset(user=AnonymousUser(), q="", filters=cleaned, sort=sort)
        assert [practice.pk for practice in result.results] == list(exported.values_list("pk", flat=True))
        assert result.total == exported.count()
