"""practices.search.facets: facet counts with the other filters applied, filters OR-ed and AND-ed."""

import pytest

from practices.tests.search.helpers import counts, make_world, run, titles
from practices.tests.search_factories import make_practice
from roundtables.tests.factories import make_forum

pytestmark = pytest.mark.django_db


def test_facet_counts_without_filters(personas):
    make_world(personas)
    result = run()
    assert result.total == 5
    assert counts(result, "country") == {"MA": 2, "SN": 1, "DE": 1, "MX": 1, "AD": 1, "FR": 1}
    # A practice in two African countries counts once for Africa.
    assert counts(result, "region") == {"africa": 2, "europe": 3, "americas": 1}
    assert counts(result, "sdg_target") == {"10.7": 3, "10.c": 2}
    assert counts(result, "compact_theme") == {"A.a": 2, "B.a": 1}
    assert counts(result, "constituency") == {"civil_society": 2, "government": 2, "academia": 1}
    assert counts(result, "gender_responsive") == {"yes": 3, "no": 1}
    assert counts(result, "year") == {"2016": 2, "2017": 2}
    sdg = next(facet for facet in result.facets if facet.name == "sdg_target")
    assert [value.value for value in sdg.values] == ["10.7", "10.c"]
    assert sdg.values[1].detail == "Remittance costs"


def test_facet_counts_apply_the_other_filters_only(personas):
    make_world(personas)
    result = run(country=["MA"], sdg_target=["10.7"])
    assert titles(result) == ["One"]
    # Country counts: with the target filter, not the country filter.
    assert counts(result, "country") == {"MA": 1, "SN": 1, "DE": 1, "FR": 1}
    # Target counts: with the country filter, not the target filter.
    assert counts(result, "sdg_target") == {"10.7": 1, "10.c": 1}
    # Other facets: with both filters.
    assert counts(result, "constituency") == {"civil_society": 1}
    assert counts(result, "region") == {"africa": 1}
    selected = next(facet for facet in result.facets if facet.name == "country")
    assert [value.value for value in selected.values if value.selected] == ["MA"]


def test_values_of_one_filter_are_or_ed_and_filters_and_ed(personas):
    make_world(personas)
    assert sorted(titles(run(country=["DE", "FR"]))) == ["Five", "Three"]
    assert sorted(titles(run(country=["DE", "FR"], year=[2016]))) == ["Five"]
    assert sorted(titles(run(region=["europe"]))) == ["Five", "Four", "Three"]
    assert sorted(titles(run(region=["africa", "americas"]))) == ["Four", "One", "Two"]
    assert sorted(titles(run(compact_theme=["A.a"]))) == ["Four", "One"]
    assert sorted(titles(run(constituency=["academia", "civil_society"]))) == ["Five", "One", "Three"]
    assert sorted(titles(run(gender_responsive=["no"]))) == ["Two"]
    assert sorted(titles(run(year=[2017]))) == ["Three", "Two"]
    # A code is matched whole: "AD" (Andorra) is not found inside another code.
    assert titles(run(country=["DE"])) == ["Three"]


def test_a_selected_value_without_results_stays_in_its_facet(personas):
    make_world(personas)
    result = run(country=["JP"])
    assert result.total == 0 and result.results == []
    assert counts(result, "country")["JP"] == 0


def test_round_table_filter_uses_the_current_forum(personas):
    forum = make_forum(round_tables=2)
    forum.is_current = True
    forum.save()
    old = make_forum(round_tables=2, slug="old-forum")
    practice = make_practice(personas.government(), title="Linked")
    practice.round_tables.set([old.round_tables.get(code="1.1")])
    assert run(round_table=["1.1"]).total == 0
    practice.round_tables.add(forum.round_tables.get(code="1.2"))
    result = run(round_table=["1.2"])
    assert titles(result) == ["Linked"]
    assert counts(result, "round_table") == {"1.2": 1}
