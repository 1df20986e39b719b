"""Writing and verifying the audit chain. Every state change calls :func:`record`."""
from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, bindparam, exists, func, select
from sqlalchemy.orm import Session

from portal.audit.models import GENESIS, AuditEvent, PendingAnonymousEvent
from portal.db import take_write_lock
from portal.errors import Message
from portal.i18n import N_
from portal.timeutil import day_start_utc, to_local, utcnow



@dataclass
class Replay:
    """History being replayed (the demo seed, ``portal.seed.history``): each step says when it
    happened (``at``), and its events wait here with that time instead of joining the chain
    at once; :func:`replaying` appends them in the order of their times when the replay ends.
    The chain stays append-only: nothing written is ever rewritten."""

    at: datetime | None = None
    events: list[dict[str, Any]] = field(default_factory=list)


_replay: ContextVar[Replay | None] = ContextVar("audit_replay", default=None)


def replay_at(moment: datetime | None) -> None:
    """Inside :func:`replaying`: the steps from here on happened at ``moment`` (None: now)."""
    replay = _replay.get()
    if replay is not None:
        replay.at = moment


@contextmanager
def replaying(session: Session) -> Iterator[Replay]:
    """Replay history: events recorded inside carry the time the replay says (``Replay.at``,
    now when unset) and are appended in time order at the end, with the anonymous acts of
    the replayed days among them (at their day's start, in their shuffled order). An error
    inside discards them with the rest of the transaction."""
    replay = Replay()
    token = _replay.set(replay)
    try:
        yield replay
    finally:
        _replay.reset(token)
    _lock_chain(session)
    today = to_local(utcnow()).date()
    waiting = session.scalars(select(PendingAnonymousEvent).where(PendingAnonymousEvent.day < today)
                              .order_by(PendingAnonymousEvent.id)).all()
    anonymous = [dict(at=day_start_utc(p.day), actor_id=None, actor_name=ANONYMOUS, action=p.action,
                      object_type=p.object_type, object_id=p.object_id, summary=p.summary) for p in waiting]
    for pending in waiting:
        session.delete(pending)
    for fields in sorted(anonymous + replay.events, key=lambda f: f["at"]):  # stable: ties keep their order
        _append(session, **fields)

SYSTEM_NAME = N_("系统")  # the actor of events no person did (stored as written, in the chain)

# The actor shown for anonymous acts once they join the chain.
ANONYMOUS = N_("匿名")


def record(
    session: Session,
    actor: Any | None,
    action: str,
    obj: Any | None = None,
    **summary: Any,
) -> AuditEvent:
    """Append one event after the current head of the chain and flush it.

    ``actor`` is a user or ``None`` for the system; ``obj`` any mapped object with an ``id``.
    A write transaction already holds the write lock from its start (BEGIN IMMEDIATE on
    SQLite, the advisory lock on PostgreSQL, see ``portal.db``); on PostgreSQL the same lock
    is taken again here (a no-op then) for a transaction begun without it, and the UNIQUE
    ``prev_hash`` column turns any fork that slipped through into an error, not a branch.
    Anonymous acts of earlier days still waiting (see :func:`record_anonymous`) join the
    chain first.
    """
    replay = _replay.get()
    fields: dict[str, Any] = dict(
        at=(replay.at if replay is not None and replay.at is not None else utcnow()),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "name", "") or SYSTEM_NAME,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "id", "") or "") if obj is not None else "",
        summary=_dump(summary),
    )
    if replay is not None:  # joins the chain in time order when the replay ends
        replay.events.append(fields)
        return AuditEvent(**fields)
    _lock_chain(session)
    seq, prev, waiting = session.execute(_HEAD_AND_WAITING, {"today": to_local(utcnow()).date()}).one()
    if waiting:  # nearly never: the first write of a day after anonymous acts
        flush_anonymous(session)
        return _append(session, **fields)
    return _append_after(session, seq, prev, fields)


def record_anonymous(session: Session, action: str, obj: Any | None = None, now: datetime | None = None,
                     **summary: Any) -> PendingAnonymousEvent:
    """Record an anonymous act so that no audit reader can tie it to its author.

    Appending it now would put it next to the author's other events (their login a second
    earlier) in time and in sequence. Instead it waits, with no actor, a random key and only
    its school-time day, and joins the chain in a batch with the rest of that day's anonymous
    acts (random order, stamped with the day's start) at the first append of a later day, or
    when ``flask audit flush`` runs at night. It names the kind of ``obj`` but not its id: ids
    are sequential, so the signed acts logged around it (objection 56 at 09:40, 58 at 10:03)
    would bracket its time.
    """
    pending = PendingAnonymousEvent(
        id=secrets.token_hex(16),
        day=to_local(now or utcnow()).date(),
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id="",
        summary=_dump(summary),
    )
    session.add(pending)
    session.flush()
    return pending


