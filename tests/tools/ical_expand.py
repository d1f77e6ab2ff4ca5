#!/usr/bin/env python3
"""Expands an iCalendar feed the way a calendar app would, with `icalendar` and
`recurring-ical-events` (PyPI): an RFC 5545 implementation independent of Lull's, over
Python's own zone database. Prints JSON:

  {"windows": [{"uid", "summary", "start", "end"}...],   (UTC, sorted; CANCELLED left out)
   "zones": [{"tzid", "mismatches": [...]}]}             (each VTIMEZONE against zoneinfo)

Usage: ical_expand.py FEED.ics FROM TO   (RFC 3339 instants)
"""
import json
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events


def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def utc(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    path, start, end = sys.argv[1:4]
    frm, to = instant(start), instant(end)
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())

    windows = []
    for ev in recurring_ical_events.of(cal).between(frm, to):
        if str(ev.get("STATUS", "")).upper() == "CANCELLED":
            continue
        # Python adds a timedelta to an aware datetime on the wall clock, so an end
        # computed in the zone is an hour off across a DST change; RFC 5545 durations
        # (DURATION, or DTEND minus DTSTART) are exact: add the length in UTC.
        start = ev.start.astimezone(timezone.utc)
        windows.append({
            "uid": str(ev["UID"]),
            "summary": str(ev["SUMMARY"]),
            "start": utc(start),
            "end": utc(start + (ev.end - ev.start)),
        })
    windows.sort(key=lambda w: (w["start"], w["uid"]))

    # The feed's own zone definitions, built from the VTIMEZONE alone (no lookup by
    # name), must give the offsets of the zone database at every hour of the range.
    zones = []
    for vtz in cal.walk("VTIMEZONE"):
        tzid = str(vtz["TZID"])
        mine, real = vtz.to_tz(lookup_tzid=False), ZoneInfo(tzid)
        mismatches = []
        t = frm
        while t < to and len(mismatches) < 5:
            a, b = t.astimezone(mine).utcoffset(), t.astimezone(real).utcoffset()
            if a != b:
                mismatches.append(f"{utc(t)}: feed {a}, zoneinfo {b}")
            t += timedelta(minutes=30)
        zones.append({"tzid": tzid, "mismatches": mismatches})

    json.dump({"windows": windows, "zones": zones}, sys.stdout)


if __name__ == "__main__":
    main()
