"""Writing notifications and marking them read. No Flask: workflows call :func:`notify`
inside their own rule functions, in the same transaction as the change it reports."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.errors import DomainError
from portal.i18n import N_
from portal.notify.models import Notification
from portal.timeutil import utcnow

# Further channels (e-mail, a campus messaging app): each is called with the session and the
# notifications just written, and should only queue its delivery (no network inside the
# write transaction); the inbox itself is the stored row.
Deliverer = Callable[[Session, list[Notification]], None]
DELIVERERS: list[Deliverer] = []


class NotifyError(DomainError):
    pass


def notify(session: Session, recipients: Iterable[int | None], message: str, *, subject: tuple[str, int],
           actor_id: int | None = None, now: datetime | None = None, **params: Any) -> list[Notification]:
    """Tell each recipient (once, never the actor) that ``subject`` needs them or changed.

    ``message`` is an ``N_()``-marked msgid with %-style named ``params`` (plain values only:
    names, titles, numbers), translated into each reader's language when shown.
    """
    kind, subject_id = subject
    people = sorted({r for r in recipients if r is not None and r != actor_id})
    at = now or utcnow()
    payload = json.dumps(params, ensure_ascii=False, sort_keys=True, default=str)
    rows = [Notification(recipient_id=r, message=message, params_json=payload, subject_kind=kind,
                         subject_id=subject_id, created_at=at) for r in people]
    session.add_all(rows)
    session.flush()
    for deliver in DELIVERERS:
        deliver(session, rows)
    return rows


def mark_read(session: Session, user: User, notification: Notification, now: datetime | None = None) -> None:
    """Mark one of the reader's own notifications read (twice is harmless)."""
    if notification.recipient_id != user.id:
        raise NotifyError(N_("这条消息不是发给您的。"))
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        session.flush()


def mark_all_read(session: Session, user: User, now: datetime | None = None) -> int:
    """Mark every unread notification of the reader read; returns how many."""
    result = session.execute(
        update(Notification).where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)
