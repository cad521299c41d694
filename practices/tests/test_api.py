"""GET /api/v1/practices/: published practices, the page's filters, pages, 400 on malformed parameters."""

import pytest

from practices.tests.search_factories import (
    SEES_HIDDEN,
    Status,
    make_practice,
    one_of_each_status,
    user_for,
)
from roundtables.tests.factories import make_forum, make_frameworks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(SEES_HIDDEN))
def test_the_api_shows_published_practices_only_whoever_asks(client, personas, role):
    practices = one_of_each_status(personas.government())
    user = user_for(role, personas)
    if user is not None:
        client.force_login(user)
    data = client.get("/api/v1/practices/").json()
    published = practices[Status.PUBLISHED]
    assert data["count"] == 1
    assert [item["id"] for item in data["results"]] == [published.pk]
    assert client.get("/api/v1/practices/?q=lighthouse").json()["count"] == 1
    for status, practice in practices.items():
        expected = 200 if status == Status.PUBLISHED else 404
        assert client.get(f"/api/v1/practices/{practice.pk}/").status_code == expected, status


def test_a_practice_with_its_fields(client, personas):
    forum = make_forum(round_tables=1)
    target, theme = make_frameworks()
    practice = make_practice(
        personas.government(),
        title="Diaspora investment",
        countries=["SN"],
        targets=[target],
        themes=[theme],
        constituencies=["private_sector"],
        links="https://example.org/a\n\nhttps://example.org/b",
        contact_email="private@example.org",
    )
    practice.round_tables.set([forum.round_tables.get()])
    response = client.get(f"/api/v1/practices/{practice.pk}/?lang=fr")
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "Diaspora investment"
    assert data["page"] == f"http://testserver/fr/practices/{practice.pk}/"
    assert data["submitting_government"] == "Federal Foreign Office"
    assert data["countries"] == ["SN"] and data["regions"] == ["africa"]
    assert data["sdg_targets"] == ["10.7"] and data["compact_themes"] == ["A.a"]
    assert data["round_tables"] == [{"forum": "test-forum", "code": "1.1"}]
    assert data["constituencies"] == ["private_sector"]
    assert data["links"] == ["https://example.org/a", "https://example.org/b"]
    assert "contact_email" not in data and "status" not in data


def test_filters_and_query(client, personas):
    forum = make_forum(round_tables=2)
    forum.is_current = True
    forum.save()
    target, theme = make_frameworks()
    government = personas.government()
    first = make_practice(government, title="Return and reintegration", countries=["MA"], targets=[target])
    second = make_practice(
        government, title="Ethical recruitment", countries=["DE"], themes=[theme], constituencies=["private_sector"]
    )
    second.round_tables.set([forum.round_tables.get(code="1.2")])

    def ids(query):
        response = client.get(f"/api/v1/practices/?{query}")
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["results"]]

    assert ids("country=MA") == [first.pk]
    assert sorted(ids("country=MA&country=DE")) == sorted([first.pk, second.pk])
    assert ids("sdg_target=10.7") == [first.pk]
    assert ids("compact_theme=A.a") == [second.pk]
    assert ids("round_table=1.2") == [second.pk]
    assert ids("constituency=private_sector") == [second.pk]
    assert ids("region=europe") == [second.pk]
    assert ids("q=recruitment") == [second.pk]
    assert ids("q=recruitment&country=MA") == []


