"""Search on SQLite, the `make run` default: FTS5 with accents folded and Snowball stems, ranked by bm25.

The suite runs on PostgreSQL: there, ``test_the_sqlite_search_passes_on_sqlite`` runs this file again
in a subprocess on a SQLite database, where the other tests run (and that one is skipped).
"""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from practices import services
from practices.search import fts5
from practices.tests.search.helpers import make_title_and_description_matches
from practices.tests.search_factories import make_practice

ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
on_sqlite = pytest.mark.skipif(not ON_SQLITE, reason="on SQLite: run by test_the_sqlite_search_passes_on_sqlite")
SQLITE_TESTS = 7  # the tests marked on_sqlite


def _titles(client, q, **params):
    """The titles of the first page of a search, as the list page shows them to ``client``."""
    response = client.get("/en/practices/", {"q": q, **params})
    assert response.status_code == 200
    return [practice.title for practice in response.context["result"].results]


@pytest.fixture
def corpus(db, personas):
    government = personas.government()
    day = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    for offset, (title, summary, language) in enumerate(
        [
            ("Bonos de la diáspora", "Inversiones de la diáspora en bonos soberanos.", "es"),
            ("Diaspora bonds for development", "Bonds sold to the diaspora finance roads.", "en"),
            ("Transferts de fonds des migrants", "Des coûts réduits pour les envois d’argent.", "fr"),
            ("Skills partnerships", "Training before departure.", "en"),
        ]
    ):
        make_practice(
            government,
            title=title,
            summary=summary,
            language=language,
            published_at=day + datetime.timedelta(days=offset),
        )
    return government


@on_sqlite
def test_accents_and_plurals_match_as_on_postgresql(client, corpus):
    assert fts5.available(connection)
    # "diaspora" finds "diáspora"; newest first when relevance ties.
    assert set(_titles(client, "diaspora")) == {"Bonos de la diáspora", "Diaspora bonds for development"}
    assert set(_titles(client, "Diásporas")) == {"Bonos de la diáspora", "Diaspora bonds for development"}
    # "bond" finds "bonds" (English stem), not "bonos" (whose Spanish stem is "bon").
    assert _titles(client, "bond") == ["Diaspora bonds for development"]
    assert _titles(client, "bonds") == ["Diaspora bonds for development"]
    # French: plural and accent, either way round.
    assert _titles(client, "cout") == ["Transferts de fonds des migrants"]
    assert _titles(client, "COÛTS") == ["Transferts de fonds des migrants"]
    assert _titles(client, "partnership") == ["Skills partnerships"]
    assert _titles(client, "nothing-like-this") == []


@on_sqlite
def test_phrases_exclusions_and_or_follow_the_web_search_syntax(client, corpus):
    assert _titles(client, '"diaspora bonds"') == ["Diaspora bonds for development"]
    assert _titles(client, '"bonds diaspora"') == []  # a phrase keeps its order
    assert _titles(client, "diaspora -bonds") == ["Bonos de la diáspora"]
    assert set(_titles(client, "skills or transferts")) == {"Skills partnerships", "Transferts de fonds des migrants"}
    assert _titles(client, "-diaspora", sort="title") == ["Skills partnerships", "Transferts de fonds des migrants"]
    assert _titles(client, '" - "') == []  # only signs: nothing, and no error


@on_sqlite
def test_relevance_is_offered_and_ranks_a_title_match_first(client, personas):
    make_title_and_description_matches(personas.government())
    response = client.get("/en/practices/", {"q": "remittance"})
    assert response.context["result"].sort == "relevance"
    assert re.search(r'<option value="relevance" selected>', response.content.decode())
    assert [practice.title for practice in response.context["result"].results] == [
        "Cheaper remittances",
        "Diaspora bonds",
    ]
    assert _titles(client, "remittance", sort="newest") == ["Diaspora bonds", "Cheaper remittances"]


@on_sqlite
def test_the_exports_and_the_api_find_the_same(client, corpus):
    response = client.get("/api/v1/practices/", {"q": "diaspora"})
    assert response.status_code == 200
    assert {row["title"] for row in response.json()["results"]} == {
        "Bonos de la diáspora",
        "Diaspora bonds for development",
    }


@on_sqlite
def test_a_draft_is_found_by_its_delegates_and_follows_its_edits(client, personas):
    delegate = personas.delegate()
    draft = services.create_draft(author=delegate, data={"title": "Circular migration schemes", "language": "en"})
    client.force_login(delegate)
    assert _titles(client, "scheme") == ["Circular migration schemes"]
    services.save_draft(practice=draft, editor=delegate, data={"title": "Seasonal work visas"}, version=draft.version)
    assert _titles(client, "scheme") == []
    assert _titles(client, "visa") == ["Seasonal work visas"]
    client.logout()
    assert _titles(client, "visa") == []  # a draft: its government's delegates and staff only


@on_sqlite
def test_the_index_holds_written_words_and_stems_in_the_practice_language(corpus):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT title_stems, summary_stems FROM {fts5.TABLE} ORDER BY rowid")  # noqa: S608
        rows = cursor.fetchall()
    assert rows[0] == ("bon de la diaspor", "inversion de la diaspor en bon soberan")
    assert rows[1][0] == "diaspora bond for develop"


def test_the_query_syntax_is_parsed_as_websearch_to_tsquery_reads_it():
    assert fts5.parse('diaspora "Remittance costs" -bonds') == (
        [[("diaspora",)], [("remittance", "costs")]],
        [("bonds",)],
    )
    assert fts5.parse("skills or transferts visas") == ([[("skills",), ("transferts",)], [("visas",)]], [])
    assert fts5.parse("or") == ([], [])
    assert fts5.match_expression('" - "') == (None, None)
    positive, negative = fts5.match_expression("Diásporas -bonos")
    assert '{title summary body} : "diasporas"' in positive
    assert '{title_stems summary_stems body_stems} : "diaspor"' in positive  # Spanish stem
    assert '{title_stems summary_stems body_stems} : "diaspora"' in positive  # English stem
    assert '{title summary body} : "bonos"' in negative


@on_sqlite
def test_sqlite_is_what_these_tests_ran_on():
    assert connection.vendor == "sqlite"


@pytest.mark.skipif(ON_SQLITE, reason="already on SQLite")
def test_the_sqlite_search_passes_on_sqlite(tmp_path):
    """This file's SQLite tests, run in a subprocess on a SQLite database (no Redis: a local cache)."""
    root = Path(settings.BASE_DIR)
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL", "PYTEST_ADDOPTS"}
    }
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", HTTPS="0", GFMD_VAR_DIR=str(tmp_path))
    command = [sys.executable, "-m", "pytest", str(Path(__file__).relative_to(root)), "-q", "-p", "no:cacheprovider"]
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=600, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    # Every SQLite test ran and passed (this one skipped); the parser's test runs on both.
    assert re.search(rf"\b{SQLITE_TESTS + 1} passed, 1 skipped\b", output), output[-4000:]
