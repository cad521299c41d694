"""practices.search.fulltext: words matched and ranked (PostgreSQL full text, containment elsewhere)."""

import datetime

import pytest

from practices.search import fulltext
from practices.tests.search.helpers import make_title_and_description_matches, run, titles
from practices.tests.search_factories import make_practice

pytestmark = pytest.mark.django_db


# --- Full text on PostgreSQL ------------------------------------------------------------------


@pytest.mark.postgres
def test_a_title_match_ranks_above_a_description_match(require_postgres, personas):
    make_title_and_description_matches(personas.government())
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
