"""The read side of consultations: who is in an audience, what each reader may list, the
comments in an order that ties no anonymous comment to a time, and the two questions the
decisions feature asks (:func:`finished_for`, :func:`finished`)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.auth.models import User
from portal.congress.models import CongressTerm, Representative
from portal.consultations.models import Audience, Comment, Consultation, Reply, Status
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
    query = select(User.id).where(User.active.is_(True))
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
OpenFact = tuple[int, str, str, int | None, int, datetime, frozenset[int]]


def open_facts(session: Session) -> list[OpenFact]:
    """Every open consultation and its commenters, in one statement (the dashboard keeps it
    per data version). An anonymous comment joins the audit chain a day later, so until
    then the version may not move and its author may still be reminded: harmless."""
    rows = session.execute(
        select(Consultation.id, Consultation.title, Consultation.audience, Consultation.term_id,
               Consultation.organiser_id, Consultation.closes_at, Comment.author_id)
        .outerjoin(Comment, Comment.consultation_id == Consultation.id)
        .where(Consultation.status == Status.OPEN.value)
        .order_by(Consultation.closes_at, Consultation.id)
    ).all()
    found: dict[int, list] = {}
    for cid, title, audience, term_id, organiser_id, closes_at, author_id in rows:
        entry = found.setdefault(cid, [cid, title, audience, term_id, organiser_id, closes_at, set()])
        if author_id is not None:
            entry[6].add(author_id)
    return [(e[0], e[1], e[2], e[3], e[4], e[5], frozenset(e[6])) for e in found.values()]
