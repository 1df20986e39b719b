"""Polls within a session: motions and elections, named or secret, online or on paper.

draft → open → closed. A poll opens only while the hall has its quorum (MoE 32: two thirds of
the term's representatives present, ``hall_quorum``); closing records who is present then,
and a motion whose hall fell below the quorum before the close is not carried (results.py).
Opening freezes the eligible roster and the number present; only
those on it who are signed in at the moment of voting may vote, once (the primary key of
``Participation``). A named vote may be changed until close; a secret ballot is final and is
stored apart from who voted, with a random key and nothing else (QUALITY.md). Closing
freezes the counts, computed from the raw ballots by ``portal.ballots.tally``, and writes
the ballot-box digest into the audit chain. Nothing counts the ballots before close.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from fractions import Fraction

from sqlalchemy import Date, bindparam, delete, exists, func, insert, select, update
from sqlalchemy.orm import Session

from portal import ballots
from portal.audit.rules import record
from portal.auth.models import User
from portal.congress.models import (
    POLL_FLOW, Attendance, Candidate, CongressSession, NamedVote, Participation, Poll, PollCount, PollEligible,
    PollKind, PollStatus, SecretBallot, SessionStatus,
)
from portal.congress.rules.common import AlreadyVoted, CongressError
from portal.counting import BodyKind, Threshold, default_rules, quorum_needed
from portal.db import refused_on_conflict
from portal.i18n import N_
from portal.org.roster import is_on_term_roster, roster_ids
from portal.timeutil import to_local, utcnow

MAX_CANDIDATES = 60

# Who voted (Participation, for named polls too) and the secret ballots: the box of portal.ballots.
BOX = ballots.SecretBox(
    name="congress-poll", key=SecretBallot.key, box=SecretBallot.poll_id, content=(SecretBallot.choice,),
    voter_box=Participation.poll_id, voter=Participation.user_id,
    refusal=lambda: AlreadyVoted(N_("您已投票。无记名投票一经投出不能更改。")),
)


def hall_quorum(members: int) -> int:
    """How many representatives must be present for the congress to vote (MoE 32: at least
    two thirds of the roster, inclusive): 80 of 120 (79 is not enough), 27 of 40."""
    return quorum_needed(default_rules(BodyKind.CONGRESS), members)


def present_of(session: Session, session_id: int, people: Any) -> int:
    """How many of ``people`` (ids, or a select of them) are signed in to the session now."""
    return session.scalar(select(func.count()).select_from(Attendance).where(
        Attendance.session_id == session_id, Attendance.present.is_(True), Attendance.user_id.in_(people))) or 0


@dataclass
class PollSpec:
    """What the union sets for a poll (create and edit)."""

    title: str
    kind: str = PollKind.MOTION.value
    secret: bool = False
    paper: bool = False
    seats: int = 1
    candidates: tuple[str, ...] = ()
    rule_num: int = 1
    rule_den: int = 2
    rule_strict: bool = False


def _checked(spec: PollSpec) -> list[str]:
    if not spec.title.strip():
        raise CongressError(N_("请填写表决事项。"))
    if spec.kind not in (PollKind.MOTION.value, PollKind.ELECTION.value):
        raise CongressError(N_("请选择表决或选举。"))
    try:
        Threshold(Fraction(spec.rule_num, spec.rule_den), strict=spec.rule_strict)
    except (ValueError, ZeroDivisionError):
        raise CongressError(N_("通过比例须大于 0、不超过 1（“超过”时须小于 1）。")) from None
    names: list[str] = []
    if spec.kind == PollKind.ELECTION.value:
        for name in spec.candidates:
            name = name.strip()
            if name and name not in names:
                names.append(name)
        if not names:
            raise CongressError(N_("选举须至少有一名候选人。"))
        if len(names) > MAX_CANDIDATES:
            raise CongressError(N_("候选人最多 %(max)d 名。"), max=MAX_CANDIDATES)
        if any(len(n) > 60 for n in names):
            raise CongressError(N_("候选人姓名最长 60 字。"))
        if not 1 <= spec.seats <= len(names):
            raise CongressError(N_("应选人数须在 1 到候选人数（%(count)d）之间。"), count=len(names))
    return names


def create_poll(session: Session, actor: User, cs: CongressSession, spec: PollSpec) -> Poll:
    """Add a poll (a draft) to a planned or open session."""
    if cs.status == SessionStatus.CLOSED.value:
        raise CongressError(N_("会议已结束，不能再添加表决事项。"))
    names = _checked(spec)
    position = (session.scalar(select(func.max(Poll.position)).where(Poll.session_id == cs.id)) or 0) + 1
    poll = Poll(session_id=cs.id, position=position)
    with refused_on_conflict(session, CongressError(N_("表决事项刚刚有变动，请刷新页面后重试。"))):
        _apply(session, poll, spec, names)
    record(session, actor, "congress.poll_drafted", poll, session_id=cs.id, kind=poll.kind, secret=poll.secret,
           paper=poll.paper)
    return poll


def _apply(session: Session, poll: Poll, spec: PollSpec, names: list[str]) -> None:
    poll.title, poll.kind, poll.secret, poll.paper = spec.title.strip()[:120], spec.kind, spec.secret, spec.paper
    poll.seats = spec.seats if spec.kind == PollKind.ELECTION.value else 1
    poll.rule_num, poll.rule_den, poll.rule_strict = spec.rule_num, spec.rule_den, spec.rule_strict
    session.add(poll)
    session.flush()
    session.execute(delete(Candidate).where(Candidate.poll_id == poll.id))
    session.add_all(Candidate(poll_id=poll.id, name=n, position=i) for i, n in enumerate(names))
    session.flush()
    session.refresh(poll, ["candidates"])


def update_poll(session: Session, actor: User, poll: Poll, spec: PollSpec) -> None:
    """Edit a draft poll; once it opened nothing about it may change."""
    if poll.status != PollStatus.DRAFT.value:
        raise CongressError(N_("表决已经开始，不能再修改。"))
    _apply(session, poll, spec, _checked(spec))
    record(session, actor, "congress.poll_edited", poll, kind=poll.kind, secret=poll.secret, paper=poll.paper)


def open_poll(session: Session, actor: User, poll: Poll, now: datetime | None = None) -> None:
    """Open the poll: freeze the eligible roster (the term's representatives today) and the
    number present. Only one poll of a session is open at a time."""
    now = now or utcnow()
    cs = poll.session
    if POLL_FLOW.step(PollStatus(poll.status), "open") is None:
        raise CongressError(N_("该表决已经开始或已经结束。"))
    if cs.status != SessionStatus.OPEN.value:
        raise CongressError(N_("会议开始后才能开始表决。"))
    other = session.scalar(select(Poll.title).where(Poll.session_id == cs.id, Poll.status == PollStatus.OPEN.value,
                                                    Poll.id != poll.id).limit(1))
    if other:
        raise CongressError(N_("请先结束正在进行的表决“%(title)s”。"), title=other)
    roster = roster_ids(session, cs.term_id, to_local(now).date())
    if not roster:
        raise CongressError(N_("本届教代会没有代表，不能表决。"))
    present = present_of(session, cs.id, roster)
    if present < hall_quorum(len(roster)):
        raise CongressError(N_("到会代表不足，不能开始表决：应到 %(members)d 人，实到 %(present)d 人，须至少 %(needed)d 人"
                               "（应到人数的三分之二以上）到会。"),
                            members=len(roster), present=present, needed=hall_quorum(len(roster)))
    with refused_on_conflict(session, CongressError(N_("另一项表决刚刚开始，请先结束它。"))):
        session.execute(insert(PollEligible), [{"poll_id": poll.id, "user_id": u} for u in roster])
        poll.status, poll.opened_at = PollStatus.OPEN.value, now
        poll.roster_size, poll.present_at_open = len(roster), present
    record(session, actor, "congress.poll_opened", poll, roster=len(roster), present=present)


def check_open_for_votes(poll: Poll | _Standing) -> None:
    """Refuse a vote on a poll that is not open for online votes."""
    if poll.status == PollStatus.DRAFT.value:
        raise CongressError(N_("表决尚未开始。"))
    if poll.status == PollStatus.CLOSED.value:
        raise CongressError(N_("表决已经结束，不能再投票。"))
    if poll.paper:
        raise CongressError(N_("本项以纸质选票表决，请在会场填写选票。"))


def cast_vote(session: Session, user: User, poll: Poll, choices: list[str] | str,
              now: datetime | None = None) -> str:
    """One representative's vote; returns "cast" or "changed" (a named vote changed).

    Refused before open and after close, on paper polls, for deactivated accounts, for anyone
    not on the frozen roster or no longer on the term's roster, for anyone not signed in now,
    for ballots that do not fit the poll, and for a second secret ballot (AlreadyVoted).

    Everything that can change while the poll is open (its state, the account, the roster,
    the sign-in, an earlier vote) is read here in one statement (:func:`_standing`), not
    from ``poll`` or ``user``, so a view may load them before it takes the write lock and
    call this right after (``begin_write(expire=False)``): the lock is held for that
    statement, the inserts, the audit append and the commit, nothing else. What cannot
    change once the poll opened (secret or named, paper, its options) comes from ``poll``.
    """
    now = now or utcnow()
    standing = _standing(session, poll, user.id, to_local(now).date())
    if standing is None:
        raise CongressError(N_("表决尚未开始。"))
    check_open_for_votes(standing)
    if not standing.active:
        raise CongressError(N_("账号已停用，不能投票。"))
    if not (standing.eligible and standing.on_roster):
        raise CongressError(N_("您不是%(term)s代表，不能参加本项表决。"), term=poll.session.term.name)
    if not standing.present:
        raise CongressError(N_("请先签到，签到后才能投票。"))
    choice = ballots.check_choices(choices, poll.options, poll.max_choices, 1 if poll.is_motion else 0)
    if poll.secret:
        if standing.voted:
            raise BOX.refusal()
        BOX.cast(session, poll.id, user.id, (choice,))  # also refuses a request that raced this one
        record(session, user, "congress.voted", poll, secret=True)
        return "cast"
    if standing.voted:
        session.execute(update(NamedVote).where(NamedVote.poll_id == poll.id, NamedVote.user_id == user.id)
                        .values(choice=choice, updated_at=now))
        record(session, user, "congress.vote_changed", poll, choice=choice)
        return "changed"
    with refused_on_conflict(session, AlreadyVoted(N_("您已投票。"))):  # two requests at once
        session.execute(insert(Participation).values(poll_id=poll.id, user_id=user.id))
    session.execute(insert(NamedVote).values(poll_id=poll.id, user_id=user.id, choice=choice, updated_at=now))
    record(session, user, "congress.voted", poll, choice=choice)
    return "cast"


@dataclass(frozen=True)
class _Standing:
    """A voter's standing in a poll at this moment (see :func:`_standing`)."""

    status: str
    paper: bool
    active: bool
    eligible: bool
    on_roster: bool
    present: bool
    voted: bool


# Built once (with bound parameters): building and keying a statement of this size costs more
# than running it, and a vote runs it with the write lock held.
_STANDING = (
    select(
        Poll.status, Poll.paper,
        exists().where(User.id == bindparam("user_id"), User.active.is_(True)),
        exists().where(PollEligible.poll_id == Poll.id, PollEligible.user_id == bindparam("user_id")),
        is_on_term_roster(CongressSession.term_id, bindparam("user_id"), bindparam("on", type_=Date)),
        exists().where(Attendance.session_id == Poll.session_id, Attendance.user_id == bindparam("user_id"),
                       Attendance.present.is_(True)),
        exists().where(Participation.poll_id == Poll.id, Participation.user_id == bindparam("user_id")),
    ).join(CongressSession, CongressSession.id == Poll.session_id).where(Poll.id == bindparam("poll_id"))
)


def _standing(session: Session, poll: Poll, user_id: int, on: date) -> _Standing | None:
    """The poll's state and the voter's standing in it, read in one statement: the account
    is active, on the frozen roster of the poll and on the term's roster today, signed in
    to the session now, and whether they have voted already. None when the poll is gone."""
    row = session.execute(_STANDING, {"poll_id": poll.id, "user_id": user_id, "on": on}).first()
    return None if row is None else _Standing(row[0], bool(row[1]), *(bool(v) for v in row[2:]))


def has_voted(session: Session, poll: Poll, user_id: int) -> bool:
    return BOX.has_voted(session, poll.id, user_id)


def ballots_cast(session: Session, poll: Poll) -> int:
    """How many have voted so far (the number, never the split)."""
    if poll.ballots_cast is not None:
        return poll.ballots_cast
    return BOX.voted(session, poll.id)


def raw_ballots(session: Session, poll: Poll) -> list[str]:
    """Every ballot in the box, as canonical strings (no voter), for the tally and a recount."""
    if poll.secret:
        return [choice for (choice,) in BOX.contents(session, poll.id)]
    return list(session.scalars(select(NamedVote.choice).where(NamedVote.poll_id == poll.id)))


def box_context(poll: Poll) -> str:
    return BOX.context(poll.id)


def _close(session: Session, poll: Poll, now: datetime) -> None:
    if poll.status == PollStatus.CLOSED.value:
        raise CongressError(N_("该表决已经结束，不能重复结束。"))
    if POLL_FLOW.step(PollStatus(poll.status), "close") is None:
        raise CongressError(N_("表决尚未开始，不能结束。"))
    poll.status, poll.closed_at = PollStatus.CLOSED.value, now
    poll.present_at_close = present_of(session, poll.session_id,
                                       select(PollEligible.user_id).where(PollEligible.poll_id == poll.id))


def close_poll(session: Session, actor: User, poll: Poll, now: datetime | None = None) -> None:
    """Close an online poll: tally the raw ballots, freeze the counts, compute the ballot-box
    digest and write it (with the counts) into the audit chain."""
    if poll.paper and poll.is_open:
        raise CongressError(N_("纸质表决请录入计票结果后结束。"))
    _close(session, poll, now or utcnow())
    if poll.secret:  # the box is written again in an order that pairs no ballot with a voter
        closed = BOX.close(session, poll.id)
        box, poll.digest = [choice for (choice,) in closed.contents], closed.digest
    else:
        box = raw_ballots(session, poll)
        poll.digest = ballots.box_digest(box, box_context(poll))
    result = ballots.tally(box, poll.options, poll.max_choices, 1 if poll.is_motion else 0)
    session.add_all(PollCount(poll_id=poll.id, code=code, count=n) for code, n in result.counts.items())
    poll.ballots_cast = result.cast
    session.flush()
    record(session, actor, "congress.poll_closed", poll, cast=result.cast, counts=result.counts, digest=poll.digest,
           present=poll.present_at_close)


def close_paper_poll(session: Session, actor: User, poll: Poll, counts: dict[str, int], cast: int | None = None,
                     now: datetime | None = None) -> None:
    """Close a paper poll with the counts the tellers report, checked against those present:
    no more ballots than people in the hall, no option with more votes than ballots."""
    now = now or utcnow()
    if not poll.paper:
        raise CongressError(N_("本项为网上表决，计票由系统完成。"))
    if any(n is None or n < 0 for n in counts.values()) or set(counts) != set(poll.options):
        raise CongressError(N_("请填写每一项的票数（不小于 0 的整数）。"))
    present = max(poll.present_at_open or 0, session.scalar(select(func.count()).select_from(Attendance).where(
        Attendance.session_id == poll.session_id, Attendance.present.is_(True))) or 0)
    if poll.is_motion:
        cast = sum(counts.values())
    elif cast is None or cast < 0:
        raise CongressError(N_("请填写收回的选票数。"))
    if cast > present:
        raise CongressError(N_("票数合计 %(cast)d 张，超过在场人数 %(present)d 人，请核对。"), cast=cast, present=present)
    if poll.roster_size is not None and cast > poll.roster_size:
        raise CongressError(N_("票数合计 %(cast)d 张，超过开始表决时的代表人数 %(roster)d 人，请核对。"), cast=cast,
                            roster=poll.roster_size)
    if not poll.is_motion:
        over = [c.name for c in poll.candidates if counts[c.code] > cast]
        if over:
            raise CongressError(N_("%(names)s 的得票超过收回的选票数 %(cast)d 张，请核对。"), names="、".join(over), cast=cast)
        if sum(counts.values()) > cast * poll.seats:
            raise CongressError(N_("得票合计超过选票数乘应选人数（%(most)d），请核对。"), most=cast * poll.seats)
    _close(session, poll, now)
    session.add_all(PollCount(poll_id=poll.id, code=code, count=n) for code, n in counts.items())
    poll.ballots_cast = cast
    session.flush()
    record(session, actor, "congress.poll_closed", poll, cast=cast, counts=counts, paper=True,
           present=poll.present_at_close)


def set_results_public(session: Session, actor: User, poll: Poll, public: bool) -> None:
    """Show a closed poll's result on the public pages (or take it off them)."""
    if not poll.is_closed:
        raise CongressError(N_("表决结束后才能公开结果。"))
    poll.results_public = public
    session.flush()
    record(session, actor, "congress.result_published" if public else "congress.result_unpublished", poll)


def frozen_counts(session: Session, poll: Poll) -> dict[str, int]:
    """The counts frozen at close ({} before close: nothing is counted earlier)."""
    if not poll.is_closed:
        return {}
    return {code: n for code, n in session.execute(
        select(PollCount.code, PollCount.count).where(PollCount.poll_id == poll.id))}
