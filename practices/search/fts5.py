"""Full-text search on SQLite (the `make run` default): an FTS5 table beside the practices.

PostgreSQL indexes each practice with the stemmer of its language and the 'simple' configuration,
both after unaccent, and runs a query through the english, french, spanish and simple
configurations, OR-ed (practices.search.fulltext). This does the same with FTS5:

- ``practices_practice_fts`` has, for the title (weight A), the summary (B) and the other texts (C),
  a column of the words as written and a column of their Snowball stems in the practice's language
  (``snowballstemmer``, the stemmers PostgreSQL's own are made from). The tokenizer folds case and
  accents (``unicode61 remove_diacritics 2``); stems are taken from folded words, as PostgreSQL
  stems after unaccent. Its rowid is the practice's id.
- ``match_expression(q)`` turns the web-search syntax ("a phrase", -word, or) into an FTS5 query:
  each configuration's query (the words as written against the written columns, or their stems in
  one language against the stem columns), OR-ed; excluded words leave out a practice that has
  them in any configuration.
- ``rank`` is ``bm25()`` with the weights of ``ts_rank`` (1, 0.4, 0.2), higher is better.

Every path that writes a practice's texts calls ``services.update_search_vector``, which calls
``index`` here on SQLite. Snippets (``ts_headline``) remain PostgreSQL's only.
"""

import re
from functools import cache

import snowballstemmer

from common.text import fold

TABLE = "practices_practice_fts"
COLUMNS = ("title", "title_stems", "summary", "summary_stems", "body", "body_stems")
WRITTEN = "{title summary body}"
STEMMED = "{title_stems summary_stems body_stems}"
# bm25 weights per column, as ts_rank's A, B, C (1, 0.4, 0.2).
WEIGHTS = (1.0, 1.0, 0.4, 0.4, 0.2, 0.2)
STEMMERS = {"en": "english", "fr": "french", "es": "spanish"}
# The table is made by the migration practices/0008_sqlite_fts5_search.
WORD = re.compile(r"\w+")
# The statements, with the table's fixed name and numbers only; values are parameters.
_DELETE = f"DELETE FROM {TABLE} WHERE rowid IN "  # noqa: S608
_TEXTS = "SELECT id, language, title, summary, description, results, implementing_organisations FROM practices_practice"
_INSERT = f"INSERT INTO {TABLE} (rowid, {', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * (1 + len(COLUMNS)))})"  # noqa: S608
IDS_MATCHING = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"  # noqa: S608
# The rank of the practice of the outer query (higher is better).
RANK = (
    f"SELECT -bm25({TABLE}, {', '.join(map(str, WEIGHTS))}) FROM {TABLE} "  # noqa: S608
    f"WHERE {TABLE} MATCH %s AND {TABLE}.rowid = practices_practice.id"
)


@cache
def _stemmer(language):
    return snowballstemmer.stemmer(STEMMERS.get(language, "english"))


def words(text):
    return WORD.findall(fold(text or ""))


def stems(text, language):
    """The Snowball stems of the words of ``text`` in ``language`` ("bonds" -> "bond")."""
    return _stemmer(language).stemWords(words(text))


def available(connection):
    """Whether this SQLite database has the table (its SQLite has FTS5 and the migration ran)."""
    cached = getattr(connection, "_gfmd_fts5", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
            cached = cursor.fetchone() is not None
        connection._gfmd_fts5 = cached
    return cached


def index(connection, practice_ids):
    """(Re)write the rows of ``practice_ids`` (a practice that no longer exists loses its row)."""
    ids = list(practice_ids)
    if not ids or not available(connection):
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(_DELETE + f"({marks})", batch)
            cursor.execute(_TEXTS + f" WHERE id IN ({marks})", batch)
            rows = []
            for pk, language, title, summary, *others in cursor.fetchall():
                body = "\n".join(text or "" for text in others)
                rows.append(
                    (
                        pk,
                        title or "",
                        " ".join(stems(title, language)),
                        summary or "",
                        " ".join(stems(summary, language)),
                        body,
                        " ".join(stems(body, language)),
                    )
                )
            cursor.executemany(_INSERT, rows)


# --- Queries ---------------------------------------------------------------------------------

# A "phrase" (closed or not), or a run of anything else but spaces and quotes.
TERM = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


def parse(q):
    """The web-search syntax, as websearch_to_tsquery reads it: ([[term, ...] OR-ed groups], excluded).

    A term is a tuple of folded words (a phrase when longer than one); "or" between two terms makes
    them alternatives; -term excludes.
    """
    groups, excluded, pending_or = [[]], [], False
    for match in TERM.finditer(q):
        negated = bool(match.group(1) or match.group(3))
        text = match.group(2) if match.group(2) is not None else match.group(4)
        if not negated and match.group(4) is not None and text.lower() == "or":
            pending_or = bool(groups[-1])
            continue
        term = tuple(words(text))
        if not term:
            continue
        if negated:
            excluded.append(term)
        elif pending_or:
            groups[-1].append(term)
            pending_or = False
        else:
            groups.append([term])
    return [group for group in groups if group], excluded


def _phrase(tokens):
    return '"' + " ".join(tokens) + '"'


def _in_configuration(term, configuration):
    if configuration == "simple":
        return f"{WRITTEN} : {_phrase(term)}"
    return f"{STEMMED} : {_phrase(_stemmer(configuration).stemWords(list(term)))}"


def _configuration_query(groups, configuration):
    """One configuration's query: every group (AND), each group any of its alternatives (OR)."""
    parts = []
    for group in groups:
        alternatives = [_in_configuration(term, configuration) for term in group]
        parts.append("(" + " OR ".join(alternatives) + ")")
    return "(" + " AND ".join(parts) + ")"


def _any_configuration(groups):
    return " OR ".join(_configuration_query(groups, configuration) for configuration in ("en", "fr", "es", "simple"))


def match_expression(q):
    """The FTS5 queries for ``q``: (what must match or None, what must not match or None)."""
    groups, excluded = parse(q)
    positive = f"({_any_configuration(groups)})" if groups else None
    negative = "(" + " OR ".join(_any_configuration([[term]]) for term in excluded) + ")" if excluded else None
    return positive, negative
