"""Next year from this year: a draft copy of a forum's structure, the current forum, the archive."""

import pytest

from roundtables.models import Forum, GuidingQuestion, RoundTable, Session
from stakeholders.models import AuditEntry

pytestmark = pytest.mark.django_db


def structure(forum):
    return {
        "sub_themes": list(forum.sub_themes.order_by("number").values_list("number", "title_en", "title_fr")),
        "round_tables": list(
            forum.round_tables.order_by("position").values_list("code", "sub_theme__number", "title_en", "title_fr")
        ),
        "questions": list(
            GuidingQuestion.objects.filter(round_table__forum=forum)
            .order_by("round_table__position", "position")
            .values_list("round_table__code", "position", "text_en", "text_fr")
        ),
        "targets": sorted(
            RoundTable.objects.filter(forum=forum).values_list(
                "code", "target_links__target__code", "target_links__source"
            )
        ),
        "themes": sorted(
            RoundTable.objects.filter(forum=forum).values_list(
                "code", "theme_links__theme__code", "theme_links__source"
            )
        ),
        "forum_themes": sorted(forum.theme_links.values_list("theme__code", "source")),
    }


def test_start_a_new_forum_from_this_one_copies_the_structure_into_a_draft(staff_client, client, forum):
    response = staff_client.get("/en/staff/programme/gfmd-2017/copy/")
    assert 'value="gfmd-2018"' in response.content.decode()
    response = staff_client.post(
        "/en/staff/programme/gfmd-2017/copy/", {"slug": "gfmd-2018", "year": "2018", "edition": "11"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/staff/programme/gfmd-2018/"
    new = Forum.objects.get(slug="gfmd-2018")
    assert (new.status, new.is_current, new.year, new.edition, new.copied_from) == ("draft", False, 2018, 11, forum)
    assert new.title_fr == forum.title_fr
    assert structure(new) == structure(forum)
    assert len(structure(new)["questions"]) == GuidingQuestion.objects.filter(round_table__forum=forum).count() > 10

    old_sessions = list(forum.sessions.order_by("slug").values_list("slug", "kind", "round_table__code", "title_en"))
    new_sessions = Session.objects.filter(forum=new).order_by("slug")
    assert list(new_sessions.values_list("slug", "kind", "round_table__code", "title_en")) == old_sessions
    assert set(new_sessions.values_list("status", flat=True)) == {"draft"}
    assert not new_sessions.exclude(start=None).exists()
    assert not new_sessions.filter(roles__isnull=False).exists()

    entry = AuditEntry.objects.get(action="roundtables.forum.copied")
    assert entry.before == {"from": "gfmd-2017"}
    assert entry.after["round_tables"] == 6
    # The 2017 forum is untouched, still current; the draft is not public.
    forum.refresh_from_db()
    assert forum.is_current is True
    client.logout()
    assert client.get("/en/roundtables/gfmd-2018/").status_code == 404
    assert client.get("/en/agenda/gfmd-2018/").status_code == 404


def test_a_copy_to_an_address_already_taken_is_refused(staff_client, forum):
    response = staff_client.post(
        "/en/staff/programme/gfmd-2017/copy/", {"slug": "gfmd-2017", "year": "2018", "edition": "11"}
    )
    assert response.status_code == 200
    assert "Another forum has this address." in response.content.decode()
    assert Forum.objects.count() == 1
    assert not AuditEntry.objects.filter(action="roundtables.forum.copied").exists()


def test_staff_switch_the_current_forum_and_the_past_one_stays_in_the_archive(staff_client, client, forum):
    staff_client.post("/en/staff/programme/gfmd-2017/copy/", {"slug": "gfmd-2018", "year": "2018", "edition": "11"})
    response = staff_client.post("/en/staff/programme/gfmd-2018/current/")
    assert response.status_code == 302
    assert not Forum.objects.get(slug="gfmd-2018").is_current  # a draft cannot become current
    staff_client.post("/en/staff/programme/gfmd-2018/publish/")
    staff_client.post("/en/staff/programme/gfmd-2018/current/")
    assert list(Forum.objects.filter(is_current=True).values_list("slug", flat=True)) == ["gfmd-2018"]
    entry = AuditEntry.objects.get(action="roundtables.forum.made_current")
    assert (entry.before, entry.after) == ({"current": "gfmd-2017"}, {"current": "gfmd-2018"})
    client.logout()
    archive = client.get("/en/forums/").content.decode()
    assert archive.count('href="/en/roundtables/gfmd-201') == 2
    assert archive.index("/en/roundtables/gfmd-2018/") < archive.index("/en/roundtables/gfmd-2017/")
    assert client.get("/en/roundtables/gfmd-2017/").status_code == 200
    assert client.get("/en/roundtables/gfmd-2017/1.1/").status_code == 200
