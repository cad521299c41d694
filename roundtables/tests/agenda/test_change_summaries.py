""" "Changed since publication" in the reader's language: stored as a code and its values, written
in English, French or Spanish on pages, feeds, the printable programme and the API."""

import importlib

import pytest
from django.utils import translation

from roundtables.agenda import services as agenda
from roundtables.models import AgendaItem, Session, SessionChange
from roundtables.tests.agenda import helpers
from roundtables.tests.agenda.test_pdf import laid_out, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed(forum, personas):
    """Round table 1.1, published, then moved, given a chair and a running-order step by staff."""
    staff = personas.staff()
    session = Session.objects.get(forum=forum, slug="round-table-1-1")
    agenda.update_session(
        session=session,
        actor=staff,
        data={"start": helpers.at(29, 9), "end": helpers.at(29, 10, 30), "room": "Saal 1"},
        version=session.version,
    )
    agenda.add_role(session=session, actor=staff, role="chair", guest_name="Amina Diallo", guest_organisation="BMZ")
    agenda.add_item(session=session, actor=staff, kind=AgendaItem.Kind.OPENING, minutes=10)
    return session


def _codes(session):
    return list(SessionChange.objects.filter(session=session).order_by("id").values_list("code", "params", "summary"))


def test_changes_are_stored_as_codes_and_values_with_an_english_summary(changed):
    assert _codes(changed) == [
        ("changed", {"fields": ["start", "end", "room"]}, "Changed: Start, End, Room"),
        ("role_added", {"role": "chair", "who": "Amina Diallo (BMZ)"}, "Added Chair: Amina Diallo (BMZ)"),
        (
            "item_added",
            {"kind": "opening", "question": None, "title": "", "minutes": 10},
            "Added Opening (10 min)",
        ),
    ]


def test_a_french_page_lists_its_changes_in_french(client, changed):
    html = client.get("/fr/agenda/gfmd-2017/sessions/round-table-1-1/").content.decode()
    assert "Modifié\xa0: Début, Fin, Salle" in html
    assert "Ajout — Président\xa0: Amina Diallo (BMZ)" in html
    assert "Ajout — Ouverture (10 min)" in html
    assert "Changed:" not in html and "Added " not in html
    agenda_page = client.get("/fr/agenda/").content.decode()
    assert "Modifié\xa0: Début, Fin, Salle" in agenda_page


def test_the_spanish_and_english_pages_in_their_language(client, changed):
    spanish = client.get("/es/agenda/gfmd-2017/sessions/round-table-1-1/").content.decode()
    assert "Modificado: Inicio, Fin, Sala" in spanish
    assert "Añadido: Apertura (10 min)" in spanish
    english = client.get("/en/agenda/gfmd-2017/sessions/round-table-1-1/").content.decode()
    assert "Changed: Start, End, Room" in english and "Added Chair: Amina Diallo (BMZ)" in english


def test_the_api_gives_the_summaries_in_the_asked_language(client, changed):
    def summaries(lang):
        data = client.get(f"/api/v1/sessions/round-table-1-1/?lang={lang}").json()
        return [change["summary"] for change in data["changes_since_publication"]]

    assert summaries("fr") == [
        "Ajout — Ouverture (10 min)",
        "Ajout — Président\xa0: Amina Diallo (BMZ)",
        "Modifié\xa0: Début, Fin, Salle",
    ]
    assert summaries("en")[2] == "Changed: Start, End, Room"
    change = client.get("/api/v1/sessions/round-table-1-1/?lang=fr").json()["changes_since_publication"][2]
    assert (change["code"], change["params"]) == ("changed", {"fields": ["start", "end", "room"]})
    assert summaries("es")[2] == "Modificado: Inicio, Fin, Sala"


def test_the_french_feed_and_pdf_carry_french_summaries(client, changed):
    feed = client.get("/fr/agenda/gfmd-2017/calendar.ics").content.decode()
    assert "Modifié\xa0: Début\\, Fin\\, Salle" in feed.replace("\r\n ", "")
    with translation.override("fr"):
        text = text_of(laid_out(changed.forum))
    assert "Modifié\xa0: Début, Fin, Salle" in text
    assert "Changed: Start" not in text


def test_the_staff_changelog_in_the_staff_members_language(client, changed):
    client.force_login(SessionChange.objects.filter(session=changed).first().actor)
    html = client.get(f"/fr/staff/agenda/{changed.slug}/").content.decode()
    assert "Modifié\xa0: Début, Fin, Salle" in html


MIGRATION = importlib.import_module("roundtables.migrations.0004_session_change_code_and_params")


@pytest.mark.parametrize(
    ("summary", "changes", "expected"),
    [
        ("Session created", [], ("created", {})),
        ("Published", [{"field": "status"}], ("published", {})),
        ("Withdrawn from the public agenda", [], ("unpublished", {})),
        ("Changed: Start, End, Room", [], ("changed", {"fields": ["start", "end", "room"]})),
        (
            "Added Chair: Amina Diallo (BMZ)",
            [{"field": "roles", "old": "", "new": "Chair: Amina Diallo (BMZ)"}],
            ("role_added", {"role": "chair", "who": "Amina Diallo (BMZ)"}),
        ),
        (
            "Removed Speaker: a participant",
            [{"field": "roles", "old": "Speaker: a participant", "new": ""}],
            ("role_removed", {"role": "speaker", "who": ""}),
        ),
        (
            "Changed Speaker: Jean Dupont to Moderator: Jean Dupont",
            [{"field": "roles", "old": "Speaker: Jean Dupont", "new": "Moderator: Jean Dupont"}],
            (
                "role_changed",
                {"old": {"role": "speaker", "who": "Jean Dupont"}, "new": {"role": "moderator", "who": "Jean Dupont"}},
            ),
        ),
        (
            "Added Guiding question 2 (20 min)",
            [{"field": "running_order", "old": "", "new": ""}],
            ("item_added", {"kind": "guiding_question", "question": 2, "title": "", "minutes": 20}),
        ),
        (
            "Changed Wrap-up (15 min)",
            [{"field": "running_order", "old": "", "new": ""}],
            ("item_changed", {"kind": "other", "question": None, "title": "Wrap-up", "minutes": 15}),
        ),
        ("Running order changed", [], ("reordered", {})),
        ("Changed: Colour", [], None),
        ("Room changed to Saal 1", [], None),
    ],
)
def test_the_migration_reads_back_the_english_summaries(summary, changes, expected):
    assert MIGRATION.read_back(summary, changes) == expected


def test_an_old_row_without_a_code_is_shown_as_it_was_stored(client, forum, personas):
    agenda_data = helpers.build_agenda(forum, personas)
    html = client.get(f"/fr/agenda/gfmd-2017/sessions/{agenda_data['rt11'].slug}/").content.decode()
    assert "Room changed to Saal 1" in html
