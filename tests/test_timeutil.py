"""School time and UTC at the edges of the calendar."""
from __future__ import annotations

from datetime import date, datetime, time

from portal.timeutil import day_end_utc, day_start_utc, local_to_utc


def test_the_first_and_last_days_of_the_calendar_do_not_overflow():
    assert day_start_utc(date(1, 1, 1)) == datetime.min
    assert local_to_utc(date(1, 1, 1), time(7, 59)) == datetime.min
    assert local_to_utc(date(1, 1, 1), time(8, 0)) == datetime(1, 1, 1, 0, 0)
    assert day_end_utc(date(9999, 12, 31)) == datetime(9999, 12, 31, 15, 59, 59)
