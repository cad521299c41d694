"""Copies of each practice's linked SDG targets, themes and round tables on its row (practices.links).

Filled here from the link tables. On PostgreSQL the columns stay in the row uncompressed, like the
countries (see 0004), and the covering index of the facet counts (0003) is rebuilt with them, so
that a search without a query still reads every column it counts from the index alone.
"""

from django.db import migrations, models

TABLE = "practices_practice"
COVER = (
    "CREATE INDEX practice_facets_cover ON practices_practice (status) INCLUDE (id, published_at, countries, "
    "constituencies, gender_responsive, start_date, organisation_id, title{extra})"
)
FORWARD = [
    f"ALTER TABLE {TABLE} ALTER COLUMN target_ids SET STORAGE PLAIN, ALTER COLUMN theme_ids SET STORAGE PLAIN, "
    "ALTER COLUMN round_table_ids SET STORAGE PLAIN",
    "DROP INDEX IF EXISTS practice_facets_cover",
    COVER.format(extra=", target_ids, theme_ids, round_table_ids"),
]
BACKWARD = [
    "DROP INDEX IF EXISTS practice_facets_cover",
    COVER.format(extra=""),
]


def fill(apps, schema_editor):
    Practice = apps.get_model("practices", "Practice")
    links = {
        "target_ids": (Practice.sdg_targets.through, "target_id"),
        "theme_ids": (Practice.compact_themes.through, "compacttheme_id"),
        "round_table_ids": (Practice.round_tables.through, "roundtable_id"),
    }
    found = {}
    for column, (through, field_name) in links.items():
        for practice_id, ref in through.objects.values_list("practice_id", field_name).iterator(chunk_size=5000):
            found.setdefault(practice_id, {}).setdefault(column, []).append(ref)
    practices = [
        Practice(pk=pk, **{column: ",".join(str(ref) for ref in sorted(set(refs))) for column, refs in columns.items()})
        for pk, columns in found.items()
    ]
    for column in links:
        batch = [practice for practice in practices if getattr(practice, column)]
        Practice.objects.bulk_update(batch, [column], batch_size=1000)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("practices", "0004_narrow_rows")]

    operations = [
        migrations.AddField(
            model_name="practice", name="target_ids", field=models.TextField(blank=True, default="", editable=False)
        ),
        migrations.AddField(
            model_name="practice", name="theme_ids", field=models.TextField(blank=True, default="", editable=False)
        ),
        migrations.AddField(
            model_name="practice",
            name="round_table_ids",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        # Before any row is written: PostgreSQL refuses an ALTER TABLE after updates in the same
        # transaction (pending trigger events of the deferred foreign keys).
        migrations.RunPython(forward, backward),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
