"""Meetings: chair and attendance from the memberships on the meeting's date, the agenda
settled and its papers sent, quorum through the counting module, items taken one at a time
with stances in order (末位表态), and the minutes signed off into the audit chain. The
decision on each item is in ``outcomes``."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import counting
from portal.audit.rules import record
from portal.auth.models import User
from portal.db import refused_on_conflict
from portal.decisions.models import (
    MEETING_FLOW,
    Attendance,
    Item,
    ItemState,
    Meeting,
    MeetingAttendance,
    MeetingBody,
    MeetingState,
    Stance,
    StanceKind,
)
from portal.decisions.rules import DecisionError
from portal.decisions.rules.procedure import counting_rules, ensure_procedure, seat_body
from portal.errors import Message
from portal.i18n import N_
from portal.org.memberships import Memberships
from portal.org.models import BodyKind, Office
from portal.notify.rules import notify
from portal.textclean import strip_controls
from portal.timeutil import utcnow

REASON_MAX = 2000


def chair_office(body: str) -> Office:
    return Office.PRINCIPAL if body == MeetingBody.OFFICE.value else Office.SECRETARY


def deputy_office(body: str) -> Office:
    return Office.VICE_PRINCIPAL if body == MeetingBody.OFFICE.value else Office.DEPUTY_SECRETARY


def voting_members(memberships: Memberships, body: str) -> list[int]:
    """Who should attend and state a stance: the members on the meeting's date."""
    seen: list[int] = []
    for kind in seat_body(body):
        seen += [u for u in memberships.members(kind) if u not in seen]
    return seen


def create_meeting(
    session: Session, actor: User, memberships: Memberships, body: str, title: str, starts_at: datetime,
    held_on: date, recorder: User | None = None, supervisor: User | None = None,
) -> Meeting:
    """Plan a meeting: the rules of procedure in force on its date, its chair by office, and
    every member of the body expected present until the recorder notes otherwise."""
    if body not in {b.value for b in MeetingBody}:
        raise DecisionError(N_("请选择会议类别。"))
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise DecisionError(N_("请填写会议名称（最多 120 字）。"))
    members = voting_members(memberships, body)
    if not members:
        raise DecisionError(N_("该机构在会议日期没有成员，不能开会。"))
    chairs = memberships.holders(chair_office(body))
    proc = ensure_procedure(session, body, held_on)
    meeting = Meeting(
        body=body, title=title, held_on=held_on, starts_at=starts_at, procedure_id=proc.id,
        chair_id=chairs[0] if chairs else None, recorder_id=recorder.id if recorder else None,
        supervisor_id=supervisor.id if supervisor else None, created_by_id=actor.id,
    )
    session.add(meeting)
    session.flush()
    for user_id in members:
        session.add(MeetingAttendance(meeting_id=meeting.id, user_id=user_id, kind=Attendance.PRESENT.value))
    session.flush()
    record(session, actor, "meeting.created", meeting, body=body, title=title, held_on=held_on.isoformat(),
           procedure=proc.id, version=proc.version, chair=meeting.chair_id)
    return meeting


def _editable(meeting: Meeting) -> None:
    if not MEETING_FLOW.allows(meeting, "attend"):
        raise DecisionError(N_("会议已结束，记录不能再修改。"))


def set_attendance(session: Session, actor: User, memberships: Memberships, meeting: Meeting, user: User,
                   kind: str, reason: str = "") -> MeetingAttendance:
    """Present, absent (with a reason) or attending without a vote (列席, non-members only)."""
    _editable(meeting)
    if kind not in {a.value for a in Attendance}:
        raise DecisionError(N_("请选择出席情况。"))
    reason = (reason or "").strip()[:200]
    is_member = user.id in voting_members(memberships, meeting.body)
    if kind == Attendance.ABSENT.value and not reason:
        raise DecisionError(N_("缺席须写明原因。"))
    if kind == Attendance.NONVOTING.value and is_member:
        raise DecisionError(N_("%(name)s 是本机构成员，应记为出席或缺席，不是列席。"), name=user.name)
    if kind != Attendance.NONVOTING.value and not is_member:
        raise DecisionError(N_("%(name)s 不是本机构成员，只能列席。"), name=user.name)
    if session.scalar(select(Stance.id).join(Item, Item.id == Stance.item_id)
                      .where(Item.meeting_id == meeting.id, Stance.user_id == user.id).limit(1)):
        raise DecisionError(N_("%(name)s 已在会上表态，出席情况不能再改。"), name=user.name)
    row = session.scalar(select(MeetingAttendance).where(
        MeetingAttendance.meeting_id == meeting.id, MeetingAttendance.user_id == user.id))
    if row is None:
        row = MeetingAttendance(meeting_id=meeting.id, user_id=user.id, kind=kind, reason=reason)
        session.add(row)
    else:
        row.kind, row.reason = kind, reason
    session.flush()
    session.expire(meeting, ["attendance"])
    record(session, actor, "meeting.attendance", meeting, user=user.id, kind=kind, reason=reason)
    return row


