"""iCalendar (RFC 5545) feeds of the agenda, and the secret keys of people's private feeds.

Each published session with a start is one VEVENT whose UID never changes
(``session-<id>@<site host>``): a calendar that fetches the feed again updates the event instead
of adding a second one; SEQUENCE is the session's version and LAST-MODIFIED its last save. Times
carry the forum's time zone (TZID) and the feed holds its VTIMEZONE. Sessions without a start
("date to be announced") are left out: an all-day event over the forum's days would tell a
calendar something the organisers have not said; they appear in the feed once dated.
"""

import datetime
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone

from roundtables.models import CalendarFeedToken, zone_named
from roundtables.tickets import place

PRODID = "-//GFMD Portal//Agenda//EN"


def uid_host():
    """The host part of every UID: the site's address (SITE_URL), stable across requests and servers."""
    return urlsplit(settings.SITE_URL).hostname or "gfmd-portal"


def event_uid(session):
    return f"session-{session.pk}@{uid_host()}"


def _headings():
    """The feed's few fixed words, translated once per feed."""
    return {"running_order": _("Running order"), "changed": _("Changed since publication")}


def _description(session, url, headings):
    """Plain text: round table, people, running order, changes since publication, the page's address."""
    lines = []
    if session.round_table_id:
        lines.append(f"{session.round_table_label}: {session.round_table.title}")
    if session.description:
        lines += ["", session.description]
    if session.people:
        lines.append("")
        for person in session.people:
            who = ", ".join(part for part in (person["name"], person["organisation"]) if part)
            lines.append(f"{person['label']}: {who}")
    if session.running_order:
        lines += ["", headings["running_order"]]
        for step in session.running_order:
            at = f"{step['at_text']} " if step["at_text"] else ""
            # The question's number, not its text: the feed stays small; the page has the text.
            lines.append(f"{at}{step['short']} ({step['minutes_text']})")
    if session.changes_shown:
        lines += ["", headings["changed"]]
        for change in session.changes_shown:
            lines.append(f"{change['at']:%Y-%m-%d}: {change['change'].summary}")
    lines += ["", url]
    return "\n".join(lines)


def event(session, *, url, stamp, headings=None):
    """The VEVENT of a decorated session (roundtables.agenda_views.decorate) that has a start."""
    zone = session.forum.zone()
    item = Event()
    item.add("uid", event_uid(session))
    item.add("dtstamp", stamp)
    item.add("dtstart", session.start.astimezone(zone))
    if session.end:
        item.add("dtend", session.end.astimezone(zone))
    else:
        minutes = sum(step["minutes"] for step in session.running_order)
        if minutes:
            item.add("duration", datetime.timedelta(minutes=minutes))
    item.add("summary", session.title)
    location = place(session)
    if location:
        item.add("location", location)
    item.add("description", _description(session, url, headings or _headings()))
    item.add("url", url)
    item.add("categories", [session.kind_label])
    item.add("status", "CONFIRMED")
    item.add("sequence", session.version)
    if session.updated:
        item.add("last-modified", session.updated.astimezone(datetime.UTC))
    return item


def calendar(sessions, *, name, time_zone, url_for):
    """The feed (bytes) of decorated ``sessions``: one event for each session with a start."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", time_zone)
    # Calendar applications that honour it fetch the feed again within the hour.
    cal.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    # The forum's zone even when no session is dated yet, so that the feed always says where it is.
    cal.add_component(Timezone.from_tzid(zone_named(time_zone).key))
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    headings = _headings()
    for session in sessions:
        if session.start is not None:
            cal.add_component(event(session, url=url_for(session), stamp=stamp, headings=headings))
    cal.add_missing_timezones()  # sessions of another forum (a person's own feed) bring their zone
    # Calendar.to_ical() folds long lines one character at a time, a third of a big feed's time:
    # the same content lines, folded by ``fold``.
    return b"\r\n".join(fold(line).encode() for line in cal.content_lines() if line) + b"\r\n"


def fold(line, limit=75):
    """RFC 5545 folding: lines of at most ``limit`` octets, continued after CRLF and a space.

    Like icalendar's own folding, never splits right after a backslash or a caret (an escape)."""
    if len(line) < limit and line.isascii():
        return line
    width = limit - 1  # a continuation starts with a space
    parts, start, end_of_line = [], 0, len(line)
    while start < end_of_line:
        end = min(end_of_line, start + width)
        while len(line[start:end].encode()) > width:
            end -= 1
        if end < end_of_line and end - start > 1 and line[end - 1] in "\\^":
            end -= 1
        parts.append(line[start:end])
        start = end
    return "\r\n ".join(parts)


# --- Private feed addresses ----------------------------------------------------------------------


def active_token(person):
    """The person's current feed key, or None."""
    return CalendarFeedToken.objects.filter(person=person, revoked_at__isnull=True).order_by("-created").first()


@transaction.atomic
def revoke_tokens(*, person):
    """Revoke every live key of ``person``; returns how many there were. Their URLs are a 404 at once."""
    return CalendarFeedToken.objects.filter(person=person, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def issue_token(*, person):
    """A new secret key for ``person``'s feed; any previous one is revoked. One live key per person,
    also when two requests race (the person's row is locked)."""
    get_user_model().objects.select_for_update().filter(pk=person.pk).first()
    revoke_tokens(person=person)
    return CalendarFeedToken.objects.create(person=person, key=secrets.token_urlsafe(32))
