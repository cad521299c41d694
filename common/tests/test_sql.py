"""Prepared statements: compiled once per connection, run with new values, rows as the ORM gives them."""

from unittest import mock

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from common.models import OutboxTask
from common.sql import Prepared


def _by_name_and_attempts(task_name, attempts):
    return (
        OutboxTask.objects.filter(task_name=task_name, attempts__gte=attempts)
        .order_by("pk")
        .values_list("pk", "kwargs", "created", "sent_at")
    )


def _statement(name):
    return Prepared(name, _by_name_and_attempts, task_name="\x00task-name", attempts=2_147_000_001)


@pytest.mark.django_db
def test_rows_are_the_querysets_rows_for_each_set_of_values():
    first = OutboxTask.objects.create(task_name="a", kwargs={"registration_id": 1}, attempts=2)
    OutboxTask.objects.create(task_name="a", kwargs={"registration_id": 2}, attempts=0)
    OutboxTask.objects.create(task_name="b", kwargs={"round_table_id": 3}, attempts=5)
    statement = _statement("test.by-name")

    for task_name, attempts in (("a", 0), ("a", 1), ("b", 0), ("c", 0)):
        assert statement.rows(task_name=task_name, attempts=attempts) == list(
            _by_name_and_attempts(task_name, attempts)
        )
    # The converters ran: JSON comes back as a dict and the date as an aware datetime.
    [(pk, kwargs, created, sent_at)] = statement.rows(task_name="a", attempts=1)
    assert (pk, kwargs, sent_at) == (first.pk, {"registration_id": 1}, None)
    assert created == first.created and created.tzinfo is not None


@pytest.mark.django_db
def test_the_statement_is_compiled_once_per_connection_and_counted_as_a_query():
    statement = _statement("test.compiled-once")
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
        statement.rows(task_name="a", attempts=0)
        compiled = as_sql.call_count
        with CaptureQueriesContext(connection) as queries:
            statement.rows(task_name="b", attempts=3)
            statement.rows(task_name="c", attempts=0)
    assert compiled >= 1
    assert as_sql.call_count == compiled  # the later runs compiled nothing
    assert len(queries) == 2
    assert all(query["sql"].startswith("SELECT") for query in queries)


@pytest.mark.django_db
def test_a_marker_the_statement_does_not_hold_is_refused_at_the_first_run():
    statement = Prepared(
        "test.lost-marker",
        lambda task_name, attempts: OutboxTask.objects.filter(task_name=task_name).values_list("pk"),
        task_name="\x00task-name",
        attempts=2_147_000_002,
    )
    with pytest.raises(ValueError, match="attempts"):
        statement.rows(task_name="a", attempts=0)
