"""What every congress rule shares: its refusal, and the roster of a term on a day."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.congress.models import CongressTerm, Representative
from portal.errors import DomainError
from portal.org.memberships import on_roster


class CongressError(DomainError):
    """A congress request the rules refuse (the message says why)."""


class AlreadyVoted(CongressError):
    """A second ballot by the same voter (also the loser of two requests at once)."""


def roster_ids(session: Session, term_id: int, on: date) -> list[int]:
    """The term's representatives on ``on`` (active accounts only), in user-id order.

    This is 应到: majorities of the congress count against it, not against those present.
    """
    return list(session.scalars(
        select(Representative.user_id)
        .join(CongressTerm, CongressTerm.id == Representative.term_id)
        .join(User, User.id == Representative.user_id)
        .where(Representative.term_id == term_id, on_roster(on), User.active.is_(True))
        .order_by(Representative.user_id)
    ))
