"""Resolutions (决议): made from a passed item, reported on by their owner on a cadence,
urged and supervised by the secretary, confirmed done after a final report, waiting for a
higher approval (报批) when needed, and changed only by reconsideration (复议)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth.models import User
from portal.decisions.models import (
    MEETING_FLOW,
    RESOLUTION_FLOW,
    Cadence,
    CoOwner,
    Item,
    ItemState,
    Milestone,
    Report,
    Resolution,
    ResolutionKind,
    ResolutionState,
    Urging,
    Visibility,
)
from portal.decisions.rules import DecisionError
from portal.decisions.rules.items import propose_item
from portal.decisions.rules.tracker import filed_on_time, next_report_due
from portal.i18n import N_
from portal.notify.rules import notify
from portal.textclean import strip_controls
from portal.timeutil import utcnow

TEXT_MAX = 20_000


def _clean(text: str, limit: int = TEXT_MAX) -> str:
    text = strip_controls(text or "").strip()
    if len(text) > limit:
        raise DecisionError(N_("内容过长（最多 %(max)d 字）。"), max=limit)
    return text


def add_resolution(
    session: Session, actor: User, item: Item, *, title: str, text: str, owner: User,
    deadline: date | None, visibility: str = Visibility.STAFF.value, cadence: str = Cadence.MONTHLY.value,
    co_owners: list[User] | None = None, needs_approval: bool = False,
    milestones: list[tuple[str, date]] | None = None,
) -> Resolution:
    """A resolution of a passed item, before the minutes are signed. With ``needs_approval``
    it waits for the higher approval, and its deadline runs from the approval date."""
    if item.state != ItemState.PASSED.value or item.meeting is None:
        raise DecisionError(N_("只有会议通过的议题才能形成决议。"))
    if not MEETING_FLOW.allows(item.meeting, "resolve") or item.meeting.recorder_signed_at is not None:
        raise DecisionError(N_("会议记录已签署，不能再形成决议。"))
    title = _clean(title, 120)
    if not title:
        raise DecisionError(N_("请填写决议名称。"))
    if visibility not in {v.value for v in Visibility}:
        raise DecisionError(N_("请选择公开范围。"))
    if cadence not in {c.value for c in Cadence}:
        raise DecisionError(N_("请选择报告频次。"))
    decided_on = item.meeting.held_on
    if deadline is not None and deadline < decided_on:
        raise DecisionError(N_("完成期限不能早于决定日期。"))
    if cadence == Cadence.ONCE.value and deadline is None:
        raise DecisionError(N_("一次性报告的决议须有完成期限。"))
    res = Resolution(
        kind=ResolutionKind.RESOLUTION.value, item_id=item.id, body=item.meeting.body, title=title,
        text=_clean(text), owner_id=owner.id, visibility=visibility, staff_interest=item.staff_interest,
        cadence=cadence, decided_on=decided_on,
        state=(ResolutionState.AWAITING_APPROVAL if needs_approval else ResolutionState.OPEN).value,
        starts_on=None if needs_approval else decided_on,
        deadline_days=(deadline - decided_on).days if deadline is not None else None,
        deadline=None if needs_approval else deadline,
    )
    session.add(res)
    session.flush()
    for user in co_owners or []:
        if user.id != owner.id:
            session.add(CoOwner(resolution_id=res.id, user_id=user.id))
    for name, due in milestones or []:
        session.add(Milestone(resolution_id=res.id, title=_clean(name, 120), due_on=due))
    session.flush()
    session.expire(item, ["resolutions"])
    record(session, actor, "resolution.created", res, item=item.id, title=title, owner=owner.id,
           visibility=visibility, cadence=cadence, deadline=deadline.isoformat() if deadline else None,
           needs_approval=needs_approval)
    notify(session, [owner.id, *(u.id for u in co_owners or [])], N_("您负责落实决议“%(title)s”，请按期报告执行情况。"),
           subject=("resolution", res.id), actor_id=actor.id, title=title)
    return res


def standing_report(session: Session, actor: User | None, principal: User, starts_on: date,
                    title: str) -> Resolution:
    """The principal's regular report to the Party committee (per term by default), tracked
    with the same cadence, overdue flag and urging as a resolution's reports."""
    res = Resolution(
        kind=ResolutionKind.REGULAR_REPORT.value, body="party", title=_clean(title, 120),
        owner_id=principal.id, visibility=Visibility.INTERNAL.value, cadence=Cadence.TERM.value,
        decided_on=starts_on, starts_on=starts_on, state=ResolutionState.OPEN.value,
    )
    session.add(res)
    session.flush()
    record(session, actor, "resolution.standing_report", res, owner=principal.id, starts_on=starts_on.isoformat())
    return res


def record_approval(session: Session, actor: User, res: Resolution, approved_on: date, authority: str,
                    document: str) -> None:
    """The higher approval arrived: the resolution opens and its deadlines run from now on."""
    if RESOLUTION_FLOW.step(ResolutionState(res.state), "approve") is None:
        raise DecisionError(N_("该决议不在报批状态。"))
    authority, document = _clean(authority, 120), _clean(document, 120)
    if not authority or not document:
        raise DecisionError(N_("请填写批准机关和批准文件。"))
    if approved_on < res.decided_on:
        raise DecisionError(N_("批准日期不能早于决定日期。"))
    res.state = ResolutionState.OPEN.value
    res.approved_on = res.starts_on = approved_on
    res.approval_authority, res.approval_document = authority, document
    if res.deadline_days is not None:
        res.deadline = approved_on + timedelta(days=res.deadline_days)
    record(session, actor, "resolution.approved", res, approved_on=approved_on.isoformat(), authority=authority,
           document=document, deadline=res.deadline.isoformat() if res.deadline else None)


