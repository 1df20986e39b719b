"""Inbox reminders of reports coming due and of reports late, for owners and co-owners of
open resolutions and of the principal's regular report to the Party committee.

Run once a day (``flask --app portal decisions remind`` from cron); each reminder is sent
once per resolution and due date, so running it twice, or every hour, sends nothing new.
The dashboard's to-do list shows the same warnings live.
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.decisions.models import CoOwner, Resolution, ResolutionState
from portal.decisions.rules.tracker import TrackStatus
from portal.i18n import N_
from portal.notify.models import Notification
from portal.notify.rules import notify

COMING_DUE = N_("决议“%(title)s”的执行情况报告应于 %(due)s 前提交。")
LATE = N_("决议“%(title)s”的执行情况报告已逾期（应于 %(due)s 前提交），请尽快报告。")


def send_reminders(session: Session, today: date) -> int:
    """Tell owners and co-owners of each report due within three days, or late, once per due
    date; return how many messages were sent."""
    from portal.decisions.queries import Filters, tracker_rows

    rows = tracker_rows(session, Resolution.state == ResolutionState.OPEN.value, today, Filters(kind=None))
    wanted = [(r, LATE if r.status is TrackStatus.REPORT_LATE else COMING_DUE) for r in rows
              if r.next_due is not None and (r.warn or r.status is TrackStatus.REPORT_LATE)]
    if not wanted:
        return 0
    ids = [r.resolution.id for r, _m in wanted]
    sent: set[tuple[int, str, str]] = set()
    for subject_id, message, params in session.execute(
            select(Notification.subject_id, Notification.message, Notification.params_json).where(
                Notification.subject_kind == "resolution", Notification.subject_id.in_(ids),
                Notification.message.in_([COMING_DUE, LATE]))):
        sent.add((subject_id, message, json.loads(params).get("due", "")))
    co_owners: dict[int, list[int]] = defaultdict(list)
    for resolution_id, user_id in session.execute(
            select(CoOwner.resolution_id, CoOwner.user_id).where(CoOwner.resolution_id.in_(ids))):
        co_owners[resolution_id].append(user_id)
    count = 0
    for row, message in wanted:
        res, due = row.resolution, row.next_due.isoformat() if row.next_due else ""
        if (res.id, message, due) in sent:
            continue
        count += len(notify(session, [res.owner_id, *co_owners[res.id]], message, subject=("resolution", res.id),
                            title=res.title, due=due))
    return count
