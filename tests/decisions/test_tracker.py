"""The arithmetic of reporting back, with time frozen by choosing ``today``."""
from __future__ import annotations

from datetime import date

import pytest

from portal.decisions.rules.tracker import (
    TrackStatus,
    add_months,
    due_soon,
    next_report_due,
    on_time_share,
    track_status,
)

START = date(2026, 3, 10)


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 10), -12) == date(2025, 3, 10)


def test_due_dates_by_cadence():
    assert next_report_due("monthly", START, None, None) == date(2026, 4, 10)
    assert next_report_due("monthly", START, date(2026, 4, 8), None) == date(2026, 5, 8)
    assert next_report_due("term", START, None, None) == date(2026, 9, 10)
    assert next_report_due("once", START, None, date(2026, 6, 30)) == date(2026, 6, 30)
    assert next_report_due("once", START, date(2026, 6, 1), date(2026, 6, 30)) is None
    assert next_report_due("monthly", None, None, None) is None  # awaiting approval


@pytest.mark.parametrize("today,status", [
    (date(2026, 4, 10), TrackStatus.ON_TRACK),  # due today: not late
    (date(2026, 4, 11), TrackStatus.REPORT_LATE),  # due yesterday: late
])
def test_a_report_due_today_is_not_late_due_yesterday_is(today, status):
    due = next_report_due("monthly", START, None, None)
    assert track_status("open", today, date(2026, 12, 31), due) is status


def test_deadline_edges_and_final_states():
    assert track_status("open", date(2026, 6, 30), date(2026, 6, 30), None) is TrackStatus.ON_TRACK
    assert track_status("open", date(2026, 7, 1), date(2026, 6, 30), None) is TrackStatus.PAST_DEADLINE
    assert track_status("done", date(2030, 1, 1), date(2026, 6, 30), None) is TrackStatus.DONE
    assert track_status("changed", date(2030, 1, 1), date(2026, 6, 30), None) is TrackStatus.CHANGED
    assert track_status("awaiting_approval", date(2030, 1, 1), None, None) is TrackStatus.AWAITING_APPROVAL


@pytest.mark.parametrize("today,warn", [(date(2026, 4, 6), False), (date(2026, 4, 7), True),
                                        (date(2026, 4, 10), True), (date(2026, 4, 11), False)])
def test_owner_warned_three_days_ahead(today, warn):
    due = date(2026, 4, 10)
    assert due_soon(today, due, track_status("open", today, None, due)) is warn


def test_on_time_share_over_twelve_months_counts_missing_reports():
    today = date(2026, 12, 1)
    reports = [(date(2025, 11, 30), False), (date(2026, 1, 5), True), (date(2026, 6, 1), True), (date(2026, 9, 1), False)]
    share = on_time_share(reports, missing_now=1, today=today)
    assert (share.on_time, share.due, share.percent) == (2, 4, "50%")
    assert on_time_share([], 0, today).percent == "—"
