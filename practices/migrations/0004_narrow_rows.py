"""Keep the practice table's rows narrow (PostgreSQL only).

A search for a frequent word reads every matching row from the table (a GIN index returns no
columns): 13,863 rows of 20,000 spread over 10,000 pages when the long texts (description, results,
evidence…, about 3 KB a practice) sit in the row. With ``toast_tuple_target = 256`` PostgreSQL moves
long texts out of the row as it writes it, and the table holds the same rows in about 800 pages; the
few small columns the facet counts read (countries, constituencies) are kept in the row, uncompressed
(``STORAGE PLAIN``), so that counting never decompresses them. Measured on bench/practices_search.py's
data: the facet statement for the most frequent word went from 90 to 80 ms, a query with two filters
from 80 to 68 ms. Rows already written narrow as they are next saved, or at once with
``VACUUM FULL practices_practice``.
"""

from django.db import migrations

TABLE = "practices_practice"
FORWARD = [
    f"ALTER TABLE {TABLE} SET (toast_tuple_target = 256)",
    f"ALTER TABLE {TABLE} ALTER COLUMN countries SET STORAGE PLAIN, ALTER COLUMN constituencies SET STORAGE PLAIN",
]
BACKWARD = [
    f"ALTER TABLE {TABLE} RESET (toast_tuple_target)",
    f"ALTER TABLE {TABLE} ALTER COLUMN countries SET STORAGE EXTENDED, "
    "ALTER COLUMN constituencies SET STORAGE EXTENDED",
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
    dependencies = [("practices", "0003_facet_index")]

    operations = [migrations.RunPython(forward, backward)]
