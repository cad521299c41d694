import pytest

from roundtables.tests.factories import make_forum

pytestmark = pytest.mark.django_db


def test_round_tables_in_french_with_the_contract_fields(client, forum):
    response = client.get("/api/v1/roundtables/?lang=fr")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert [item["code"] for item in data] == ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2"]
    first = data[0]
    assert {
        "code",
        "title",
        "sub_theme",
        "expected_outcomes",
        "guiding_questions",
        "sdg_targets",
        "compact_themes",
    } <= (set(first))
    assert first["title"].startswith("Outils et garanties de la cohérence des politiques")
    assert first["sub_theme"].startswith("Migration et développement à travers les stratégies nationales")
    assert len(first["guiding_questions"]) == 5
    assert first["guiding_questions"][0] == "Quels sont les intérêts des différents acteurs et comment les équilibrer ?"
    assert first["compact_themes"] == ["A.c"]
    assert "10.7" in first["sdg_targets"]
    assert [len(item["guiding_questions"]) for item in data] == [5, 4, 3, 5, 5, 4]


def test_accept_language_picks_the_language_and_lang_overrides_it(client, forum):
    english = client.get("/api/v1/roundtables/", HTTP_ACCEPT_LANGUAGE="en").json()
    french = client.get("/api/v1/roundtables/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert english[1]["title"] != french[1]["title"]
    assert french[1]["title"].startswith("Du programme mondial à la mise en œuvre")
    overridden = client.get("/api/v1/roundtables/?lang=en", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert overridden[1]["title"] == english[1]["title"]


def test_spanish_falls_back_to_english_where_a_text_has_no_spanish(client, forum):
    forum.round_tables.filter(code="1.1").update(title_es="")
    spanish = client.get("/api/v1/roundtables/?lang=es").json()
    english = client.get("/api/v1/roundtables/?lang=en").json()
    assert spanish[0]["title"] == english[0]["title"]
    assert spanish[1]["title"] != english[1]["title"]


def test_every_2017_round_table_in_spanish(client, forum):
    spanish = {item["code"]: item for item in client.get("/api/v1/roundtables/?lang=es").json()}
    english = {item["code"]: item for item in client.get("/api/v1/roundtables/?lang=en").json()}
    french = {item["code"]: item for item in client.get("/api/v1/roundtables/?lang=fr").json()}
    assert set(spanish) == {"1.1", "1.2", "2.1", "2.2", "3.1", "3.2"}
    for code, item in spanish.items():
        for field in ("title", "sub_theme", "expected_outcomes", "background"):
            assert item[field], (code, field)
            assert item[field] not in (english[code][field], french[code][field]), (code, field)
        assert len(item["guiding_questions"]) == len(english[code]["guiding_questions"])
        for text, other in zip(item["guiding_questions"], english[code]["guiding_questions"], strict=True):
            assert text.startswith(("¿", "Habida cuenta")) and text != other, (code, text)
    assert spanish["1.1"]["title"].startswith("Herramientas y garantías de la coherencia de las políticas")
    assert spanish["3.2"]["guiding_questions"][1] == (
        "¿Cómo pueden los Estados mejorar y coordinar la profesionalización y la institucionalización del "
        "compromiso de la sociedad civil con los actores estatales en este ámbito?"
    )
    # The SDG target keeps its official Spanish wording (A/RES/70/1) where the note quotes it.
    assert (
        "«facilitar la migración y la movilidad ordenadas, seguras, regulares y responsables de las personas"
        in (spanish["1.2"]["background"])
    )


def test_one_round_table_by_code(client, forum):
    data = client.get("/api/v1/roundtables/3.2/?lang=fr").json()
    assert data["code"] == "3.2"
    assert len(data["guiding_questions"]) == 4
    assert client.get("/api/v1/roundtables/9.9/").status_code == 404


def test_another_forum_by_slug(client, forum):
    make_forum(round_tables=2, slug="gfmd-2018")
    data = client.get("/api/v1/roundtables/?forum=gfmd-2018").json()
    assert [item["code"] for item in data] == ["1.1", "1.2"]
    assert {item["forum"] for item in data} == {"gfmd-2018"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lang=xx", "lang"),
        ("lang=", "lang"),
        ("lang=null&lang=null", "lang"),
        ("lang=fr&lang=en", "lang"),
        ("forum=not%20a%20slug", "forum"),
        ("forum=", "forum"),
        ("forum=%20gfmd-2017", "forum"),
        ("forum=" + "x" * 51, "forum"),
    ],
)
def test_malformed_query_is_a_400_with_a_json_error(client, forum, query, field):
    for url in ("/api/v1/roundtables/", "/api/v1/roundtables/1.1/"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400
        assert list(response.json()) == [field]
        assert all(isinstance(message, str) for message in response.json()[field])


def test_a_parameter_given_twice_is_named_in_the_error(client, forum):
    response = client.get("/api/v1/roundtables/?lang=fr&lang=fr")
    assert response.json() == {"lang": ["Give this parameter once only."]}


@pytest.mark.parametrize("query", ["forum=0", "forum=no-such-forum"])
def test_an_unknown_forum_is_a_404(client, forum, query):
    for url in ("/api/v1/roundtables/", "/api/v1/roundtables/1.1/"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 404
        assert response.json() == {"detail": "No such forum."}


def test_without_a_current_forum_the_list_is_a_404(client, db):
    response = client.get("/api/v1/roundtables/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No current forum."}


def test_round_table_list_query_count(client, django_assert_num_queries, settings, db):
    settings.PAGE_CACHE_SECONDS = 0
    make_forum(round_tables=1, slug="one")
    make_forum(round_tables=15, slug="many")
    for slug in ("one", "many"):
        with django_assert_num_queries(5):
            assert client.get(f"/api/v1/roundtables/?forum={slug}").status_code == 200


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/roundtables/", "/api/v1/sdg-targets/", "/api/v1/compact-themes/"} <= set(paths)
    parameters = {p["name"] for p in paths["/api/v1/roundtables/"]["get"]["parameters"]}
    assert {"lang", "forum"} <= parameters
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    # Swagger UI comes from our own static files, not from a CDN.
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