def owners(res: Resolution) -> set[int]:
    return {res.owner_id, *(c.user_id for c in res.co_owners)}


def last_report_on(session: Session, res: Resolution) -> date | None:
    return session.scalar(select(func.max(Report.filed_on)).where(Report.resolution_id == res.id))


def file_report(
    session: Session, actor: User, res: Resolution, text: str, percent: int, today: date, *,
    final: bool = False, attachment: tuple[str, str, str] | None = None,
) -> Report:
    """The owner (or a co-owner) files a progress report; whether it was on time is kept with it."""
    if actor.id not in owners(res):
        raise DecisionError(N_("只有决议的责任人可以报告执行情况。"))
    if not RESOLUTION_FLOW.allows(res, "report"):
        raise DecisionError(N_("该决议不在执行中，不能报告执行情况。"))
    text = _clean(text)
    if not text:
        raise DecisionError(N_("请填写执行情况。"))
    if not 0 <= percent <= 100:
        raise DecisionError(N_("完成进度须在 0 到 100 之间（百分比）。"))
    if final and percent != 100:
        raise DecisionError(N_("最终报告的完成进度应为 100（百分比）。"))
    due = next_report_due(res.cadence, res.starts_on, last_report_on(session, res), res.deadline)
    if due is None and res.deadline is not None:
        due = res.deadline
    name, stored, digest = attachment or ("", "", "")
    report = Report(resolution_id=res.id, author_id=actor.id, text=text, percent=percent, is_final=final,
                    filed_on=today, due_on=due, on_time=filed_on_time(today, due), attachment_name=name,
                    attachment_stored=stored, attachment_sha256=digest)
    session.add(report)
    session.flush()
    session.expire(res, ["reports"])
    record(session, actor, "resolution.reported", res, percent=percent, final=final, due_on=due.isoformat() if due else None,
           on_time=report.on_time, attachment_sha256=digest or None)
    return report


def urge(session: Session, actor: User, res: Resolution, note: str) -> Urging:
    """催报: recorded, counted, and sent to the owners."""
    if not RESOLUTION_FLOW.allows(res, "supervise"):
        raise DecisionError(N_("该决议已办结或已变更，不需要催报。"))
    row = Urging(resolution_id=res.id, kind="urge", by_id=actor.id, note=_clean(note, 2000))
    session.add(row)
    session.flush()
    session.expire(res, ["urgings"])
    record(session, actor, "resolution.urged", res, note=row.note, owners=sorted(owners(res)))
    notify(session, owners(res), N_("书记催报：请报告决议“%(title)s”的执行情况。%(note)s"), subject=("resolution", res.id),
           actor_id=actor.id, title=res.title, note=row.note)
    return row


def add_supervision_note(session: Session, actor: User, res: Resolution, note: str) -> Urging:
    """督办意见: the secretary's note on how the resolution is being carried out."""
    if not RESOLUTION_FLOW.allows(res, "supervise"):
        raise DecisionError(N_("该决议已办结或已变更，不需要督办。"))
    note = _clean(note, 2000)
    if not note:
        raise DecisionError(N_("请填写督办意见。"))
    row = Urging(resolution_id=res.id, kind="note", by_id=actor.id, note=note)
    session.add(row)
    session.flush()
    session.expire(res, ["urgings"])
    record(session, actor, "resolution.supervision_note", res, note=note)
    return row


def confirm_done(session: Session, actor: User, res: Resolution) -> None:
    """The secretary confirms the resolution done; only after a final report."""
    if RESOLUTION_FLOW.step(ResolutionState(res.state), "confirm") is None:
        raise DecisionError(N_("该决议不在执行中，不能确认办结。"))
    final = session.scalar(select(Report.id).where(Report.resolution_id == res.id, Report.is_final.is_(True)).limit(1))
    if final is None:
        raise DecisionError(N_("责任人尚未提交最终报告，不能确认办结。"))
    res.state = ResolutionState.DONE.value
    res.confirmed_at = utcnow()
    res.confirmed_by_id = actor.id
    record(session, actor, "resolution.done", res, final_report=final)


def pending_reconsideration(session: Session, res: Resolution) -> Item | None:
    return session.scalar(select(Item).where(
        Item.reconsiders_id == res.id, Item.state.in_([ItemState.PROPOSED.value, ItemState.SCHEDULED.value])).limit(1))


def propose_reconsideration(session: Session, actor: User, res: Resolution, title: str, reason: str,
                            proposal: str) -> Item:
    """复议: a new agenda item linked to the resolution, decided by the same procedure; when it
    passes the original is marked changed, and both stay on record."""
    if not res.is_meeting_resolution:
        raise DecisionError(N_("只有会议决议可以提请复议。"))
    if res.state == ResolutionState.CHANGED.value:
        raise DecisionError(N_("该决议已经复议变更，不能再次复议；如需调整，请对变更后的决议提请复议。"))
    if res.state == ResolutionState.DONE.value:
        raise DecisionError(N_("该决议已办结，不能复议。"))
    if pending_reconsideration(session, res) is not None:
        raise DecisionError(N_("该决议已有待议的复议议题。"))
    original = session.get(Item, res.item_id)
    assert original is not None
    reason = _clean(reason, 5000)
    if not reason:
        raise DecisionError(N_("请写明复议理由。"))
    return propose_item(
        session, actor, res.body if res.body != "joint" else "office", title or res.title, background=reason,
        proposal=proposal, major_kind=original.major_kind, staff_interest=original.staff_interest,
        important=True, two_thirds=original.two_thirds, technical=original.technical, reconsiders=res,
    )
