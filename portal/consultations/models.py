"""Consultations (征求意见): a draft put to an audience for an open window, its comments
(signed, or anonymous to readers), the organisers' replies, the mark on every comment and
the published adoption summary (采纳情况)."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import ClassVar

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import Base, one_of
from portal.files import StoredFileColumns
from portal.timeutil import utcnow
from portal.workflow import Transition, Workflow


class Audience(str, enum.Enum):
    STAFF = "staff"  # all staff
    REPS = "reps"  # the representatives of the current congress term
    PARTY = "party"  # Party members


class Status(str, enum.Enum):
    DRAFT = "draft"
    OPEN = "open"  # published; comments are taken while the window lasts, marked after it
    SUMMARISED = "summarised"  # the adoption summary is published: finished


class Adoption(str, enum.Enum):
    ADOPTED = "adopted"  # 采纳
    PARTLY = "partly"  # 部分采纳
    NOT_ADOPTED = "not_adopted"  # 未采纳


# draft → open (publish) → summarised (publish the adoption summary, once every comment is
# marked after the window). Nothing returns: a published consultation stays on record.
CONSULTATION_FLOW: Workflow[Status] = Workflow(
    Transition(Status.DRAFT, "publish", Status.OPEN, "consultation.edit"),
    Transition(Status.OPEN, "publish_summary", Status.SUMMARISED, "consultation.manage"),
)


class Consultation(Base):
    __tablename__ = "consultation"
    __table_args__ = (
        Index("ix_consultation_matter", "matter_kind", "matter_id", "status"),
        Index("ix_consultation_list", "status", "closes_at", "id"),
        one_of("status", Status),
    )

    flow: ClassVar[Workflow[Status]] = CONSULTATION_FLOW  # what may happen next: Workflow.available / move
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(10), default=Audience.STAFF.value)
    # For the representatives' audience: the term whose roster is asked (fixed at publication).
    term_id: Mapped[int | None] = mapped_column(ForeignKey("congress_term.id"))
    status: Mapped[str] = mapped_column(String(12), default=Status.DRAFT.value, index=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The matter this consultation prepares (e.g. an agenda item of the decisions feature).
    matter_kind: Mapped[str] = mapped_column(String(40), default="")
    matter_id: Mapped[int | None] = mapped_column(Integer)
    summary_md: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    summary_published_at: Mapped[datetime | None] = mapped_column(DateTime)

    organiser: Mapped[User] = relationship(lazy="raise_on_sql")
    attachments: Mapped[list[ConsultationAttachment]] = relationship(
        order_by="ConsultationAttachment.id", lazy="raise_on_sql")

    @property
    def state(self) -> Status:
        return Status(self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT.value

    @property
    def is_published(self) -> bool:
        return self.status != Status.DRAFT.value

    @property
    def is_finished(self) -> bool:
        return self.status == Status.SUMMARISED.value

    def window(self, now: datetime) -> str:
        """``draft``, ``open`` (taking comments), ``closed`` (being marked) or ``finished``."""
        if self.is_draft or self.closes_at is None:
            return "draft"
        if self.is_finished:
            return "finished"
        return "open" if now <= self.closes_at else "closed"


class ConsultationAttachment(StoredFileColumns, Base):
    """The draft's attachment (a file stored by ``portal.files``)."""

    __tablename__ = "consultation_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)


class Comment(Base):
    """A comment. The key is random and an anonymous comment keeps only its day (school
    time, stored as the day's start), so neither order nor time ties it to its author's
    other acts; who wrote it is kept for the organisers alone."""

    __tablename__ = "consultation_comment"
    __table_args__ = (Index("ix_consultation_comment_list", "consultation_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    adoption: Mapped[str | None] = mapped_column(String(12))
    adoption_reason: Mapped[str] = mapped_column(Text, default="")
    marked_at: Mapped[datetime | None] = mapped_column(DateTime)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise_on_sql")
    replies: Mapped[list[Reply]] = relationship(order_by="Reply.id", lazy="raise_on_sql")


class Reply(Base):
    """An organiser's reply in a comment's thread."""

    __tablename__ = "consultation_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[str] = mapped_column(ForeignKey("consultation_comment.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="raise_on_sql")
