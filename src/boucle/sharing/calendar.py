"""Booking calendar rules for shared equipment (pure: dates in, decisions out).

Periods are whole days, both ends included: a press booked 3 to 5 March is busy on
the 5th, so a request starting on the 5th overlaps. An offer without availability
windows is available any day; with windows, a booking must fit inside one window
(a booking straddling two windows would need the machine during the gap).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_WINDOWS = 50
MAX_BOOKING_DAYS = 366


class CalendarError(ValueError):
    """A refused period; ``code`` is stable (views translate it), ``line`` points into a windows text."""

    def __init__(self, code: str, line: int | None = None, detail: str = ""):
        super().__init__(f"{code}{f' (line {line})' if line else ''}{f': {detail}' if detail else ''}")
        self.code, self.line, self.detail = code, line, detail


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise CalendarError("dates_order")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def overlaps(a: Period, b: Period) -> bool:
    return a.start <= b.end and b.start <= a.end


def conflicts(candidate: Period, taken: Iterable[Period]) -> list[Period]:
    """The taken periods the candidate would collide with, earliest first."""
    return sorted(p for p in taken if overlaps(candidate, p))


def within_windows(candidate: Period, windows: Iterable[Period]) -> bool:
    windows = list(windows)
    return not windows or any(w.start <= candidate.start and candidate.end <= w.end for w in windows)


def check_request(candidate: Period, *, windows: Iterable[Period], taken: Iterable[Period], today: dt.date) -> None:
    """Why a booking for ``candidate`` cannot be made (raises), in the order a user fixes them."""
    if candidate.start < today:
        raise CalendarError("in_the_past")
    if candidate.days > MAX_BOOKING_DAYS:
        raise CalendarError("too_long")
    if not within_windows(candidate, windows):
        raise CalendarError("outside_windows")
    clash = conflicts(candidate, taken)
    if clash:
        raise CalendarError("overlap", detail=f"{clash[0].start.isoformat()} – {clash[0].end.isoformat()}")


_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:–|—|-|\.\.|→|to|au|à)?\s*(\d{4}-\d{2}-\d{2})\s*$")


def parse_windows(text: str) -> list[Period]:
    """Availability windows typed one per line, ``2026-03-02 2026-03-20`` (a dash or "au" between is fine).

    Overlapping windows are merged, so the stored list is sorted and disjoint.
    """
    periods = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if not match:
            raise CalendarError("bad_line", number, line.strip()[:60])
        try:
            start, end = (dt.date.fromisoformat(g) for g in match.groups())
        except ValueError:
            raise CalendarError("bad_date", number, line.strip()[:60]) from None
        try:
            periods.append(Period(start, end))
        except CalendarError:
            raise CalendarError("dates_order", number, line.strip()[:60]) from None
    if len(periods) > MAX_WINDOWS:
        raise CalendarError("too_many")
    return merge(periods)


def merge(periods: Iterable[Period]) -> list[Period]:
    merged: list[Period] = []
    for p in sorted(periods):
        if merged and p.start <= merged[-1].end + dt.timedelta(days=1):
            merged[-1] = Period(merged[-1].start, max(merged[-1].end, p.end))
        else:
            merged.append(p)
    return merged


def to_json(periods: Iterable[Period]) -> list[list[str]]:
    return [[p.start.isoformat(), p.end.isoformat()] for p in periods]


def from_json(data) -> list[Period]:
    return [Period(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in (data or [])]


def to_text(periods: Iterable[Period]) -> str:
    return "\n".join(f"{p.start.isoformat()} {p.end.isoformat()}" for p in periods)
