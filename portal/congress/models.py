"""The staff congress (教代会): terms, delegations and the dated roster of representatives."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import Base


class CongressTerm(Base):
    """One term (届) of 3–5 years, with its own roster (MoE 32)."""

    __tablename__ = "congress_term"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(60))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)

    delegations: Mapped[list[Delegation]] = relationship(
        back_populates="term", order_by="Delegation.position", lazy="raise_on_sql"
    )


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
    __table_args__ = (UniqueConstraint("term_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("congress_term.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("congress_delegation.id"))
    joined_on: Mapped[date] = mapped_column(Date, default=date(2000, 1, 1))
    left_on: Mapped[date | None] = mapped_column(Date)

    user: Mapped[User] = relationship(lazy="joined")
    delegation: Mapped[Delegation | None] = relationship(lazy="joined")
