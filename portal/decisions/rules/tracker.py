"""The arithmetic of reporting back: when a report is due, whether a resolution is overdue,
and the share of reports filed on time. Pure functions over dates; no database, no clock
(``today`` is always passed in, so tests freeze time by choosing it)."""
from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from portal.decisions.models import Cadence, ResolutionState

WARN_DAYS = 3  # the owner is warned this many days before a report is due
CADENCE_MONTHS = {Cadence.MONTHLY.value: 1, Cadence.TERM.value: 6}  # a term counted as six months


class TrackStatus(str, enum.Enum):
    ON_TRACK = "on_track"
    REPORT_LATE = "report_late"
    PAST_DEADLINE = "past_deadline"
    DONE = "done"
    CHANGED = "changed"
    AWAITING_APPROVAL = "awaiting_approval"


OVERDUE = (TrackStatus.REPORT_LATE, TrackStatus.PAST_DEADLINE)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan → 28 Feb)."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_report_due(cadence: str, starts_on: date | None, last_report_on: date | None,
                    deadline: date | None) -> date | None:
    """When the next progress report is due: one cadence after the last report (or after
    the start); a one-off report is due on the deadline. None when nothing is due
    (awaiting approval; a one-off already reported; a one-off without a deadline)."""
    if starts_on is None:
        return None
    if cadence == Cadence.ONCE.value:
        return deadline if last_report_on is None else None
    return add_months(last_report_on or starts_on, CADENCE_MONTHS[cadence])


def track_status(state: str, today: date, deadline: date | None, next_due: date | None) -> TrackStatus:
    """A report due today is not late; due yesterday it is. A deadline passes the day after."""
    if state == ResolutionState.DONE.value:
        return TrackStatus.DONE
    if state == ResolutionState.CHANGED.value:
        return TrackStatus.CHANGED
    if state == ResolutionState.AWAITING_APPROVAL.value:
        return TrackStatus.AWAITING_APPROVAL
    if deadline is not None and deadline < today:
        return TrackStatus.PAST_DEADLINE
    if next_due is not None and next_due < today:
        return TrackStatus.REPORT_LATE
    return TrackStatus.ON_TRACK


def due_soon(today: date, next_due: date | None, status: TrackStatus) -> bool:
    """The owner's warning: a report due within the next three days (today included)."""
    return status is TrackStatus.ON_TRACK and next_due is not None and today <= next_due <= today + timedelta(WARN_DAYS)


def filed_on_time(filed_on: date, due_on: date | None) -> bool:
    return due_on is None or filed_on <= due_on


@dataclass(frozen=True)
class OnTime:
    on_time: int
    due: int  # reports filed in the window, plus one for each resolution whose report is missing now

    @property
    def share(self) -> float | None:
        return None if self.due == 0 else self.on_time / self.due

    @property
    def percent(self) -> str:
        return "—" if self.share is None else f"{self.share * 100:.0f}%"


def on_time_share(reports: Iterable[tuple[date, bool]], missing_now: int, today: date) -> OnTime:
    """Reports (filed date, on time) in the twelve months up to ``today``, and missing ones."""
    since = add_months(today, -12)
    window = [ok for filed, ok in reports if since < filed <= today]
    return OnTime(sum(window), len(window) + missing_now)