def test_pages(client, personas):
    government = personas.government()
    for number in range(25):
        make_practice(government, title=f"Practice {number:02d}")
    data = client.get("/api/v1/practices/?sort=title").json()
    assert data["count"] == 25 and len(data["results"]) == 20
    assert data["next"].endswith("/api/v1/practices/?page=2&sort=title")
    second = client.get("/api/v1/practices/?sort=title&page=2").json()
    assert [item["title"] for item in second["results"]] == [f"Practice {n}" for n in range(20, 25)]
    assert len(client.get("/api/v1/practices/?page_size=5").json()["results"]) == 5


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("country=XX", "country"),
        ("region=atlantis", "region"),
        ("sdg_target=10.7%27%3B", "sdg_target"),
        ("compact_theme=AA", "compact_theme"),
        ("round_table=%3Cscript%3E", "round_table"),
        ("constituency=pirates", "constituency"),
        ("gender_responsive=maybe", "gender_responsive"),
        ("year=99", "year"),
        ("sort=best", "sort"),
        ("lang=xx", "lang"),
        ("lang=", "lang"),
        ("lang=null&lang=null", "lang"),
        ("q=" + "x" * 201, "q"),
        ("q=" + "x" * 200 + "%20", "q"),
        ("q=a&q=b", "q"),
        # A filter's values as the schema writes them: no blank, no spaces around, capitals for countries.
        ("country=", "country"),
        ("country=%20MA", "country"),
        ("country=ma", "country"),
        ("country=MA&country=", "country"),
        ("year=2016.0", "year"),
        ("year=02016", "year"),
        ("year=1899", "year"),
        ("region=", "region"),
        ("sdg_target=", "sdg_target"),
        ("constituency=%20academia", "constituency"),
        ("&".join(["region=asia"] * 51), "region"),
        ("sort=", "sort"),
        ("sort=title&sort=newest", "sort"),
        # Pages: whole numbers from 1, up to 100 practices a page.
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=", "page"),
        ("page=last", "page"),
        ("page=1.0", "page"),
        ("page=1&page=2", "page"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page_size=100000", "page_size"),
        ("page_size=", "page_size"),
    ],
)
@pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning")  # the long ones
def test_malformed_parameters_are_a_400_with_a_json_error(client, db, query, field):
    response = client.get(f"/api/v1/practices/?{query}")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    assert errors[field] and all(isinstance(message, str) for message in errors[field])


def test_the_error_names_the_wrong_value(client, db):
    response = client.get("/api/v1/practices/?country=MA&country=XX&year=99")
    assert response.json() == {
        "country": ["'XX': \"XX\" is not a valid choice."],
        "year": ["'99': Ensure this value is greater than or equal to 1900."],
    }


def test_page_sizes_and_pages_past_the_last(client, personas):
    government = personas.government()
    for number in range(3):
        make_practice(government, title=f"Practice {number}")
    assert len(client.get("/api/v1/practices/?page_size=100").json()["results"]) == 3
    assert len(client.get("/api/v1/practices/?page_size=1&page=3").json()["results"]) == 1
    response = client.get("/api/v1/practices/?page_size=1&page=4")
    assert response.status_code == 404 and response.json() == {"detail": "Invalid page."}
    assert client.get("/api/v1/practices/?page=1000000").status_code == 404
    assert client.get("/api/v1/practices/?page=1000001").status_code == 400


def test_an_empty_search_is_no_search(client, personas):
    make_practice(personas.government(), title="Lighthouse")
    assert client.get("/api/v1/practices/?q=").json()["count"] == 1


def test_an_unknown_or_malformed_id_is_a_json_404(client, db):
    for url in ("/api/v1/practices/999999/", "/api/v1/practices/abc/"):
        response = client.get(url)
        assert response.status_code == 404
        assert list(response.json()) == ["detail"]


def test_list_query_count_is_the_same_whatever_the_size(client, personas, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    target, theme = make_frameworks()
    government = personas.government()
    for size in (1, 30):
        for number in range(size):
            make_practice(government, title=f"Lighthouse {size} {number}", targets=[target], themes=[theme])
        # The count, the page, its targets, themes and round tables.
        with django_assert_num_queries(5):
            assert client.get("/api/v1/practices/?q=lighthouse").status_code == 200


def test_the_schema_describes_the_practices(client, db):
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/v1/practices/" in schema["paths"]
    assert "/api/v1/practices/{id}/" in schema["paths"]
    parameters = {
        parameter["name"]: parameter for parameter in schema["paths"]["/api/v1/practices/"]["get"]["parameters"]
    }
    assert {"q", "country", "region", "sdg_target", "compact_theme", "round_table", "constituency", "page"} <= set(
        parameters
    )
    assert parameters["page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 1_000_000}
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
    country = parameters["country"]["schema"]
    assert country["type"] == "array" and country["maxItems"] == 50
    assert "MA" in country["items"]["enum"] and "" not in country["items"]["enum"]
    assert parameters["year"]["schema"]["items"] == {"type": "integer", "minimum": 1900, "maximum": 2100}
    assert parameters["sdg_target"]["schema"]["items"]["pattern"] == r"^[0-9]{1,2}\.[0-9a-z]{1,2}$"
    assert parameters["lang"]["schema"]["enum"] == ["en", "fr", "es"]
