"""The school's standing bodies (the Party committee, the administrative team, the union
committee) and who sits on them, by date. Offices such as 书记 or 校长 are seats on a body,
not global roles: a meeting, an approval or a count uses the seats held on its date.

The staff congress's terms and their dated roster of representatives are memberships too:
every feature asks who is a representative on a day (``portal.org.roster``); the congress's
sessions and polls (``portal.congress.models``) refer to them."""
from __future__ import annotations

import enum
from datetime import date

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import Base
from portal.i18n import N_
from portal.timeutil import utcnow


class BodyKind(str, enum.Enum):
    PARTY_COMMITTEE = "party_committee"  # 党委 / 党总支 / 党支部委员会
    ADMIN_TEAM = "admin_team"  # 校长办公会议成员（行政班子）
    UNION_COMMITTEE = "union_committee"  # 工会委员会


class Seat(str, enum.Enum):
    """A member's place on a body: chair, deputy, or member."""

    CHAIR = "chair"
    DEPUTY = "deputy"
    MEMBER = "member"


class Office(enum.Enum):
    """The offices the portal's rules ask about, each a seat on a body."""

    SECRETARY = (BodyKind.PARTY_COMMITTEE, Seat.CHAIR)  # 党组织书记
    DEPUTY_SECRETARY = (BodyKind.PARTY_COMMITTEE, Seat.DEPUTY)  # 党组织副书记
    PRINCIPAL = (BodyKind.ADMIN_TEAM, Seat.CHAIR)  # 校长
    VICE_PRINCIPAL = (BodyKind.ADMIN_TEAM, Seat.DEPUTY)  # 副校长
    UNION_CHAIR = (BodyKind.UNION_COMMITTEE, Seat.CHAIR)  # 工会主席

    @property
    def body(self) -> BodyKind:
        return self.value[0]

    @property
    def seat(self) -> Seat:
        return self.value[1]


OFFICE_NAMES = {
    Office.SECRETARY: N_("党组织书记"), Office.DEPUTY_SECRETARY: N_("党组织副书记"),
    Office.PRINCIPAL: N_("校长"), Office.VICE_PRINCIPAL: N_("副校长"), Office.UNION_CHAIR: N_("工会主席"),
}


class Body(Base):
    __tablename__ = "body"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(60))

    members: Mapped[list[BodyMember]] = relationship(
        back_populates="body", order_by="BodyMember.position", lazy="raise_on_sql", cascade="all, delete-orphan"
    )


class BodyMember(Base):
    """One person's seat on a body from ``starts_on`` until ``ends_on`` (inclusive; open when None)."""

    __tablename__ = "body_member"
    __table_args__ = (CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    seat: Mapped[str] = mapped_column(String(10), default=Seat.MEMBER.value)
    title: Mapped[str] = mapped_column(String(30))  # as the school writes it: 书记、副书记、组织委员……
    position: Mapped[int] = mapped_column(Integer, default=0)
    starts_on: Mapped[date] = mapped_column(Date, default=date(2000, 1, 1))
    ends_on: Mapped[date | None] = mapped_column(Date)

    body: Mapped[Body] = relationship(back_populates="members", lazy="raise_on_sql")
    user: Mapped[User] = relationship(lazy="joined")


class InspectorTerm(Base):
    """An outside inspector's (督导 / 巡察) term: from ``starts_on`` to ``ends_on`` (both
    inclusive, always bounded: it expires by itself) the account may sign in and read the
    self-check, the archive, minutes, resolutions and the audit log, and nothing else.

    The account is marked as an inspector's (``Role.INSPECTOR``: what kind of account it is,
    never staff); what it may do, and when, is this dated record (``Memberships.inspects``)."""

    __tablename__ = "inspector_term"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(60), default="")  # 派出单位: 区教育局督导室……
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


# --- the staff congress: terms and the dated roster -----------------------------------

class TermKind(str, enum.Enum):
    CONGRESS = "congress"  # 教职工代表大会: the representatives on the roster
    ASSEMBLY = "assembly"  # 教职工大会 (small schools): the whole active staff is the roster


class CongressTerm(Base):
    """One term (届) of 3–5 years, with its own roster (MoE 32); for a 教职工大会 the roster is
    the whole active staff on the day."""

    __tablename__ = "congress_term"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        # One current term: the roster that votes, rates and is consulted now.
        Index("uq_congress_term_current", "is_current", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(10), default=TermKind.CONGRESS.value,
                                      server_default=TermKind.CONGRESS.value)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)

    delegations: Mapped[list[Delegation]] = relationship(
        back_populates="term", order_by="Delegation.position", lazy="raise_on_sql"
    )

    @property
    def is_assembly(self) -> bool:
        return self.kind == TermKind.ASSEMBLY.value


class Delegation(Base):
    """A delegation (代表团/组) within a term."""

    __tablename__ = "congress_delegation"
    __table_args__ = (UniqueConstraint("term_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("congress_term.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)

    term: Mapped[CongressTerm] = relationship(back_populates="delegations", lazy="raise_on_sql")


class Representative(Base):
    """A person on a term's roster from ``joined_on`` until ``left_on`` (inclusive; open when None).

    The roster on a date, not who is present, is what majorities count; a representative who
    leaves keeps the row with the date they left, and a replacement is a new row.
    """

    __tablename__ = "congress_representative"
    __table_args__ = (
        UniqueConstraint("term_id", "user_id"),
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joined"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("congress_term.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("congress_delegation.id"))
    joined_on: Mapped[date] = mapped_column(Date, default=date(2000, 1, 1))
    left_on: Mapped[date | None] = mapped_column(Date)

    user: Mapped[User] = relationship(lazy="joined")
    delegation: Mapped[Delegation | None] = relationship(lazy="joined")
