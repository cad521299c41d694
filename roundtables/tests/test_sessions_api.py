"""GET /api/v1/sessions/: the published agenda with its people, running order and changes."""

import pytest
from django.utils import translation
from rest_framework import serializers

from roundtables.agenda.queries import agenda_sessions, published_sessions
from roundtables.api import SessionSerializer
from roundtables.models import Session
from roundtables.tests.agenda import helpers

API = "/api/v1/sessions/"


@pytest.fixture
def agenda(forum, personas):
    return helpers.build_agenda(forum, personas)


def by_slug(response):
    assert response.status_code == 200
    return {item["slug"]: item for item in response.json()}


def test_the_list_has_published_sessions_only_dated_first(client, agenda):
    response = client.get(API)
    slugs = [item["slug"] for item in response.json()]
    assert slugs[:3] == ["common-space", "round-table-1-1", "round-table-1-2"]
    assert "side-event" not in slugs
    assert set(slugs[3:]) == {
        "business-interface",
        "round-table-2-1",
        "round-table-2-2",
        "round-table-3-1",
        "round-table-3-2",
        "thematic-workshop",
    }


def test_a_session_with_its_roles_running_order_and_changes(client, agenda):
    session = by_slug(client.get(API))["round-table-1-1"]
    assert session["kind"] == "round_table" and session["round_table"] == "1.1"
    assert (session["start"], session["end"]) == ("2017-06-29T09:00:00+02:00", "2017-06-29T10:30:00+02:00")
    assert (session["time_zone"], session["venue"], session["room"]) == ("Europe/Berlin", "Berlin", "Saal 1")
    assert session["page"] == "http://testserver/en/agenda/gfmd-2017/sessions/round-table-1-1/"
    assert session["roles"] == [
        {"role": "chair", "label": "Chair", "name": "Amina Diallo", "organisation": "Ministry of Labour"},
        {"role": "rapporteur", "label": "Rapporteur", "name": "Jean Dupont", "organisation": "Migrant Rights Network"},
        {"role": "speaker", "label": "Speaker", "name": "", "organisation": "Federal Foreign Office"},
    ]
    assert session["running_order"] == [
        {
            "position": 1,
            "kind": "opening",
            "title": "Opening",
            "guiding_question": None,
            "minutes": 10,
            "start": "2017-06-29T09:00:00+02:00",
        },
        {
            "position": 2,
            "kind": "guiding_question",
            "title": agenda["question"].text,
            "guiding_question": 1,
            "minutes": 45,
            "start": "2017-06-29T09:10:00+02:00",
        },
        {
            "position": 3,
            "kind": "conclusions",
            "title": "Wrap-up by the chair",
            "guiding_question": None,
            "minutes": 15,
            "start": "2017-06-29T09:55:00+02:00",
        },
    ]
    assert session["changes_since_publication"] == [
        {"changed_at": "2017-06-20T10:00:00+02:00", "summary": "Room changed to Saal 1", "code": "", "params": {}}
    ]
    assert "@example.org" not in client.get(API).content.decode()


def test_undated_sessions_have_no_times(client, agenda):
    workshop = by_slug(client.get(API))["thematic-workshop"]
    assert (workshop["start"], workshop["end"], workshop["venue"]) == (None, None, "Geneva")


def test_language_and_round_table_filters(client, agenda):
    french = by_slug(client.get(API, {"lang": "fr"}))
    assert french["round-table-1-1"]["title"] == "Table ronde 1.1"
    assert french["common-space"]["description"].startswith("Pendant la réunion du Forum")
    assert list(by_slug(client.get(API, {"round_table": "1.2"}))) == ["round-table-1-2"]
    assert client.get(API, {"round_table": "9.9"}).json() == []
    response = client.get(API, {"forum": "no-such-forum"})
    assert response.status_code == 404 and response.json() == {"detail": "No such forum."}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("round_table=", "round_table"),
        ("round_table=%201.1", "round_table"),
        ("round_table=123456789", "round_table"),
        ("round_table=1.1&round_table=1.2", "round_table"),
        ("forum=", "forum"),
        ("forum=gfmd%202017", "forum"),
        ("lang=", "lang"),
    ],
)
def test_malformed_parameters_are_a_400(client, agenda, query, field):
    response = client.get(f"{API}?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_session_of_an_unknown_forum_or_slug_is_a_404(client, agenda):
    assert client.get(f"{API}round-table-1-1/?forum=gfmd-2099").json() == {"detail": "No such forum."}
    response = client.get(f"{API}no-such-session/")
    assert response.status_code == 404 and list(response.json()) == ["detail"]
    # A slug of the wrong form matches no route: the API's JSON 404 all the same.
    response = client.get(f"{API}not.a.slug/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_a_draft_is_a_404_to_everyone_but_staff(client, agenda, personas):
    url = f"{API}side-event/"
    assert client.get(url).status_code == 404
    client.force_login(personas.participant())
    assert client.get(url).status_code == 404
    client.force_login(personas.staff("staff.no2fa@example.org", second_factor=False))
    assert client.get(url).status_code == 404
    client.force_login(personas.staff())
    response = client.get(url)
    assert response.status_code == 200 and response.json()["status"] == "draft"
    # Even for staff the list is the public one.
    assert "side-event" not in by_slug(client.get(API))


def test_a_published_session_by_its_slug(client, agenda):
    response = client.get(f"{API}round-table-1-1/")
    assert response.status_code == 200 and response.json()["roles"][0]["name"] == "Amina Diallo"


@pytest.mark.parametrize("url", [API, f"{API}round-table-1-1/"])
def test_the_api_takes_the_same_queries_with_one_or_many_sessions(
    client, agenda, personas, settings, django_assert_num_queries, url
):
    settings.PAGE_CACHE_SECONDS = 0
    # forum, sessions, round tables, roles (with names and organisations), running order, guiding
    # questions, changes since publication
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
    helpers.grow(agenda, personas, sessions=10, roles_each=3)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200
    if url == API:
        assert len(response.json()) == Session.objects.filter(status="published").count()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_session_is_written_out_as_its_declared_fields_give_it(rf, agenda, language):
    with translation.override(language):
        entries = agenda_sessions(published_sessions(agenda["forum"]), agenda["forum"])
        request = rf.get(API)
        serializer = SessionSerializer(context={"request": request})
        for entry in entries:
            written = serializer.to_representation(entry)
            generic = serializers.ModelSerializer.to_representation(serializer, entry.session)
            assert list(written) == SessionSerializer.Meta.fields
            assert written == generic
            assert written["page"] == request.build_absolute_uri(entry.page_url)
    assert any(entry.changes for entry in entries) and any(entry.local_start is None for entry in entries)
