import pytest

from roundtables.tests.factories import make_forum

pytestmark = pytest.mark.django_db


def test_sdg_targets_with_the_contract_fields(client, forum):
    data = client.get("/api/v1/sdg-targets/?lang=fr").json()
    by_code = {item["code"]: item for item in data}
    assert set(by_code) == {"10.7", "10.c", "3.c", "4.b", "8.8", "16.9", "17.18", "5.2", "8.7", "16.2"}
    target = by_code["10.7"]
    assert set(target) == {"code", "goal", "text", "relevance", "round_tables"}
    assert target["goal"] == 10
    assert target["relevance"] == "core"
    assert target["text"].startswith("Faciliter la migration et la mobilité")
    assert "1.2" in target["round_tables"]
    assert by_code["5.2"]["relevance"] == "trafficking"
    assert by_code["16.2"]["round_tables"] == ["1.2"]


def test_compact_themes_in_english(client, forum):
    data = client.get("/api/v1/compact-themes/?lang=en").json()
    assert [item["code"] for item in data] == ["A.a", "A.b", "A.c", "B.d", "B.e", "C.f"]
    by_code = {item["code"]: item for item in data}
    assert by_code["A.c"]["round_tables"] == ["1.1", "2.2"]
    assert by_code["A.a"]["title"].startswith("Human rights of all migrants")


def test_round_tables_of_another_forum(client, forum):
    make_forum(round_tables=3, slug="gfmd-2018")
    data = client.get("/api/v1/sdg-targets/10.7/?forum=gfmd-2018").json()
    assert data["round_tables"] == ["1.1", "1.2", "1.3"]


def test_an_unknown_forum_lists_no_round_tables(client, forum):
    data = client.get("/api/v1/sdg-targets/10.7/?forum=gfmd-2099").json()
    assert data["round_tables"] == []


@pytest.mark.parametrize("query", ["lang=klingon", "lang=", "lang=null&lang=null", "forum=", "forum=a%20b"])
def test_malformed_parameters_are_a_400(client, forum, query):
    for url in ("/api/v1/compact-themes/", "/api/v1/compact-themes/A.a/", "/api/v1/sdg-targets/"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400
        assert list(response.json()) == [query.split("=")[0]]


def test_an_unknown_code_is_a_json_404(client, forum):
    for url in ("/api/v1/sdg-targets/99.9/", "/api/v1/compact-themes/Z.z/", "/api/v1/compact-themes/AA/"):
        response = client.get(url)
        assert response.status_code == 404
        assert list(response.json()) == ["detail"]


@pytest.mark.parametrize("round_tables", [1, 10])
def test_target_list_query_count(client, django_assert_num_queries, settings, round_tables):
    settings.PAGE_CACHE_SECONDS = 0
    make_forum(round_tables=round_tables)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/sdg-targets/?forum=test-forum").status_code == 200
