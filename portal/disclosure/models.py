"""Disclosure (党务公开 / 校务公开): the catalogue, notices and their versions, attachments,
objections during a 公示 period, and acknowledgements."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    Select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import Base, one_of
from portal.files import StoredFileColumns
from portal.timeutil import utcnow
from portal.workflow import Transition, Workflow


class Channel(str, enum.Enum):
    PARTY = "party"  # 党务公开
    SCHOOL = "school"  # 校务公开


class Audience(str, enum.Enum):
    PUBLIC = "public"  # anyone, notice boards
    STAFF = "staff"  # signed-in staff
    PARTY = "party"  # Party members


class Cadence(str, enum.Enum):
    EVENT = "event"  # 随时（事项发生时）
    MONTHLY = "monthly"
    TERM = "term"
    YEARLY = "yearly"


class Status(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


# The publication workflow: draft → submitted → published → withdrawn; a submission may be
# sent back to draft. Corrections are new versions, so nothing returns from published.
NOTICE_FLOW: Workflow[Status] = Workflow(
    Transition(Status.DRAFT, "submit", Status.SUBMITTED, "notice.submit"),
    Transition(Status.SUBMITTED, "publish", Status.PUBLISHED, "notice.approve"),
    Transition(Status.SUBMITTED, "send_back", Status.DRAFT, "notice.approve"),
    Transition(Status.PUBLISHED, "withdraw", Status.WITHDRAWN, "notice.withdraw"),
    # steps that keep the state
    Transition(Status.DRAFT, "edit", Status.DRAFT, "notice.edit"),
    Transition(Status.PUBLISHED, "correct", Status.PUBLISHED, "notice.correct"),  # a new version supersedes it
)
# Readers see published notices, and the record (not the text) of withdrawn ones.
ON_RECORD = (Status.PUBLISHED.value, Status.WITHDRAWN.value)


class CatalogItem(Base):
    """An item of the disclosure catalogue (公开目录), with the cadence it must keep."""

    __tablename__ = "catalog_item"
    __table_args__ = (UniqueConstraint("channel", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), index=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    default_audience: Mapped[str] = mapped_column(String(10), default=Audience.STAFF.value)
    default_gongshi_days: Mapped[int] = mapped_column(Integer, default=0)  # 0: no 公示 period
    cadence: Mapped[str] = mapped_column(String(10), default=Cadence.EVENT.value)
    # a per-event (随时) item judged by the events it discloses: which events it receives
    # (a kind another feature registers, e.g. "party_decision"), and within how many working
    # days of each it must be published
    receives: Mapped[str] = mapped_column(String(20), default="", server_default="")
    event_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @staticmethod
    def ordered(channel: str | None = None) -> Select[tuple[CatalogItem]]:
        query = select(CatalogItem).order_by(CatalogItem.channel, CatalogItem.position, CatalogItem.id)
        return query.where(CatalogItem.channel == channel) if channel else query


class Notice(Base):
    """One version of a notice. A correction is a new row that ``supersedes`` the old one;
    nothing is ever deleted, and a withdrawal keeps the row with its reason."""

    __tablename__ = "notice"
    __table_args__ = (  # matching notice_list / visible(); see migration 0006
        Index("ix_notice_channel_list", "status", "is_current", "channel", "published_at", "id", "audience"),
        Index("ix_notice_recent", "status", "is_current", "published_at", "id", "audience"),
        Index("ix_notice_ack_todo", "status", "is_current", "requires_ack", "published_at"),
        Index("ix_notice_gongshi", "status", "is_current", "gongshi_end"),
        UniqueConstraint("series_id", "version"),
        one_of("status", Status),
    )

    flow: ClassVar[Workflow[Status]] = NOTICE_FLOW  # what may happen next: Workflow.available / move
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), index=True)
    catalog_item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"), index=True)
    audience: Mapped[str] = mapped_column(String(10), index=True)
    title: Mapped[str] = mapped_column(String(120))
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # sanitised render of body_md
    status: Mapped[str] = mapped_column(String(12), default=Status.DRAFT.value, index=True)
    requires_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    gongshi_days: Mapped[int] = mapped_column(Integer, default=0)  # working days; 0: none
    gongshi_start: Mapped[datetime | None] = mapped_column(DateTime)
    gongshi_end: Mapped[datetime | None] = mapped_column(DateTime)

    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")

    # Versions: every version of one notice shares ``series_id`` (the first version's id).
    series_id: Mapped[int | None] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"), unique=True)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    catalog_item: Mapped[CatalogItem] = relationship(lazy="raise_on_sql")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise_on_sql")
    approver: Mapped[User | None] = relationship(foreign_keys=[approver_id], lazy="raise_on_sql")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="notice", order_by="Attachment.id", lazy="raise_on_sql"
    )

    @property
    def state(self) -> Status:
        return Status(self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT.value

    @property
    def is_submitted(self) -> bool:
        return self.status == Status.SUBMITTED.value

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED.value

    @property
    def is_withdrawn(self) -> bool:
        return self.status == Status.WITHDRAWN.value

    @property
    def is_on_record(self) -> bool:
        """Published or withdrawn: readers may know it exists."""
        return self.status in ON_RECORD

    @property
    def is_editable(self) -> bool:
        return self.is_draft


class Attachment(StoredFileColumns, Base):
    """A file kept under ``instance/uploads`` by a random name; never under ``static/``."""

    __tablename__ = "notice_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)

    notice: Mapped[Notice] = relationship(back_populates="attachments", lazy="raise_on_sql")


class Objection(Base):
    """An objection (异议) lodged during a 公示 period, and the publisher's answer."""

    __tablename__ = "notice_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise_on_sql")
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id], lazy="raise_on_sql")
    clarifications: Mapped[list[Clarification]] = relationship(
        order_by="Clarification.id", lazy="raise_on_sql", back_populates="objection")


class Clarification(Base):
    """A dated addition to an answer. The answer itself is final once given."""

    __tablename__ = "objection_clarification"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("notice_objection.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    objection: Mapped[Objection] = relationship(back_populates="clarifications", lazy="raise_on_sql")
    by: Mapped[User] = relationship(lazy="raise_on_sql")


class Acknowledgement(Base):
    """已阅确认: one row per reader and notice version."""

    __tablename__ = "notice_ack"
    __table_args__ = (UniqueConstraint("notice_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
