"""Comparing two versions: aligned paragraphs, word-level changes, escaped, with a summary."""

import pytest

from declarations.diff import compare, word_diff
from declarations.tests.test_views_helpers import build_draft, declaration_for

pytestmark = pytest.mark.django_db


def drafts(forum, old, new):
    declaration = declaration_for(forum)
    return build_draft(declaration, texts=old, sources=0), build_draft(declaration, version=2, texts=new, sources=0)


def test_identical_versions_have_no_changes(forum):
    result = compare(*drafts(forum, ["A.", "B."], ["A.", "B."]))
    assert not result.has_changes
    assert (result.added, result.removed, result.changed, result.unchanged) == (0, 0, 0, 4)


def test_a_paragraph_inserted_at_the_top_changes_nothing_else(forum):
    old = [f"Recommendation about topic {n} and its follow-up." for n in range(1, 6)]
    result = compare(*drafts(forum, old, ["A brand new opening paragraph.", *old]))
    assert (result.added, result.removed, result.changed) == (1, 0, 0)
    (row,) = result.changes()
    assert row.op == "added" and row.new["text"] == "A brand new opening paragraph." and row.label == "1"


def test_changed_removed_and_added_paragraphs(forum):
    old = ["Keep this one.", "States should ensure fair recruitment of workers.", "Remove this sentence.", "Stay."]
    new = ["Keep this one.", "States should ensure ethical recruitment of migrant workers.", "Stay.", "Totally new."]
    result = compare(*drafts(forum, old, new))
    assert (result.added, result.removed, result.changed, result.unchanged) == (1, 1, 1, 4)
    changed = next(row for row in result.rows if row.op == "changed")
    assert changed.label == "2" and changed.old_label == "2"
    assert str(changed.html) == (
        "States should ensure <del>fair</del><ins>ethical</ins> recruitment of <ins>migrant </ins>workers."
    )
    assert [(row.op, row.paragraph["text"]) for row in result.changes()] == [
        ("changed", new[1]),
        ("removed", "Remove this sentence."),
        ("added", "Totally new."),
    ]


def test_a_paragraph_rewritten_in_place_is_a_change(forum):
    result = compare(*drafts(forum, ["Keep.", "Old words here."], ["Keep.", "Completely different sentence now."]))
    assert (result.added, result.removed, result.changed) == (0, 0, 1)
    assert str(result.changes()[0].html) == ("<del>Old words here</del><ins>Completely different sentence now</ins>.")


def test_everything_is_escaped(forum):
    result = compare(
        *drafts(forum, ["<script>alert(1)</script> says hello"], ["<script>alert(2)</script> says hello", "<b>x</b>"])
    )
    html = "".join(str(row.html) for row in result.rows)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_word_diff_marks_insertions_and_deletions():
    assert str(word_diff("a b c", "a x c")) == "a <del>b</del><ins>x</ins> c"
    assert str(word_diff("same", "same")) == "same"
    assert str(word_diff("", "new & <tag>")) == "<ins>new &amp; &lt;tag&gt;</ins>"


def test_comparing_two_large_versions_is_quick(forum):
    import time

    old = [f"Paragraph {n} on the governance of migration and development, version one." for n in range(1500)]
    new = list(old)
    new[10] = new[10].replace("version one", "version two")
    del new[700]
    new.insert(1200, "An inserted paragraph.")
    old_draft, new_draft = drafts(forum, old, new)
    started = time.perf_counter()
    result = compare(old_draft, new_draft)
    elapsed = time.perf_counter() - started
    assert (result.added, result.removed, result.changed) == (1, 1, 1)
    assert elapsed < 5, elapsed
