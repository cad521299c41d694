"""No input gives a 500: every route of the URLconf, with control characters and other hostile
bytes in each path segment, in the query string and in posted fields.

The routes and the objects they open come from the access matrix (test_access_matrix.py), so a
new route is fuzzed as soon as it is in the matrix. Control characters are refused at the edge
(common.middleware) with a 400 page; other odd input must give a page or a clear refusal, never a
server error.
"""

from urllib.parse import quote, urlsplit

import pytest

from common.middleware import BIDI_CONTROLS
from gfmd_portal.tests.test_access_matrix import MATRIX

pytestmark = pytest.mark.django_db

CONTROLS = ["%00", "%0B", "%1F", "%7F", "%C2%85"]  # NUL, vertical tab, unit separator, DEL, NEL (C1)
ODD = ["%FF", "%E2%80%AE%22%3E%3Cb%3E", "..%2F" + "a" * 300]  # bad UTF-8; an override and markup; long
NAMES = sorted(MATRIX)


def _segments_spoiled(url, junk):
    path = urlsplit(url).path
    parts = path.split("/")
    for index, part in enumerate(parts):
        if part and index > 1:  # keep the language prefix: a wrong one is simply a 404
            yield "/".join([*parts[:index], part + junk, *parts[index + 1 :]]) + "/" * path.endswith("/")


def _urls(name, world):
    return MATRIX[name].urls(world)


@pytest.mark.parametrize("name", NAMES)
def test_control_characters_anywhere_in_an_address_are_refused_with_a_400(name, programme, matrix_client, world):
    matrix_client.force_login(world.user("staff"))
    for url in _urls(name, world):
        for junk in CONTROLS:
            for spoiled in _segments_spoiled(url, junk):
                response = matrix_client.get(spoiled)
                assert response.status_code == 400, f"GET {spoiled}: {response.status_code}"
            for query in (f"q=a{junk}b", f"page=1{junk}", f"x{junk}=1"):
                response = matrix_client.get(f"{url}?{query}")
                assert response.status_code == 400, f"GET {url}?{query}: {response.status_code}"
                assert "control character" in response.content.decode()


@pytest.mark.parametrize("name", NAMES)
def test_odd_bytes_in_an_address_never_give_a_500(name, programme, matrix_client, world):
    matrix_client.force_login(world.user("staff"))
    for url in _urls(name, world):
        for junk in ODD:
            for spoiled in _segments_spoiled(url, junk):
                assert matrix_client.get(spoiled).status_code < 500, f"GET {spoiled}"
            for query in (f"q={junk}&page={junk}&lang={junk}", f"{junk}=1&q=a%09b%0Ac"):
                assert matrix_client.get(f"{url}?{query}").status_code < 500, f"GET {url}?{query}"


@pytest.mark.parametrize("name", [name for name in NAMES if MATRIX[name].post is not None])
def test_a_control_character_in_any_posted_field_is_refused_and_nothing_changes(name, programme, matrix_client, world):
    route = MATRIX[name]
    matrix_client.force_login(world.user("staff"))
    for url in route.urls(world):
        data = route.post_data(world) if route.post_data else {}
        fields = [key for key, value in data.items() if isinstance(value, str)] or ["text"]
        for field in fields:
            before = world.state()
            response = matrix_client.post(url, {**data, field: "before\x00after"})
            assert response.status_code == 400, f"POST {url} {field}: {response.status_code}"
            assert world.state() == before


def test_bidirectional_overrides_are_taken_out_of_posted_text(programme, matrix_client, world):
    from roundtables.models import Contribution

    person = world.user("owner")
    matrix_client.force_login(person)
    response = matrix_client.post(
        "/en/roundtables/gfmd-2017/1.1/contribute/",
        {"kind": "statement", "text": "Safe \u202eevil\u202c text \u2067isolated\u2069", "language": "en"},
    )
    assert response.status_code == 302
    text = Contribution.objects.get(author=person).text
    assert text == "Safe evil text isolated"
    assert not BIDI_CONTROLS.search(text)


def test_tabs_and_line_breaks_are_ordinary_input(programme, matrix_client):
    response = matrix_client.get("/en/practices/?q=" + quote("migrant\tworkers\nrights"))
    assert response.status_code == 200


def test_the_refusal_page_is_in_the_visitors_language(programme, matrix_client):
    page = matrix_client.get("/fr/sdg-targets/%00/")
    assert page.status_code == 400
    html = page.content.decode()
    assert '<html lang="fr">' in html
    assert "Demande refusée" in html and "caractère de contrôle" in html


def test_an_api_client_gets_the_refusal_as_json(programme, matrix_client):
    response = matrix_client.get("/api/v1/roundtables/?q=a%00b")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["detail"]  # as the schema says (common.api)
    assert "control character" in response.json()["detail"]
    assert matrix_client.get("/en/roundtables/?q=a%00b")["Content-Type"].startswith("text/html")
