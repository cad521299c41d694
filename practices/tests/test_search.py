"""practices.search: full text (PostgreSQL), filters, facet counts, sort, pages, visibility."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django_countries import countries

from practices import search
from practices.search import fulltext
from practices.search.highlight import START, STOP, highlight
from practices.tests.search_factories import (
    HIDDEN_STATUSES,
    SEES_HIDDEN,
    Status,
    make_practice,
    one_of_each_status,
    other_government,
    user_for,
)
from roundtables.tests.factories import make_forum, make_frameworks
from sdg_targets.models import CompactTheme, Goal, Target
from stakeholders.regions import REGIONS, regions_of

pytestmark = pytest.mark.django_db
postgres = [pytest.mark.postgres, pytest.mark.usefixtures("require_postgres")]


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


# --- Full text on PostgreSQL ------------------------------------------------------------------


@pytest.mark.postgres
def test_a_title_match_ranks_above_a_description_match(require_postgres, personas):
    government = personas.government()
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
    result = run(q="remittances")
    assert titles(result) == ["Cheaper remittances", "Diaspora bonds"]
    assert result.sort == "relevance"
    assert str(result.results[0].title_html) == "Cheaper <mark>remittances</mark>"
    # Sorted by newest instead, the description match comes first.
    assert titles(run(q="remittances", sort="newest")) == ["Diaspora bonds", "Cheaper remittances"]


@pytest.mark.postgres
def test_search_ignores_accents_and_shows_the_accented_text_highlighted(require_postgres, personas):
    make_practice(
        personas.government(),
        title="Integración de migrantes",
        summary="Un programa de integración laboral en México.",
        language="es",
    )
    result = run(q="integracion")
    assert titles(result) == ["Integración de migrantes"]
    practice = result.results[0]
    assert str(practice.title_html) == "<mark>Integración</mark> de migrantes"
    assert "<mark>integración</mark> laboral en México" in str(practice.snippet_html)
    # And the other way round: an accented query finds the same practice.
    assert titles(run(q="integración")) == ["Integración de migrantes"]


@pytest.mark.postgres
def test_an_english_word_finds_its_french_counterpart_through_stemming_and_unaccent(require_postgres, personas):
    # French stemming of the unaccented "réintégration" gives "reintegr", as English stemming of
    # "reintegration" does: the English word finds the French practice (and the plural too).
    make_practice(personas.government(), title="Réintégration des migrants de retour", language="fr")
    make_practice(personas.government(), title="Sustainable reintegration of returnees", language="en")
    assert sorted(titles(run(q="reintegration"))) == [
        "Réintégration des migrants de retour",
        "Sustainable reintegration of returnees",
    ]
    assert len(run(q="réintégrations").results) == 2
    assert titles(run(q="reintegration -returnees")) == ["Réintégration des migrants de retour"]


@pytest.mark.postgres
def test_snippets_escape_everything_but_the_marks(require_postgres, personas):
    make_practice(
        personas.government(),
        title="<b>Bold</b> pilot",
        summary='Before. The pilot <script>alert("x")</script> & more text after the «pilot».',
    )
    practice = run(q="pilot").results[0]
    assert str(practice.title_html) == "&lt;b&gt;Bold&lt;/b&gt; <mark>pilot</mark>"
    snippet = str(practice.snippet_html)
    assert "<script>" not in snippet
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>") == 2
    assert "<mark>pilot</mark>" in snippet and "«<mark>pilot</mark>" in snippet


@pytest.mark.postgres
def test_ranking_is_capped_to_the_most_recent_matches(require_postgres, personas, monkeypatch):
    monkeypatch.setattr(fulltext, "RANK_CAP", 3)
    government = personas.government()
    for day in range(1, 6):
        make_practice(
            government,
            title=f"Harbour {day}",
            published_at=datetime.datetime(2020, 1, day, tzinfo=datetime.UTC),
        )
    result = run(q="harbour")
    assert result.total == 5
    assert result.capped and result.pagination.count == 3
    assert sorted(titles(result)) == ["Harbour 3", "Harbour 4", "Harbour 5"]
    # Sorted by newest, nothing is capped.
    assert len(run(q="harbour", sort="newest").results) == 5


# --- Any database ---------------------------------------------------------------------------


def test_a_plain_word_matches_on_every_database(personas):
    government = personas.government()
    make_practice(government, title="Labour migration corridor", summary="Skills partnership.")
    make_practice(government, title="Birth registration", summary="For every child.")
    result = run(q="corridor")
    assert titles(result) == ["Labour migration corridor"]
    assert result.total == 1
    assert titles(run(q="partnership")) == ["Labour migration corridor"]
    assert run(q="nothing-like-this").total == 0


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


def _world(personas):
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


def test_facet_counts_without_filters(personas):
    _world(personas)
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
    _world(personas)
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
    _world(personas)
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
    _world(personas)
    make_practice(personas.government(), title="Draft", status=Status.DRAFT, countries=["MA"])
    cleaned = {name: tuple(values) for name, values in filters.items()}
    for sort in ("newest", "title"):
        result = search.search(user=AnonymousUser(), q="", filters=cleaned, sort=sort, page=1)
        exported = search.search_queryset(user=AnonymousUser(), q="", filters=cleaned, sort=sort)
        assert [practice.pk for practice in result.results] == list(exported.values_list("pk", flat=True))
        assert result.total == exported.count()


def test_a_selected_value_without_results_stays_in_its_facet(personas):
    _world(personas)
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


def test_highlight_carries_marks_onto_the_accented_text():
    original = "Œuvre pour l’intégration – Straße"
    # What ts_headline returns over gfmd_unaccent(original), with its markers.
    marked = f"OEuvre pour l'{START}integration{STOP} - Strasse"
    html, at_start, at_end = highlight(original, marked)
    assert html == "Œuvre pour l’<mark>intégration</mark> – Straße"
    assert at_start and at_end
    # A fragment that cannot be found in the folded text is shown as PostgreSQL gave it, escaped.
    html, _start, _end = highlight("α < β", f"x {START}<y>{STOP}")
    assert html == "x <mark>&lt;y&gt;</mark>"


def test_searches_are_cached_per_visibility_until_the_content_changes(personas, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 600
    practices = one_of_each_status(personas.government())
    delegate = personas.delegate()
    assert run(q="lighthouse").total == 1
    # Another visibility is another entry: the delegate sees the drafts of their government.
    assert run(delegate, q="lighthouse").total == len(Status.values)
    # The same search again: the practices of the page (and their targets, themes), no counting.
    with django_assert_num_queries(3):
        again = run(q="lighthouse")
    assert again.total == 1 and titles(again) == ["Lighthouse practice published"]
    # Any change to the content is seen at once.
    draft = practices[Status.DRAFT]
    draft.status = Status.PUBLISHED
    draft.save(update_fields=["status"])
    assert run(q="lighthouse").total == 2
    settings.PAGE_CACHE_SECONDS = 0
    # Uncached: the index's token, the labels, the matches, their ranking, the page, targets, themes.
    with django_assert_num_queries(7):
        assert run(q="lighthouse").total == 2
