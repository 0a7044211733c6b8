"""Booking calendar rules, without a database."""

import datetime as dt

import pytest

from boucle.sharing import calendar
from boucle.sharing.calendar import CalendarError, Period

D = dt.date
TODAY = D(2026, 3, 1)


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(CalendarError):
        Period(D(2026, 3, 5), D(2026, 3, 4))
    assert Period(D(2026, 3, 5), D(2026, 3, 5)).days == 1


@pytest.mark.parametrize("a, b, expected", [
    ((3, 5), (5, 7), True),   # both ends are booked days: sharing the 5th overlaps
    ((3, 5), (6, 7), False),  # back to back
    ((3, 10), (4, 5), True),  # inside
    ((4, 5), (3, 10), True),
    ((1, 2), (8, 9), False),
])
def test_overlaps_counts_both_ends(a, b, expected):
    pa, pb = Period(D(2026, 3, a[0]), D(2026, 3, a[1])), Period(D(2026, 3, b[0]), D(2026, 3, b[1]))
    assert calendar.overlaps(pa, pb) is expected
    assert calendar.overlaps(pb, pa) is expected


def test_check_request_refuses_an_overlap_and_says_with_what():
    taken = [Period(D(2026, 3, 10), D(2026, 3, 12)), Period(D(2026, 3, 20), D(2026, 3, 21))]
    calendar.check_request(Period(D(2026, 3, 13), D(2026, 3, 19)), windows=[], taken=taken, today=TODAY)
    with pytest.raises(CalendarError) as error:
        calendar.check_request(Period(D(2026, 3, 12), D(2026, 3, 14)), windows=[], taken=taken, today=TODAY)
    assert error.value.code == "overlap" and "2026-03-10" in error.value.detail


def test_check_request_refuses_the_past_and_dates_outside_the_windows():
    windows = [Period(D(2026, 3, 1), D(2026, 3, 15)), Period(D(2026, 4, 1), D(2026, 4, 30))]
    calendar.check_request(Period(D(2026, 4, 2), D(2026, 4, 3)), windows=windows, taken=[], today=TODAY)
    for period, code in [(Period(D(2026, 2, 27), D(2026, 3, 2)), "in_the_past"),
                         (Period(D(2026, 3, 14), D(2026, 4, 2)), "outside_windows"),  # straddles the gap
                         (Period(D(2026, 3, 1), D(2027, 3, 5)), "too_long")]:
        with pytest.raises(CalendarError) as error:
            calendar.check_request(period, windows=windows, taken=[], today=TODAY)
        assert error.value.code == code


def test_no_window_means_always_available():
    assert calendar.within_windows(Period(D(2030, 1, 1), D(2030, 1, 2)), [])


def test_parse_windows_accepts_usual_separators_and_merges():
    text = "2026-03-01 2026-03-10\n\n2026-03-08 au 2026-03-20\n2026-05-01 - 2026-05-02\n2026-03-21..2026-03-22"
    assert calendar.parse_windows(text) == [Period(D(2026, 3, 1), D(2026, 3, 22)), Period(D(2026, 5, 1), D(2026, 5, 2))]


@pytest.mark.parametrize("text, code, line", [
    ("2026-03-01 2026-03-10\nlundi au vendredi", "bad_line", 2),
    ("2026-02-30 2026-03-10", "bad_date", 1),
    ("2026-03-10 2026-03-01", "dates_order", 1),
])
def test_parse_windows_points_at_the_wrong_line(text, code, line):
    with pytest.raises(CalendarError) as error:
        calendar.parse_windows(text)
    assert (error.value.code, error.value.line) == (code, line)


def test_windows_round_trip_through_json_and_text():
    periods = [Period(D(2026, 3, 1), D(2026, 3, 10))]
    assert calendar.from_json(calendar.to_json(periods)) == periods
    assert calendar.parse_windows(calendar.to_text(periods)) == periods


def test_the_rule_modules_import_no_django():
    """They are the functional core of both apps: usable (and tested) without a settings module."""
    import subprocess
    import sys

    code = ("import sys, boucle.sharing.calendar, boucle.sharing.visibility, boucle.projects.rules; "
            "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], env={"PATH": ""}).returncode == 0
