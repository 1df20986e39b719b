"""Inbox reminders of reports coming due or late, with frozen time (``today`` is passed in):
three days ahead is warned, four is not; due today is a reminder, due yesterday is late; each
is sent once per due date, to the owner and co-owners."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.decisions.models import CoOwner, Resolution
from portal.decisions.queries import Filters, tracker_rows
from portal.decisions.rules import resolutions as res_rules
from portal.decisions.rules.reminders import COMING_DUE, LATE, send_reminders
from portal.notify.models import Notification
from tests.decisions import factories as f

DECIDED = date(2026, 2, 10)


def _messages(session, user_id: int) -> list[tuple[str, str]]:
    import json

    return [(m, json.loads(p)["due"]) for m, p in session.execute(
        select(Notification.message, Notification.params_json).where(
            Notification.recipient_id == user_id, Notification.message.in_([COMING_DUE, LATE]))
        .order_by(Notification.id))]


def test_reminders_at_their_edges_once_per_due_date(session, people) -> None:
    f.school(session)
    _m, item = f.passed_item(session, "食堂改造", on=DECIDED)
    owner, co = f.user(session, "principal"), f.user(session, "leader")
    res = res_rules.add_resolution(session, f.user(session, "recorder"), item, title="食堂改造", text="内容",
                                   owner=owner, deadline=date(2026, 12, 31), visibility="staff")
    session.add(CoOwner(resolution_id=res.id, user_id=co.id))
    session.flush()
    (row,) = tracker_rows(session, Resolution.id == res.id, DECIDED, Filters(kind=None))
    due = row.next_due
    assert due is not None
    assert send_reminders(session, due - timedelta(days=4)) == 0  # four days ahead: not yet
    assert send_reminders(session, due - timedelta(days=3)) == 2  # owner and co-owner
    assert send_reminders(session, due - timedelta(days=1)) == 0  # the same due date: once
    assert send_reminders(session, due) == 0  # due today is not late
    assert _messages(session, owner.id) == [(COMING_DUE, due.isoformat())]
    assert send_reminders(session, due + timedelta(days=1)) == 2  # due yesterday: late
    assert send_reminders(session, due + timedelta(days=2)) == 0
    assert _messages(session, co.id) == [(COMING_DUE, due.isoformat()), (LATE, due.isoformat())]


def test_the_daily_command_sends_and_commits(app, people) -> None:
    result = app.test_cli_runner().invoke(args=["remind"])
    assert result.exit_code == 0 and "已发送 0 条报告提醒" in result.output
