// Reads an iCalendar file as ical.js (Thunderbird, Nextcloud) and node-ical read it, and prints,
// for each parser, every VEVENT's UID, start and end as UTC ISO strings, as JSON:
//   node .ci/js/read.mjs calendar.ics     (or "-" for standard input)
//   {"ical.js": [{"uid": "...", "start": "2017-06-28T07:00:00.000Z", "end": "..."}], "node-ical": [...]}
// Used by roundtables/tests/calendar_readers.py; install with `npm ci --prefix .ci/js`.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import ICAL from "ical.js";

const nodeIcal = createRequire(import.meta.url)("node-ical");

const text = readFileSync(process.argv[2] === "-" || !process.argv[2] ? 0 : process.argv[2], "utf8");
const iso = (value) => (value ? value.toISOString() : null);

function readWithIcalJs(source) {
  const calendar = new ICAL.Component(ICAL.parse(source));
  // As a calendar application does: the file's own VTIMEZONEs define its TZIDs.
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
  }
  return calendar.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return { uid: event.uid, start: iso(event.startDate.toJSDate()), end: iso(event.endDate?.toJSDate()) };
  });
}

function readWithNodeIcal(source) {
  return Object.values(nodeIcal.sync.parseICS(source))
    .filter((component) => component.type === "VEVENT")
    .map((event) => ({ uid: event.uid, start: iso(event.start), end: iso(event.end) }));
}

console.log(JSON.stringify({ "ical.js": readWithIcalJs(text), "node-ical": readWithNodeIcal(text) }));
