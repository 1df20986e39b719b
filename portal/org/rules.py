"""Seating and unseating people on the school's bodies; each change is dated and audited."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth.models import User
from portal.errors import DomainError, Message
from portal.i18n import N_
from portal.org.memberships import Memberships, seat_current
from portal.org.models import Body, BodyKind, BodyMember, InspectorTerm, Seat

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


# --- outside inspectors (督导 / 巡察) ------------------------------------------------------

LONGEST_INSPECTION = timedelta(days=366)  # an inspection has an end: an account never lingers for years


def _check_term(starts_on: date, ends_on: date, today: date) -> None:
    if ends_on < starts_on:
        raise DomainError(N_("有效期的结束日期不能早于开始日期。"))
    if ends_on < today:
        raise DomainError(N_("有效期的结束日期已经过去，请选择今天或以后的日期。"))
    if ends_on - starts_on >= LONGEST_INSPECTION:
        raise DomainError(N_("督导账号的有效期最长一年；到期后可以再延长。"))


def open_inspector_term(session: Session, actor: User | None, user: User, *, unit: str, starts_on: date,
                        ends_on: date, today: date) -> InspectorTerm:
    """Give an inspector's account its term (first and last day included)."""
    _check_term(starts_on, ends_on, today)
    term = InspectorTerm(user_id=user.id, unit=unit.strip(), starts_on=starts_on, ends_on=ends_on,
                         created_by_id=getattr(actor, "id", None))
    session.add(term)
    session.flush()
    record(session, actor, "inspector.term_opened", term, user=user.id, unit=term.unit,
           starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat())
    return term


def change_inspector_end(session: Session, actor: User | None, term: InspectorTerm, ends_on: date,
                         today: date) -> None:
    """Extend a term, or end it early (the day before today ends it at once); the row stays."""
    if ends_on < today - timedelta(days=1):
        raise DomainError(N_("结束日期最早为昨天（即立即结束）。"))
    if ends_on < term.starts_on:
        raise DomainError(N_("有效期的结束日期不能早于开始日期。"))
    if ends_on - term.starts_on >= LONGEST_INSPECTION:
        raise DomainError(N_("督导账号的有效期最长一年；到期后可以再延长。"))
    before = term.ends_on
    term.ends_on = ends_on
    record(session, actor, "inspector.term_changed", term, user=term.user_id, ends_on=ends_on.isoformat(),
           was=before.isoformat())


def inspector_refusal(session: Session, user_id: int, on: date) -> Message | None:
    """Why an inspector's account may not sign in on ``on`` (None: it may, or it is not one)."""
    user = session.get(User, user_id)
    if user is None or not user.is_inspector_account or Memberships(session, on).inspects(user_id):
        return None
    terms = session.scalars(select(InspectorTerm).where(InspectorTerm.user_id == user_id)
                            .order_by(InspectorTerm.ends_on.desc())).all()
    if not terms:
        return Message(N_("该督导账号没有有效期，不能登录。请联系系统管理员。"))
    later = [t for t in terms if t.starts_on > on]
    if later:
        first = min(later, key=lambda t: t.starts_on)
        return Message(N_("该督导账号自 %(day)s 起有效，今天还不能登录。"), day=first.starts_on.isoformat())
    return Message(N_("该督导账号的有效期已于 %(day)s 结束，不能登录。如需继续，请联系系统管理员延长。"),
                   day=terms[0].ends_on.isoformat())
