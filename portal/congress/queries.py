"""The read side of the congress: lists, the session page's figures, the hall display's
state (and its ETag), published results."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.auth.models import User, on_staff
from portal.congress.models import (
    CongressSession, CongressTerm, Delegation, NamedVote, Poll, PollEligible, PollStatus, PresenceEvent,
    Representative,
)
from portal.congress.rules import polls as poll_rules
from portal.congress.rules.results import Outcome, outcome
from portal.congress.rules.sessions import Presence, code_window, current_hall_code, presence
from portal.counting import BodyKind, Translate, default_rules, describe_result, quorum_met
from portal.org.roster import current_term
from portal.timeutil import to_local, utcnow


def sessions_of(term_id: int) -> Select[tuple[CongressSession]]:
    return select(CongressSession).where(CongressSession.term_id == term_id).order_by(CongressSession.number.desc())


def session_by_display_token(session: Session, token: str) -> CongressSession | None:
    return session.scalar(select(CongressSession).where(CongressSession.display_token == token))


def named_votes(session: Session, poll: Poll) -> list[NamedVote]:
    """A named poll's votes, by voter."""
    return list(session.scalars(select(NamedVote).where(NamedVote.poll_id == poll.id).order_by(NamedVote.user_id)))


def representatives_of(term_id: int) -> Select[tuple[Representative]]:
    """The term's roster rows, past ones too, by delegation and joining date."""
    return (select(Representative).where(Representative.term_id == term_id)
            .order_by(Representative.delegation_id, Representative.joined_on, Representative.id))


def delegations_of(session: Session, term_id: int) -> list[Delegation]:
    return list(session.scalars(select(Delegation).where(Delegation.term_id == term_id).order_by(Delegation.position)))


class Person(NamedTuple):
    id: int
    name: str
    staff_no: str


def enrollable(session: Session, term_id: int) -> list[Person]:
    """Active staff not on the term's roster (ever): whom the union may enrol, by staff number."""
    on_roster = select(Representative.user_id).where(Representative.term_id == term_id)
    rows = session.execute(select(User.id, User.name, User.staff_no).where(
        on_staff(), User.id.not_in(on_roster)).order_by(User.staff_no)).all()
    return [Person(uid, name, staff_no) for uid, name, staff_no in rows]


def polls_of(cs: CongressSession) -> Select[tuple[Poll]]:
    return select(Poll).where(Poll.session_id == cs.id).order_by(Poll.position, Poll.id)


def public_results() -> Select[tuple[Poll]]:
    return (select(Poll).join(CongressSession, CongressSession.id == Poll.session_id)
            .where(Poll.status == PollStatus.CLOSED.value, Poll.results_public.is_(True))
            .order_by(CongressSession.held_on.desc(), Poll.position))


def presence_log(cs: CongressSession) -> Select[tuple[PresenceEvent]]:
    return select(PresenceEvent).where(PresenceEvent.session_id == cs.id).order_by(PresenceEvent.at.desc(),
                                                                                     PresenceEvent.id.desc())


class Named(NamedTuple):
    """A person as a page names them."""

    id: int
    name: str


def names_by_id(session: Session, ids: list[int]) -> dict[int, Named]:
    """Each person's name (two columns, no ORM rows): the session page's roster and log."""
    if not ids:
        return {}
    return {i: Named(i, n) for i, n in session.execute(select(User.id, User.name).where(User.id.in_(ids)))}


def users_by_id(session: Session, ids: list[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def quorum_lines(p: Presence, translate: Translate) -> tuple[bool, list[str]]:
    """Whether quorum holds now, and the sentence with the figures."""
    rules = default_rules(BodyKind.CONGRESS)
    if not p.roster_size:
        return False, []
    present = min(len(p.now), p.roster_size)
    return quorum_met(rules, p.roster_size, present), describe_result(rules, p.roster_size, present,
                                                                       translate=translate)


def result_of(session: Session, poll: Poll, translate: Translate) -> Outcome | None:
    """A closed poll's result from its frozen counts; None before close."""
    if not poll.is_closed:
        return None
    return outcome(poll, poll_rules.frozen_counts(session, poll), translate)


@dataclass
class HallState:
    cs: CongressSession
    presence: Presence
    quorum: bool
    quorum_lines: list[str]
    poll: Poll | None
    cast: int
    result: Outcome | None
    code: str | None
    window: int
    may_vote: int = 0  # an open poll's eligible representatives signed in now
    extra: dict[str, Any] = field(default_factory=dict)

    def etag(self, locale: str) -> str:
        """Changes exactly when what the display shows changes (the code turns every 30 s)."""
        p = self.poll
        key = [self.cs.id, self.cs.status, self.cs.number, self.cs.place, len(self.presence.roster),
               len(self.presence.now), self.code, locale,
               p and [p.id, p.status, p.title, p.roster_size, self.cast, self.may_vote, p.digest]]
        return hashlib.sha256(json.dumps(key, default=str).encode()).hexdigest()[:32]


def hall_state(session: Session, cs: CongressSession, secret: str | bytes, now: datetime,
               translate: Translate) -> HallState:
    """What the hall display shows: never a secret split before close (it counts nothing)."""
    p = presence(session, cs)
    quorum, lines = quorum_lines(p, translate)
    poll = session.scalar(select(Poll).where(Poll.session_id == cs.id, Poll.status == PollStatus.OPEN.value).limit(1))
    if poll is None:
        poll = session.scalar(select(Poll).where(Poll.session_id == cs.id, Poll.status == PollStatus.CLOSED.value)
                              .order_by(Poll.closed_at.desc(), Poll.id.desc()).limit(1))
    cast = poll_rules.ballots_cast(session, poll) if poll is not None else 0
    result = result_of(session, poll, translate) if poll is not None else None
    code = current_hall_code(secret, cs.id, now) if cs.requires_hall_code and cs.is_open else None
    may_vote = signed_in_to_vote(session, poll) if poll is not None and poll.is_open else 0
    return HallState(cs, p, quorum, lines, poll, cast, result, code, code_window(now), may_vote)


def signed_in_to_vote(session: Session, poll: Poll) -> int:
    """How many may vote now: the poll's frozen roster, signed in at this moment."""
    return poll_rules.present_of(session, poll.session_id,
                                 select(PollEligible.user_id).where(PollEligible.poll_id == poll.id))


def current_term_for_list(session: Session) -> CongressTerm | None:
    return current_term(session, to_local(utcnow()).date())
