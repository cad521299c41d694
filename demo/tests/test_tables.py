"""The data files of demo/data/: complete for every constituency and language, templates that fill,
and draws pinned to the rows seed_demo has always written (benchmarks and tests rely on them)."""

import random
import string
from types import SimpleNamespace

import pytest

from demo import contributions, people, practices, programme, tables
from stakeholders.models import Constituency

LANGUAGES = sorted(people.COUNTRIES)


def placeholders(template):
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


def test_tables_are_read_once():
    assert tables.load("people") is tables.load("people")


@pytest.mark.parametrize("constituency", Constituency.values)
def test_organisation_names_for_every_constituency_and_language(constituency):
    assert sorted(people.ORGANISATION_PARTS[constituency]) == LANGUAGES
    for language in LANGUAGES:
        templates, words = people.ORGANISATION_PARTS[constituency][language]
        assert templates and all(words.values())
        for template in templates:
            assert placeholders(template) <= {"city", "de_city", "surname", *words}


def test_people_names_in_every_language():
    for table in (people.FIRST_NAMES, people.LAST_NAMES, people.POSITIONS, people.UNIT_WORD):
        assert sorted(table) == LANGUAGES
    assert len(people.LANGUAGE_OF_COUNTRY) == sum(len(countries) for countries in people.COUNTRIES.values())


def test_programme_templates_fill():
    for table in (
        programme.ROUND_TABLE_TITLES,
        programme.EXPECTED_OUTCOMES,
        programme.BACKGROUNDS,
        programme.GUIDING_QUESTIONS,
    ):
        for en, fr in table:
            assert placeholders(en) <= {"t", "T"} and placeholders(fr) <= {"f", "F"}
    for texts in programme.FORUM_TEXTS.values():
        assert sorted(texts) == ["en", "fr"]
        for template in texts.values():
            assert placeholders(template) <= {"number", "city", "year", "seed", "theme"}


def test_contribution_vocabularies_have_four_blocks_in_every_language():
    for vocabulary in contributions.KINDS.values():
        assert sorted(vocabulary) == LANGUAGES
        for words in vocabulary.values():
            assert words["openers"] and words["endings"]
            assert len(words["blocks"]) == 4 and all(words["blocks"])
    assert list(contributions.REPORT_SENTENCES) == ["en", "fr"]


def test_practice_texts_have_the_same_parts_in_every_language():
    fill = {
        "instrument": "",
        "a_instrument": "",
        "topic": "",
        "Topic": "",
        "group": "",
        "group_de": "",
        "city": "",
        "de_city": "",
        "organisation": "",
        "year": 2020,
        "year2": 2021,
        "n": 1,
        "pct": 1,
    }
    assert sorted(practices.TEXTS) == LANGUAGES
    keys = set(practices.TEXTS["en"])
    for texts in practices.TEXTS.values():
        assert set(texts) == keys
        for key in ("titles", "summary", "summary_more", "description", "results", "gender", "evidence"):
            for template in texts[key]:
                template.format(**fill)
    assert sorted(practices.ARTICLES) == LANGUAGES


def test_draws_are_those_of_before():
    """Literal draws for seed 1: a changed word list changes every row seed_demo writes after it."""
    _rows, by_constituency = people.organisation_rows(2, 1)
    assert by_constituency[Constituency.GOVERNMENT] == [
        ("Ministry of Foreign Affairs – Diaspora Engagement Unit", "GB"),
        ("Ministerio de Desarrollo Social – Dirección de Empleo en el Exterior", "CL"),
    ]
    assert by_constituency[Constituency.CIVIL_SOCIETY][0] == ("Réseau des migrants de retour – Yaoundé", "CM")

    links = [SimpleNamespace(pk=pk) for pk in (1, 2, 3)]
    spec = programme._forum_spec(1, 1, links, links)
    assert spec["values"]["title_en"] == "GFMD demonstration forum 1 – Tunis 2018"
    assert spec["round_tables"][0]["values"]["title_fr"] == (
        "Promouvoir les données migratoires conformément au Programme 2030"
    )

    family, size = contributions.families(1, "recommendation", 10, 1, [1], [1])[0]
    assert (family.language, size) == ("fr", 5)
    assert family.text(random.Random(0)) == (
        "Les pays devraient simplifier les programmes de réintégration pour les communautés frontalières "
        "avec les autorités locales et les employeurs d'urgence."
    )

    name, country = by_constituency[Constituency.GOVERNMENT][0]
    government = SimpleNamespace(pk=1, name=name, country=country)
    choices = {"targets": [1, 2], "themes": [1], "round_tables": []}
    values, _links = practices._practice(practices._rng(1, 1), "published", [government], choices)
    assert values["title"] == "La baisse du coût des transferts de fonds : un guichet unique à Birmingham"
    assert values["contact_email"] == "kwame.34@example.org"