def hand_over_chair(session: Session, actor: User, memberships: Memberships, meeting: Meeting, note: str) -> None:
    """An absent chair hands over to the deputy (副书记 / 副校长); the reason is recorded."""
    _editable(meeting)
    absent = {a.user_id for a in meeting.attendance if a.kind == Attendance.ABSENT.value}
    if meeting.chair_id not in absent:
        raise DecisionError(N_("会议主持人出席时不需要改由副职主持。"))
    deputies = [u for u in memberships.holders(deputy_office(meeting.body)) if u not in absent]
    if not deputies:
        raise DecisionError(N_("没有出席的副职可以主持会议。"))
    note = (note or "").strip()
    if not note:
        raise DecisionError(N_("请写明改由副职主持的原因。"))
    previous = meeting.chair_id
    meeting.chair_id = deputies[0]
    meeting.chair_note = note[:500]
    record(session, actor, "meeting.chair_handed_over", meeting, previous=previous, chair=deputies[0], note=note)


def settle_agenda(session: Session, actor: User, meeting: Meeting) -> None:
    """The secretary (Party and joint meetings) or the principal (office meeting) settles the agenda."""
    if MEETING_FLOW.step(MeetingState(meeting.state), "settle") is None:
        raise DecisionError(N_("会议议程已经确定。"))
    if not meeting.items:
        raise DecisionError(N_("议程中还没有议题。"))
    meeting.state = MeetingState.SETTLED.value
    meeting.settled_at = utcnow()
    meeting.settled_by_id = actor.id
    record(session, actor, "meeting.agenda_settled", meeting, items=[i.id for i in meeting.items])


def papers_late(meeting: Meeting, lead_days: int) -> bool:
    """Whether the papers went out later than the rules' lead time before the meeting (or not at all)."""
    if meeting.papers_sent_at is None:
        return True
    return meeting.papers_sent_at > meeting.starts_at - timedelta(days=lead_days)


def send_papers(session: Session, actor: User, meeting: Meeting, now: datetime | None = None) -> bool:
    """Record that the agenda and its papers went to the attendees; returns whether that was late."""
    if not MEETING_FLOW.allows(meeting, "send_papers"):
        raise DecisionError(N_("议程确定后才能送达会议材料。"))
    if meeting.papers_sent_at is not None:
        raise DecisionError(N_("会议材料已于此前送达。"))
    meeting.papers_sent_at = now or utcnow()
    late = papers_late(meeting, meeting.procedure.lead_days)
    recipients = sorted({a.user_id for a in meeting.attendance if a.kind != Attendance.ABSENT.value})
    record(session, actor, "meeting.papers_sent", meeting, recipients=recipients, late=late,
           lead_days=meeting.procedure.lead_days)
    notify(session, recipients, N_("“%(title)s”的议程和会议材料已送达，请会前阅读。"), subject=("meeting", meeting.id),
           actor_id=actor.id, title=meeting.title)
    return late


# --- counting ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Count:
    members: int  # 应到
    present: int  # 实到 (voting members present)
    quorum_needed: int
    quorum_met: bool
    lines: list[str]  # the rule with its figures (Chinese; see describe())


