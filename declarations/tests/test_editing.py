"""Editing a declaration makes new versions; marking final and publishing follow the rules."""

import threading

import pytest
from django.db import connection

from declarations import editing
from declarations.models import Declaration, Draft, Paragraph
from declarations.tests.test_views_helpers import build_draft, build_report, declaration_for
from stakeholders.models import AuditEntry


@pytest.mark.django_db
def test_an_edit_copies_every_paragraph_with_its_sources_and_reports(forum, staff):
    report = build_report(forum)
    draft = build_draft(declaration_for(forum, "fr"), count=4, sources=3, report=report, practice_ids=[7])
    draft.content = {"paragraphs": [{"position": 4, "text": "old"}, {"position": 5, "text": "kept"}]}
    draft.save()

    new = editing.edit_paragraph(draft=draft, position=4, text="  Nouvelle rédaction.  ", editor=staff, latest_seen=1)

    assert (new.version, new.based_on, new.author, new.inputs_hash) == (2, draft, staff, draft.inputs_hash)
    old_rows = list(draft.paragraphs.order_by("position"))
    new_rows = list(new.paragraphs.order_by("position"))
    assert [p.position for p in new_rows] == [p.position for p in old_rows]
    for old, copy in zip(old_rows, new_rows, strict=True):
        assert copy.pk != old.pk
        assert (copy.kind, copy.level, copy.section, copy.number, copy.support_count) == (
            old.kind,
            old.level,
            old.section,
            old.number,
            old.support_count,
        )
        assert copy.constituencies == old.constituencies and copy.practice_ids == old.practice_ids
        assert set(copy.sources.values_list("id", flat=True)) == set(old.sources.values_list("id", flat=True))
        assert list(copy.reports.all()) == list(old.reports.all())
        if copy.position == 4:
            assert copy.text == "Nouvelle rédaction." and copy.edited_by == staff and copy.edited_at
        else:
            assert copy.text == old.text and copy.edited_by is None
    assert draft.paragraphs.get(position=4).text.startswith("Paragraph 2:")  # the old version is untouched
    assert new.content["paragraphs"] == [
        {"position": 4, "text": "Nouvelle rédaction."},
        {"position": 5, "text": "kept"},
    ]
    assert '<p id="p-2" class="declaration-paragraph">' in new.html and "Nouvelle rédaction." in new.html


@pytest.mark.django_db
def test_edit_is_audited_with_before_and_after(forum, staff):
    draft = build_draft(declaration_for(forum), count=1)
    new = editing.edit_paragraph(draft=draft, position=3, text="Changed.", editor=staff, latest_seen=1)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.object_id) == ("declarations.draft.edited", staff, str(new.pk))
    assert entry.before == {"version": 1, "position": 3, "text": draft.paragraphs.get(position=3).text}
    assert entry.after == {"version": 2, "position": 3, "text": "Changed."}


@pytest.mark.django_db
def test_editing_an_older_version_builds_on_it(forum, staff):
    declaration = declaration_for(forum)
    first = build_draft(declaration, texts=["One.", "Two."])
    build_draft(declaration, version=2, texts=["One.", "Two.", "Three."])
    new = editing.edit_paragraph(draft=first, position=3, text="Uno.", editor=staff, latest_seen=2)
    assert new.version == 3 and new.based_on == first
    assert list(new.paragraphs.filter(kind="paragraph").values_list("text", flat=True)) == ["Uno.", "Two."]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "latest_seen", "message"),
    [
        ("Changed.", 0, r"Someone made a newer version \(v1\)"),
        ("", 1, "A paragraph cannot be empty."),
        ("Paragraph 1: the co-chairs recommend measure number 1 on labour mobility.", 1, "The text is unchanged"),
    ],
)
def test_refused_edits_change_nothing(forum, staff, text, latest_seen, message):
    draft = build_draft(declaration_for(forum), count=1)
    with pytest.raises(editing.EditRefused, match=message):
        editing.edit_paragraph(draft=draft, position=3, text=text, editor=staff, latest_seen=latest_seen)
    assert Draft.objects.count() == 1 and Paragraph.objects.count() == 3
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_an_edit_of_a_large_draft_takes_few_queries(forum, staff, django_assert_max_num_queries):
    draft = build_draft(declaration_for(forum), count=400, sources=3)
    with django_assert_max_num_queries(20):
        new = editing.edit_paragraph(draft=draft, position=200, text="Changed.", editor=staff, latest_seen=1)
    assert new.paragraphs.count() == 402
    assert Paragraph.sources.through.objects.filter(paragraph__draft=new).count() == 1200


@pytest.mark.django_db
def test_publication_rules(forum, staff):
    declaration = declaration_for(forum)
    first = build_draft(declaration)
    second = build_draft(declaration, version=2)
    with pytest.raises(editing.EditRefused, match="mark this version final first"):
        editing.publish(draft=first, user=staff)
    with pytest.raises(editing.EditRefused, match="not published"):
        editing.unpublish(declaration=declaration, user=staff)
    editing.mark_final(draft=first, user=staff)
    with pytest.raises(editing.EditRefused, match="already the final one"):
        editing.mark_final(draft=first, user=staff)
    editing.publish(draft=first, user=staff)
    declaration.refresh_from_db()
    published_at = declaration.published_at
    assert declaration.final_draft == first and published_at is not None
    with pytest.raises(editing.EditRefused, match="Publish this version to replace"):
        editing.mark_final(draft=second, user=staff)
    editing.publish(draft=second, user=staff)  # replaces the published version
    declaration.refresh_from_db()
    assert declaration.final_draft == second and declaration.published_at >= published_at
    published = AuditEntry.objects.filter(action="declarations.declaration.published").order_by("id").last()
    assert published.before["final_draft"] == first.pk and published.after["version"] == 2
    declaration.refresh_from_db()
    editing.unpublish(declaration=declaration, user=staff)
    unpublished = AuditEntry.objects.get(action="declarations.declaration.unpublished")
    assert (unpublished.before, unpublished.after) == (
        {"published_at": declaration.published_at.isoformat()},
        {"published_at": None},
    )


@pytest.mark.django_db(transaction=True)
def test_two_editors_at_once_one_wins(forum, personas, require_postgres):
    """Two staff save the same paragraph at the same moment: one new version, the other refused."""
    draft = build_draft(declaration_for(forum), count=2, sources=2)
    editors = [personas.staff(), personas.staff("second.staff@example.org")]
    barrier = threading.Barrier(2)
    outcomes = []

    def save(editor, text):
        try:
            barrier.wait()
            editing.edit_paragraph(draft=draft, position=3, text=text, editor=editor, latest_seen=1)
            outcomes.append("saved")
        except editing.EditRefused as refusal:
            outcomes.append(str(refusal))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(e, f"Text of {e.email}")) for e in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0].startswith("Someone made a newer version (v2)")
    assert sorted(outcomes)[1] == "saved"
    assert list(Draft.objects.order_by("version").values_list("version", flat=True)) == [1, 2]
    assert Declaration.objects.get().drafts.count() == 2
