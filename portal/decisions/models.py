"""Decisions and resolution tracking (议事决策 与 决议督办): each body's rules of procedure,
agenda items with their preconditions, meetings with attendance, stances and votes, and the
resolutions with their reports, urgings and supervision notes."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import (
    Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import Base, one_of
from portal.files import StoredFileColumns
from portal.timeutil import utcnow
from portal.workflow import Transition, Workflow


class MeetingBody(str, enum.Enum):
    PARTY = "party"  # 党组织会议
    OFFICE = "office"  # 校长办公会议
    JOINT = "joint"  # 党政联席会议 (communication; decides only what the office meeting may)


class MajorKind(str, enum.Enum):
    """三重一大 kinds."""

    NONE = "none"
    DECISION = "decision"  # 重大决策
    CADRE = "cadre"  # 重要干部任免
    PROJECT = "project"  # 重大项目安排
    EXPENDITURE = "expenditure"  # 大额资金使用


class ItemState(str, enum.Enum):
    PROPOSED = "proposed"  # 待上会 (may be held back while views disagree)
    SCHEDULED = "scheduled"  # 已列入议程
    PASSED = "passed"
    REJECTED = "rejected"
    DEFERRED = "deferred"  # 缓议 / 暂缓决策
    FORWARDED = "forwarded"  # an office-meeting item sent on to the Party meeting


ITEM_FLOW: Workflow[ItemState] = Workflow(
    Transition(ItemState.PROPOSED, "schedule", ItemState.SCHEDULED, "meeting.settle", on="meeting"),
    Transition(ItemState.SCHEDULED, "unschedule", ItemState.PROPOSED, "meeting.settle", on="meeting"),
    Transition(ItemState.SCHEDULED, "pass", ItemState.PASSED, "meeting.run", on="meeting"),
    Transition(ItemState.SCHEDULED, "reject", ItemState.REJECTED, "meeting.run", on="meeting"),
    Transition(ItemState.SCHEDULED, "defer", ItemState.DEFERRED, "meeting.run", on="meeting"),
    Transition(ItemState.SCHEDULED, "forward", ItemState.FORWARDED, "meeting.run", on="meeting"),
    # steps that keep the state: the preparation before an item goes on an agenda
    Transition(ItemState.PROPOSED, "set_two_thirds", ItemState.PROPOSED, "item.set_two_thirds"),
    Transition(ItemState.PROPOSED, "record_view", ItemState.PROPOSED, "item.record_view"),
    Transition(ItemState.PROPOSED, "add_evidence", ItemState.PROPOSED, "item.evidence"),
    Transition(ItemState.DEFERRED, "add_evidence", ItemState.DEFERRED, "item.evidence"),
    Transition(ItemState.DEFERRED, "repropose", ItemState.DEFERRED, "item.propose"),  # as a new item
    column="state",
)


class MeetingState(str, enum.Enum):
    PLANNED = "planned"  # agenda open
    SETTLED = "settled"  # agenda settled by the secretary / the principal
    CLOSED = "closed"  # items taken; minutes waiting for signatures
    SIGNED = "signed"  # read-only


MEETING_FLOW: Workflow[MeetingState] = Workflow(
    Transition(MeetingState.PLANNED, "settle", MeetingState.SETTLED, "meeting.settle"),
    Transition(MeetingState.SETTLED, "close", MeetingState.CLOSED, "meeting.run"),
    Transition(MeetingState.CLOSED, "sign", MeetingState.SIGNED, "meeting.sign"),
    # steps that keep the state
    Transition(MeetingState.PLANNED, "schedule", MeetingState.PLANNED, "meeting.settle"),  # items on and off
    Transition(MeetingState.PLANNED, "attend", MeetingState.PLANNED, "meeting.run"),  # attendance, the chair
    Transition(MeetingState.SETTLED, "attend", MeetingState.SETTLED, "meeting.run"),
    Transition(MeetingState.SETTLED, "send_papers", MeetingState.SETTLED, "meeting.settle"),
    Transition(MeetingState.SETTLED, "record_stance", MeetingState.SETTLED, "meeting.run"),
    Transition(MeetingState.SETTLED, "decide", MeetingState.SETTLED, "meeting.decide"),  # vote, decide, defer
    Transition(MeetingState.SETTLED, "cast_ballot", MeetingState.SETTLED, "meeting.cast_ballot"),
    Transition(MeetingState.SETTLED, "resolve", MeetingState.SETTLED, "resolution.create"),
    Transition(MeetingState.CLOSED, "resolve", MeetingState.CLOSED, "resolution.create"),
    column="state",
)


class Attendance(str, enum.Enum):
    PRESENT = "present"
    ABSENT = "absent"
    NONVOTING = "nonvoting"  # 列席


class StanceKind(str, enum.Enum):
    AGREE = "agree"  # 同意
    DISAGREE = "disagree"  # 不同意
    DEFER = "defer"  # 缓议
    REMARK = "remark"  # a 列席 attendee's remark: no stance


class VoteMethod(str, enum.Enum):
    ORAL = "oral"  # 口头表决
    HANDS = "hands"  # 举手表决
    NAMED = "named"  # 记名投票
    SECRET = "secret"  # 无记名投票 (needs the congress ballot machinery)


class EvidenceKind(str, enum.Enum):
    CONSULTATION = "consultation"  # a finished consultation with its adoption summary
    CONGRESS_VOTE = "congress_vote"  # a congress vote on it
    HEARING = "hearing"  # 座谈会、问卷 etc. with minutes
    PREPARATION = "preparation"  # 酝酿 / 推荐考察 (cadre items)
    EXPERT = "expert"  # 专家论证 (technical items)


STAFF_HEARD = (EvidenceKind.CONSULTATION.value, EvidenceKind.CONGRESS_VOTE.value, EvidenceKind.HEARING.value)


class Visibility(str, enum.Enum):
    PUBLIC = "public"
    STAFF = "staff"
    INTERNAL = "internal"


class MeetingCadence(str, enum.Enum):
    """How a body's meetings are counted: per calendar month, per calendar week (Monday to
    Sunday), or within a rolling number of days."""

    MONTH = "month"
    WEEK = "week"
    DAYS = "days"


class Cadence(str, enum.Enum):
    MONTHLY = "monthly"
    TERM = "term"
    ONCE = "once"


class ResolutionState(str, enum.Enum):
    AWAITING_APPROVAL = "awaiting_approval"  # 报批中: deadlines run from the approval
    OPEN = "open"
    DONE = "done"
    CHANGED = "changed"  # 已复议变更


class ResolutionKind(str, enum.Enum):
    RESOLUTION = "resolution"
    # The principal's regular report to the Party committee on major resolutions and plans:
    # a standing duty with the same cadence, overdue flag and urging.
    REGULAR_REPORT = "regular_report"


RESOLUTION_FLOW: Workflow[ResolutionState] = Workflow(
    Transition(ResolutionState.AWAITING_APPROVAL, "approve", ResolutionState.OPEN, "resolution.record_approval"),
    Transition(ResolutionState.OPEN, "confirm", ResolutionState.DONE, "resolution.supervise"),
    Transition(ResolutionState.OPEN, "change", ResolutionState.CHANGED, "resolution.change"),
    Transition(ResolutionState.AWAITING_APPROVAL, "change", ResolutionState.CHANGED, "resolution.change"),
    # steps that keep the state
    Transition(ResolutionState.OPEN, "report", ResolutionState.OPEN, "resolution.report"),
    Transition(ResolutionState.OPEN, "supervise", ResolutionState.OPEN, "resolution.supervise"),  # urge, note
    Transition(ResolutionState.AWAITING_APPROVAL, "supervise", ResolutionState.AWAITING_APPROVAL,
               "resolution.supervise"),
    Transition(ResolutionState.OPEN, "reconsider", ResolutionState.OPEN, "resolution.reconsider"),
    Transition(ResolutionState.AWAITING_APPROVAL, "reconsider", ResolutionState.AWAITING_APPROVAL,
               "resolution.reconsider"),
    column="state",
)


class Procedure(Base):
    """One version of a body's rules of procedure (议事规则), adopted and filed (备案)."""

    __tablename__ = "dec_procedure"
    __table_args__ = (UniqueConstraint("body", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(10))  # party | office
    version: Mapped[int] = mapped_column(Integer)
    adopted_on: Mapped[date] = mapped_column(Date)
    filed_on: Mapped[date | None] = mapped_column(Date)
    # thresholds, as fractions: "at least" (strict False, 以上) or "more than" (strict True)
    quorum_num: Mapped[int] = mapped_column(Integer, default=1)
    quorum_den: Mapped[int] = mapped_column(Integer, default=2)
    quorum_strict: Mapped[bool] = mapped_column(Boolean, default=False)
    important_num: Mapped[int] = mapped_column(Integer, default=2)
    important_den: Mapped[int] = mapped_column(Integer, default=3)
    majority_num: Mapped[int] = mapped_column(Integer, default=1)
    majority_den: Mapped[int] = mapped_column(Integer, default=2)
    majority_strict: Mapped[bool] = mapped_column(Boolean, default=True)
    # serious disagreement at the office meeting: this share of those present or more
    # disagree or ask to defer
    disagreement_num: Mapped[int] = mapped_column(Integer, default=1)
    disagreement_den: Mapped[int] = mapped_column(Integer, default=2)
    # how often the body must meet: once per calendar month or week (the texts' 每月 / 每周), or
    # within a rolling number of days ("days", the only unit cadence_days counts for)
    cadence_unit: Mapped[str] = mapped_column(String(8), default="days", server_default="days")
    cadence_days: Mapped[int] = mapped_column(Integer)
    lead_days: Mapped[int] = mapped_column(Integer, default=1)
    powers: Mapped[str] = mapped_column(String(200), default="")  # MajorKind values it decides, comma-separated
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    @property
    def power_list(self) -> list[str]:
        return [p for p in self.powers.split(",") if p]


class Meeting(Base):
    __tablename__ = "dec_meeting"
    __table_args__ = (Index("ix_dec_meeting_body_held", "body", "held_on"), one_of("state", MeetingState))

    flow: ClassVar[Workflow[MeetingState]] = MEETING_FLOW  # what may happen next: Workflow.available / move
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(120))
    held_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    procedure_id: Mapped[int] = mapped_column(ForeignKey("dec_procedure.id"))
    state: Mapped[str] = mapped_column(String(10), default=MeetingState.PLANNED.value)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    chair_note: Mapped[str] = mapped_column(Text, default="")  # why the deputy chairs
    recorder_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime)
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    papers_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    recorder_signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    supervisor_signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # the recorder's own part of the 会议记录 (what the portal does not record itself: 列席
    # remarks and anything else said), saved as drafts until the recorder signs
    minutes_remarks: Mapped[str] = mapped_column(Text, default="", server_default="")
    minutes_saved_at: Mapped[datetime | None] = mapped_column(DateTime)
    minutes_text: Mapped[str] = mapped_column(Text, default="")  # frozen when the recorder signs
    minutes_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    procedure: Mapped[Procedure] = relationship(lazy="select")
    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id], lazy="select")
    recorder: Mapped[User | None] = relationship(foreign_keys=[recorder_id], lazy="select")
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id], lazy="select")
    items: Mapped[list[Item]] = relationship(back_populates="meeting", order_by="Item.position, Item.id",
                                             lazy="select")
    attendance: Mapped[list[MeetingAttendance]] = relationship(order_by="MeetingAttendance.id", lazy="select")
    papers: Mapped[list[MeetingPaper]] = relationship(order_by="MeetingPaper.id", lazy="select")
    receipts: Mapped[list[PaperReceipt]] = relationship(order_by="PaperReceipt.read_at", lazy="select")
    # the supervision opinions on the meeting itself (read only: written as SupervisionOpinion rows)
    opinions: Mapped[list[SupervisionOpinion]] = relationship(
        primaryjoin="and_(foreign(SupervisionOpinion.subject_id) == Meeting.id, "
                    "SupervisionOpinion.subject_kind == 'meeting')",
        order_by="SupervisionOpinion.at, SupervisionOpinion.id", viewonly=True, lazy="select")

    @property
    def is_sitting(self) -> bool:
        """The agenda is settled and the items are being taken, one by one."""
        return self.state == MeetingState.SETTLED.value

    @property
    def is_signed(self) -> bool:
        return self.state == MeetingState.SIGNED.value

    @property
    def minutes_editable(self) -> bool:
        """The recorder may write the 会议记录: from the settled agenda until the recorder signs."""
        return self.state in (MeetingState.SETTLED.value, MeetingState.CLOSED.value) and self.recorder_signed_at is None

    @property
    def papers_open(self) -> bool:
        """Papers may still be added: the meeting has not ended and they have not been sent."""
        return self.state in (MeetingState.PLANNED.value, MeetingState.SETTLED.value) and self.papers_sent_at is None

    @property
    def next_signer_id(self) -> int | None:
        """Who signs the 会议记录 next: the recorder, then the supervisor."""
        if self.state != MeetingState.CLOSED.value:
            return None
        if self.recorder_signed_at is None:
            return self.recorder_id
        return self.supervisor_id if self.supervisor_signed_at is None else None

    def phase_at(self, now: datetime) -> str:
        """The state as people speak of it: a settled agenda is "sitting" (议事中) only once
        the meeting has begun, not from the moment the agenda was settled."""
        if self.state == MeetingState.SETTLED.value and now >= self.starts_at:
            return "sitting"
        return self.state

    @property
    def phase(self) -> str:
        return self.phase_at(utcnow())


