"""Writing and verifying the audit chain. Every state change calls :func:`record`."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portal.audit.models import GENESIS, AuditEvent
from portal.errors import Message
from portal.i18n import N_
from portal.timeutil import utcnow

SYSTEM_NAME = N_("系统")  # the actor of events no person did (stored as written, in the chain)

# Any constant works; it names the one advisory lock that serialises appends on PostgreSQL.
_PG_CHAIN_LOCK = 7_263_001


def record(
    session: Session,
    actor: Any | None,
    action: str,
    obj: Any | None = None,
    **summary: Any,
) -> AuditEvent:
    """Append one event after the current head of the chain and flush it.

    ``actor`` is a user or ``None`` for the system; ``obj`` any mapped object with an ``id``.
    On SQLite the request already holds the write lock (BEGIN IMMEDIATE); on PostgreSQL a
    transaction-scoped advisory lock makes concurrent appenders queue, and the UNIQUE
    ``prev_hash`` column turns any fork that slipped through into an error, not a branch.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    event = AuditEvent(
        seq=(head.seq + 1) if head else 1,
        prev_hash=head.hash if head else GENESIS,
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "name", "") or SYSTEM_NAME,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "id", "") or "") if obj is not None else "",
        summary=json.dumps(summary, sort_keys=True, ensure_ascii=False, default=str),
    )
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
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (head.seq, head.hash) if head else (0, GENESIS)
