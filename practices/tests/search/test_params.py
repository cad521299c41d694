"""practices.search.params: GET parameters read, cleaned and written back; regions of countries."""

from django.http import QueryDict
from django_countries import countries

from practices import search
from stakeholders.regions import REGIONS, regions_of


def test_parse_params_keeps_good_values_and_reports_the_others():
    params, errors = search.parse_params(
        QueryDict(
            "q=+%20two%20%20words+&country=ma&country=XX&country=MA&region=mars&sdg_target=10.7"
            "&sdg_target=10.7;drop&compact_theme=A.c&year=1850&year=2017&gender_responsive=maybe"
            "&constituency=government&sort=best&page=-1&round_table=1.1"
        )
    )
    assert params.q == "two words"
    assert params.filters == {
        "country": ("MA",),
        "sdg_target": ("10.7",),
        "compact_theme": ("A.c",),
        "round_table": ("1.1",),
        "constituency": ("government",),
        "year": (2017,),
    }
    assert set(errors) == {"country", "region", "sdg_target", "year", "gender_responsive", "sort", "page"}
    assert params.urlencode() == (
        "q=two+words&country=MA&sdg_target=10.7&compact_theme=A.c&round_table=1.1&constituency=government&year=2017"
    )


def test_every_country_has_one_region_except_antarctica():
    codes = [code for _slug, (_label, text) in REGIONS.items() for code in text.split()]
    assert len(codes) == len(set(codes))
    missing = {code for code, _name in countries} - set(codes)
    assert missing == {"AQ"}
    assert regions_of(["MA", "DE", "SN"]) == ["africa", "europe"]
