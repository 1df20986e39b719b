"""Chinese working days (portal.workdays): public holidays skipped, 调休 weekend days counted,
from the pinned calendar package; years it does not cover fall back to weekdays, never a crash,
and a school may supply those years' days itself (WORKDAY_CALENDAR)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest

from portal import workdays
from portal.disclosure import rules


@pytest.fixture
def own_days() -> Iterator[None]:
    yield
    workdays.configure(None)


def test_five_working_days_from_before_national_day_end_after_the_holiday() -> None:
    # Wed 30 Sep 2026; 国庆 1–7 Oct off; Thu 8, Fri 9, the worked Saturday 10 Oct, Mon 12.
    assert rules.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 12)
    assert not workdays.is_working_day(date(2026, 10, 5))  # a Monday inside the holiday
    assert workdays.is_working_day(date(2026, 10, 10))  # a Saturday worked (调休)
    assert not workdays.is_working_day(date(2026, 10, 11))


def test_spring_festival_is_skipped() -> None:
    # 2026: 春节 15–23 Feb off, Saturday 14 Feb and Saturday 28 Feb worked.
    assert workdays.is_working_day(date(2026, 2, 14)) and workdays.is_working_day(date(2026, 2, 28))
    assert rules.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 14)
    assert rules.add_working_days(date(2026, 2, 15), 1) == date(2026, 2, 24)


def test_the_gongshi_window_ends_after_the_holiday_school_time() -> None:
    start = datetime(2026, 9, 30, 2, 0)  # 10:00 +08:00
    assert rules.gongshi_window(start, 5) == (start, datetime(2026, 10, 12, 15, 59, 59))


def test_a_year_the_package_lacks_falls_back_to_weekdays_and_is_named(own_days) -> None:
    far = date(3001, 1, 1)  # a Thursday
    assert workdays.uncovered_years(far, date(3002, 3, 1)) == [3001, 3002]
    assert rules.add_working_days(far, 5) == date(3001, 1, 7)  # Thu, Fri, Mon, Tue, Wed
    assert workdays.uncovered_years(date(2026, 1, 1), date(2026, 12, 31)) == []
    workdays.configure({"holidays": ["3001-01-01", "3001-01-02"], "workdays": ["3001-01-03"]})
    assert workdays.uncovered_years(far, date(3001, 12, 31)) == []
    assert rules.add_working_days(far, 5) == date(3001, 1, 8)  # the worked Saturday 3, then 5, 6, 7, 8
