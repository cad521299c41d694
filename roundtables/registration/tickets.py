"""What a registered person takes to the door: the check-in code as a QR code, and a calendar entry."""

import datetime

import qrcode
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event
from qrcode.image.svg import SvgPathFillImage

from roundtables.agenda.feeds import event_uid, vtimezone
from roundtables.agenda.queries import place
from roundtables.models import Registration
from roundtables.registration.codes import display

COMMON_SPACE = "common-space"

# Sessions take place where the forum is; the 2017 forum is in Berlin (the site's TIME_ZONE).
PRODID = "-//GFMD Portal//Registrations//EN"


def registration_page_url(session):
    """The participant's page of a session: the common space has its own short address."""
    if session.slug == COMMON_SPACE:
        return reverse("roundtables:common-space")
    return reverse("roundtables:session-registration", kwargs={"slug": session.slug})


def qr_svg(code):
    """The code as an SVG QR code (a white background, so it scans in dark mode too); no Pillow needed."""
    image = qrcode.make(code, image_factory=SvgPathFillImage, border=4)
    return image.to_string(encoding="unicode")


def calendar_uid(registration):
    """The session's UID in the agenda's feeds (``session-<id>@<site host>``), stable across downloads:
    a calendar updates the event instead of adding a second one, also when the person imports the
    file and subscribes to a feed that carries the same session."""
    return event_uid(registration.session)


def when(session):
    """(start, end, all_day) of a session: its own times, else the forum's days, else None."""
    if session.start:
        return session.start, session.end, False
    forum = session.forum
    if forum.start_date:
        return forum.start_date, forum.end_date or forum.start_date, True
    return None


_ICS_STATUS = {
    Registration.Status.CONFIRMED: "CONFIRMED",
    Registration.Status.WAITLISTED: "TENTATIVE",
    Registration.Status.CANCELLED: "CANCELLED",
}


def calendar(registration, *, page_url):
    """The registration as an iCalendar file (bytes), or None when the session has no date at all."""
    session = registration.session
    timing = when(session)
    if timing is None:
        return None
    start, end, all_day = timing
    event = Event()
    event.add("uid", calendar_uid(registration))
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC).replace(microsecond=0))
    event.add("summary", session.title)
    zone = None
    if all_day:
        event.add("dtstart", start)
        event.add("dtend", end + datetime.timedelta(days=1))  # DTEND of an all-day event is exclusive
    else:
        zone = session.forum.zone()
        event.add("dtstart", start.astimezone(zone))
        if end:
            event.add("dtend", end.astimezone(zone))
    location = place(session)
    if location:
        event.add("location", location)
    lines = [str(session.forum), f"{_('Registration')}: {registration.get_status_display()}"]
    if registration.status == Registration.Status.CONFIRMED:
        lines.append(f"{_('Check-in code')}: {display(registration.checkin_code)}")
    lines.append(page_url)
    event.add("description", "\n".join(line for line in lines if line.strip()))
    event.add("url", page_url)
    event.add("status", _ICS_STATUS[registration.status])
    # As in the feeds: a calendar that holds the session from a feed keeps the newer version.
    event.add("sequence", int(session.version))
    if session.updated:
        event.add("last-modified", session.updated.astimezone(datetime.UTC).replace(microsecond=0))
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if zone is not None:
        # The feeds' VTIMEZONE (icalendar's own is read an hour off by ical.js and vobject).
        cal.add_component(vtimezone(zone.key))
    cal.add_component(event)
    return cal.to_ical()
