"""Who holds which seat, who is a representative and who heads which department, on a date.

A :class:`Memberships` answers the membership questions that permissions and rules ask. It
loads the (small) table of seats once, on first use, and each person's roster entries on
first use, so a request that asks many questions runs a fixed handful of queries.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from portal.auth.models import Department
from portal.org import roster
from portal.org.models import Body, BodyKind, BodyMember, InspectorTerm, Office, Seat


@dataclass(frozen=True)
class Holding:
    body: BodyKind
    seat: Seat
    user_id: int
    position: int


def seat_current(on: date) -> ColumnElement[bool]:
    """SQL: body seats held on ``on``."""
    return and_(BodyMember.starts_on <= on, or_(BodyMember.ends_on.is_(None), BodyMember.ends_on >= on))


class Memberships:
    """Membership questions for one date, answered from the database."""

    def __init__(self, session: Session, on: date) -> None:
        self.session = session
        self.on = on
        self._holdings: list[Holding] | None = None
        self._terms: dict[int, frozenset[int]] = {}
        self._heads: dict[int, frozenset[int]] = {}
        self._inspectors: frozenset[int] | None = None

    # --- body seats -------------------------------------------------------------------
    @property
    def holdings(self) -> list[Holding]:
        if self._holdings is None:
            load_together(self)
        assert self._holdings is not None
        return self._holdings

    def holders(self, office: Office) -> list[int]:
        """Who holds ``office`` on the date (normally one person; none when vacant)."""
        return [h.user_id for h in self.holdings if h.body is office.body and h.seat is office.seat]

    def holds(self, user_id: int | None, *offices: Office) -> bool:
        return user_id is not None and any(user_id in self.holders(o) for o in offices)

    def members(self, body: BodyKind) -> list[int]:
        """Every member of ``body`` on the date, chair and deputies included, in the body's order."""
        return [h.user_id for h in self.holdings if h.body is body]

    def member_of(self, user_id: int | None, *bodies: BodyKind) -> bool:
        return user_id is not None and any(user_id in self.members(b) for b in bodies)

    # --- the congress roster --------------------------------------------------------------
    def terms_of(self, user_id: int | None) -> frozenset[int]:
        """The congress terms on whose roster this person is on the date (``portal.org.roster``)."""
        if user_id is None:
            return frozenset()
        if user_id not in self._terms:
            self._terms[user_id] = roster.terms_of(self.session, user_id, self.on)
        return self._terms[user_id]

    def is_representative(self, user_id: int | None, term_id: int | None = None) -> bool:
        """On a term's roster on the date (any current term when ``term_id`` is None)."""
        terms = self.terms_of(user_id)
        return bool(terms) if term_id is None else term_id in terms

    # --- outside inspectors (督导 / 巡察) --------------------------------------------------
    def inspects(self, user_id: int | None) -> bool:
        """Whether this person's inspector term covers the date (first and last day included)."""
        if user_id is None:
            return False
        if self._inspectors is None:
            self._inspectors = frozenset(self.session.scalars(select(InspectorTerm.user_id).where(
                InspectorTerm.starts_on <= self.on, InspectorTerm.ends_on >= self.on)))
        return user_id in self._inspectors

    # --- departments --------------------------------------------------------------------
    def heads(self, user_id: int | None) -> frozenset[int]:
        """The departments this person heads."""
        if user_id is None:
            return frozenset()
        if user_id not in self._heads:
            self._heads[user_id] = frozenset(self.session.scalars(
                select(Department.id).where(Department.head_id == user_id)))
        return self._heads[user_id]


def load_together(*days: Memberships) -> None:
    """Load the seats of several :class:`Memberships` of one session in one query (a page
    that asks about the meeting's day and about today); those already loaded are left."""
    todo = [m for m in days if m._holdings is None]
    if not todo:
        return
    lo, hi = min(m.on for m in todo), max(m.on for m in todo)
    rows = todo[0].session.execute(
        select(Body.kind, BodyMember.seat, BodyMember.user_id, BodyMember.position, BodyMember.starts_on,
               BodyMember.ends_on)
        .join(Body, Body.id == BodyMember.body_id)
        .where(BodyMember.starts_on <= hi, or_(BodyMember.ends_on.is_(None), BodyMember.ends_on >= lo))
        .order_by(Body.kind, BodyMember.position, BodyMember.id)
    ).all()
    for m in todo:
        m._holdings = [Holding(BodyKind(k), Seat(s), u, p) for k, s, u, p, start, end in rows
                       if start <= m.on and (end is None or end >= m.on)]