def attendance_count(meeting: Meeting, memberships: Memberships, item: Item | None = None) -> Count:
    rules = counting_rules(meeting.procedure)
    members = voting_members(memberships, meeting.body)
    present = sum(1 for a in meeting.attendance if a.kind == Attendance.PRESENT.value and a.user_id in members)
    cadre = bool(item and item.two_thirds)
    lines = counting.describe_result(rules, len(members), present, cadre=cadre)
    return Count(len(members), present, counting.quorum_needed(rules, len(members), cadre),
                 counting.quorum_met(rules, len(members), present, cadre), lines)


def require_quorum(meeting: Meeting, memberships: Memberships, item: Item) -> Count:
    count = attendance_count(meeting, memberships, item)
    if not count.quorum_met:
        raise DecisionError(N_("到会人数不足：应到 %(members)d 人，实到 %(present)d 人，本议题至少需 %(needed)d 人到会，不能议事。"),
                            members=count.members, present=count.present, needed=count.quorum_needed)
    return count


def current_item(meeting: Meeting) -> Item | None:
    """一事一议: the first item on the agenda not yet decided."""
    return next((i for i in meeting.items if i.state == ItemState.SCHEDULED.value), None)


def last_speakers(memberships: Memberships, body: str) -> list[int]:
    """末位表态: at the Party (and joint) meeting the principal second to last and the secretary
    last; at the office meeting the principal last. One person holding both states last."""
    principal = memberships.holders(Office.PRINCIPAL)[:1]
    secretary = memberships.holders(Office.SECRETARY)[:1]
    order = principal if body == MeetingBody.OFFICE.value else principal + secretary
    members = voting_members(memberships, body)
    result: list[int] = []
    for user_id in order:
        if user_id in members:
            if user_id in result:
                result.remove(user_id)
            result.append(user_id)
    return result


def present_voters(meeting: Meeting, memberships: Memberships) -> list[int]:
    members = voting_members(memberships, meeting.body)
    present = {a.user_id for a in meeting.attendance if a.kind == Attendance.PRESENT.value}
    return [u for u in members if u in present]


def speaking_order(meeting: Meeting, memberships: Memberships) -> list[int]:
    """Present voting members in the order they state: the body's order, the last speakers last."""
    last = last_speakers(memberships, meeting.body)
    voters = present_voters(meeting, memberships)
    return [u for u in voters if u not in last] + [u for u in last if u in voters]


@dataclass(frozen=True)
class Floor:
    """Who speaks on the item under discussion."""

    order: list[int]  # the present voting members, in the order they state (speaking_order)
    next_up: list[int]  # those of them who have not stated on the item yet, in that order
    may_speak: list[int]  # whose stance the recorder may record now: the next voter, and 列席 who have not spoken


def floor(meeting: Meeting, memberships: Memberships, item: Item | None) -> Floor:
    order = speaking_order(meeting, memberships)
    stated = {s.user_id for s in item.stances} if item else set()
    next_up = [u for u in order if u not in stated]
    nonvoting = [a.user_id for a in meeting.attendance if a.kind == Attendance.NONVOTING.value and a.user_id not in stated]
    return Floor(order, next_up, next_up[:1] + nonvoting)


def leadership(memberships: Memberships) -> list[int]:
    """班子成员 on the memberships' date: the Party committee, then the administrative team's others."""
    party = memberships.members(BodyKind.PARTY_COMMITTEE)
    return party + [u for u in memberships.members(BodyKind.ADMIN_TEAM) if u not in party]