def flush_anonymous(session: Session, today: date | None = None) -> int:
    """Append the waiting anonymous acts of days before ``today`` (school time); return how many."""
    today = today or to_local(utcnow()).date()
    if session.execute(_WAITING, {"today": today}).first() is None:  # nearly always: one cheap look
        return 0
    waiting = session.scalars(
        select(PendingAnonymousEvent).where(PendingAnonymousEvent.day < today).order_by(PendingAnonymousEvent.id)
    ).all()
    if not waiting:
        return 0
    _lock_chain(session)
    for pending in waiting:  # ordered by the random key: a shuffle
        _append(
            session,
            at=day_start_utc(pending.day),
            actor_id=None,
            actor_name=ANONYMOUS,
            action=pending.action,
            object_type=pending.object_type,
            object_id=pending.object_id,
            summary=pending.summary,
        )
        session.delete(pending)
    session.flush()
    return len(waiting)


def _dump(summary: dict[str, Any]) -> str:
    return json.dumps(summary, sort_keys=True, ensure_ascii=False, default=str)


def _lock_chain(session: Session) -> None:
    take_write_lock(session)  # a no-op when the transaction holds it already (nearly always)


# Built once: every write runs them with the write lock held.
_HEAD = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
_WAITING = select(PendingAnonymousEvent.id).where(PendingAnonymousEvent.day < bindparam("today", type_=Date)).limit(1)


# The head and whether an anonymous act of an earlier day waits, in one statement: the
# look every ``record`` makes, with the write lock held.
_HEAD_AND_WAITING = select(
    select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1).scalar_subquery(),
    select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1).scalar_subquery(),
    exists().where(PendingAnonymousEvent.day < bindparam("today", type_=Date)),
)


def _append(session: Session, **fields: Any) -> AuditEvent:
    head = session.execute(_HEAD).first()
    return _append_after(session, head.seq if head else None, head.hash if head else None, fields)


def _append_after(session: Session, seq: int | None, prev: str | None, fields: dict[str, Any]) -> AuditEvent:
    """Append after the head (``seq``, its hash ``prev``; None for an empty chain)."""
    event = AuditEvent(seq=seq + 1 if seq is not None else 1, prev_hash=prev if seq is not None else GENESIS, **fields)
    event.hash = event.compute_hash()
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    head: str
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain in order; report the first row whose content or link is wrong."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=500))
    for event in rows.scalars():
        if event.seq != expected_seq:
            return ChainReport(False, count, prev, event.seq, Message(N_("序号不连续：应为 %(expected)d，实为 %(seq)d"), expected=expected_seq, seq=event.seq))
        if event.prev_hash != prev:
            return ChainReport(False, count, prev, event.seq, Message(N_("与上一条记录的链接不符（记录被删除、插入或调换）")))
        if event.compute_hash() != event.hash:
            return ChainReport(False, count, prev, event.seq, Message(N_("记录内容与其哈希不符（记录被修改）")))
        prev = event.hash
        expected_seq += 1
        count += 1
    return ChainReport(True, count, prev)


def chain_head(session: Session) -> tuple[int, str]:
    """The sequence number and hash of the newest event, shown publicly so truncation shows."""
    head = session.execute(_HEAD).first()
    return (head.seq, head.hash) if head else (0, GENESIS)


# Built once: the newest event's sequence number and the number of anonymous acts waiting.
_DATA_VERSION = select(
    select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1).scalar_subquery(),
    select(func.count()).select_from(PendingAnonymousEvent).scalar_subquery(),
)
DATA_VERSION_STATEMENT = _DATA_VERSION  # for portal.fastpath, which runs it outside the ORM


def data_version(session: Session) -> tuple[int, int]:
    """What every rule's write moves, in one statement: the chain head's sequence number
    and the count of anonymous acts still waiting to join it (:func:`record_anonymous`
    does not move the head). For keys of per-reader caches only: it is never shown, since
    the count would tell when an anonymous act happened."""
    # on the session's connection (its transaction), past the ORM's statement handling
    seq, pending = session.connection().execute(_DATA_VERSION).one()
    return (seq or 0, pending or 0)
