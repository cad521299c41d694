"""The programme editor through HTTP: forums, sub-themes, round tables, guiding questions, links,
the version check against concurrent edits, and the audit trail of each action."""

import pytest

from roundtables.models import (
    Forum,
    GuidingQuestion,
    ProgrammeChange,
    RoundTable,
    RoundTableTarget,
    RoundTableTheme,
    SubTheme,
)
from stakeholders.models import AuditEntry

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def forum_data(**changes):
    data = {
        "slug": "gfmd-2018",
        "edition": "11",
        "year": "2018",
        "city": "Marrakesh",
        "host_countries": ["MA"],
        "co_chairing_countries": ["DE", "MA"],
        "start_date": "2018-12-05",
        "end_date": "2018-12-07",
        "time_zone": "Africa/Casablanca",
        "source_language": "en",
        "title_en": "Eleventh GFMD – Morocco 2018",
        "title_fr": "Onzième FMMD – Maroc 2018",
        "theme_en": "Honouring international commitments",
        "theme_description_en": "The theme, described.",
        "introduction_en": "An introduction.",
    }
    data.update(changes)
    return data


def actions():
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


@pytest.fixture
def new_forum(staff_client):
    response = staff_client.post("/en/staff/programme/new/", forum_data())
    assert response.status_code == 302
    return Forum.objects.get(slug="gfmd-2018")


@pytest.fixture
def round_table(staff_client, new_forum):
    staff_client.post(
        "/en/staff/programme/gfmd-2018/sub-themes/",
        {"new-sub-theme-number": "1", "new-sub-theme-title_en": "Commitments"},
    )
    sub_theme = SubTheme.objects.get(forum=new_forum, number=1)
    response = staff_client.post(
        "/en/staff/programme/gfmd-2018/round-tables/new/",
        {
            "code": "1.1",
            "sub_theme": sub_theme.pk,
            "co_chairing_governments": ["MA", "SE"],
            "team_governments": ["BD", "EC"],
            "team_organisations": "IOM\nUNHCR",
            "title_en": "Safe and orderly migration",
            "expected_outcomes_en": "Outcomes.",
        },
    )
    round_table = RoundTable.objects.get(forum=new_forum, code="1.1")
    assert response.status_code == 302
    assert response["Location"] == f"/en/staff/programme/gfmd-2018/round-tables/{round_table.pk}/"
    return round_table


def questions_url(round_table, suffix=""):
    return f"/en/staff/programme/{round_table.forum.slug}/round-tables/{round_table.pk}/questions/{suffix}"


def add_question(client, round_table, text, **headers):
    return client.post(questions_url(round_table), {"new-question-text_en": text}, **headers)


def texts(round_table):
    return list(round_table.guiding_questions.order_by("position").values_list("text_en", flat=True))


# --- Forums ----------------------------------------------------------------------------------------


def test_staff_create_a_forum_as_a_draft_the_public_cannot_see(staff_client, client, new_forum, staff):
    assert new_forum.status == Forum.Status.DRAFT
    assert new_forum.is_current is False
    assert new_forum.title_fr == "Onzième FMMD – Maroc 2018"
    assert [str(code) for code in new_forum.co_chairing_countries] == ["DE", "MA"]
    assert new_forum.time_zone == "Africa/Casablanca"
    entry = AuditEntry.objects.get(action="roundtables.forum.created")
    assert entry.actor == staff
    assert entry.after["slug"] == "gfmd-2018"
    assert entry.after["co_chairing_countries"] == ["DE", "MA"]
    html = staff_client.get("/en/staff/programme/gfmd-2018/").content.decode()
    assert "Eleventh GFMD – Morocco 2018" in html
    client.logout()
    assert client.get("/en/roundtables/gfmd-2018/").status_code == 404


