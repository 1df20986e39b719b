"""The read side of the congress: lists, the session page's figures, the hall display's
state (and its ETag), published results."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.congress.models import CongressSession, CongressTerm, Poll, PollStatus, PresenceEvent
from portal.congress.rules import polls as poll_rules
from portal.congress.rules.results import Outcome, outcome
from portal.congress.rules.sessions import Presence, code_window, current_hall_code, presence
from portal.counting import BodyKind, Translate, default_rules, describe_result, quorum_met
from portal.org.roster import current_term
from portal.timeutil import to_local, utcnow


def sessions_of(term_id: int) -> Select[tuple[CongressSession]]:
    return select(CongressSession).where(CongressSession.term_id == term_id).order_by(CongressSession.number.desc())


def polls_of(cs: CongressSession) -> Select[tuple[Poll]]:
    return select(Poll).where(Poll.session_id == cs.id).order_by(Poll.position, Poll.id)


def public_results() -> Select[tuple[Poll]]:
    return (select(Poll).join(CongressSession, CongressSession.id == Poll.session_id)
            .where(Poll.status == PollStatus.CLOSED.value, Poll.results_public.is_(True))
            .order_by(CongressSession.held_on.desc(), Poll.position))


def presence_log(cs: CongressSession) -> Select[tuple[PresenceEvent]]:
    return select(PresenceEvent).where(PresenceEvent.session_id == cs.id).order_by(PresenceEvent.at.desc(),
                                                                                     PresenceEvent.id.desc())


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
    extra: dict[str, Any] = field(default_factory=dict)

    def etag(self, locale: str) -> str:
        """Changes exactly when what the display shows changes (the code turns every 30 s)."""
        p = self.poll
        key = [self.cs.id, self.cs.status, self.cs.number, self.cs.place, len(self.presence.roster),
               len(self.presence.now), self.code, locale,
               p and [p.id, p.status, p.title, p.roster_size, self.cast, p.digest]]
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
    return HallState(cs, p, quorum, lines, poll, cast, result, code, code_window(now))


def current_term_for_list(session: Session) -> CongressTerm | None:
    return current_term(session, to_local(utcnow()).date())
