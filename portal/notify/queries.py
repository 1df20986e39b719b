"""The read side of the inbox."""
from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.notify.models import Notification


def inbox(user_id: int) -> Select[tuple[Notification]]:
    """The reader's notifications, newest first."""
    return select(Notification).where(Notification.recipient_id == user_id).order_by(Notification.id.desc())


def unread_state(session: Session, user_id: int) -> tuple[int, int]:
    """(unread count, newest unread id): what the navigation badge shows, in one query."""
    count, newest = session.execute(
        select(func.count(), func.max(Notification.id))
        .where(Notification.recipient_id == user_id, Notification.read_at.is_(None))
    ).one()
    return int(count or 0), int(newest or 0)
