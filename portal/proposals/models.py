"""Proposals (提案): drafted by a representative, co-signed (附议), reviewed by the proposal
committee (立案 / 并案 / 转为意见建议), assigned (交办) to a lead department with co-handlers
and a deadline, answered, and rated by the proposer, with one more round after 不满意."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Department, User
from portal.congress.models import CongressTerm
from portal.db import Base, one_of
from portal.files import StoredFileColumns
from portal.timeutil import utcnow
from portal.workflow import Transition, Workflow


class Status(str, enum.Enum):
    DRAFT = "draft"  # the proposer writes and gathers co-signers
    SUBMITTED = "submitted"  # 待审查
    ACCEPTED = "accepted"  # 立案, waiting to be assigned
    MERGED = "merged"  # 并案 into another proposal
    OPINION = "opinion"  # 转为意见建议
    ASSIGNED = "assigned"  # 交办, waiting for the answer
    ANSWERED = "answered"  # waiting for the proposer's rating
    CLOSED = "closed"  # rated, final


class Category(str, enum.Enum):
    TEACHING = "teaching"  # 教育教学
    WELFARE = "welfare"  # 福利待遇
    LOGISTICS = "logistics"  # 后勤保障
    MANAGEMENT = "management"  # 民主管理
    OTHER = "other"


class AnswerClass(str, enum.Enum):
    SOLVED = "solved"  # 已解决
    PLANNED = "planned"  # 正在解决或列入计划
    CANNOT = "cannot"  # 因条件限制暂不能解决


class Rating(str, enum.Enum):
    SATISFIED = "satisfied"  # 满意
    BASIC = "basic"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class CosignStatus(str, enum.Enum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


PROPOSAL_FLOW: Workflow[Status] = Workflow(
    Transition(Status.DRAFT, "submit", Status.SUBMITTED, "proposal.submit"),
    Transition(Status.SUBMITTED, "accept", Status.ACCEPTED, "proposal.review"),
    Transition(Status.SUBMITTED, "merge", Status.MERGED, "proposal.review"),
    Transition(Status.SUBMITTED, "to_opinion", Status.OPINION, "proposal.review"),
    Transition(Status.ACCEPTED, "assign", Status.ASSIGNED, "proposal.assign"),
    Transition(Status.ASSIGNED, "answer", Status.ANSWERED, "proposal.answer"),
    Transition(Status.ANSWERED, "rate", Status.CLOSED, "proposal.rate"),
    # 不满意 in the first round sends it back to the department for one more
    Transition(Status.ANSWERED, "return", Status.ASSIGNED, "proposal.rate"),
    # steps that keep the state
    Transition(Status.DRAFT, "invite", Status.DRAFT, "proposal.edit"),
    Transition(Status.DRAFT, "cosign", Status.DRAFT, "proposal.cosign"),
    Transition(Status.SUBMITTED, "cosign", Status.SUBMITTED, "proposal.cosign"),  # until it is reviewed
    Transition(Status.DRAFT, "decline", Status.DRAFT, "proposal.decline"),
    Transition(Status.ASSIGNED, "part", Status.ASSIGNED, "proposal.part"),  # a co-handler's part
    Transition(Status.ANSWERED, "part", Status.ANSWERED, "proposal.part"),
)
# A proposal another may be merged into: on record and not itself merged away or turned down.
MERGE_TARGETS = (Status.SUBMITTED.value, Status.ACCEPTED.value, Status.ASSIGNED.value, Status.ANSWERED.value,
                 Status.CLOSED.value)


class Proposal(Base):
    __tablename__ = "proposal"
    __table_args__ = (  # the register: a term's proposals, newest first, by any one filter
        Index("ix_proposal_register", "term_id", "id"),
        Index("ix_proposal_register_status", "term_id", "status", "id"),
        Index("ix_proposal_register_department", "term_id", "lead_department_id", "id"),
        Index("ix_proposal_register_rating", "term_id", "rating", "id"),
        Index("ix_proposal_register_answer", "term_id", "answer_class", "id"),
        Index("ix_proposal_register_overdue", "term_id", "status", "deadline", "id"),  # oldest overdue first
        Index("ix_proposal_overdue", "status", "deadline"),  # the dashboards, across terms
        one_of("status", Status),
    )

    flow: ClassVar[Workflow[Status]] = PROPOSAL_FLOW  # what may happen next: Workflow.available / move
    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("congress_term.id"))
    title: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)  # 案由
    measures: Mapped[str] = mapped_column(Text)  # 建议措施
    category: Mapped[str] = mapped_column(String(16), default=Category.OTHER.value)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=Status.DRAFT.value)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)

    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    review_reason: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), index=True)

    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    deadline: Mapped[date | None] = mapped_column(Date)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime)
    round: Mapped[int] = mapped_column(Integer, default=0)  # answer rounds begun: 0, 1 or 2
    answer_class: Mapped[str | None] = mapped_column(String(10))  # of the latest answer
    rating: Mapped[str | None] = mapped_column(String(14))  # the latest rating
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    # Similar-proposal search: the distinct character trigrams of title and reason
    gram_count: Mapped[int] = mapped_column(Integer, default=0)

    term: Mapped[CongressTerm] = relationship(lazy="raise_on_sql")
    proposer: Mapped[User] = relationship(foreign_keys=[proposer_id], lazy="raise_on_sql")
    lead_department: Mapped[Department | None] = relationship(lazy="raise_on_sql")
    merged_into: Mapped[Proposal | None] = relationship(remote_side=[id], lazy="raise_on_sql")
    cosigns: Mapped[list[Cosign]] = relationship(order_by="Cosign.id", lazy="raise_on_sql")
    cohandlers: Mapped[list[Cohandler]] = relationship(order_by="Cohandler.id", lazy="raise_on_sql")
    answers: Mapped[list[Answer]] = relationship(order_by="Answer.round", lazy="raise_on_sql")
    attachments: Mapped[list[ProposalAttachment]] = relationship(order_by="ProposalAttachment.id",
                                                                 lazy="raise_on_sql")

    @property
    def state(self) -> Status:
        return Status(self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT.value

    @property
    def is_opinion(self) -> bool:
        return self.status == Status.OPINION.value

    @property
    def open_for_cosigning(self) -> bool:
        return PROPOSAL_FLOW.allows(self, "cosign")

    @property
    def cosigners(self) -> list[Cosign]:
        """Who co-signed (附议): accepted, never the proposer. Needs ``cosigns`` loaded."""
        return [c for c in self.cosigns if c.is_accepted and c.user_id != self.proposer_id]

    def cosign_of(self, user_id: int | None) -> Cosign | None:
        """This person's invitation or co-signature, if any. Needs ``cosigns`` loaded."""
        return next((c for c in self.cosigns if c.user_id == user_id), None)

    def is_overdue(self, today: date) -> bool:
        """Assigned and not answered by the deadline."""
        return self.status == Status.ASSIGNED.value and self.deadline is not None and today > self.deadline


