"""Full-text search on PostgreSQL: unaccent, an immutable wrapper for indexes, a GIN index.

On SQLite (the `make run` default) nothing is created and search falls back to a plain filter.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """CREATE OR REPLACE FUNCTION gfmd_unaccent(text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
    "CREATE INDEX practice_search_gin ON practices_practice USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS practice_search_gin",
    "DROP FUNCTION IF EXISTS gfmd_unaccent(text)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
