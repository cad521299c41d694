"""A session's block on the public agenda page, printed in Python.

A forum's agenda holds hundreds of sessions, each with its people, running order and changes:
Django's template engine spent about 55 ms of a 200-session page resolving some 50,000 variables
for them, more than the rest of the request together. The block is the same HTML the template
printed (``agenda.html`` places it with ``{{ session.block }}``); every value is escaped here.
"""

from html import escape

from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext


class Words:
    """The block's fixed words, translated once per page (not once per session)."""

    def __init__(self):
        self.tba = escape(_("Date to be announced"))
        self.separator = escape(pgettext("label separator", ": "))
        self.running_order = escape(_("Running order"))
        self.changed = escape(_("Changed since publication"))


def _lang(attribute):
    """``content_lang`` gives '' or ' lang="xx"' (a language code: nothing to escape)."""
    return attribute or ""


def session_block(session, *, words, level, short_steps, undated_section=False):
    """The <article> of a session decorated by ``roundtables.agenda.queries.decorate``."""
    pk = session.pk
    out = [
        f'<article class="public-agenda-session" aria-labelledby="session-{pk}-title">\n'
        f'  <h{level} id="session-{pk}-title" class="h5 mb-1"><a href="{escape(session.page_url)}">'
        f"<span{_lang(session.title_lang)}>{escape(session.title)}</span></a></h{level}>\n"
        '  <p class="public-agenda-session-when mb-1">'
    ]
    if session.local_start:
        out.append(f'<time datetime="{session.local_start.isoformat()}">{escape(session.time_text)}</time> · ')
    elif not undated_section:
        out.append(f'<span class="badge text-bg-light border">{words.tba}</span> · ')
    out.append(escape(session.kind_label))
    if session.place:
        out.append(f" · {escape(session.place)}")
    out.append("</p>\n")
    if session.round_table_id:
        out.append(
            f'  <p class="mb-1"><a href="{escape(session.round_table_url)}">{escape(session.round_table_label)}</a>'
            f"{words.separator}<span{_lang(session.round_table_title_lang)}>"
            f"{escape(session.round_table.title)}</span></p>\n"
        )
    if session.changes_shown:
        out.append(
            '  <div class="public-agenda-changes alert alert-warning py-2 mb-2">\n'
            f'    <p class="fw-semibold mb-1">{words.changed}</p>\n'
            '    <ul class="mb-0">\n      '
        )
        for entry in session.changes_shown:
            at = entry["at"]
            out.append(
                f'<li><time datetime="{at.isoformat()}">{escape(date_format(at, "j F Y, H:i"))}</time>'
                f"{words.separator}{escape(entry['change'].summary)}</li>"
            )
        out.append("\n    </ul>\n  </div>\n")
    if session.people:
        out.append('  <dl class="public-agenda-people mb-1">\n    ')
        for person in session.people:
            name, organisation = person["name"], person["organisation"]
            comma = ", " if name and organisation else ""
            out.append(
                f"<div><dt>{escape(person['label'])}</dt><dd>{escape(name)}{comma}"
                f'<span class="text-body-secondary">{escape(organisation)}</span></dd></div>'
            )
        out.append("\n  </dl>\n")
    if session.running_order:
        out.append(
            '  <details class="public-agenda-running-order">\n'
            f"    <summary>{words.running_order}</summary>\n"
            '    <ol class="mb-0">\n      '
        )
        for step in session.running_order:
            out.append("<li>")
            if step["at"]:
                out.append(f'<time datetime="{step["at"].isoformat()}">{step["at_text"]}</time> ')
            if short_steps:
                out.append(f"<span>{escape(step['short'])}</span>")
            else:
                out.append(f"<span{_lang(step['lang'])}>{escape(step['text'])}</span>")
            out.append(f' <span class="text-body-secondary">({escape(step["minutes_text"])})</span></li>')
        out.append("\n    </ol>\n  </details>\n")
    out.append("</article>")
    return mark_safe("".join(out))  # noqa: S308 — every value above is escaped