def record_stance(session: Session, actor: User, memberships: Memberships, meeting: Meeting, item: Item,
                  speaker: User, stance: str, reason: str = "") -> Stance:
    """One stance (or a 列席 remark), refused out of order, twice, from someone absent, or
    without its reason: every stance states why, agreement included (000, 篇3)."""
    if not MEETING_FLOW.allows(meeting, "record_stance") or item.meeting_id != meeting.id:
        raise DecisionError(N_("会议不在议事阶段，不能记录表态。"))
    if item is not current_item(meeting):
        raise DecisionError(N_("一事一议：请先议定议程中前面的议题。"))
    if stance not in {s.value for s in StanceKind}:
        raise DecisionError(N_("请选择表态。"))
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise DecisionError(N_("理由过长（最多 %(max)d 字）。"), max=REASON_MAX)
    row = next((a for a in meeting.attendance if a.user_id == speaker.id), None)
    if row is None or row.kind == Attendance.ABSENT.value:
        raise DecisionError(N_("%(name)s 未出席本次会议，不能表态。"), name=speaker.name)
    if any(s.user_id == speaker.id for s in item.stances):
        raise DecisionError(N_("%(name)s 已就本议题表过态。"), name=speaker.name)
    if row.kind == Attendance.NONVOTING.value:
        if stance != StanceKind.REMARK.value:
            raise DecisionError(N_("%(name)s 列席会议，可以发表意见，但不表态、不表决。"), name=speaker.name)
        if not reason:
            raise DecisionError(N_("请记录 %(name)s 的发言内容。"), name=speaker.name)
    else:
        if stance == StanceKind.REMARK.value:
            raise DecisionError(N_("成员须表明同意、不同意或缓议。"))
        require_quorum(meeting, memberships, item)
        order = speaking_order(meeting, memberships)
        stated = {s.user_id for s in item.stances}
        waiting = [u for u in order[: order.index(speaker.id)] if u not in stated]
        if waiting:
            names = {a.user_id: a.user.name for a in meeting.attendance}
            raise DecisionError(N_("末位表态：%(name)s 须在 %(others)s 表态之后再表态。"), name=speaker.name,
                                others="、".join(names.get(u, "?") for u in waiting))
        if not reason:  # 明确表示同意、不同意或缓议的意见，并说明理由 (000, 篇3): every stance, 同意 included
            raise DecisionError(N_("%(name)s 的表态须说明理由（同意、不同意、缓议都要说明）。"), name=speaker.name)
    seq = max((s.seq for s in item.stances), default=0) + 1
    row_stance = Stance(item_id=item.id, user_id=speaker.id, seq=seq, stance=stance, reason=reason)
    with refused_on_conflict(session, DecisionError(N_("表态记录刚刚有变动（另一位记录员同时在记录），请刷新页面后重试。"))):
        session.add(row_stance)
    session.expire(item, ["stances"])
    record(session, actor, "item.stance", item, speaker=speaker.id, stance=stance, seq=seq)
    return row_stance


def require_all_stated(meeting: Meeting, memberships: Memberships, item: Item) -> None:
    stated = {s.user_id for s in item.stances}
    if any(u not in stated for u in present_voters(meeting, memberships)):
        raise DecisionError(N_("出席成员尚未全部表态，不能作出决定。"))


def close_meeting(session: Session, actor: User, meeting: Meeting) -> None:
    if MEETING_FLOW.step(MeetingState(meeting.state), "close") is None:
        raise DecisionError(N_("会议尚未进入议事阶段或已经结束。"))
    if current_item(meeting) is not None:
        raise DecisionError(N_("议程中还有未作出决定的议题。"))
    meeting.state = MeetingState.CLOSED.value
    meeting.closed_at = utcnow()
    record(session, actor, "meeting.closed", meeting)


def minutes_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


MINUTES_TEXT_MAX = 20_000


def _minutes_open(actor: User, meeting: Meeting) -> None:
    if actor.id != meeting.recorder_id:
        raise DecisionError(N_("只有本次会议的记录员撰写会议记录。"))
    if meeting.state == MeetingState.SIGNED.value:
        raise DecisionError(N_("会议记录已签署，只读，不能再修改。"))
    if meeting.state not in (MeetingState.SETTLED.value, MeetingState.CLOSED.value):
        raise DecisionError(N_("议程确定后才能撰写会议记录。"))
    if meeting.recorder_signed_at is not None:
        raise DecisionError(N_("记录员已签署会议记录；如需修改，请先撤回签署。"))


