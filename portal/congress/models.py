"""The staff congress (教代会): terms, delegations, the dated roster of representatives;
sessions with their presence log; polls (motions and elections) with their ballots."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import (
    Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text, true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import Base, one_of
from portal.files import StoredFileColumns
# The terms and their dated roster are the school's memberships (portal.org), asked about by
# permissions everywhere; they are named here too, where the congress's own tables refer to them.
from portal.org.models import CongressTerm, Delegation, Representative, TermKind  # noqa: F401
from portal.timeutil import utcnow
from portal.workflow import Transition, Workflow


# --- sessions, presence and polls (issue 8) ---------------------------------------------

class SessionStatus(str, enum.Enum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"


# The union opens a planned session for sign-in and votes, and closes it when it ends.
SESSION_FLOW: Workflow[SessionStatus] = Workflow(
    Transition(SessionStatus.PLANNED, "open", SessionStatus.OPEN, "congress.manage"),
    Transition(SessionStatus.OPEN, "close", SessionStatus.CLOSED, "congress.manage"),
)


class CongressSession(Base):
    """A session (第N次会议) of a term: date, place, agenda; planned → open → closed."""

    __tablename__ = "congress_session"
    __table_args__ = (UniqueConstraint("term_id", "number"), one_of("status", SessionStatus))

    flow: ClassVar[Workflow[SessionStatus]] = SESSION_FLOW  # what may happen next: Workflow.available / move
    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("congress_term.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(80))
    agenda: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=SessionStatus.PLANNED.value)
    requires_hall_code: Mapped[bool] = mapped_column(Boolean, default=False)
    # The principal's work report is a required item of every session but an extraordinary
    # one (临时会议), which the union marks when planning it.
    work_report_required: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The hall display's address carries this token (the union sees and rotates it).
    display_token: Mapped[str] = mapped_column(String(64), unique=True)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    term: Mapped[CongressTerm] = relationship(lazy="joined")

    @property
    def is_planned(self) -> bool:
        return self.status == SessionStatus.PLANNED.value

    @property
    def is_open(self) -> bool:
        return self.status == SessionStatus.OPEN.value

    @property
    def is_closed(self) -> bool:
        return self.status == SessionStatus.CLOSED.value


class SessionDocument(StoredFileColumns, Base):
    """A paper of a session (the work report, the budget, a draft plan), a file stored by
    ``portal.files``: checked by content, kept outside ``static/``."""

    __tablename__ = "congress_session_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("congress_session.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))


class WorkReport(Base):
    """The principal's work report (校长工作报告) to a session: its text and, optionally, the
    paper it was filed with. Fixed once the session opens: what is discussed is what was filed."""

    __tablename__ = "congress_work_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("congress_session.id"), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))  # of the text, also in the audit chain
    document_id: Mapped[int | None] = mapped_column(ForeignKey("congress_session_document.id"))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    filed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revision: Mapped[int] = mapped_column(Integer, default=1)

    session: Mapped[CongressSession] = relationship(lazy="joined")
    document: Mapped[SessionDocument | None] = relationship(lazy="joined")
    filed_by: Mapped[User] = relationship(lazy="joined")


class WorkReportRead(Base):
    """A representative has read the report (their own click, once)."""

    __tablename__ = "congress_work_report_read"

    report_id: Mapped[int] = mapped_column(ForeignKey("congress_work_report.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WorkReportOpinion(Base):
    """A representative's opinion on the report, signed, and the principal's office's answer
    (final once given)."""

    __tablename__ = "congress_work_report_opinion"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("congress_work_report.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id], lazy="joined")


class SessionReport(Base):
    """A report compiled for a session by another feature (the principal's report on the
    execution of resolutions, with the handling of proposals), frozen when attached: the
    printable HTML the portal rendered and the spreadsheet, each with its hash."""

    __tablename__ = "congress_session_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("congress_session.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    html: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[int] = mapped_column(ForeignKey("congress_session_document.id"))
    compiled_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    compiled_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    document: Mapped[SessionDocument] = relationship(lazy="joined")


class Attendance(Base):
    """Whether a representative is in the hall now, and when they first signed in.

    The dated log of every sign-in and sign-out is :class:`PresenceEvent`; this row is its
    current state (one per person and session), which votes check.
    """

    __tablename__ = "congress_attendance"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("congress_session.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    first_in_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise_on_sql")


class PresenceEvent(Base):
    """One sign-in or sign-out: by the person on the phone (with or without the hall code)
    or recorded by the union (paper sign-in, with a note)."""

    __tablename__ = "congress_presence"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("congress_session.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(4))  # in | out
    via: Mapped[str] = mapped_column(String(8))  # phone | hall | union
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")
    by: Mapped[User] = relationship(foreign_keys=[by_id], lazy="raise_on_sql")


class PollKind(str, enum.Enum):
    MOTION = "motion"  # 表决: 赞成 / 反对 / 弃权
    ELECTION = "election"  # 选举: choose up to N candidates


class PollStatus(str, enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


POLL_FLOW: Workflow[PollStatus] = Workflow(
    Transition(PollStatus.DRAFT, "open", PollStatus.OPEN, "congress.manage"),
    Transition(PollStatus.OPEN, "close", PollStatus.CLOSED, "congress.manage"),
)

MOTION_OPTIONS = ("yes", "no", "abstain")


class Poll(Base):
    """A motion or an election within a session; named or secret; online or on paper.

    ``roster_size`` and ``present_at_open`` are frozen when it opens (with the eligible
    roster in :class:`PollEligible`), the counts (:class:`PollCount`), ``ballots_cast`` and the
    ballot-box ``digest`` when it closes. The threshold is ``rule_num/rule_den`` of the
    roster (motion) or of ballots cast (election), inclusive (以上) or strict (超过).
    """

    __tablename__ = "congress_poll"
    __table_args__ = (
        UniqueConstraint("session_id", "position"),
        # One poll of a session open at a time (open_poll checks it first, under the write lock).
        Index("uq_congress_poll_one_open", "session_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
        one_of("status", PollStatus),
        CheckConstraint("seats >= 1", name="seats"),
        CheckConstraint("roster_size >= 0 AND present_at_open >= 0 AND ballots_cast >= 0", name="counts"),
        CheckConstraint("ballots_cast <= roster_size", name="ballots_within_roster"),
    )

    flow: ClassVar[Workflow[PollStatus]] = POLL_FLOW  # what may happen next: Workflow.available / move
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("congress_session.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10), default=PollKind.MOTION.value)
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    paper: Mapped[bool] = mapped_column(Boolean, default=False)
    seats: Mapped[int] = mapped_column(Integer, default=1)  # elections: choose up to this many
    rule_num: Mapped[int] = mapped_column(Integer, default=1)
    rule_den: Mapped[int] = mapped_column(Integer, default=2)
    rule_strict: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=PollStatus.DRAFT.value)
    results_public: Mapped[bool] = mapped_column(Boolean, default=False)
    roster_size: Mapped[int | None] = mapped_column(Integer)
    present_at_open: Mapped[int | None] = mapped_column(Integer)
    ballots_cast: Mapped[int | None] = mapped_column(Integer)
    digest: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    session: Mapped[CongressSession] = relationship(lazy="joined")
    candidates: Mapped[list[Candidate]] = relationship(order_by="Candidate.position", lazy="selectin")

    @property
    def is_motion(self) -> bool:
        return self.kind == PollKind.MOTION.value

    @property
    def is_draft(self) -> bool:
        return self.status == PollStatus.DRAFT.value

    @property
    def is_open(self) -> bool:
        return self.status == PollStatus.OPEN.value

    @property
    def is_closed(self) -> bool:
        return self.status == PollStatus.CLOSED.value

    @property
    def max_choices(self) -> int:
        return 1 if self.is_motion else self.seats

    @property
    def options(self) -> tuple[str, ...]:
        """The option codes a ballot may hold."""
        if self.is_motion:
            return MOTION_OPTIONS
        return tuple(c.code for c in self.candidates)


class Candidate(Base):
    """A candidate of an election (a name as printed on the ballot; a user when staff)."""

    __tablename__ = "congress_candidate"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("congress_poll.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def code(self) -> str:
        return f"c{self.id}"


class PollEligible(Base):
    """The eligible roster frozen when the poll opened."""

    __tablename__ = "congress_poll_eligible"

    poll_id: Mapped[int] = mapped_column(ForeignKey("congress_poll.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)


class Participation(Base):
    """Who has voted in a poll: one row per voter, enforced by the primary key (no time,
    no sequential id: for secret polls this and the ballots must not be joinable)."""

    __tablename__ = "congress_participation"

    poll_id: Mapped[int] = mapped_column(ForeignKey("congress_poll.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)


class NamedVote(Base):
    """A named (记名) vote: the voter's current choice, which they may change until close."""

    __tablename__ = "congress_named_vote"

    poll_id: Mapped[int] = mapped_column(ForeignKey("congress_poll.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(400))  # a canonical ballot (portal.ballots)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise_on_sql")


class SecretBallot(Base):
    """A secret ballot: its random key, its poll and its content, nothing else.

    No voter, no time, no sequential key; ``WITHOUT ROWID`` on SQLite so rows are stored in
    key order (random), not in the order they were cast (QUALITY.md).
    """

    __tablename__ = "congress_secret_ballot"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("congress_poll.id"), index=True)
    choice: Mapped[str] = mapped_column(String(400))


class PollCount(Base):
    """A frozen count at close: votes for one option (赞成/反对/弃权 or a candidate)."""

    __tablename__ = "congress_poll_count"
    __table_args__ = (CheckConstraint("count >= 0", name="count"),)

    poll_id: Mapped[int] = mapped_column(ForeignKey("congress_poll.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
