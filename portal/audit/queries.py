"""The read side of the audit log: the events a reader browses, with their filters."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select

from portal.audit.models import AuditEvent
from portal.timeutil import day_end_utc, day_start_utc


def events(action: str = "", actor: str = "", since: date | None = None,
           until: date | None = None) -> Select[tuple[AuditEvent]]:
    """Audit events, newest first: whose action starts with ``action``, whose actor's name
    contains ``actor``, from the start of ``since`` to the end of ``until`` (local days)."""
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    if actor:
        query = query.where(AuditEvent.actor_name.contains(actor))
    if since:
        query = query.where(AuditEvent.at >= day_start_utc(since))
    if until:
        query = query.where(AuditEvent.at <= day_end_utc(until))
    return query.order_by(AuditEvent.seq.desc())