class MeetingPaper(StoredFileColumns, Base):
    """A meeting paper (会议材料): an uploaded file for the meeting or one of its items, sent
    with the agenda to the attendees in advance."""

    __tablename__ = "dec_paper"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("dec_meeting.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("dec_item.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))


class PaperReceipt(Base):
    """An attendee marked the meeting's papers read (阅读回执)."""

    __tablename__ = "dec_paper_receipt"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("dec_meeting.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    read_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MeetingAttendance(Base):
    __tablename__ = "dec_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("dec_meeting.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def is_absent(self) -> bool:
        return self.kind == Attendance.ABSENT.value


class Item(Base):
    """An agenda item (议题) with the flags that decide its preconditions and quorum."""

    __tablename__ = "dec_item"
    __table_args__ = (
        UniqueConstraint("meeting_id", "position"),
        one_of("state", ItemState),
        CheckConstraint("votes_yes >= 0 AND votes_no >= 0 AND votes_abstain >= 0", name="votes"),
    )

    flow: ClassVar[Workflow[ItemState]] = ITEM_FLOW  # what may happen next: Workflow.available / move
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(10))  # the meeting it is meant for
    title: Mapped[str] = mapped_column(String(120))
    background: Mapped[str] = mapped_column(Text, default="")
    proposal: Mapped[str] = mapped_column(Text, default="")  # the proposed decision
    proposer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    major_kind: Mapped[str] = mapped_column(String(12), default=MajorKind.NONE.value)
    important: Mapped[bool] = mapped_column(Boolean, default=False)
    staff_interest: Mapped[bool] = mapped_column(Boolean, default=False)
    two_thirds: Mapped[bool] = mapped_column(Boolean, default=False)
    technical: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(10), default=ItemState.PROPOSED.value, index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("dec_meeting.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # the resolution this item reconsiders (复议). Item and resolution refer to each other: the
    # constraint is added once both tables exist (migration 0015; use_alter for the rest).
    reconsiders_id: Mapped[int | None] = mapped_column(ForeignKey("dec_resolution.id", use_alter=True), index=True)
    # the earlier item this one continues: forwarded from an office meeting with its record,
    # or proposed again after it was deferred
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("dec_item.id"))
    # the decision
    vote_method: Mapped[str] = mapped_column(String(8), default="")
    votes_yes: Mapped[int | None] = mapped_column(Integer)
    votes_no: Mapped[int | None] = mapped_column(Integer)
    votes_abstain: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(Text, default="")
    discussion: Mapped[str] = mapped_column(Text, default="", server_default="")  # 讨论情况, by the recorder
    ballot_digest: Mapped[str] = mapped_column(String(64), default="")  # secret ballot: SHA-256 of the box
    result_text: Mapped[str] = mapped_column(Text, default="")  # the rule with its figures
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    proposer: Mapped[User] = relationship(foreign_keys=[proposer_id], lazy="select")
    meeting: Mapped[Meeting | None] = relationship(back_populates="items", lazy="select")
    views: Mapped[list[ItemView]] = relationship(order_by="ItemView.id", lazy="select")
    evidence: Mapped[list[Evidence]] = relationship(order_by="Evidence.id", lazy="select")
    stances: Mapped[list[Stance]] = relationship(order_by="Stance.seq", lazy="select")
    named_votes: Mapped[list[ItemNamedVote]] = relationship(order_by="ItemNamedVote.id", lazy="select")
    resolutions: Mapped[list[Resolution]] = relationship(
        back_populates="item", foreign_keys="Resolution.item_id", order_by="Resolution.id", lazy="select")

    @property
    def is_decided(self) -> bool:
        """Taken at a meeting: passed, rejected, deferred or forwarded."""
        return self.state not in (ItemState.PROPOSED.value, ItemState.SCHEDULED.value)

    @property
    def is_forwarded(self) -> bool:
        return self.state == ItemState.FORWARDED.value

    @property
    def two_thirds_fixed(self) -> bool:
        """干部任免: two thirds present always, not the secretary's choice."""
        return self.major_kind == MajorKind.CADRE.value


