"""Drop the covering index of the old SQL facet statement (0003, rebuilt in 0005; PostgreSQL only).

The facet counts now come from each process's facet index (practices.facet_index), which reads the
whole table in one sequential scan when it is built: nothing reads this index any more, and every
write of a practice kept it up to date for nothing.
"""

from django.db import migrations

COVER = (
    "CREATE INDEX IF NOT EXISTS practice_facets_cover ON practices_practice (status) INCLUDE (id, published_at, "
    "countries, constituencies, gender_responsive, start_date, organisation_id, title, target_ids, theme_ids, "
    "round_table_ids)"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS practice_facets_cover")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COVER)


class Migration(migrations.Migration):
    dependencies = [("practices", "0006_search_generation")]

    operations = [migrations.RunPython(forward, backward)]
