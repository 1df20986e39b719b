"""Chinese working days: weekends, public holidays and the 调休 weekend days that are worked,
from the maintained ``chinesecalendar`` package (the State Council's yearly notice), and a
setting for years it does not cover yet. No Flask here.

A year that neither the package nor the setting covers falls back to Monday to Friday; the
catalogue page says so (``uncovered_years``), nothing fails. The setting, in
``instance/config.py``::

    WORKDAY_CALENDAR = {"holidays": ["2027-01-01", ...], "workdays": ["2027-02-07", ...]}

lists the days of the years it covers (every holiday and every worked weekend day of those
years); a year with any day listed there counts as covered.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

import chinese_calendar

_extra_holidays: frozenset[date] = frozenset()
_extra_workdays: frozenset[date] = frozenset()


def configure(setting: Mapping[str, Iterable[str | date]] | None) -> None:
    """Take the school's own days for years the package does not cover (``WORKDAY_CALENDAR``)."""
    global _extra_holidays, _extra_workdays

    def days(key: str) -> frozenset[date]:
        return frozenset(d if isinstance(d, date) else date.fromisoformat(d) for d in (setting or {}).get(key, ()))

    _extra_holidays, _extra_workdays = days("holidays"), days("workdays")


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _configured(year: int) -> bool:
    return any(d.year == year for d in _extra_holidays | _extra_workdays)


def covered(year: int) -> bool:
    """Whether the holidays and 调休 days of ``year`` are known."""
    return _package_covers(year) or _configured(year)


def uncovered_years(start: date, end: date) -> list[int]:
    """The years between ``start`` and ``end`` whose working days are counted as weekdays only."""
    return [y for y in range(start.year, end.year + 1) if not covered(y)]


def is_working_day(day: date) -> bool:
    if day in _extra_workdays:
        return True
    if day in _extra_holidays:
        return False
    if _package_covers(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The date of the ``days``-th working day counting ``start`` itself when it is one:
    5 working days from Wednesday 30 September 2026 end on Monday 12 October (30 Sep;
    国庆 1–7 Oct off; 8, 9, the worked Saturday 10 and 12 Oct)."""
    current = start
    counted = 0
    while True:
        if is_working_day(current):
            counted += 1
            if counted >= days:
                return current
        current += timedelta(days=1)