def save_minutes(session: Session, actor: User, meeting: Meeting, discussions: dict[int, str],
                 remarks: str) -> None:
    """The recorder (记录员) writes the 会议记录's own part, a draft saved as often as needed until
    signing: the discussion of each item (讨论情况) and the 列席 remarks and anything else said,
    beside what the portal records (attendance, stances in order, votes, decisions)."""
    _minutes_open(actor, meeting)
    texts = {i.id: strip_controls(discussions.get(i.id, i.discussion) or "").strip() for i in meeting.items}
    remarks = strip_controls(remarks or "").strip()
    if any(len(t) > MINUTES_TEXT_MAX for t in [*texts.values(), remarks]):
        raise DecisionError(N_("内容过长（最多 %(max)d 字）。"), max=MINUTES_TEXT_MAX)
    changed = [i.id for i in meeting.items if i.discussion != texts[i.id]]
    for item in meeting.items:
        item.discussion = texts[item.id]
    remarks_changed = meeting.minutes_remarks != remarks
    meeting.minutes_remarks = remarks
    meeting.minutes_saved_at = utcnow()
    record(session, actor, "meeting.minutes_saved", meeting, items=changed, remarks=remarks_changed)


def sign_minutes(session: Session, actor: User, meeting: Meeting, minutes_text: str) -> None:
    """The recorder signs first: the 会议记录 (``minutes_text``, assembled by
    queries.minutes_text) is frozen with its hash, once every item's discussion is written.
    The supervisor (监督员) then signs that same text; with both it is read-only and its hash is
    in the audit chain."""
    if meeting.state != MeetingState.CLOSED.value:
        raise DecisionError(N_("会议结束后、会议记录签署前才能签署。") if meeting.state != MeetingState.SIGNED.value
                            else N_("会议记录已签署，只读，不能再修改。"))
    now = utcnow()
    digest = minutes_digest(minutes_text)
    if actor.id == meeting.recorder_id and meeting.recorder_signed_at is None:
        unwritten = [i.title for i in meeting.items if not i.discussion.strip()]
        if unwritten:
            raise DecisionError(N_("请先写明各议题的讨论情况（尚缺：%(items)s），再签署会议记录。"),
                                items="、".join(unwritten))
        meeting.recorder_signed_at = now
        meeting.minutes_text, meeting.minutes_hash = minutes_text, digest
        role = "recorder"
    elif actor.id == meeting.supervisor_id and meeting.supervisor_signed_at is None:
        if meeting.recorder_signed_at is None:
            raise DecisionError(N_("请待记录员签署后再由监督员签署。"))
        if meeting.minutes_hash and digest != meeting.minutes_hash:
            raise DecisionError(N_("会议记录在记录员签署后有变动，请记录员撤回签署、核对后重新签署。"))
        meeting.supervisor_signed_at = now
        role = "supervisor"
    else:
        raise DecisionError(N_("只有本次会议的记录员和监督员各签署一次。"))
    if meeting.recorder_signed_at and meeting.supervisor_signed_at:
        meeting.state = MeetingState.SIGNED.value
        if not meeting.minutes_hash:  # signed under the earlier rules, the supervisor first
            meeting.minutes_text, meeting.minutes_hash = minutes_text, digest
    record(session, actor, "meeting.minutes_signed", meeting, role=role, sha256=meeting.minutes_hash or digest,
           final=meeting.state == MeetingState.SIGNED.value)


def withdraw_recorder_signature(session: Session, actor: User, meeting: Meeting) -> None:
    """Before the supervisor signs, the recorder may take back the signature to correct the
    draft (a supervisor who finds an error asks for this); nothing is final yet."""
    if actor.id != meeting.recorder_id or meeting.recorder_signed_at is None:
        raise DecisionError(N_("只有已签署的记录员可以撤回签署。"))
    if meeting.supervisor_signed_at is not None or meeting.state != MeetingState.CLOSED.value:
        raise DecisionError(N_("监督员已签署，会议记录只读，不能撤回。"))
    withdrawn = meeting.minutes_hash
    meeting.recorder_signed_at = None
    meeting.minutes_text, meeting.minutes_hash = "", ""
    record(session, actor, "meeting.minutes_withdrawn", meeting, sha256=withdrawn)


def outcome_message(item: Item) -> Message:
    return Message({
        ItemState.PASSED.value: N_("通过"), ItemState.REJECTED.value: N_("未通过"),
        ItemState.DEFERRED.value: N_("缓议"), ItemState.FORWARDED.value: N_("提交党组织会议决定"),
    }.get(item.state, N_("待议")))
