"""Each text in three languages: missing, written, out of date after its source changed; the overview."""

import re

import pytest

from roundtables.models import Forum
from roundtables.programme import editor
from roundtables.programme.translations import MISSING, OUT_OF_DATE, SOURCE, WRITTEN, overview, state, text_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_forum(staff):
    return editor.create_forum(
        actor=staff,
        data={
            "slug": "gfmd-2018",
            "edition": 11,
            "year": 2018,
            "time_zone": "Africa/Casablanca",
            "source_language": "en",
            "title_en": "Eleventh GFMD",
            "title_fr": "Onzième FMMD",
            "theme_en": "Commitments",
            "theme_fr": "Engagements",
            "theme_es": "Compromisos",
        },
    )


def states(forum, field):
    return [state(forum, field, language, forum.source_language) for language in ("en", "fr", "es")]


def badge(html, field_id):
    found = re.search(rf'id="{field_id}-state">([^<]+)<', html)
    return found.group(1) if found else None


def test_a_translation_goes_out_of_date_when_its_source_changes_and_back_when_it_is_edited(staff, new_forum):
    assert states(new_forum, "title") == [SOURCE, WRITTEN, MISSING]
    assert new_forum.translated_from["title"] == {"fr": text_hash("Eleventh GFMD")}

    forum = editor.update_forum(forum=new_forum, actor=staff, data={"title_en": "The 11th GFMD"}, version=1)
    assert states(forum, "title") == [SOURCE, OUT_OF_DATE, MISSING]
    assert states(forum, "theme") == [SOURCE, WRITTEN, WRITTEN]

    forum = editor.update_forum(forum=forum, actor=staff, data={"title_fr": "Le 11e FMMD"}, version=2)
    assert states(forum, "title") == [SOURCE, WRITTEN, MISSING]
    assert forum.translated_from["title"] == {"fr": text_hash("The 11th GFMD")}


def test_a_text_loaded_from_the_data_file_counts_as_written_until_its_source_changes(staff, forum):
    round_table = forum.round_tables.get(code="1.1")
    assert round_table.translated_from == {}
    assert state(round_table, "title", "fr", "en") == WRITTEN
    round_table = editor.update_round_table(
        round_table=round_table,
        actor=staff,
        data={"title_en": round_table.title_en + " (revised)"},
        version=round_table.version,
    )
    assert state(round_table, "title", "fr", "en") == OUT_OF_DATE
    assert state(round_table, "expected_outcomes", "fr", "en") == WRITTEN


def test_the_editor_shows_each_state_beside_its_field(client, staff, new_forum):
    editor.update_forum(forum=new_forum, actor=staff, data={"title_en": "The 11th GFMD"}, version=1)
    client.force_login(staff)
    html = client.get("/en/staff/programme/gfmd-2018/").content.decode()
    assert badge(html, "id_title_en") == "Source text"
    assert badge(html, "id_title_fr") == "Out of date"
    assert badge(html, "id_title_es") == "Missing"
    assert badge(html, "id_theme_es") == "Written"
    assert badge(html, "id_introduction_fr") is None  # an optional text nobody wrote: no badge
    assert 'lang="fr"' in html
    html = client.get("/fr/staff/programme/gfmd-2018/").content.decode()
    assert (badge(html, "id_title_en"), badge(html, "id_title_fr")) == ("Texte source", "Périmée")


def test_the_overview_lists_what_is_missing_or_out_of_date_with_a_link_to_the_field(client, staff, new_forum):
    sub_theme = editor.add_sub_theme(forum=new_forum, actor=staff, data={"number": 1, "title_en": "One"})
    round_table = editor.create_round_table(
        forum=new_forum, actor=staff, data={"code": "1.1", "sub_theme": sub_theme, "title_en": "RT", "title_fr": "TR"}
    )
    question = editor.add_question(round_table=round_table, actor=staff, data={"text_en": "Q?", "text_fr": "Q ?"})
    editor.update_question(question=question, actor=staff, data={"text_en": "Which Q?"}, version=1)
    editor.update_forum(forum=new_forum, actor=staff, data={"title_en": "The 11th GFMD"}, version=1)

    gaps = [
        (gap.what, gap.field_label, gap.language, gap.state) for gap in overview(Forum.objects.get(pk=new_forum.pk))
    ]
    assert gaps == [
        ("Forum", "title", "fr", OUT_OF_DATE),
        ("Forum", "title", "es", MISSING),
        ("Sub-theme 1", "title", "fr", MISSING),
        ("Sub-theme 1", "title", "es", MISSING),
        ("Round table 1.1", "title", "es", MISSING),
        ("Round table 1.1, question 1", "text", "fr", OUT_OF_DATE),
        ("Round table 1.1, question 1", "text", "es", MISSING),
    ]
    client.force_login(staff)
    response = client.get("/en/staff/programme/gfmd-2018/translations/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="translation-gap-out_of_date"') == 2
    assert html.count('class="translation-gap-missing"') == 5
    assert '<a href="/en/staff/programme/gfmd-2018/#id_title_fr">Title</a>' in html
    assert f'href="/en/staff/programme/gfmd-2018/round-tables/{round_table.pk}/#question-{question.pk}"' in html
    assert "FR: 3 texts to write or update" in html
    assert "ES: 4 texts to write or update" in html
