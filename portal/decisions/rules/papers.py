"""Meeting papers (会议材料): "会议召开前，应将会议研究的事项清单，提前送达与会人员" (000, 篇3). The
agenda's papers are files, for the meeting or one of its items, checked as other uploads;
sending them notifies each attendee (``meetings.send_papers``); each marks them read, and the
meeting shows who has. A sending later than the rules' lead time is flagged (``papers_late``)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth.models import User
from portal.db import refused_on_conflict
from portal.decisions.models import Attendance, Item, Meeting, MeetingPaper, MeetingState, PaperReceipt
from portal.decisions.rules import DecisionError
from portal.files import StoredFile
from portal.i18n import N_


def add_paper(session: Session, actor: User, meeting: Meeting, stored: StoredFile, item: Item | None = None) -> MeetingPaper:
    """Attach a file (already stored and checked) to the meeting's papers, before they are sent."""
    if meeting.state not in (MeetingState.PLANNED.value, MeetingState.SETTLED.value):
        raise DecisionError(N_("会议已结束，不能再添加会议材料。"))
    if meeting.papers_sent_at is not None:
        raise DecisionError(N_("会议材料已送达，不能再添加。"))
    if item is not None and item.meeting_id != meeting.id:
        raise DecisionError(N_("该议题不在本次会议议程中。"))
    paper = MeetingPaper(meeting_id=meeting.id, item_id=item.id if item else None, uploaded_by_id=actor.id,
                         **stored.columns())
    session.add(paper)
    session.flush()
    session.expire(meeting, ["papers"])
    record(session, actor, "meeting.paper_added", meeting, paper=paper.id, item=paper.item_id,
           filename=paper.filename, sha256=paper.sha256)
    return paper


def recipients(meeting: Meeting) -> list[int]:
    """Who the papers go to: everyone expected at the meeting (present or attending without a vote)."""
    return sorted({a.user_id for a in meeting.attendance if a.kind != Attendance.ABSENT.value})


def mark_read(session: Session, actor: User, meeting: Meeting) -> PaperReceipt:
    """An attendee marks the papers read (once; a second time changes nothing)."""
    if meeting.papers_sent_at is None:
        raise DecisionError(N_("会议材料尚未送达。"))
    if actor.id not in recipients(meeting):
        raise DecisionError(N_("只有参会人员确认阅读会议材料。"))
    found = session.scalar(select(PaperReceipt).where(PaperReceipt.meeting_id == meeting.id,
                                                      PaperReceipt.user_id == actor.id))
    if found is not None:
        return found
    receipt = PaperReceipt(meeting_id=meeting.id, user_id=actor.id)
    with refused_on_conflict(session, DecisionError(N_("您已确认阅读。"))):
        session.add(receipt)
    session.expire(meeting, ["receipts"])
    record(session, actor, "meeting.papers_read", meeting)
    return receipt


def unread(meeting: Meeting) -> list[int]:
    """Attendees who have not yet marked the papers read."""
    read = {r.user_id for r in meeting.receipts}
    return [u for u in recipients(meeting) if u not in read]
