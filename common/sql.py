"""Statements compiled once and run again with other values.

Building a queryset and compiling it to SQL costs the ORM one to two milliseconds of Python for a
statement with joins, a subquery or a UNION, more than PostgreSQL takes to run it. Where a statement
runs under a lock that many requests queue for (a registration), that time is paid by everyone
waiting. ``Prepared`` builds the queryset once per database connection with marker values in
place of the values that change, remembers where in the parameters the markers landed, and then
only executes: same SQL, same converters (so SQLite's dates come back as dates), one query in the
test tools' counts like any other.
"""

from django.db import DEFAULT_DB_ALIAS, connections


class Prepared:
    """A ``values_list`` queryset's SQL, compiled on first use on each connection.

    ``build(**markers)`` returns the queryset; ``markers`` name the values that change and give each
    a placeholder that appears nowhere else in the statement's parameters (a number no row holds, a
    string no one types). A number must be in the field's range: the ORM drops a comparison with
    an out-of-range value (a negative one for a positive integer field) from the SQL.
    ``rows(**values)`` runs the statement with those values.

    The first call must be made where the queryset may be compiled (``select_for_update`` inside
    a transaction). A marker that the compiled parameters do not hold is an error at that call.
    """

    def __init__(self, name, build, **markers):
        self.name = name
        self.build = build
        self.markers = markers

    def _compiled(self, connection):
        statements = connection.__dict__.setdefault("_prepared_statements", {})
        compiled = statements.get(self.name)
        if compiled is None:
            compiler = self.build(**self.markers).query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            by_value = {(type(value), value): name for name, value in self.markers.items()}
            slots = tuple(by_value.get((type(value), value)) for value in params)
            missing = set(self.markers) - set(slots)
            if missing:
                raise ValueError(f"{self.name}: the compiled statement does not hold {sorted(missing)}")
            converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
            compiled = statements[self.name] = (sql, tuple(params), slots, compiler, converters)
        return compiled

    def rows(self, using=DEFAULT_DB_ALIAS, **values):
        connection = connections[using]
        sql, params, slots, compiler, converters = self._compiled(connection)
        params = [values[slot] if slot else value for slot, value in zip(slots, params, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows
