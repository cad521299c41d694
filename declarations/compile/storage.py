"""Writing a draft: its row, its paragraphs and their sources and reports, in bulk.

Called by the assembly (``declarations.compile.jobs``) inside its transaction.
"""

from django.db import connection

from declarations.compile.inputs import COMPILER_VERSION
from declarations.models import Draft, Paragraph
from declarations.rendering import render_html
from roundtables.models import RoundTable

BULK_SIZE = 5000


def create_draft(declaration, *, version, paragraphs, inputs_hash, author):
    """The ``Draft`` of ``declaration`` made of ``paragraphs`` (dicts), with its ``Paragraph`` rows."""
    forum = declaration.forum
    draft = Draft.objects.create(
        declaration=declaration,
        version=version,
        content={
            "compiler": COMPILER_VERSION,
            "forum": forum.slug,
            "language": declaration.language,
            "inputs_hash": inputs_hash,
            "paragraphs": paragraphs,
        },
        html=render_html(paragraphs, language=declaration.language),
        inputs_hash=inputs_hash,
        author=author,
    )
    save_paragraphs(draft, paragraphs, forum)
    return draft


def save_paragraphs(draft, paragraphs, forum):
    """Paragraph rows of ``draft`` from paragraph dicts, with their sources and reports, in bulk."""
    round_tables = dict(RoundTable.objects.filter(forum=forum).values_list("code", "pk"))
    rows = Paragraph.objects.bulk_create(
        [
            Paragraph(
                draft=draft,
                position=item["position"],
                kind=item["kind"],
                level=item["level"],
                section=item["section"],
                number=item["number"],
                text=item["text"],
                support_count=item["support_count"],
                constituencies=item["constituencies"],
                round_table_id=round_tables.get(item["round_table"]),
                practice_ids=item["practice_ids"],
                sentences=item.get("sentences", []),
            )
            for item in paragraphs
        ],
        batch_size=BULK_SIZE,
    )
    for field, key in ((Paragraph.sources.field, "sources"), (Paragraph.reports.field, "reports")):
        pairs = [(row.pk, pk) for row, item in zip(rows, paragraphs, strict=True) for pk in item[key]]
        _insert_links(field.remote_field.through, field.m2m_column_name(), field.m2m_reverse_name(), pairs)


def _insert_links(through, left, right, pairs):
    """Many-to-many rows in bulk: on PostgreSQL one INSERT … SELECT unnest() per BULK_SIZE * 10."""
    if connection.vendor != "postgresql":
        through.objects.bulk_create([through(**{left: a, right: b}) for a, b in pairs], batch_size=BULK_SIZE)
        return
    table = connection.ops.quote_name(through._meta.db_table)
    columns = f"{connection.ops.quote_name(left)}, {connection.ops.quote_name(right)}"
    step = BULK_SIZE * 10
    with connection.cursor() as cursor:
        for start_at in range(0, len(pairs), step):
            chunk = pairs[start_at : start_at + step]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest(%s::bigint[], %s::bigint[])",  # noqa: S608
                [[a for a, _b in chunk], [b for _a, b in chunk]],
            )