def test_a_forum_without_its_source_title_is_refused_and_keeps_what_was_typed(staff_client):
    response = staff_client.post("/en/staff/programme/new/", forum_data(title_en="", slug="Not A Slug"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Write this text in the source language." in html
    assert "Enter a valid “slug”" in html
    assert "Onzième FMMD – Maroc 2018" in html
    assert not Forum.objects.exists()
    assert actions() == []


def test_saving_the_details_records_what_changed(staff_client, new_forum):
    response = staff_client.post("/en/staff/programme/gfmd-2018/", forum_data(city="Rabat", version=new_forum.version))
    assert response.status_code == 302
    new_forum.refresh_from_db()
    assert new_forum.city == "Rabat"
    assert new_forum.version == 2
    entry = AuditEntry.objects.get(action="roundtables.forum.updated")
    assert entry.before == {"city": "Marrakesh"}
    assert entry.after == {"city": "Rabat"}
    change = ProgrammeChange.objects.get(action="forum.updated")
    assert change.fields == ["city"]
    assert change.after_publication is False
    assert change.describe() == "Forum 2018 changed: city"


def test_a_concurrent_edit_of_the_forum_loses_nothing_and_says_so(staff_client, new_forum, personas):
    opened_at = new_forum.version
    other = personas.staff("other.staff@example.org")
    from roundtables.programme import editor

    editor.update_forum(forum=new_forum, actor=other, data={"city": "Skhirat"}, version=opened_at)
    response = staff_client.post(
        "/en/staff/programme/gfmd-2018/",
        forum_data(introduction_en="My long introduction, typed meanwhile.", version=opened_at),
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this while you were editing it." in html
    assert "My long introduction, typed meanwhile." in html  # still in the form
    new_forum.refresh_from_db()
    assert new_forum.city == "Skhirat"  # the other person's change is kept
    assert new_forum.introduction_en == "An introduction."
    assert actions().count("roundtables.forum.updated") == 1


def test_publishing_shows_the_forum_to_the_public(staff_client, client, new_forum):
    response = staff_client.post("/en/staff/programme/gfmd-2018/publish/")
    assert response.status_code == 302
    new_forum.refresh_from_db()
    assert (new_forum.status, new_forum.is_current) == ("published", False)
    assert new_forum.published_at is not None
    assert actions()[-1] == "roundtables.forum.published"
    client.logout()
    assert "Eleventh GFMD – Morocco 2018" in client.get("/en/roundtables/gfmd-2018/").content.decode()


# --- Sub-themes and round tables -------------------------------------------------------------------


def test_sub_theme_edit_is_version_checked(staff_client, new_forum, round_table):
    sub_theme = round_table.sub_theme
    url = f"/en/staff/programme/gfmd-2018/sub-themes/{sub_theme.pk}/"
    prefix = f"sub-theme-{sub_theme.pk}"
    first = {f"{prefix}-number": "1", f"{prefix}-title_en": "Commitments kept", f"{prefix}-version": "1"}
    assert staff_client.post(url, first).status_code == 302
    stale = {f"{prefix}-number": "1", f"{prefix}-title_en": "Commitments honoured", f"{prefix}-version": "1"}
    response = staff_client.post(url, stale)
    assert response.status_code == 409
    assert "Commitments honoured" in response.content.decode()
    sub_theme.refresh_from_db()
    assert sub_theme.title_en == "Commitments kept"
    assert actions().count("roundtables.sub_theme.updated") == 1


def test_a_round_table_keeps_its_team_and_a_duplicate_code_is_refused(staff_client, round_table):
    assert [str(code) for code in round_table.team_governments] == ["BD", "EC"]
    assert round_table.team_organisations == "IOM\nUNHCR"
    assert [str(code) for code in round_table.co_chairing_governments] == ["MA", "SE"]
    assert AuditEntry.objects.get(action="roundtables.round_table.created").after["code"] == "1.1"
    response = staff_client.post(
        "/en/staff/programme/gfmd-2018/round-tables/new/",
        {"code": "1.1", "sub_theme": round_table.sub_theme_id, "title_en": "Again"},
    )
    assert response.status_code == 200
    assert "Another round table of this forum has this code." in response.content.decode()
    assert RoundTable.objects.filter(forum=round_table.forum).count() == 1


def test_a_concurrent_edit_of_a_round_table_is_refused_with_the_text_kept(staff_client, round_table):
    url = f"/en/staff/programme/gfmd-2018/round-tables/{round_table.pk}/"
    base = {"code": "1.1", "sub_theme": round_table.sub_theme_id, "title_en": "Safe and orderly migration"}
    assert staff_client.post(url, {**base, "background_en": "First background.", "version": "1"}).status_code == 302
    response = staff_client.post(url, {**base, "background_en": "Second background.", "version": "1"})
    assert response.status_code == 409
    assert "Second background." in response.content.decode()
    round_table.refresh_from_db()
    assert round_table.background_en == "First background."


# --- Guiding questions ---------------------------------------------------------------------------------


def test_questions_are_added_moved_by_keyboard_reordered_by_drag_and_removed(staff_client, round_table):
    for text in ("First?", "Second?", "Third?"):
        response = add_question(staff_client, round_table, text, **HTMX)
        assert response.status_code == 200
    assert 'id="questions-panel"' in response.content.decode()
    assert "Question 3 added at the end." in response.content.decode()
    assert texts(round_table) == ["First?", "Second?", "Third?"]
    first = round_table.guiding_questions.get(position=1)

    response = staff_client.post(questions_url(round_table, f"{first.pk}/move/"), {"direction": "down"}, **HTMX)
    assert "Question moved to position 2 of 3." in response.content.decode()
    assert texts(round_table) == ["Second?", "First?", "Third?"]

    ids = list(round_table.guiding_questions.order_by("position").values_list("pk", flat=True))
    response = staff_client.post(questions_url(round_table, "order/"), {"order": [ids[2], ids[0], ids[1]]}, **HTMX)
    assert "Order of the questions saved." in response.content.decode()
    assert texts(round_table) == ["Third?", "Second?", "First?"]

    # An order made before someone else added a question is refused, not guessed at.
    add_question(staff_client, round_table, "Fourth?")
    response = staff_client.post(questions_url(round_table, "order/"), {"order": ids}, **HTMX)
    assert "The questions changed while you were ordering them" in response.content.decode()
    assert texts(round_table) == ["Third?", "Second?", "First?", "Fourth?"]

    second = round_table.guiding_questions.get(text_en="Second?")
    response = staff_client.post(questions_url(round_table, f"{second.pk}/remove/"))
    assert response.status_code == 302
    assert texts(round_table) == ["Third?", "First?", "Fourth?"]
    assert list(round_table.guiding_questions.order_by("position").values_list("position", flat=True)) == [1, 2, 3]
    assert actions().count("roundtables.guiding_question.created") == 4
    assert actions().count("roundtables.round_table.questions_reordered") == 2
    assert actions().count("roundtables.guiding_question.removed") == 1


def test_a_question_edited_by_two_people_keeps_the_first_and_shows_the_second_its_text(staff_client, round_table):
    add_question(staff_client, round_table, "How?")
    question = round_table.guiding_questions.get()
    prefix = f"question-{question.pk}"
    url = questions_url(round_table, f"{question.pk}/")
    assert staff_client.post(url, {f"{prefix}-text_en": "How exactly?", f"{prefix}-version": "1"}).status_code == 302
    response = staff_client.post(url, {f"{prefix}-text_en": "Why?", f"{prefix}-version": "1"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this while you were editing it." in html
    assert ">Why?</textarea>" in html
    question.refresh_from_db()
    assert (question.text_en, question.version) == ("How exactly?", 2)


def test_links_to_targets_and_themes_with_their_source(staff_client, round_table, forum):
    url = f"/en/staff/programme/gfmd-2018/round-tables/{round_table.pk}/links/"
    response = staff_client.post(url, {"kind": "target", "code": "10.7", "source": "portal"}, **HTMX)
    assert "10.7 linked." in response.content.decode()
    staff_client.post(url, {"kind": "theme", "code": "A.a", "source": "note"})
    assert list(RoundTableTarget.objects.filter(round_table=round_table).values_list("target__code", "source")) == [
        ("10.7", "portal")
    ]
    assert list(round_table.theme_links.values_list("theme__code", "source")) == [("A.a", "note")]
    response = staff_client.post(url, {"kind": "target", "code": "99.9", "source": "portal"}, **HTMX)
    assert "No target or theme has this code." in response.content.decode()
    staff_client.post(f"{url}remove/", {"kind": "target", "code": "10.7"})
    assert not RoundTableTarget.objects.filter(round_table=round_table).exists()
    assert actions().count("roundtables.round_table.link_added") == 2
    entry = AuditEntry.objects.get(action="roundtables.round_table.link_removed")
    assert entry.before == {"sdg_targets": "10.7 (portal)"}


def test_the_forum_links_to_compact_themes_with_their_source(staff_client, forum):
    round_table_links = list(RoundTableTheme.objects.values_list("pk", "source"))
    page = staff_client.get("/en/staff/programme/gfmd-2017/").content.decode()
    assert 'id="links-panel"' in page
    assert "Compact theme A.a" in page and "(Named in the concept note)" in page
    assert 'data-hx-post="/en/staff/programme/gfmd-2017/links/"' in page
    url = "/en/staff/programme/gfmd-2017/links/"

    # With htmx the panel comes back with the new link and its source, and the status says so.
    response = staff_client.post(url, {"code": "A.b", "source": "portal"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<section aria-labelledby="links-heading" class="agenda-panel" id="links-panel">')
    assert "Compact theme A.b" in html and "(Added by the portal)" in html
    assert 'data-hx-swap-oob="innerHTML"' in html and "A.b linked." in html
    # The latest changes come along out of band, beginning with this one.
    changes = html[html.index('<section aria-labelledby="changes-heading"') :]
    assert changes.startswith(
        '<section aria-labelledby="changes-heading" class="agenda-panel" id="changes-panel" data-hx-swap-oob="true">'
    )
    assert changes.index("Forum 2017 linked: Global Compact themes") < changes.index("</li>")
    assert list(forum.theme_links.order_by("theme__code").values_list("theme__code", "source")) == [
        ("A.a", "note"),
        ("A.b", "portal"),
    ]
    entry = AuditEntry.objects.get(action="roundtables.forum.link_added")
    assert (entry.before, entry.after) == ({"compact_themes": ""}, {"compact_themes": "A.b (portal)"})
    change = ProgrammeChange.objects.get(forum=forum, action="forum.link_added")
    assert (change.label, change.fields, change.after_publication) == ("2017", ["compact_themes"], True)
    assert change.describe() == "Forum 2017 linked: Global Compact themes"

    # An unknown code: a clear message, what was typed is still in the form, nothing changed.
    response = staff_client.post(url, {"code": "Z.z", "source": "note"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "No Compact theme has this code." in html
    assert 'value="Z.z"' in html
    assert forum.theme_links.count() == 2
    response = staff_client.post("/fr/staff/programme/gfmd-2017/links/", {"code": "Z.z", "source": "note"}, **HTMX)
    assert "Aucun thème du Pacte n&#x27;a ce code." in response.content.decode()
    assert actions().count("roundtables.forum.link_added") == 1

    # Without JavaScript: the change, then the editor again at the panel.
    response = staff_client.post(f"{url}remove/", {"kind": "theme", "code": "A.a"})
    assert response.status_code == 302
    assert response["Location"] == "/en/staff/programme/gfmd-2017/#links-panel"
    assert "Link to A.a removed." in staff_client.get(response["Location"]).content.decode()
    assert list(forum.theme_links.values_list("theme__code", flat=True)) == ["A.b"]
    entry = AuditEntry.objects.get(action="roundtables.forum.link_removed")
    assert (entry.before, entry.after) == ({"compact_themes": "A.a (note)"}, {"compact_themes": ""})
    assert entry.object_id == str(forum.pk)

    # Removing it again, or a kind the forum has no links of, is refused with the page again.
    response = staff_client.post(f"{url}remove/", {"kind": "theme", "code": "A.a"})
    assert response.status_code == 200
    assert "This link is already gone." in response.content.decode()
    response = staff_client.post(f"{url}remove/", {"kind": "target", "code": "10.7"}, **HTMX)
    assert "A forum is linked to Compact themes only." in response.content.decode()
    assert actions().count("roundtables.forum.link_removed") == 1
    # The round tables' links are not the forum's.
    assert list(RoundTableTheme.objects.values_list("pk", "source")) == round_table_links


def test_a_participant_cannot_change_the_forum_links(client, personas, forum):
    client.force_login(personas.delegate())
    response = client.post("/en/staff/programme/gfmd-2017/links/", {"code": "A.b", "source": "portal"})
    assert response.status_code == 403
    response = client.post("/en/staff/programme/gfmd-2017/links/remove/", {"kind": "theme", "code": "A.a"})
    assert response.status_code == 403
    assert list(forum.theme_links.values_list("theme__code", flat=True)) == ["A.a"]
    assert not AuditEntry.objects.filter(action__startswith="roundtables.forum.link").exists()


def test_a_participant_cannot_change_the_programme(client, personas, round_table):
    client.force_login(personas.delegate())
    response = add_question(client, round_table, "Sneaky?")
    assert response.status_code == 403
    assert not GuidingQuestion.objects.filter(text_en="Sneaky?").exists()


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_editor_pages_take_as_many_queries_with_one_item_as_with_many(staff_client, round_table):
    round_table_url = f"/en/staff/programme/gfmd-2018/round-tables/{round_table.pk}/"
    add_question(staff_client, round_table, "One?")
    few = (_queries(staff_client, round_table_url), _queries(staff_client, "/en/staff/programme/gfmd-2018/"))
    for number in range(2, 6):
        add_question(staff_client, round_table, f"Question {number}?")
        staff_client.post(
            "/en/staff/programme/gfmd-2018/sub-themes/",
            {"new-sub-theme-number": str(number), "new-sub-theme-title_en": f"Sub-theme {number}"},
        )
    many = (_queries(staff_client, round_table_url), _queries(staff_client, "/en/staff/programme/gfmd-2018/"))
    assert few == many == (8, 7)


def test_a_published_programme_lists_its_changes_since_publication_in_the_readers_language(staff_client, client, forum):
    round_table = forum.round_tables.get(code="1.1")
    url = f"/en/staff/programme/gfmd-2017/round-tables/{round_table.pk}/"
    data = {
        "code": "1.1",
        "sub_theme": round_table.sub_theme_id,
        "title_en": round_table.title_en,
        "title_fr": round_table.title_fr,
        "title_es": round_table.title_es,
        "expected_outcomes_en": round_table.expected_outcomes_en,
        "expected_outcomes_fr": round_table.expected_outcomes_fr,
        "expected_outcomes_es": round_table.expected_outcomes_es,
        "background_en": round_table.background_en + " Updated in 2017.",
        "background_fr": round_table.background_fr,
        "background_es": round_table.background_es,
        "version": round_table.version,
    }
    assert staff_client.post(url, data).status_code == 302
    change = ProgrammeChange.objects.get()
    assert (change.action, change.label, change.fields, change.after_publication) == (
        "round_table.updated",
        "1.1",
        ["background"],
        True,
    )
    client.logout()
    english = client.get("/en/roundtables/gfmd-2017/").content.decode()
    assert "Changed since publication" in english
    assert "Round table 1.1 changed: background</li>" in english
    french = client.get("/fr/roundtables/gfmd-2017/").content.decode()
    assert "Modifié depuis la publication" in french
    assert "Table ronde 1.1, modifications : contexte</li>" in french


def test_changes_made_while_the_forum_was_a_draft_are_not_listed_publicly(staff_client, client, new_forum):
    staff_client.post("/en/staff/programme/gfmd-2018/", forum_data(city="Rabat", version=new_forum.version))
    staff_client.post("/en/staff/programme/gfmd-2018/publish/")
    assert list(ProgrammeChange.objects.values_list("action", "after_publication")) == [
        ("forum.updated", False),
        ("forum.created", False),
    ]
    client.logout()
    html = client.get("/en/roundtables/gfmd-2018/").content.decode()
    assert "Changed since publication" not in html
