"""The concept note's own events: loaded and published, never overwriting what staff changed."""

from roundtables.models import Session, SessionChange
from roundtables.programme.services import load_forum

NOTE_SESSIONS = {
    "common-space",
    "business-interface",
    "round-table-1-1",
    "round-table-1-2",
    "round-table-2-1",
    "round-table-2-2",
    "round-table-3-1",
    "round-table-3-2",
    "thematic-workshop",
}


def test_the_notes_events_are_published_without_dates_the_note_does_not_give(forum):
    sessions = {session.slug: session for session in Session.objects.filter(forum=forum)}
    assert set(sessions) == NOTE_SESSIONS
    assert {s.status for s in sessions.values()} == {"published"}
    assert all(s.published_at is not None and s.start is None and s.end is None for s in sessions.values())
    assert {s.round_table.code for s in sessions.values() if s.round_table} == {
        "1.1",
        "1.2",
        "2.1",
        "2.2",
        "3.1",
        "3.2",
    }
    workshop = sessions["thematic-workshop"]
    assert (workshop.venue, workshop.kind) == ("Geneva", "thematic_workshop")
    assert "second semestre 2017 à Genève" in workshop.description_fr
    assert {s.venue for slug, s in sessions.items() if slug != "thematic-workshop"} == {"Berlin"}


def test_loading_twice_changes_nothing(forum):
    _forum, tally = load_forum()
    assert (tally.created, tally.updated, tally.deleted) == (0, 0, 0)


def test_what_staff_changed_is_kept(forum):
    renamed = Session.objects.get(forum=forum, slug="round-table-1-1")
    renamed.title_en, renamed.version = "Round table 1.1: policy coherence", 2
    renamed.save()
    unpublished = Session.objects.get(forum=forum, slug="business-interface")
    unpublished.status = Session.Status.DRAFT
    unpublished.save()
    SessionChange.objects.create(session=unpublished, summary="Unpublished")
    load_forum()
    renamed.refresh_from_db()
    unpublished.refresh_from_db()
    assert renamed.title_en == "Round table 1.1: policy coherence"
    assert unpublished.status == Session.Status.DRAFT


def test_a_session_an_earlier_file_loaded_as_a_draft_is_published_if_staff_never_touched_it(forum):
    Session.objects.filter(slug="round-table-2-1").update(status=Session.Status.DRAFT, published_at=None)
    Session.objects.filter(slug="round-table-2-2").update(
        status=Session.Status.DRAFT,
        published_at="2017-06-01T00:00:00Z",  # published once, then withdrawn
    )
    _forum, tally = load_forum()
    assert tally.updated == 1
    assert Session.objects.get(slug="round-table-2-1").status == Session.Status.PUBLISHED
    assert Session.objects.get(slug="round-table-2-2").status == Session.Status.DRAFT
