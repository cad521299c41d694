"""Full-text search on SQLite: the FTS5 table of practices.search.fts5, filled from the practices.

On PostgreSQL nothing is done (0002_search made its index). A SQLite built without FTS5 gets no
table, and search falls back to a plain containment there.
"""

from django.db import migrations
from django.db.utils import OperationalError

CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS practices_practice_fts USING fts5("
    "title, title_stems, summary, summary_stems, body, body_stems, tokenize = 'unicode61 remove_diacritics 2')"
)


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    try:
        schema_editor.execute(CREATE)
    except OperationalError:  # no such module: fts5
        return
    from practices.search import fts5

    connection.__dict__.pop("_gfmd_fts5", None)
    Practice = apps.get_model("practices", "Practice")
    fts5.index(connection, list(Practice.objects.values_list("pk", flat=True)))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS practices_practice_fts")
        schema_editor.connection.__dict__.pop("_gfmd_fts5", None)


class Migration(migrations.Migration):
    dependencies = [("practices", "0007_drop_facet_cover")]

    operations = [migrations.RunPython(forward, backward)]
