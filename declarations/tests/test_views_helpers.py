"""Builders for the declaration's tests: drafts made by hand, as the compile would make them.

(Named test_views_* so that it sits with the tests it serves; it holds no test.)
"""

from declarations.editing import render_draft_html
from declarations.models import Declaration, Draft, Paragraph
from roundtables.models import Contribution, RapporteurReport, Session


def declaration_for(forum, language="en", **fields):
    return Declaration.objects.get_or_create(forum=forum, language=language, defaults=fields)[0]


def paragraph_texts(count):
    return [
        f"Paragraph {n}: the co-chairs recommend measure number {n} on labour mobility." for n in range(1, count + 1)
    ]


def build_draft(declaration, *, version=1, texts=None, count=3, sources=2, author=None, report=None, practice_ids=()):
    """A draft: a title, a round-table heading, then numbered paragraphs ``texts`` (or ``count``
    generated ones), each with ``sources`` contributions of its round table."""
    forum = declaration.forum
    round_table = forum.round_tables.order_by("position").first()
    texts = list(texts) if texts is not None else paragraph_texts(count)
    draft = Draft.objects.create(
        declaration=declaration, version=version, inputs_hash="a" * 64, author=author, note="", content={}
    )
    rows = [
        Paragraph(
            draft=draft, position=1, kind="heading", level=1, section="preamble", text="Declaration of the forum"
        ),
        Paragraph(
            draft=draft,
            position=2,
            kind="heading",
            level=3,
            section=f"rt:{round_table.code}:recommendations",
            text=f"Round table {round_table.code}",
            round_table=round_table,
        ),
    ]
    for index, text in enumerate(texts, start=1):
        rows.append(
            Paragraph(
                draft=draft,
                position=index + 2,
                kind="paragraph",
                level=4,
                section=f"rt:{round_table.code}:recommendations",
                number=str(index),
                text=text,
                support_count=sources,
                constituencies=["civil_society", "government"] if sources else [],
                round_table=round_table,
                practice_ids=list(practice_ids),
            )
        )
    rows = Paragraph.objects.bulk_create(rows)
    if sources:
        contributions = Contribution.objects.bulk_create(
            Contribution(
                round_table=round_table,
                kind="recommendation",
                text=f"Source {n} of paragraph {p.number}: ensure fair recruitment <b>now</b>.",
                language="en",
                constituency="civil_society",
                organisation_name="Migrant Rights Network",
                status="accepted",
            )
            for p in rows
            if p.kind == "paragraph"
            for n in range(sources)
        )
        through = Paragraph.sources.through
        paragraphs = [p for p in rows if p.kind == "paragraph"]
        through.objects.bulk_create(
            through(paragraph_id=paragraphs[i // sources].pk, contribution_id=c.pk) for i, c in enumerate(contributions)
        )
    if report is not None:
        for p in rows:
            if p.kind == "paragraph":
                p.reports.add(report)
    draft.html = render_draft_html(draft)
    draft.save(update_fields=["html"])
    return draft


def build_report(forum, *, author=None, language="en"):
    round_table = forum.round_tables.order_by("position").first()
    session = Session.objects.create(
        forum=forum,
        slug=f"rt-{round_table.code}",
        kind="round_table",
        title=f"Round table {round_table.code}",
        round_table=round_table,
        status="published",
    )
    return RapporteurReport.objects.create(
        session=session, language=language, text="The round table agreed.", author=author
    )
