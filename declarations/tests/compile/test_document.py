"""What the draft is made of (declarations.compile.sections, .document, .paragraphs, .storage),
through a whole compile run in-process."""

import pytest

from declarations.models import CompileJob, CompileSection, Paragraph
from declarations.rendering import render_html
from declarations.tests.compile.helpers import A_TEXTS, B_TEXT, FR_TEXT, compile_now
from stakeholders.models import Constituency

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiled(inputs):
    """The English draft of the inputs: the job, and the draft's paragraph rows in order."""
    job = compile_now(inputs["forum"])
    return job, list(job.draft.paragraphs.order_by("position"))


def test_draft_is_positioned_numbered_and_headed(compiled):
    job, rows = compiled
    assert job.status == CompileJob.Status.SUCCEEDED and job.error == ""
    draft = job.draft
    assert draft.version == 1 and draft.inputs_hash == job.inputs_hash and len(draft.inputs_hash) == 64
    assert [row.position for row in rows] == list(range(1, len(rows) + 1))
    body = [row for row in rows if row.kind == Paragraph.Kind.PARAGRAPH and row.section not in ("preamble", "annex")]
    assert [row.number for row in body] == [str(n) for n in range(1, len(body) + 1)]
    # The preamble and the annex describe the forum; they are not numbered findings.
    assert {row.number for row in rows if row.section in ("preamble", "annex")} == {""}
    assert all(row.number == "" for row in rows if row.kind == Paragraph.Kind.HEADING)
    assert rows[0].kind == "heading" and rows[0].level == 1 and rows[0].section == "preamble"
    headings = [(row.level, row.section) for row in rows if row.kind == "heading"]
    for expected in [
        (2, "preamble"),
        (2, "subtheme:1"),
        (3, "rt:1.1"),
        (4, "rt:1.1:messages"),
        (4, "rt:1.1:recommendations"),
        (4, "rt:1.1:frameworks"),
        (4, "rt:1.1:practices"),
        (2, "themes"),
        (3, "themes:A.a"),
        (3, "themes:B.e"),
        (2, "annex"),
    ]:
        assert expected in headings
    # Six round tables, in programme order, even those without contributions.
    assert [s for _level, s in headings if s.startswith("rt:") and s.count(":") == 1] == [
        "rt:1.1", "rt:1.2", "rt:2.1", "rt:2.2", "rt:3.1", "rt:3.2",
    ]  # fmt: skip


def test_near_duplicates_merge_with_their_support(inputs, compiled):
    _job, rows = compiled
    a1, a2, a3 = inputs["a"]
    recommendations = [row for row in rows if row.section == "rt:1.1:recommendations" and row.kind == "paragraph"]
    merged = recommendations[0]
    # The earliest contribution represents the cluster; its support is said in words.
    assert merged.text == (
        f"{a1.text} Supported by four contributions (governments, civil society organisations, private sector "
        "representatives and local authorities), in two regions."
    )
    assert merged.support_count == 4
    assert set(merged.sources.values_list("pk", flat=True)) == {a1.pk, a2.pk, a3.pk, inputs["dup"].pk}
    assert merged.constituencies == sorted(
        [Constituency.GOVERNMENT, Constituency.CIVIL_SOCIETY, Constituency.PRIVATE_SECTOR, Constituency.LOCAL_AUTHORITY]
    )
    assert merged.round_table == inputs["rt11"]
    texts = [row.text for row in recommendations]
    assert texts[1:] == [  # by support, then breadth, then earliest
        f"{B_TEXT} Supported by one contribution (Academia).",
        f"{FR_TEXT} [fr] Supported by one contribution (Civil society).",
    ]
    assert [row.support_count for row in recommendations] == [4, 1, 1]


