"""What the search tests share: a search in one call, what to look at in its result, a small world."""

import datetime

from django.contrib.auth.models import AnonymousUser

from practices import search
from practices.tests.search_factories import make_practice
from roundtables.tests.factories import make_frameworks
from sdg_targets.models import CompactTheme, Goal, Target


def run(user=None, q="", **filters):
    sort = filters.pop("sort", "")
    page = filters.pop("page", 1)
    filters = {name: tuple(values) for name, values in filters.items()}
    return search.search(user=user or AnonymousUser(), q=q, filters=filters, sort=sort, page=page)


def titles(result):
    return [practice.title for practice in result.results]


def counts(result, name):
    facet = next(facet for facet in result.facets if facet.name == name)
    return {value.value: value.count for value in facet.values}


def make_title_and_description_matches(government):
    """Two practices with "remittances": "Cheaper remittances" in its title, "Diaspora bonds" only in its
    description and published later, so that rank, not date, puts the title match first."""
    make_practice(
        government,
        title="Diaspora bonds",
        description="Remittances from the diaspora fund schools.",
        published_at=datetime.datetime(2020, 1, 2, tzinfo=datetime.UTC),
    )
    make_practice(
        government,
        title="Cheaper remittances",
        description="A price comparison website.",
        published_at=datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC),  # older: rank, not date, decides
    )


def make_world(personas):
    """Five practices spread over countries, targets, themes, constituencies, gender and years."""
    government = personas.government()
    target, theme = make_frameworks()
    goal = Goal.objects.get(number=10)
    other_target = Target.objects.create(code="10.c", goal=goal, text_en="Remittance costs", position=103)
    other_theme = CompactTheme.objects.create(code="B.a", cluster="B", title_en="Drivers")
    rows = [
        ("One", ["MA", "SN"], [target], [theme], ["civil_society"], True, 2016),
        ("Two", ["MA"], [other_target], [], ["government"], False, 2017),
        ("Three", ["DE"], [target, other_target], [other_theme], ["government", "academia"], True, 2017),
        ("Four", ["MX", "AD"], [], [theme], [], None, None),
        ("Five", ["FR"], [target], [], ["civil_society"], True, 2016),
    ]
    for title, where, targets, themes, constituencies, gender, year in rows:
        make_practice(
            government,
            title=title,
            countries=where,
            targets=targets,
            themes=themes,
            constituencies=constituencies,
            gender_responsive=gender,
            start_date=datetime.date(year, 3, 1) if year else None,
        )
