"""A covering index for the search's facet statement (PostgreSQL only).

practices.search.facet_counts reads, for every visible practice, only narrow columns: the id, the
status (and the organisation, for delegates), the countries, constituencies, gender-responsiveness,
start date, publication date and title. The table itself is wide (long texts), so reading its rows
costs most of the statement; with every one of those columns in this index the planner answers from
an index-only scan (the visibility map being kept by autovacuum). A practice's texts do not change
this index, and it is small (about 3 MB at 25,000 practices).
"""

from django.db import migrations

FORWARD = [
    """CREATE INDEX IF NOT EXISTS practice_facets_cover ON practices_practice (status)
       INCLUDE (id, published_at, countries, constituencies, gender_responsive, start_date, organisation_id, title)""",
]
BACKWARD = [
    "DROP INDEX IF EXISTS practice_facets_cover",
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
    dependencies = [("practices", "0002_search")]

    operations = [migrations.RunPython(forward, backward)]
