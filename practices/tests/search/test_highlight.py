"""practices.search.highlight: the marks of ts_headline carried onto the accented text, escaped."""

from practices.search.highlight import START, STOP, highlight


def test_highlight_carries_marks_onto_the_accented_text():
    original = "Œuvre pour l’intégration – Straße"
    # What ts_headline returns over gfmd_unaccent(original), with its markers.
    marked = f"OEuvre pour l'{START}integration{STOP} - Strasse"
    html, at_start, at_end = highlight(original, marked)
    assert html == "Œuvre pour l’<mark>intégration</mark> – Straße"
    assert at_start and at_end
    # A fragment that cannot be found in the folded text is shown as PostgreSQL gave it, escaped.
    html, _start, _end = highlight("α < β", f"x {START}<y>{STOP}")
    assert html == "x <mark>&lt;y&gt;</mark>"
