"""Dates to SimpleFIN's epoch seconds, and windows cut to the bridge's 90 days per request.

`start-date` is inclusive and `end-date` exclusive (the spec: "before (but not on)"), so the
days `since` to `until`, both included, are [since 00:00, until + 1 day 00:00) in the
connector's time zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BRIDGE_WINDOW_DAYS = 90
"""The bridge answers at most 90 days between start-date and end-date in one request."""
BRIDGE_WINDOW_S = BRIDGE_WINDOW_DAYS * 86_400


def day_start(day: date, zone: ZoneInfo) -> int:
    """The epoch second at which `day` begins in `zone`."""
    return int(datetime.combine(day, time(0), tzinfo=zone).timestamp())


def day_of(epoch: int, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(epoch, zone).date()


def window_params(since: date, until: date, zone: ZoneInfo) -> dict[str, str]:
    """start-date and end-date for the days `since` to `until`, both included."""
    return {
        "start-date": str(day_start(since, zone)),
        "end-date": str(day_start(until + timedelta(days=1), zone)),
    }


def bridge_windows(since: date, until: date, zone: ZoneInfo) -> list[tuple[date, date]]:
    """[since, until] cut into consecutive windows the bridge accepts, oldest first.

    A window is 90 days unless a daylight-saving change would make it an hour longer.
    """
    windows: list[tuple[date, date]] = []
    start = since
    while start <= until:
        end = min(until, start + timedelta(days=BRIDGE_WINDOW_DAYS - 1))
        while day_start(end + timedelta(days=1), zone) - day_start(start, zone) > BRIDGE_WINDOW_S:
            end -= timedelta(days=1)
        windows.append((start, end))
        start = end + timedelta(days=1)
    return windows
