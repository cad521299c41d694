"""iCalendar (RFC 5545) feeds of the agenda, and the secret keys of people's private feeds.

Each published session with a start is one VEVENT whose UID never changes
(``session-<id>@<site host>``): a calendar that fetches the feed again updates the event instead
of adding a second one; SEQUENCE is the session's version and LAST-MODIFIED its last save. The
registration's calendar file (roundtables/registration/tickets.py) uses the same UID, so that a
person who imports both has one event. Times carry the forum's time zone (TZID) and the feed holds
its VTIMEZONE (``vtimezone``). Sessions without a start ("date to be announced") are left out: an
all-day event over the forum's days would tell a calendar something the organisers have not said;
they appear in the feed once dated.
"""

import datetime
import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vDuration

from roundtables.agenda.queries import place
from roundtables.models import zone_named

PRODID = "-//GFMD Portal//Agenda//EN"


def uid_host():
    """The host part of every UID: the site's address (SITE_URL), stable across requests and servers."""
    return urlsplit(settings.SITE_URL).hostname or "gfmd-portal"


def event_uid(session, host=None):
    """The session's UID; ``host``: ``uid_host()``, when the caller has it (a feed of hundreds of events)."""
    return f"session-{session.pk}@{host or uid_host()}"


def _headings():
    """The feed's few fixed words, translated once per feed."""
    return {"running_order": _("Running order"), "changed": _("Changed since publication")}


def _description(entry, url, headings):
    """Plain text: round table, description, people, running order, changes since publication, the
    page's address; blocks separated by an empty line, never starting with one."""
    session = entry.session
    blocks = []
    if session.round_table_id:
        blocks.append([f"{entry.round_table_label}: {entry.round_table_title}"])
    description = session.description  # a translated field: looked up once
    if description:
        blocks.append([description])
    if entry.people:
        people = []
        for person in entry.people:
            who = ", ".join(part for part in (person.name, person.organisation) if part)
            people.append(f"{person.label}: {who}")
        blocks.append(people)
    if entry.running_order:
        steps = [headings["running_order"]]
        for step in entry.running_order:
            at = f"{step.at_text} " if step.at_text else ""
            # The question's number, not its text: the feed stays small; the page has the text.
            steps.append(f"{at}{step.short} ({step.minutes_text})")
        blocks.append(steps)
    if entry.changes:
        changes = [headings["changed"]]
        for change in entry.changes:
            changes.append(f"{change.at:%Y-%m-%d}: {change.summary}")
        blocks.append(changes)
    blocks.append([url])
    return "\n\n".join("\n".join(block) for block in blocks)


