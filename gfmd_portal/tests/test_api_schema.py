"""The OpenAPI schema says what the API answers: schemathesis runs every check on every operation.

The run is the command line's (``schemathesis run --checks all``: the examples, coverage, fuzzing
and stateful phases) against the WSGI application, bounded and deterministic: a fixed seed, Hypothesis
derandomized, few examples per operation, no example database or cache kept between runs. It takes
about 30 s (the coverage phase's boundary cases of the practices' fifteen parameters, most of it).
"""

import pytest
import schemathesis
from django.db import connections
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from gfmd_portal.wsgi import application
from practices.tests.search_factories import make_practice
from roundtables.tests.agenda import helpers
from sdg_targets.models import Target

# The engine sends its requests from a worker thread, which has its own database connection: the
# data must be committed (a transactional test), not left in the test's transaction.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    # Long practice searches make page-cache keys longer than memcached allows (we use Redis).
    pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning"),
]

SETTINGS = {
    "seed": 20170628,
    "workers": 1,
    "max-failures": 50,
    "cache": {"enabled": False},
    "checks": {"enabled": True},
    "generation": {"max-examples": 8, "deterministic": True, "database": "none"},
}


@pytest.fixture
def published_world(personas):
    """The 2017 forum (current) with its agenda (published sessions and a draft), two published practices."""
    from roundtables.programme.services import load_forum

    forum, _tally = load_forum()
    helpers.build_agenda(forum, personas)
    government = personas.government()
    target = Target.objects.get(code="10.7")
    for title, country in [("Return and reintegration", "MA"), ("Ethical recruitment", "DE")]:
        make_practice(government, title=title, countries=[country], targets=[target])
    return forum


def app(environ, start_response):
    """The site, closing the worker thread's database connection after each request (or it would
    outlive the test and keep the test database from being dropped)."""
    try:
        return application(environ, start_response)
    finally:
        connections.close_all()


def describe(event, case_id, check):
    case = event.recorder.cases[case_id].value
    failure = check.failure_info.failure
    return (
        f"{event.phase.value} {check.name}: {case.method} {case.formatted_path} query={case.query!r} "
        f"headers={case.headers!r}: {failure.title}: {failure.message}"
    )


def run_schemathesis():
    """Every failed check and error of a whole run, one line each."""
    config = SchemathesisConfig.from_dict(SETTINGS)
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, config=config)
    problems, operations = [], set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            operations.add(event.recorder.label)
            for case_id, checks in event.recorder.checks.items():
                problems += [
                    describe(event, case_id, check)
                    for check in checks
                    if check.status == Status.FAILURE and check.failure_info is not None
                ]
        elif isinstance(event, events.NonFatalError):
            problems.append(f"error in {event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            problems.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            problems += [f"after the run: {failure.title}: {failure.message}" for failure in event.failures]
    return sorted(set(problems)), operations


def test_the_api_answers_what_its_schema_says(published_world):
    problems, operations = run_schemathesis()
    assert not problems, "\n".join(problems)
    assert {
        "GET /api/v1/roundtables/",
        "GET /api/v1/roundtables/{code}/",
        "GET /api/v1/sdg-targets/",
        "GET /api/v1/sdg-targets/{code}/",
        "GET /api/v1/compact-themes/",
        "GET /api/v1/compact-themes/{code}/",
        "GET /api/v1/practices/",
        "GET /api/v1/practices/{id}/",
        "GET /api/v1/sessions/",
        "GET /api/v1/sessions/{slug}/",
    } <= operations


# --- The cases the schema and the API disagreed on (issue #14), one by one ------------------------

OPERATIONS = {
    "/api/v1/roundtables/": "/api/v1/roundtables/",
    "/api/v1/roundtables/{code}/": "/api/v1/roundtables/1.1/",
    "/api/v1/sdg-targets/": "/api/v1/sdg-targets/",
    "/api/v1/sdg-targets/{code}/": "/api/v1/sdg-targets/10.7/",
    "/api/v1/compact-themes/": "/api/v1/compact-themes/",
    "/api/v1/compact-themes/{code}/": "/api/v1/compact-themes/A.a/",
    "/api/v1/practices/": "/api/v1/practices/",
    "/api/v1/practices/{id}/": "/api/v1/practices/1/",
    "/api/v1/sessions/": "/api/v1/sessions/",
    "/api/v1/sessions/{slug}/": "/api/v1/sessions/round-table-1-1/",
}
# The operations that cannot miss: a list whose forum parameter only filters its round tables.
NEVER_404 = {"/api/v1/sdg-targets/", "/api/v1/compact-themes/"}


@pytest.fixture
def schema(client):
    return client.get("/api/schema/?format=json").json()


def test_every_operation_documents_its_statuses(schema):
    assert set(schema["paths"]) == set(OPERATIONS)
    for path, methods in schema["paths"].items():
        assert set(methods) == {"get"}, path
        responses = methods["get"]["responses"]
        assert set(responses) == ({"200", "400"} if path in NEVER_404 else {"200", "400", "404"}), path
        # JSON only: a malformed parameter, or a control character refused before the API.
        assert set(responses["400"]["content"]) == {"application/json"}
        errors, refused = responses["400"]["content"]["application/json"]["schema"]["oneOf"]
        assert refused["required"] == ["detail"] and refused["additionalProperties"] is False
        names = {parameter["name"] for parameter in methods["get"]["parameters"] if parameter["in"] == "query"}
        assert set(errors["properties"]) == names and errors["additionalProperties"] is False
        if "404" in responses:
            assert responses["404"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/NotFound"
            }


def test_single_parameters_refuse_the_empty_value_as_their_schema_does(schema, client, db):
    for path, methods in schema["paths"].items():
        for parameter in methods["get"]["parameters"]:
            if parameter["in"] != "query" or parameter["schema"].get("type") != "string":
                continue
            assert parameter["schema"].get("minLength") == 1, (path, parameter["name"])
            response = client.get(OPERATIONS[path], {parameter["name"]: ""})
            assert response.status_code == 400, (path, parameter["name"])
            assert list(response.json()) == [parameter["name"]]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "trace"])
def test_a_method_other_than_get_is_a_405_whatever_the_parameters(client, forum, method):
    for path, url in OPERATIONS.items():
        for query in ("", "?lang=xx&page=0&page_size=0&forum=0"):
            response = getattr(client, method)(url + query)
            assert response.status_code == 405, (method, path, query)
            assert "GET" in response["Allow"]


def test_an_address_under_the_api_that_no_route_matches_is_a_json_404(client, db):
    for url in ("/api/v1/nothing/", "/api/v1/roundtables/1.1/more/", "/api/v2/"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    # Without its final slash, an address is first sent to the one with it.
    response = client.get("/api/v1/roundtables")
    assert response.status_code == 301 and response["Location"] == "/api/v1/roundtables/"
