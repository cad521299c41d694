"""Titles and snippets of the results with the words of the search marked (``<mark>``).

On PostgreSQL, ``ts_headline`` (``headlines``) marks the matched words in the unaccented title and
text of the page's results only, with private-use characters as markers. The marked words are
carried back onto the original (accented) text through an approximation of the unaccent rules
(``Folded``), and everything else is escaped. Without full text (SQLite) a result shows its
escaped title and the start of its summary.
"""

import re
import unicodedata

from django.contrib.postgres.search import SearchHeadline
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from practices.search import fulltext

# Markers that ts_headline puts around matches and between fragments; private-use characters,
# turned into <mark> after the text has been escaped.
START, STOP, FRAGMENTS = "\ue000", "\ue001", "\ue002"
ELLIPSIS = " … "
SNIPPET_WORDS = 30

# Letters and signs that PostgreSQL's unaccent rules fold but that have no canonical decomposition.
_FOLDS = {
    "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "ß": "ss", "ẞ": "SS", "Ø": "O", "ø": "o",
    "Ð": "D", "ð": "d", "Đ": "D", "đ": "d", "Þ": "TH", "þ": "th", "Ł": "L", "ł": "l",
    "Ħ": "H", "ħ": "h", "ı": "i", "Ŀ": "L", "ŀ": "l", "Ŧ": "T", "ŧ": "t", "Ĳ": "IJ", "ĳ": "ij",
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "\xad": "-",
    "‘": "'", "’": "'", "‛": "'", "′": "'", "‚": ",", "“": '"', "”": '"', "‟": '"', "″": '"',
    "„": ",,", "‹": "<", "›": ">", "«": "<<", "»": ">>", "¡": "!", "¿": "?", "×": "*", "÷": "/",
    "©": "(C)", "®": "(R)", "±": "+/-", "¼": " 1/4", "½": " 1/2", "¾": " 3/4",
}  # fmt: skip


# < and > (also those unaccent makes of « and ») are spaces in the text given to ts_headline.
_ANGLES = str.maketrans("<>", "  ")


def _fold_char(char):
    if char in _FOLDS:
        return _FOLDS[char]
    if unicodedata.combining(char):
        return ""
    if "\u0400" <= char <= "\u04ff":  # Cyrillic: the rules fold only Ё and ё
        return {"Ё": "Е", "ё": "е"}.get(char, char)
    decomposed = unicodedata.normalize("NFD", char)
    if len(decomposed) > 1 and all(unicodedata.combining(mark) for mark in decomposed[1:]):
        return decomposed[0]
    return char


class _FoldTable(dict):
    """str.translate's table for Folded, filled as characters are met."""

    def __missing__(self, code):
        char = chr(code)
        replacement = (char if char.isascii() else _fold_char(char)).translate(_ANGLES)
        self[code] = replacement
        return replacement


_FOLD_TABLE = _FoldTable()


class Folded:
    """An approximation of gfmd_unaccent(text), and where each of its characters comes from."""

    def __init__(self, text):
        self.text = text.translate(_FOLD_TABLE)
        # Most folds replace one character by one (é -> e): positions are the same.
        self.origin = None
        if len(self.text) != len(text):
            self.origin = []
            for position, char in enumerate(text):
                self.origin += [position] * len(_FOLD_TABLE[ord(char)])

    def position(self, index):
        return index if self.origin is None else self.origin[index]


_MARKERS = re.compile(f"([{START}{STOP}])")


def _parse_marked(marked):
    """Text without markers and the [start, end) spans that were marked."""
    plain, spans, start = [], [], None
    length = 0
    for piece in _MARKERS.split(marked):
        if piece == START:
            start = length if start is None else start
        elif piece == STOP:
            if start is not None:
                spans.append((start, length))
            start = None
        elif piece:
            plain.append(piece)
            length += len(piece)
    if start is not None:
        spans.append((start, length))
    return "".join(plain), spans


def _html(text, spans):
    out, position = [], 0
    for start, end in spans:
        if start < position or end <= start:
            continue
        out.append(escape(text[position:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def highlight(original, marked, folded=None):
    """HTML of one fragment, and whether it reaches the start and the end of ``original``.

    ``marked`` is ts_headline's output over the unaccented ``original``. The fragment is found in
    the folded original so that the accented text is shown; when it is not found (a character the
    approximation folds differently), the unaccented fragment itself is shown.
    """
    plain, spans = _parse_marked(marked)
    folded = folded or Folded(original)
    at = folded.text.find(plain) if plain else -1
    if at < 0:
        return _html(plain, spans), False, False
    where = folded.position
    begin = where(at)
    end = where(at + len(plain) - 1) + 1
    mapped = [(where(at + start) - begin, where(at + stop - 1) + 1 - begin) for start, stop in spans if stop > start]
    return _html(original[begin:end], mapped), not original[:begin].strip(), not original[end:].strip()


def title_html(practice):
    marked = getattr(practice, "title_marked", None)
    if marked and START in marked:
        return mark_safe(highlight(practice.title, marked)[0])  # noqa: S308 - escaped in _html
    return escape(practice.title)


def snippet_html(practice):
    """The result's snippet: fragments around the matches, else the start of the summary."""
    marked = getattr(practice, "snippet_marked", None)
    if marked and START in marked:
        text = f"{practice.summary}\n{practice.description}"
        folded = Folded(text)
        pieces = [highlight(text, fragment, folded) for fragment in marked.split(FRAGMENTS) if fragment.strip()]
        html = ELLIPSIS.join(piece for piece, _start, _end in pieces)
        if not pieces[0][1]:
            html = ELLIPSIS.lstrip() + html
        if not pieces[-1][2]:
            html += ELLIPSIS.rstrip()
        return mark_safe(html)  # noqa: S308 - every piece is escaped in _html
    return escape(Truncator(practice.summary or practice.description).words(SNIPPET_WORDS * 2))


def _headline_text(expression):
    """The unaccented text given to ts_headline, with < and > made spaces: its parser would take
    "<...>" for a tag and leave it out (a French «quote» too, which unaccent makes <<quote>>), and
    the fragment would no longer be found in the original."""
    return Func(fulltext.Unaccent(expression), Value("<>"), Value("  "), function="translate", output_field=TextField())


def headlines(query):
    """The annotations that ask ts_headline for a practice's marked title and snippet (PostgreSQL)."""
    config = fulltext.practice_config()
    common = {"config": config, "start_sel": START, "stop_sel": STOP}
    return {
        "title_marked": SearchHeadline(_headline_text(F("title")), query, highlight_all=True, **common),
        "snippet_marked": SearchHeadline(
            _headline_text(Concat(F("summary"), Value("\n"), F("description"), output_field=TextField())),
            query,
            max_words=SNIPPET_WORDS,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=FRAGMENTS,
            **common,
        ),
    }
