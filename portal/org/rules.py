"""Seating and unseating people on the school's bodies; each change is dated and audited."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth.models import User
from portal.errors import DomainError
from portal.i18n import N_
from portal.org.memberships import seat_current
from portal.org.models import Body, BodyKind, BodyMember, Seat

DEFAULT_BODY_NAMES = {
    BodyKind.PARTY_COMMITTEE: N_("党组织委员会"),
    BodyKind.ADMIN_TEAM: N_("校长办公会议"),
    BodyKind.UNION_COMMITTEE: N_("工会委员会"),
}


def body_of(session: Session, kind: BodyKind) -> Body:
    """The school's body of ``kind``, created (with its default name) when missing."""
    body = session.scalar(select(Body).where(Body.kind == kind.value))
    if body is None:
        body = Body(kind=kind.value, name=DEFAULT_BODY_NAMES[kind])
        session.add(body)
        session.flush()
    return body


def seat_member(
    session: Session, actor: User | None, kind: BodyKind, user: User, *,
    seat: Seat = Seat.MEMBER, title: str = "", starts_on: date, position: int | None = None,
) -> BodyMember:
    """Seat ``user`` on the body from ``starts_on``. A chair or deputy seat held by someone
    else ends the day before (a body has one chair); the same person is not seated twice."""
    body = body_of(session, kind)
    current = list(session.scalars(
        select(BodyMember).where(BodyMember.body_id == body.id, seat_current(starts_on))))
    if any(m.user_id == user.id for m in current):
        raise DomainError(N_("%(name)s 已在该机构任职。"), name=user.name)
    if seat is Seat.CHAIR:
        for member in current:
            if member.seat == Seat.CHAIR.value:
                end_seat(session, actor, member, starts_on - timedelta(days=1))
    if position is None:
        position = max((m.position for m in current), default=-1) + 1
    member = BodyMember(body_id=body.id, user_id=user.id, seat=seat.value, title=title or "",
                        position=position, starts_on=starts_on)
    session.add(member)
    session.flush()
    record(session, actor, "body.seated", member, body=kind.value, user=user.id, seat=seat.value,
           starts_on=starts_on.isoformat())
    return member


def end_seat(session: Session, actor: User | None, member: BodyMember, ends_on: date) -> None:
    """End a seat on ``ends_on`` (the last day it is held); the row stays on record."""
    if ends_on < member.starts_on:
        raise DomainError(N_("任职结束日期不能早于开始日期。"))
    member.ends_on = ends_on
    record(session, actor, "body.unseated", member, user=member.user_id, ends_on=ends_on.isoformat())