class ItemView(Base):
    """The secretary's or the principal's view on an important item before it goes on an agenda."""

    __tablename__ = "dec_item_view"
    __table_args__ = (UniqueConstraint("item_id", "office"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("dec_item.id", ondelete="CASCADE"), index=True)
    office: Mapped[str] = mapped_column(String(20))  # SECRETARY | PRINCIPAL | DEPUTY_SECRETARY
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    agree: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class Evidence(Base):
    """A record that a precondition was met: staff heard, cadre preparation, expert review."""

    __tablename__ = "dec_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("dec_item.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(200), default="")  # consultation / vote / document number
    who: Mapped[str] = mapped_column(String(200), default="")
    held_on: Mapped[date] = mapped_column(Date)
    conclusion: Mapped[str] = mapped_column(Text, default="")
    attachment_name: Mapped[str] = mapped_column(String(200), default="")
    attachment_stored: Mapped[str] = mapped_column(String(80), default="")
    attachment_sha256: Mapped[str] = mapped_column(String(64), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Stance(Base):
    """One member's stance (or a 列席 attendee's remark) on an item, in the order stated."""

    __tablename__ = "dec_stance"
    __table_args__ = (UniqueConstraint("item_id", "user_id"), UniqueConstraint("item_id", "seq"))

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("dec_item.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    seq: Mapped[int] = mapped_column(Integer)
    stance: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class ItemNamedVote(Base):
    """A named ballot (记名投票): who voted how is on record by design."""

    __tablename__ = "dec_named_vote"
    __table_args__ = (UniqueConstraint("item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("dec_item.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    choice: Mapped[str] = mapped_column(String(8))  # yes | no | abstain

    user: Mapped[User] = relationship(lazy="joined")


class ItemSecretBallot(Base):
    """A secret ballot on an item (无记名投票): random key, item, content; nothing else.

    No voter, no time, no sequential key; ``WITHOUT ROWID`` on SQLite so rows are stored in
    key order (random), not in the order they were cast. Who voted is ``ItemBallotVoter``.
    """

    __tablename__ = "dec_secret_ballot"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("dec_item.id"), index=True)
    choice: Mapped[str] = mapped_column(String(40))


class ItemBallotVoter(Base):
    """Who has cast a secret ballot on an item (to stop double voting); not what."""

    __tablename__ = "dec_ballot_voter"

    item_id: Mapped[int] = mapped_column(ForeignKey("dec_item.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)


class Resolution(Base):
    __tablename__ = "dec_resolution"
    __table_args__ = (Index("ix_dec_resolution_tracker", "visibility", "decided_on"), one_of("state", ResolutionState))

    flow: ClassVar[Workflow[ResolutionState]] = RESOLUTION_FLOW  # what may happen next: Workflow.available / move
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=ResolutionKind.RESOLUTION.value)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("dec_item.id"), index=True)
    body: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    visibility: Mapped[str] = mapped_column(String(10), default=Visibility.STAFF.value)
    staff_interest: Mapped[bool] = mapped_column(Boolean, default=False)
    cadence: Mapped[str] = mapped_column(String(8), default=Cadence.MONTHLY.value)
    state: Mapped[str] = mapped_column(String(18), default=ResolutionState.OPEN.value, index=True)
    decided_on: Mapped[date] = mapped_column(Date)
    # deadlines run from here: the decision, or the higher approval (报批)
    starts_on: Mapped[date | None] = mapped_column(Date)
    deadline_days: Mapped[int | None] = mapped_column(Integer)  # from starts_on; None: standing
    deadline: Mapped[date | None] = mapped_column(Date)
    approval_authority: Mapped[str] = mapped_column(String(120), default="")
    approval_document: Mapped[str] = mapped_column(String(120), default="")
    approved_on: Mapped[date | None] = mapped_column(Date)
    changed_by_item_id: Mapped[int | None] = mapped_column(ForeignKey("dec_item.id"))
    changed_on: Mapped[date | None] = mapped_column(Date)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # the 党务公开 notice (its first version) this Party-meeting decision was published as
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    item: Mapped[Item | None] = relationship(back_populates="resolutions", foreign_keys=[item_id],
                                             lazy="select")
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="select")
    co_owners: Mapped[list[CoOwner]] = relationship(order_by="CoOwner.id", lazy="select")
    milestones: Mapped[list[Milestone]] = relationship(order_by="Milestone.due_on", lazy="select")
    reports: Mapped[list[Report]] = relationship(order_by="Report.filed_at", lazy="select")
    urgings: Mapped[list[Urging]] = relationship(order_by="Urging.at", lazy="select")

    @property
    def awaits_approval(self) -> bool:
        return self.state == ResolutionState.AWAITING_APPROVAL.value

    @property
    def is_changed(self) -> bool:
        return self.state == ResolutionState.CHANGED.value

    @property
    def is_meeting_resolution(self) -> bool:
        """A meeting's resolution (not the principal's standing report): it may be reconsidered."""
        return self.kind == ResolutionKind.RESOLUTION.value and self.item_id is not None


class CoOwner(Base):
    __tablename__ = "dec_co_owner"
    __table_args__ = (UniqueConstraint("resolution_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("dec_resolution.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    user: Mapped[User] = relationship(lazy="joined")


class Milestone(Base):
    __tablename__ = "dec_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("dec_resolution.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date] = mapped_column(Date)


class Report(Base):
    """A progress report (执行情况报告); ``due_on`` is the due date it answered."""

    __tablename__ = "dec_report"
    __table_args__ = (Index("ix_dec_report_resolution_filed", "resolution_id", "filed_at"),
                      CheckConstraint("percent BETWEEN 0 AND 100", name="percent"))

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("dec_resolution.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(Text)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)
    filed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    filed_on: Mapped[date] = mapped_column(Date)  # school date
    due_on: Mapped[date | None] = mapped_column(Date)
    on_time: Mapped[bool] = mapped_column(Boolean, default=True)
    attachment_name: Mapped[str] = mapped_column(String(200), default="")
    attachment_stored: Mapped[str] = mapped_column(String(80), default="")
    attachment_sha256: Mapped[str] = mapped_column(String(64), default="")

    author: Mapped[User] = relationship(lazy="joined")


class Urging(Base):
    """The secretary's urging (催报) or supervision note (督办意见)."""

    __tablename__ = "dec_urging"

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("dec_resolution.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # urge | note
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    by: Mapped[User] = relationship(lazy="joined")

    @property
    def is_urge(self) -> bool:
        return self.kind == "urge"

class SupervisionOpinion(Base):
    """The supervisor's (监督员, 纪检委员) opinion on a meeting, an item or a resolution (监督意见),
    and the secretary's answer on record."""

    __tablename__ = "dec_supervision_opinion"
    __table_args__ = (Index("ix_dec_supervision_opinion_subject", "subject_kind", "subject_id"),
                      CheckConstraint("subject_kind IN ('meeting', 'item', 'resolution')", name="subject_kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(12))  # meeting | item | resolution
    subject_id: Mapped[int] = mapped_column(Integer)
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    by: Mapped[User] = relationship(foreign_keys=[by_id], lazy="joined")
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id], lazy="joined")
