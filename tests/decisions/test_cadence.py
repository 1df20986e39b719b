"""Issue 20.2: cadence by the calendar (党组织会议每月至少召开1次; the office meeting weekly):
whole calendar months and weeks without a meeting, not a rolling 31 or 7 days. Worked dates,
plain functions."""
from __future__ import annotations

from datetime import date, time

import pytest

from portal.decisions.rules import meetings as meeting_rules
from portal.decisions.rules import procedure as pr
from portal.timeutil import local_to_utc
from tests.decisions import factories as f
from tests.decisions.factories import ms, user


def test_met_on_1_november_is_not_late_on_7_december():
    # a rolling 31 days flagged this on 3 December
    assert pr.missed_periods([date(2026, 9, 8), date(2026, 11, 1)], date(2026, 9, 1), date(2026, 12, 7),
                             "month") == [(date(2026, 10, 1), date(2026, 10, 31))]  # October had none; December is not over
    assert pr.missed_periods([date(2026, 10, 20), date(2026, 11, 1)], date(2026, 10, 1), date(2026, 12, 7),
                             "month") == []
    assert pr.cadence_due(date(2026, 11, 1), date(2026, 9, 1), "month") == date(2026, 12, 31)


def test_31_january_to_3_march_misses_february():
    # a rolling 31 days let this pass (31 Jan + 31 = 3 Mar)
    assert pr.missed_periods([date(2027, 1, 31), date(2027, 3, 3)], date(2027, 1, 1), date(2027, 3, 31),
                             "month") == [(date(2027, 2, 1), date(2027, 2, 28))]


def test_weeks_run_monday_to_sunday():
    # Friday 4 Dec then Monday 14 Dec: the week of 7–13 December had none, though only 10 days passed
    assert pr.period_of(date(2026, 12, 9), "week") == (date(2026, 12, 7), date(2026, 12, 13))
    assert pr.missed_periods([date(2026, 12, 4), date(2026, 12, 14)], date(2026, 11, 30), date(2026, 12, 20),
                             "week") == [(date(2026, 12, 7), date(2026, 12, 13))]
    # Monday 30 Nov then Sunday 13 Dec: 13 days apart, yet each week had its meeting
    assert pr.missed_periods([date(2026, 11, 30), date(2026, 12, 13)], date(2026, 11, 30), date(2026, 12, 14),
                             "week") == []
    assert pr.periods_in(date(2026, 11, 30), date(2026, 12, 14), "week") == 2


def test_a_period_adopted_in_the_middle_of_is_not_asked_for():
    assert pr.missed_periods([], date(2026, 1, 15), date(2026, 2, 10), "month") == []
    assert pr.missed_periods([], date(2026, 1, 15), date(2026, 3, 1), "month") == [(date(2026, 2, 1), date(2026, 2, 28))]


def test_rolling_days_stay_available():
    assert pr.missed_periods([date(2026, 1, 10)], date(2026, 1, 1), date(2026, 1, 31), "days", 14) == [
        (date(2026, 1, 10), date(2026, 1, 31))]
    assert pr.cadence_due(date(2026, 1, 10), date(2026, 1, 1), "days", 14) == date(2026, 1, 24)


@pytest.fixture
def school(session, people):
    seated = f.school(session)
    session.commit()
    return seated


def _held(session, body: str, on: date) -> None:
    actor = user(session, "principal" if body == "office" else "secretary")
    m = meeting_rules.create_meeting(session, actor, ms(session, on), body, "会", local_to_utc(on, time(15)), on)
    m.state = "closed"
    session.flush()


def test_status_by_the_calendar(session, school):
    pr.adopt_procedure(session, None, "party", adopted_on=date(2026, 9, 1))
    pr.adopt_procedure(session, None, "office", adopted_on=date(2026, 9, 1))
    _held(session, "party", date(2026, 11, 1))
    _held(session, "office", date(2026, 12, 4))  # Friday
    status = {c.body: c for c in pr.cadence_status(session, date(2026, 12, 7))}
    assert not status["party"].overdue and status["party"].due == date(2026, 12, 31)
    assert not status["office"].overdue and status["office"].due == date(2026, 12, 13)
    status = {c.body: c for c in pr.cadence_status(session, date(2026, 12, 14))}
    assert status["office"].overdue  # the week of 7–13 December passed without one
    assert not status["party"].overdue


def test_new_procedures_default_to_the_texts_cadence(session, school):
    assert pr.adopt_procedure(session, None, "party", adopted_on=date(2026, 9, 1)).cadence_unit == "month"
    assert pr.adopt_procedure(session, None, "office", adopted_on=date(2026, 9, 1)).cadence_unit == "week"