def test_round_table_parts_and_the_themes_section(inputs, compiled):
    _job, rows = compiled
    a1 = inputs["a"][0]
    # Statements sharing their words are one key message; the report comes first, in the draft's language.
    messages = [row for row in rows if row.section == "rt:1.1:messages" and row.kind == "paragraph"]
    assert [row.text for row in messages[:2]] == ["The round table agreed on fair recruitment.", "It asked for data."]
    assert list(messages[0].reports.all()) == [inputs["report_en"]]
    # The two statements that say the same are one sentence of the synthesis, attributed and cited.
    assert messages[2].text == (
        "Governments and civil society organisations stressed that migrant workers still pay high recruitment "
        "fees in the Gulf corridors (two contributions)."
    )
    assert set(messages[2].sources.all()) == set(inputs["statements"])

    practices = [row for row in rows if row.section == "rt:1.1:practices"]
    assert [row.practice_ids for row in practices if row.kind == "paragraph"] == [[inputs["practice"].pk]]
    assert "Good practices" in [row.text for row in practices if row.kind == "heading"]
    assert [row.text for row in practices if row.kind == "paragraph"] == [
        "The good practice shared for this round table is “Fair recruitment corridor” (Philippines)."
    ]

    recommendations = [row for row in rows if row.section == "rt:1.1:recommendations" and row.kind == "paragraph"]
    merged, b = recommendations[0], recommendations[1]
    frameworks = [row for row in rows if row.section == "rt:1.1:frameworks" and row.kind == "paragraph"]
    assert [row.text for row in frameworks] == [
        f"The recommendation in paragraph {merged.number} addresses SDG target 10.7. "
        f"The recommendation in paragraph {b.number} addresses SDG target 16.9.",
        f"The recommendation in paragraph {merged.number} addresses Global Compact theme A.a.",
    ]
    # They cite the contributions of the recommendations they name.
    assert set(frameworks[0].sources.all()) == set(merged.sources.all()) | {inputs["b"]}
    assert set(frameworks[1].sources.all()) == set(merged.sources.all())

    theme = [row for row in rows if row.section == "themes:A.a" and row.kind == "paragraph"]
    assert [(row.text.split(" Supported by")[0], row.support_count) for row in theme] == [(a1.text, 4)]
    assert {row.section for row in rows if inputs["c21"] in row.sources.all()} == {
        "rt:2.1:recommendations", "rt:2.1:frameworks", "themes:B.e"
    }  # fmt: skip


def test_every_paragraph_keeps_its_provenance(inputs, compiled):
    job, rows = compiled
    a1, a2, a3 = inputs["a"]
    # Every paragraph knows its sources: the rows and the stored content agree, rejected and
    # waiting contributions are nowhere, every used contribution is somewhere.
    content = {item["position"]: item for item in job.draft.content["paragraphs"]}
    everywhere = set()
    for row in rows:
        sources = set(row.sources.values_list("pk", flat=True))
        assert sources == set(content[row.position]["sources"])
        assert set(row.reports.values_list("pk", flat=True)) == set(content[row.position]["reports"])
        everywhere |= sources
    used = {a1.pk, a2.pk, a3.pk, inputs["dup"].pk, inputs["b"].pk, inputs["fr"].pk, inputs["c21"].pk}
    used |= {s.pk for s in inputs["statements"]}
    assert everywhere == used


def test_preamble_annex_and_html(compiled):
    job, rows = compiled
    draft = job.draft
    preamble = [row.text for row in rows if row.section == "preamble" and row.kind == "paragraph"]
    assert preamble[0].startswith("The Tenth Global Forum on Migration and Development – Germany 2017 met in Berlin")
    assert "Germany and Morocco" in preamble[0]
    annex = [row.text for row in rows if row.section == "annex" and row.kind == "paragraph"]
    assert annex[0] == "Government (1): Federal Foreign Office (Germany)."
    assert draft.html == render_html(draft)
    assert '<p id="p-1" class="declaration-paragraph">' in draft.html and "style=" not in draft.html
    assert not CompileSection.objects.filter(job=job).exists()


def test_participation_counts(inputs):
    job = compile_now(inputs["forum"])
    preamble = job.draft.paragraphs.filter(section="preamble", kind="paragraph").order_by("position")
    assert preamble[1].text == (
        "The 6 round tables received 9 contributions from 5 organisations of 5 countries, by constituency: "
        "Government 2; Civil society 4; Private sector 1; Academia 1; Local authority 1."
    )


def test_french_draft_marks_other_languages_and_takes_the_french_report(inputs):
    job = compile_now(inputs["forum"], language="fr")
    rows = job.draft.paragraphs.order_by("position")
    messages = rows.filter(section="rt:1.1:messages", kind="paragraph")
    assert messages[0].text == "La table ronde a convenu."
    assert list(messages[0].reports.all()) == [inputs["report_fr"]]
    texts = list(rows.filter(section="rt:1.1:recommendations", kind="paragraph").values_list("text", flat=True))
    assert texts == [
        f"{A_TEXTS[0]} [en] Soutenue par quatre contributions (gouvernements, organisations de la société civile, "
        "représentants du secteur privé et autorités locales), dans deux régions.",
        f"{FR_TEXT} Soutenue par une contribution (Société civile).",  # at equal support, the draft's language first
        f"{B_TEXT} [en] Soutenue par une contribution (Milieu universitaire).",
    ]
    assert rows.first().text.endswith("Dixième Forum mondial sur la migration et le développement – Allemagne 2017")
