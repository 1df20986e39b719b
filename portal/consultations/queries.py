"""The read side of consultations: who is in an audience, what each reader may list, the
comments in an order that ties no anonymous comment to a time, and the two questions the
decisions feature asks (:func:`finished_for`, :func:`finished`)."""
from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.auth.models import User, on_staff
from portal.congress.models import CongressTerm, Representative
from portal.consultations.models import Audience, Comment, Consultation, Reply, Status, WindowChange
from portal.org.roster import roster_ids
from portal.org.models import Body, BodyKind, BodyMember
from portal.org.memberships import seat_current
from portal.timeutil import to_local


def finished_for(session: Session, matter_kind: str, matter_id: int) -> Consultation | None:
    """The finished consultation (adoption summary published) that prepared this matter, the
    latest when there are several; None when staff have not yet been heard on it."""
    return session.scalar(
        select(Consultation)
        .where(Consultation.matter_kind == matter_kind, Consultation.matter_id == matter_id,
               Consultation.status == Status.SUMMARISED.value)
        .order_by(Consultation.summary_published_at.desc(), Consultation.id.desc())
        .limit(1)
    )


def finished(session: Session) -> Select[tuple[Consultation]]:
    """Every consultation whose adoption summary is published, newest summary first (for a
    picker). ``session`` is unused: kept so callers ask every question the same way."""
    del session
    return (select(Consultation).where(Consultation.status == Status.SUMMARISED.value)
            .order_by(Consultation.summary_published_at.desc(), Consultation.id.desc()))


def audience_ids(session: Session, consultation: Consultation, on: date) -> list[int]:
    """The people a consultation is put to, on ``on``: all active staff, the term's
    representatives, or the Party members (marked, or seated on the Party committee)."""
    if consultation.audience == Audience.REPS.value:
        return roster_ids(session, consultation.term_id, on)
    query = select(User.id).where(on_staff())
    if consultation.audience == Audience.PARTY.value:
        committee = (select(BodyMember.user_id).join(Body, Body.id == BodyMember.body_id)
                     .where(Body.kind == BodyKind.PARTY_COMMITTEE.value, seat_current(on)))
        query = query.where(or_(User.is_party_member.is_(True), User.id.in_(committee)))
    return list(session.scalars(query.order_by(User.id)))


def comments(session: Session, consultation: Consultation) -> list[Comment]:
    """The comments with their authors and replies, by day; within a day the signed ones in
    time order, then the anonymous ones in the order of their random keys (so an anonymous
    comment sits between no two signed ones whose times would bracket its own)."""
    rows = session.scalars(
        select(Comment).options(joinedload(Comment.author), selectinload(Comment.replies).joinedload(Reply.author))
        .where(Comment.consultation_id == consultation.id)
    ).all()
    return sorted(rows, key=lambda c: (to_local(c.created_at).date(), c.anonymous,
                                       c.id if c.anonymous else "", c.created_at))


# An open consultation as plain values, with who has commented on it (for the to-dos).
def for_page(session: Session, consultation_id: int) -> Consultation | None:
    """The consultation with its organiser and attachments."""
    return session.scalar(
        select(Consultation).options(joinedload(Consultation.organiser), selectinload(Consultation.attachments))
        .where(Consultation.id == consultation_id))


def listed(allowed: ColumnElement[bool]) -> Select[tuple[Consultation]]:
    """The consultations ``allowed`` lists (``consultation.view``'s listing), open ones first."""
    return (select(Consultation).options(joinedload(Consultation.organiser)).where(allowed)
            .order_by(Consultation.status, Consultation.closes_at.desc(), Consultation.id.desc()))


class OpenConsultation(NamedTuple):
    """An open consultation as the organisers' to-do sees it."""

    id: int
    organiser_id: int
    closes_at: datetime


def open_consultations(session: Session) -> list[OpenConsultation]:
    """Every open consultation, in one statement (the dashboard keeps it per data version)."""
    rows = session.execute(
        select(Consultation.id, Consultation.organiser_id, Consultation.closes_at)
        .where(Consultation.status == Status.OPEN.value, Consultation.closes_at.is_not(None))
        .order_by(Consultation.closes_at, Consultation.id)
    ).all()
    return [OpenConsultation(cid, organiser_id, closes_at) for cid, organiser_id, closes_at in rows]


class AwaitingComment(NamedTuple):
    id: int
    title: str


def awaiting_comment(session: Session, user_id: int, commentable: ColumnElement[bool],
                     limit: int = 5) -> list[AwaitingComment]:
    """The consultations ``commentable`` lists (``consultation.comment``'s listing) on which
    this reader has not commented yet, closing soonest first."""
    commented = select(Comment.consultation_id).where(Comment.author_id == user_id)
    rows = session.execute(
        select(Consultation.id, Consultation.title)
        .where(commentable, Consultation.id.not_in(commented))
        .order_by(Consultation.closes_at, Consultation.id).limit(limit)
    ).all()
    return [AwaitingComment(cid, title) for cid, title in rows]


def window_changes(session: Session, consultation: Consultation) -> list[WindowChange]:
    """The window ended early or extended, oldest first."""
    return list(session.scalars(select(WindowChange).where(WindowChange.consultation_id == consultation.id)
                                .order_by(WindowChange.id)))
