"""Compare two versions of a declaration, paragraph by paragraph, with word-level changes.

Paragraphs are aligned with difflib's SequenceMatcher over their texts (so a paragraph inserted at
the top does not make every following paragraph "changed" because its number moved). Inside a
block that was replaced, paragraphs are paired in order: a pair with the same number (a paragraph
rewritten in place) or with similar enough texts is "changed" (shown word by word with <ins>/<del>),
the others are "removed" and "added".

Every piece of text is escaped: contributions are written by participants.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from declarations.models import Paragraph

# Two paragraphs at least this similar (difflib ratio over words) are one changed paragraph.
SIMILAR = 0.5
WORDS = re.compile(r"\s+|[^\s\w]|\w+")


@dataclass
class Row:
    """One line of the comparison: 'same', 'changed', 'added' or 'removed'."""

    op: str
    old: dict | None = None
    new: dict | None = None
    html: str = ""

    @property
    def paragraph(self):
        return self.new or self.old

    @property
    def label(self):
        """The paragraph's number (or heading mark) in the newer version when it has one."""
        paragraph = self.paragraph
        return paragraph["number"] or ""

    @property
    def old_label(self):
        return (self.old or {}).get("number") or ""


@dataclass
class DraftDiff:
    old_version: int
    new_version: int
    rows: list = field(default_factory=list)

    @property
    def added(self):
        return sum(1 for row in self.rows if row.op == "added")

    @property
    def removed(self):
        return sum(1 for row in self.rows if row.op == "removed")

    @property
    def changed(self):
        return sum(1 for row in self.rows if row.op == "changed")

    @property
    def unchanged(self):
        return sum(1 for row in self.rows if row.op == "same")

    @property
    def has_changes(self):
        return any(row.op != "same" for row in self.rows)

    def changes(self):
        """The rows that differ (the page shows only these, with their position in the document)."""
        return [row for row in self.rows if row.op != "same"]


def _paragraphs(draft):
    return list(
        Paragraph.objects.filter(draft=draft).order_by("position").values("position", "kind", "level", "number", "text")
    )


def _key(paragraph):
    return (paragraph["kind"], paragraph["text"])


def words(text):
    return WORDS.findall(text)


def word_diff(old, new):
    """HTML of ``new`` against ``old``: removed words in <del>, added ones in <ins>, all escaped.

    A space alone between two changes joins them, so that a rewritten sentence reads as one
    deletion and one insertion rather than word/word/word."""
    a, b = words(old), words(new)
    segments = []  # ("equal", text) or ("change", removed, added)
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
        else:
            segments.append(("change", "".join(a[i1:i2]), "".join(b[j1:j2])))
    for index in range(1, len(segments) - 1):
        kind, *texts = segments[index]
        if kind == "equal" and texts[0].isspace() and segments[index - 1][0] == segments[index + 1][0] == "change":
            segments[index] = ("change", texts[0], texts[0])
    merged = []
    for segment in segments:
        if segment[0] == "change" and merged and merged[-1][0] == "change":
            merged[-1] = ("change", merged[-1][1] + segment[1], merged[-1][2] + segment[2])
        else:
            merged.append(segment)
    parts = []
    for segment in merged:
        if segment[0] == "equal":
            parts.append(escape(segment[1]))
            continue
        if segment[1]:
            parts.append(format_html("<del>{}</del>", segment[1]))
        if segment[2]:
            parts.append(format_html("<ins>{}</ins>", segment[2]))
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - every part is escaped above


def similarity(old, new):
    """difflib's ratio over the words (spaces left out: they would make any two texts look alike)."""
    a = [w for w in words(old) if not w.isspace()]
    b = [w for w in words(new) if not w.isspace()]
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _replaced(olds, news):
    """Pair the paragraphs of a replaced block in order: similar pairs are changes."""
    rows = []
    i = j = 0
    while i < len(olds) and j < len(news):
        old, new = olds[i], news[j]
        same_number = bool(old["number"]) and old["number"] == new["number"]
        if old["kind"] == new["kind"] and (same_number or similarity(old["text"], new["text"]) >= SIMILAR):
            rows.append(Row("changed", old, new, word_diff(old["text"], new["text"])))
            i += 1
            j += 1
        elif len(olds) - i >= len(news) - j:
            rows.append(Row("removed", old=old, html=escape(old["text"])))
            i += 1
        else:
            rows.append(Row("added", new=new, html=escape(new["text"])))
            j += 1
    rows.extend(Row("removed", old=old, html=escape(old["text"])) for old in olds[i:])
    rows.extend(Row("added", new=new, html=escape(new["text"])) for new in news[j:])
    return rows


def compare(old_draft, new_draft):
    """The DraftDiff from ``old_draft`` to ``new_draft`` (two versions of one declaration)."""
    olds, news = _paragraphs(old_draft), _paragraphs(new_draft)
    result = DraftDiff(old_version=old_draft.version, new_version=new_draft.version)
    matcher = SequenceMatcher(None, [_key(p) for p in olds], [_key(p) for p in news], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            result.rows.extend(
                Row("same", old, new, escape(new["text"])) for old, new in zip(olds[i1:i2], news[j1:j2], strict=True)
            )
        elif op == "delete":
            result.rows.extend(Row("removed", old=old, html=escape(old["text"])) for old in olds[i1:i2])
        elif op == "insert":
            result.rows.extend(Row("added", new=new, html=escape(new["text"])) for new in news[j1:j2])
        else:
            result.rows.extend(_replaced(olds[i1:i2], news[j1:j2]))
    return result