def text(value):
    """An RFC 5545 TEXT value (section 3.3.11), escaped as icalendar's ``vText`` escapes it (without
    building a ``vText`` and its parameters for each value: a big feed has thousands): backslashes,
    semicolons and commas escaped, each line break (CRLF, LF or CR; or an escaped ``\\N``) as ``\\n``."""
    return (
        str(value)
        .replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _utc(value):
    return f"{value.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}"


def event_lines(entry, *, url, dtstamp, host, headings=None, zone=None):
    """The content lines (unfolded) of the VEVENT of an ``AgendaSession`` (roundtables.agenda.queries)
    whose session has a start.

    Written directly rather than through icalendar's objects: building an ``Event`` per session and
    serialising it was most of a 200-session feed's time. The tests parse every feed with icalendar.
    ``dtstamp``: the feed's time in UTC (``_utc``); ``host``: ``uid_host()``; both the same for every event.
    """
    session = entry.session
    zone = zone or session.forum.zone()
    tzid = zone.key
    lines = [
        "BEGIN:VEVENT",
        f"UID:{text(event_uid(session, host))}",
        f"DTSTAMP:{dtstamp}",
        f"DTSTART;TZID={tzid}:{session.start.astimezone(zone):%Y%m%dT%H%M%S}",
    ]
    if session.end:
        lines.append(f"DTEND;TZID={tzid}:{session.end.astimezone(zone):%Y%m%dT%H%M%S}")
    else:
        minutes = sum(step.minutes for step in entry.running_order)
        if minutes:
            lines.append("DURATION:" + vDuration(datetime.timedelta(minutes=minutes)).to_ical().decode())
    lines.append(f"SUMMARY:{text(session.title)}")
    location = place(session)
    if location:
        lines.append(f"LOCATION:{text(location)}")
    lines += [
        f"DESCRIPTION:{text(_description(entry, url, headings or _headings()))}",
        f"URL:{url}",
        f"CATEGORIES:{text(entry.kind_label)}",
        "STATUS:CONFIRMED",
        f"SEQUENCE:{int(session.version)}",
    ]
    if session.updated:
        lines.append(f"LAST-MODIFIED:{_utc(session.updated)}")
    lines.append("END:VEVENT")
    return lines


# --- VTIMEZONE ----------------------------------------------------------------------------------

# The span a VTIMEZONE describes (icalendar's own default): every forum's sessions fall in it.
ZONE_FIRST_DATE = Timezone.DEFAULT_FIRST_DATE
ZONE_LAST_DATE = Timezone.DEFAULT_LAST_DATE


def _offset_state(zone, utc):
    local = utc.astimezone(zone)
    return local.utcoffset(), bool(local.dst()), local.tzname() or ""


def transitions(zone, first=ZONE_FIRST_DATE, last=ZONE_LAST_DATE):
    """The state of ``zone`` (a ZoneInfo) at local midnight of ``first``, then each change of its
    UTC offset, daylight-saving flag or name until ``last``: ``(utc, offset_from, offset_to, name, dst)``,
    found from the zone itself (UTC arithmetic: no wall-clock ambiguity)."""
    start = datetime.datetime.combine(first, datetime.time(), zone).astimezone(datetime.UTC)
    end = datetime.datetime.combine(last, datetime.time(), zone).astimezone(datetime.UTC)
    offset, dst, name = state = _offset_state(zone, start)
    found = [(start, offset, offset, name, dst)]
    day = datetime.timedelta(days=1)
    moment = start
    while moment < end:
        after = moment + day
        new = _offset_state(zone, after)
        if new != state:
            # The change lies in (moment, after]: halve to the second.
            low, high = moment, after
            while high - low > datetime.timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _offset_state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            found.append((high, state[0], new[0], new[2], new[1]))
            state = new
        moment = after
    return found


@functools.lru_cache(maxsize=32)
def vtimezone(tzid):
    """The VTIMEZONE of ``tzid`` (an IANA name), built once per process from the zone database.

    Not icalendar's ``Timezone.from_tzinfo``, whose VTIMEZONE calendar applications built on
    ical.js (Thunderbird, Nextcloud) and vobject read an hour off in summer: it lists each kind
    of change in one comma-separated RDATE, of which these read only the first date, and gives
    the onset of daylight time as the wall time after the change (03:00 in Berlin). Here, as
    RFC 5545 (section 3.6.5) has it, each onset is the local time *before* the change (TZOFFSETFROM),
    and each change after the first is an RDATE of its own. The component is shared: add it to a
    calendar, never change it.
    """
    zone = zone_named(tzid)
    observances = {}
    for utc, offset_from, offset_to, name, dst in transitions(zone):
        onset = (utc + offset_from).replace(tzinfo=None)
        observances.setdefault((offset_from, offset_to, name, dst), []).append(onset)
    result = Timezone()
    result.add("TZID", tzid)
    result.add("COMMENT", f"This time zone is described from {ZONE_FIRST_DATE} to {ZONE_LAST_DATE}.")
    for (offset_from, offset_to, name, dst), onsets in sorted(observances.items(), key=lambda item: item[1][0]):
        observance = TimezoneDaylight() if dst else TimezoneStandard()
        observance.add("DTSTART", onsets[0])
        observance.add("TZOFFSETFROM", offset_from)
        observance.add("TZOFFSETTO", offset_to)
        if name:
            observance.add("TZNAME", name)
        for onset in onsets[1:]:
            observance.add("RDATE", onset)
        result.add_component(observance)
    return result


@functools.lru_cache(maxsize=32)
def timezone_lines(tzid):
    """The VTIMEZONE of ``tzid`` as content lines; the same for every feed, so built once per process."""
    return tuple(line for line in vtimezone(tzid).content_lines() if line)


def calendar(entries, *, name, time_zone, url_for):
    """The feed (bytes) of ``entries`` (AgendaSessions): one event for each session with a start.
    ``url_for(entry)``: the absolute address of the session's page."""
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
    lines = [line for line in cal.content_lines() if line and line != "END:VCALENDAR"]
    # The forum's zone even when no session is dated yet, so that the feed always says where it is;
    # then the zone of any session of another forum (a person's own feed).
    zones = [zone_named(time_zone).key]
    dtstamp, host = _utc(timezone.now().replace(microsecond=0)), uid_host()
    headings = _headings()
    events = []
    for entry in entries:
        if entry.session.start is not None:
            zone = entry.session.forum.zone()
            events += event_lines(entry, url=url_for(entry), dtstamp=dtstamp, host=host, headings=headings, zone=zone)
            if zone.key not in zones:
                zones.append(zone.key)
    for tzid in zones:
        lines += timezone_lines(tzid)
    lines += events
    lines.append("END:VCALENDAR")
    return ("\r\n".join(map(fold, lines)) + "\r\n").encode()


def fold(line, limit=75):
    """RFC 5545 folding: lines of at most ``limit`` octets, continued after CRLF and a space.

    Like icalendar's own folding, never splits right after a backslash or a caret (an escape)."""
    if len(line) < limit and line.isascii():
        return line
    width = limit - 1  # a continuation starts with a space
    one_octet_each = line.isascii()
    parts, start, end_of_line = [], 0, len(line)
    while start < end_of_line:
        end = min(end_of_line, start + width)
        while not one_octet_each and len(line[start:end].encode()) > width:
            end -= 1
        if end < end_of_line and end - start > 1 and line[end - 1] in "\\^":
            end -= 1
        parts.append(line[start:end])
        start = end
    return "\r\n ".join(parts)