class ProposalGram(Base):
    """One character trigram of a proposal's title and reason (see ``proposals.similar``)."""

    __tablename__ = "proposal_gram"
    __table_args__ = (Index("ix_proposal_gram_lookup", "gram", "proposal_id"),)

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True)
    gram: Mapped[str] = mapped_column(String(3), primary_key=True)


class Cosign(Base):
    """An invitation to co-sign (附议) and the representative's answer."""

    __tablename__ = "proposal_cosign"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"), one_of("status", CosignStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=CosignStatus.INVITED.value)
    invited_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(lazy="raise_on_sql")

    @property
    def is_invited(self) -> bool:
        return self.status == CosignStatus.INVITED.value

    @property
    def is_accepted(self) -> bool:
        return self.status == CosignStatus.ACCEPTED.value


class Cohandler(Base):
    """A co-handling department (协办) of an assigned proposal."""

    __tablename__ = "proposal_cohandler"
    __table_args__ = (UniqueConstraint("proposal_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)

    department: Mapped[Department] = relationship(lazy="raise_on_sql")


class Answer(Base):
    """The lead department's answer in one round, and the proposer's rating of it."""

    __tablename__ = "proposal_answer"
    __table_args__ = (UniqueConstraint("proposal_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    answer_class: Mapped[str] = mapped_column(String(10))
    explanation: Mapped[str] = mapped_column(Text)
    answered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    rating: Mapped[str | None] = mapped_column(String(14))
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None] = mapped_column(DateTime)

    department: Mapped[Department] = relationship(lazy="raise_on_sql")
    answered_by: Mapped[User] = relationship(lazy="raise_on_sql")


class Part(Base):
    """A co-handling department's part of the answer in one round."""

    __tablename__ = "proposal_part"
    __table_args__ = (UniqueConstraint("proposal_id", "department_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    round: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    department: Mapped[Department] = relationship(lazy="raise_on_sql")
    by: Mapped[User] = relationship(lazy="raise_on_sql")


class ProposalAttachment(StoredFileColumns, Base):
    """A file of the proposal (``round`` 0) or of an answer or part in that round."""

    __tablename__ = "proposal_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
