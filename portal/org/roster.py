"""The staff congress's terms and rosters, answered once for every feature: which term is
current on a day, and who is on a term's roster on a day.

A term is current while its dates include the day (the newest by number when two overlap).
A term's roster on a day is its representatives who joined by then and had not left, with
active accounts, while the term runs; for a 教职工大会 (an assembly term) it is the whole active
staff. Congress majorities, evaluation raters, consultation audiences and the proposal
co-signers all count this roster. No Flask.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Date, Select, and_, bindparam, exists, or_, select
from sqlalchemy.orm import Session, aliased

from portal.auth.models import User, on_staff
from portal.org.models import CongressTerm, Representative, TermKind


def current_term(session: Session, on: date) -> CongressTerm | None:
    """The term whose dates include ``on`` (the newest when terms overlap)."""
    return session.scalar(
        select(CongressTerm).where(CongressTerm.starts_on <= on, CongressTerm.ends_on >= on)
        .order_by(CongressTerm.number.desc()).limit(1)
    )


def on_roster(on: date) -> ColumnElement[bool]:
    """SQL: roster entries (and their term, joined) valid on ``on``."""
    return and_(
        Representative.joined_on <= on, or_(Representative.left_on.is_(None), Representative.left_on >= on),
        CongressTerm.starts_on <= on, CongressTerm.ends_on >= on,
    )


def _terms_of_statement() -> Select[tuple[int]]:
    user_id: BindParameter[int] = bindparam("user_id")
    on: BindParameter[date] = bindparam("on", type_=Date)
    rep = select(Representative.term_id).where(
        Representative.user_id == user_id, Representative.joined_on <= on,
        or_(Representative.left_on.is_(None), Representative.left_on >= on))
    active = exists().where(User.id == user_id, on_staff())
    return select(CongressTerm.id).where(
        CongressTerm.starts_on <= on, CongressTerm.ends_on >= on,
        or_(CongressTerm.id.in_(rep), and_(CongressTerm.kind == TermKind.ASSEMBLY.value, active)))


# Built once: most signed-in requests ask it (permissions), and building it cost more than running it.
_TERMS_OF = _terms_of_statement()


def terms_of(session: Session, user_id: int, on: date) -> frozenset[int]:
    """The terms on whose roster this person is on ``on``: as a representative, or, for a
    教职工大会, as an active member of staff."""
    return frozenset(session.scalars(_TERMS_OF, {"user_id": user_id, "on": on}))


def roster_ids(session: Session, term_id: int | None, on: date) -> list[int]:
    """The term's roster on ``on`` (active accounts only), in user-id order; for a 教职工大会,
    every active member of staff; nobody outside the term's dates.

    This is 应到: majorities of the congress count against it, not against those present.
    """
    term = session.get(CongressTerm, term_id) if term_id is not None else None
    if term is None or not term.starts_on <= on <= term.ends_on:
        return []
    if term.is_assembly:
        return list(session.scalars(select(User.id).where(on_staff()).order_by(User.id)))
    return list(session.scalars(
        select(Representative.user_id)
        .join(CongressTerm, CongressTerm.id == Representative.term_id)
        .join(User, User.id == Representative.user_id)
        .where(Representative.term_id == term.id, on_roster(on), User.active.is_(True))
        .order_by(Representative.user_id)
    ))


def on_term_roster(session: Session, term: CongressTerm, user: User, on: date) -> bool:
    """Whether ``user`` is on the term's roster on ``on`` (for a 教职工大会: active staff)."""
    if not term.starts_on <= on <= term.ends_on:
        return False
    if term.is_assembly:
        return user.active and not user.is_inspector_account
    return bool(session.scalar(select(is_on_term_roster(term.id, user.id, on))))


def is_on_term_roster(term_id: Any, user_id: Any, on: Any) -> ColumnElement[bool]:
    """SQL: :func:`on_term_roster` as one condition, for a statement that asks it along with
    other things (a vote checks everything it decides on in one statement, under the write
    lock). ``term_id``, ``user_id`` and the day ``on`` are values, columns of the enclosing
    statement or bound parameters."""
    term = aliased(CongressTerm)
    rep = exists().where(Representative.term_id == term.id, Representative.user_id == user_id,
                         Representative.joined_on <= on,
                         or_(Representative.left_on.is_(None), Representative.left_on >= on))
    staff = exists().where(User.id == user_id, on_staff())
    return exists().where(term.id == term_id, term.starts_on <= on, term.ends_on >= on,
                          or_(and_(term.kind == TermKind.ASSEMBLY.value, staff),
                              and_(term.kind != TermKind.ASSEMBLY.value, rep)))


def roster_people(session: Session, term_id: int, on: date) -> list[User]:
    """The people on the term's roster on ``on``, by staff number."""
    ids = roster_ids(session, term_id, on)
    return list(session.scalars(select(User).where(User.id.in_(ids)).order_by(User.staff_no))) if ids else []
