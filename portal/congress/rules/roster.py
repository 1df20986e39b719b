"""The congress roster: who represents the staff in a term, from which day to which."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth.models import User
from portal.congress.models import CongressTerm, Representative
from portal.errors import DomainError
from portal.i18n import N_

# How a roster file names a representative (the role column of the staff roster).
REPRESENTATIVE_WORD = N_("教代会代表")


def current_term(session: Session, on: date) -> CongressTerm | None:
    """The term whose dates include ``on`` (the newest when terms overlap)."""
    return session.scalar(
        select(CongressTerm).where(CongressTerm.starts_on <= on, CongressTerm.ends_on >= on)
        .order_by(CongressTerm.number.desc()).limit(1)
    )


def enrol(session: Session, actor: User | None, term: CongressTerm, user: User, joined_on: date,
          delegation_id: int | None = None) -> Representative:
    """Put ``user`` on the term's roster from ``joined_on``."""
    if not term.starts_on <= joined_on <= term.ends_on:
        raise DomainError(N_("加入日期应在本届教代会任期之内。"))
    if session.scalar(select(Representative.id).where(
            Representative.term_id == term.id, Representative.user_id == user.id)):
        raise DomainError(N_("%(name)s 已是本届教代会代表。"), name=user.name)
    rep = Representative(term_id=term.id, user_id=user.id, joined_on=joined_on, delegation_id=delegation_id)
    session.add(rep)
    session.flush()
    record(session, actor, "congress.rep_enrolled", rep, term=term.id, user=user.id, joined_on=joined_on.isoformat())
    return rep
