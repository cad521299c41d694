"""A session's block on the public agenda page, printed in Python.

A forum's agenda holds hundreds of sessions, each with its people, running order and changes:
Django's template engine spent about 55 ms of a 200-session page resolving some 50,000 variables
for them, more than the rest of the request together. The block is the same HTML the template
printed (``agenda.html`` places a room's with ``{{ room.blocks }}``); every value is escaped here.
A ``<time datetime>`` is printed by ``datetime_attribute``, as the templates' ``html_datetime``.
"""

from html import escape

from django.utils.dates import MONTHS
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.templatetags.portal import datetime_attribute


class Words:
    """The block's fixed words, translated once per page (not once per session), and the values that
    many blocks repeat (a kind, a room, a role, a person, an organisation, a step, a time), escaped
    once per page."""

    def __init__(self):
        self.tba = escape(_("Date to be announced"))
        self.separator = escape(pgettext("label separator", ": "))
        self.running_order = escape(_("Running order"))
        self.changed = escape(_("Changed since publication"))
        self.months = {number: str(name) for number, name in MONTHS.items()}
        self.escaped = {}
        self.attributes = {}

    def escape(self, value):
        """``escape(value)`` of a value that many blocks repeat, worked out once per page."""
        text = self.escaped.get(value)
        if text is None:
            text = self.escaped[value] = escape(value)
        return text

    def datetime_attribute(self, value):
        """``datetime_attribute(value)`` of an aware datetime, once per moment and zone (sessions in
        parallel rooms share their steps' times)."""
        key = (value.tzinfo, value)  # equal datetimes of two zones print two offsets
        text = self.attributes.get(key)
        if text is None:
            text = self.attributes[key] = datetime_attribute(value)
        return text

    def change_time(self, value):
        """A change's time as ``date_format(value, "j F Y, H:i")`` prints it ("29 June 2017, 09:30"),
        escaped, with the month's name translated once per page."""
        return escape(f"{value.day} {self.months[value.month]} {value.year:04d}, {value.hour:02d}:{value.minute:02d}")


def _lang(attribute):
    """``content_lang`` gives '' or ' lang="xx"' (a language code: nothing to escape)."""
    return attribute or ""


def session_block(entry, *, words, level, short_steps, undated_section=False):
    """The <article> of an ``AgendaSession`` (``roundtables.agenda.queries``) on the agenda page, as
    a plain string whose every value is escaped (``session_blocks`` marks a room's blocks safe)."""
    session = entry.session
    pk = session.pk
    out = [
        f'<article class="public-agenda-session" aria-labelledby="session-{pk}-title">\n'
        f'  <h{level} id="session-{pk}-title" class="h5 mb-1"><a href="{escape(entry.page_url)}">'
        f"<span{_lang(entry.title_lang)}>{escape(session.title)}</span></a></h{level}>\n"
        '  <p class="public-agenda-session-when mb-1">'
    ]
    if entry.local_start:
        out.append(
            f'<time datetime="{words.datetime_attribute(entry.local_start)}">{words.escape(entry.time_text)}</time> · '
        )
    elif not undated_section:
        out.append(f'<span class="badge text-bg-light border">{words.tba}</span> · ')
    out.append(words.escape(entry.kind_label))
    if entry.place:
        out.append(f" · {words.escape(entry.place)}")
    out.append("</p>\n")
    if session.round_table_id:
        out.append(
            f'  <p class="mb-1"><a href="{words.escape(entry.round_table_url)}">'
            f"{words.escape(entry.round_table_label)}</a>"
            f"{words.separator}<span{_lang(entry.round_table_title_lang)}>"
            f"{words.escape(entry.round_table_title)}</span></p>\n"
        )
    if entry.changes:
        out.append(
            '  <div class="public-agenda-changes alert alert-warning py-2 mb-2">\n'
            f'    <p class="fw-semibold mb-1">{words.changed}</p>\n'
            '    <ul class="mb-0">\n      '
        )
        for change in entry.changes:
            at = change.at
            out.append(
                f'<li><time datetime="{datetime_attribute(at)}">{words.change_time(at)}</time>'
                f"{words.separator}{escape(change.summary)}</li>"
            )
        out.append("\n    </ul>\n  </div>\n")
    if entry.people:
        out.append('  <dl class="public-agenda-people mb-1">\n    ')
        for person in entry.people:
            name, organisation = person.name, person.organisation
            comma = ", " if name and organisation else ""
            out.append(
                f"<div><dt>{words.escape(person.label)}</dt><dd>{words.escape(name)}{comma}"
                f'<span class="text-body-secondary">{words.escape(organisation)}</span></dd></div>'
            )
        out.append("\n  </dl>\n")
    if entry.running_order:
        out.append(
            '  <details class="public-agenda-running-order">\n'
            f"    <summary>{words.running_order}</summary>\n"
            '    <ol class="mb-0">\n      '
        )
        for step in entry.running_order:
            out.append("<li>")
            if step.at:
                out.append(f'<time datetime="{words.datetime_attribute(step.at)}">{step.at_text}</time> ')
            if short_steps:
                out.append(f"<span>{words.escape(step.short)}</span>")
            else:
                out.append(f"<span{_lang(step.lang)}>{words.escape(step.text)}</span>")
            out.append(f' <span class="text-body-secondary">({words.escape(step.minutes_text)})</span></li>')
        out.append("\n    </ol>\n  </details>\n")
    out.append("</article>")
    return "".join(out)


def session_blocks(entries, **options):
    """The blocks of ``entries`` one after the other (``options``: those of ``session_block``)."""
    return mark_safe("".join(session_block(entry, **options) for entry in entries))  # noqa: S308 — all escaped
