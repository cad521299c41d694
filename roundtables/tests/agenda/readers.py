"""The portal's calendar files as independent iCalendar readers read them: ical.js (Thunderbird,
Nextcloud) and node-ical through node (.ci/js/read.mjs), vobject (python-dateutil's tzical on the
file's own VTIMEZONE), and icalendar with zoneinfo (the TZID's zone from the zone database).

``read_all(content)``: ``{reader: {uid: (start, end)}}``, times as aware UTC datetimes.
"""

import datetime
import json
import shutil
import subprocess
from pathlib import Path

import icalendar
import vobject
from django.conf import settings

JS = Path(settings.BASE_DIR) / ".ci" / "js"
READERS = ("ical.js", "node-ical", "vobject", "icalendar")


def _utc(value):
    assert isinstance(value, datetime.datetime) and value.tzinfo is not None, value
    return value.astimezone(datetime.UTC)


def read_with_icalendar(content):
    found = {}
    for event in icalendar.Calendar.from_ical(content).walk("VEVENT"):
        start = event.decoded("DTSTART")
        end = event.decoded("DTEND") if "DTEND" in event else start + event.decoded("DURATION")
        found[str(event["UID"])] = (_utc(start), _utc(end))
    return found


def read_with_vobject(content):
    found = {}
    for event in vobject.readOne(content.decode()).vevent_list:
        start = event.dtstart.value
        end = event.dtend.value if hasattr(event, "dtend") else start + event.duration.value
        found[event.uid.value] = (_utc(start), _utc(end))
    return found


def _iso(value):
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def read_with_node(content):
    """{"ical.js": {uid: (start, end)}, "node-ical": {...}} from .ci/js/read.mjs."""
    result = subprocess.run(
        ["node", str(JS / "read.mjs"), "-"], input=content, capture_output=True, check=True, timeout=60
    )
    return {
        reader: {event["uid"]: (_iso(event["start"]), _iso(event["end"])) for event in events}
        for reader, events in json.loads(result.stdout).items()
    }


def read_all(content):
    return {
        **read_with_node(content),
        "vobject": read_with_vobject(content),
        "icalendar": read_with_icalendar(content),
    }


def require_node(request):
    """node and the pinned packages of .ci/js (``npm ci`` when node_modules is missing); without
    node or npm the test is skipped, or fails with --require-services."""
    from conftest import _missing  # the root conftest

    if shutil.which("node") is None or shutil.which("npm") is None:
        _missing(request, "Node.js with npm (the ical.js and node-ical readers)")
    if not (JS / "node_modules" / "ical.js").is_dir() or not (JS / "node_modules" / "node-ical").is_dir():
        subprocess.run(
            ["npm", "ci", "--prefix", str(JS), "--no-audit", "--no-fund"], check=True, capture_output=True, timeout=300
        )


def assert_valid(content):
    """What RFC 5545 asks of the portal's files and the readers above rely on: CRLF lines of at most
    75 octets; each VEVENT with UID, DTSTAMP and DTSTART; each TZID of a property defined by a
    VTIMEZONE of the file, each VTIMEZONE used or the calendar's own (X-WR-TIMEZONE); no text
    starting with an empty line; one date per RDATE (ical.js reads only the first of a list)."""
    assert content.endswith(b"\r\n")
    lines = content.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert not any(b"\n" in line or b"\r" in line for line in lines)
    calendar = icalendar.Calendar.from_ical(content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    defined = [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")]
    assert len(defined) == len(set(defined))
    used = set()
    for event in calendar.walk("VEVENT"):
        assert {"UID", "DTSTAMP", "DTSTART"} <= set(event)
        assert not ("DTEND" in event and "DURATION" in event)
        assert event.decoded("DTSTAMP").utcoffset() == datetime.timedelta(0)
        for name in ("DTSTART", "DTEND"):
            if name in event and "TZID" in event[name].params:
                used.add(event[name].params["TZID"])
        for name in ("DESCRIPTION", "SUMMARY", "LOCATION"):
            if name in event:
                assert str(event[name]) == str(event[name]).strip(), name
    assert used <= set(defined)
    assert set(defined) <= used | {str(calendar.get("X-WR-TIMEZONE", ""))}
    for zone in calendar.walk("VTIMEZONE"):
        assert zone.subcomponents
        for observance in zone.subcomponents:
            assert {"DTSTART", "TZOFFSETFROM", "TZOFFSETTO"} <= set(observance)
    assert not any(line.startswith(b"RDATE") and b"," in line for line in lines)
