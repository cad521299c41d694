"""What a function writes to the test database, recorded once and written again by COPY (PostgreSQL).

Loading the 2017 forum (``load_forum``) costs about 0.5 s and 259 queries, and 418 tests ask for it
(the ``forum`` fixture): 4 minutes of a run. ``RowSnapshot.record`` runs the function once, in a
transaction it rolls back, and keeps what it added to each table and which rows it changed (the
tables read with ``COPY ... TO STDOUT`` before and after). ``restore`` writes the same rows with one
``COPY ... FROM STDIN`` per table inside the test's own transaction, in a few milliseconds: the test
sees the rows a load would have left, with the same ids.

That holds only if the database is in the state it was recorded in (a test's transaction starts
from the migrated database, plus what ``post_migrate`` adds). ``restore`` checks a fingerprint of
every table first (count and hash of its rows) and returns None where it differs (a transactional
test after another flushed the database, a module's fixture that loaded something): the caller
then runs the function itself. On other databases ``record`` returns None.
"""

import io
from dataclasses import dataclass

from django.db import connection, transaction


class _Rollback(Exception):
    pass


def _tables(cursor):
    return sorted(connection.introspection.table_names(cursor))


def _quote(name):
    return connection.ops.quote_name(name)


def _fingerprint(cursor, tables):
    parts = [
        f"SELECT %s, count(*), coalesce(sum(hashtext(row.*::text)::bigint), 0) FROM {_quote(table)} row"  # noqa: S608 - table names
        for table in tables
    ]
    cursor.execute(" UNION ALL ".join(parts), tables)
    return sorted(cursor.fetchall())


def _lines(cursor, table):
    """The table's rows in COPY's text format, one line each (COPY escapes newlines in values)."""
    buffer = io.StringIO()
    cursor.copy_expert(f"COPY {_quote(table)} TO STDOUT", buffer)
    return [line for line in buffer.getvalue().split("\n") if line]


@dataclass
class _Table:
    name: str
    pk_column: str
    # Primary keys of the rows the function changed (their new values are among ``added``) or deleted.
    removed: list
    added: str  # the rows it added or changed, in COPY's text format
    top_pk: int | None  # the highest integer primary key among them, for the sequence


@dataclass
class RowSnapshot:
    fingerprint: list
    tables: list
    sequences: list  # (sequence name, value it must have reached)
    result: object

    @classmethod
    def record(cls, function):
        """Run ``function`` in a transaction that is rolled back; the snapshot of what it wrote
        (with its return value as ``result``), or None on a database other than PostgreSQL."""
        if connection.vendor != "postgresql":
            return None
        snapshot = None
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                tables = _tables(cursor)
                fingerprint = _fingerprint(cursor, tables)
                before = {table: _lines(cursor, table) for table in tables}
                result = function()
                changed = []
                for table in tables:
                    old, new = set(before[table]), _lines(cursor, table)
                    added = [line for line in new if line not in old]
                    gone = old - set(new)
                    if added or gone:
                        changed.append(_changes(cursor, table, added, gone))
                snapshot = cls(fingerprint, changed, _sequences(cursor, changed), result)
                raise _Rollback
        except _Rollback:
            pass
        return snapshot

    def restore(self):
        """Write the recorded rows in the current transaction: ``result``, or None (nothing
        written) where the database is not in the recorded state."""
        # In one transaction (a savepoint in a test's): the foreign keys are checked at its end, once
        # every table has its rows (COPY goes table by table, in no order of their references).
        with transaction.atomic(), connection.cursor() as cursor:
            if _fingerprint(cursor, [row[0] for row in self.fingerprint]) != self.fingerprint:
                return None
            for table in self.tables:
                if table.removed:
                    cursor.execute(
                        f"DELETE FROM {_quote(table.name)} WHERE {_quote(table.pk_column)} = ANY(%s)",  # noqa: S608
                        [table.removed],
                    )
            for table in self.tables:
                cursor.copy_expert(f"COPY {_quote(table.name)} FROM STDIN", io.StringIO(table.added))
            if self.sequences:
                # Sequences are not transactional: moved forward past the recorded ids if a flush
                # reset them since (never back).
                values = ", ".join(["(%s, %s)"] * len(self.sequences))
                cursor.execute(
                    f"SELECT setval(v.name::regclass, v.top) FROM (VALUES {values}) AS v(name, top) "  # noqa: S608
                    "WHERE coalesce(pg_sequence_last_value(v.name::regclass), 0) < v.top",
                    [value for sequence in self.sequences for value in sequence],
                )
        return self.result


def _changes(cursor, table, added, gone):
    pk_column = connection.introspection.get_primary_key_column(cursor, table)
    columns = [column.name for column in connection.introspection.get_table_description(cursor, table)]
    index = columns.index(pk_column)
    removed = [line.split("\t")[index] for line in gone]
    added_pks = [line.split("\t")[index] for line in added]
    numeric = [int(pk) for pk in added_pks if pk.isdigit()]
    return _Table(
        name=table,
        pk_column=pk_column,
        # The rows it changed are removed and added again with their new values.
        removed=[int(pk) if pk.isdigit() else pk for pk in removed],
        added="".join(line + "\n" for line in added),
        top_pk=max(numeric) if numeric and len(numeric) == len(added_pks) else None,
    )


def _sequences(cursor, tables):
    found = []
    for table in tables:
        if table.top_pk is None:
            continue
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [_quote(table.name), table.pk_column])
        (name,) = cursor.fetchone()
        if name:
            found.append((name, table.top_pk))
    return found
