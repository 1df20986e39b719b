"""The read side of the inbox and of the admin's delivery pages."""
from __future__ import annotations

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from portal.auth.models import Department, User
from portal.notify.models import Delivery, Notification, Robot
from portal.org.models import Body


def inbox(user_id: int) -> Select[tuple[Notification]]:
    """The reader's notifications, newest first."""
    return select(Notification).where(Notification.recipient_id == user_id).order_by(Notification.id.desc())


# (unread count, newest unread id) of the reader ``uid``: also run by ``portal.fastpath``.
UNREAD_STATE = (select(func.count(), func.max(Notification.id))
                .where(Notification.recipient_id == bindparam("uid"), Notification.read_at.is_(None)))


def unread_state(session: Session, user_id: int) -> tuple[int, int]:
    """(unread count, newest unread id): what the navigation badge shows, in one query."""
    count, newest = session.execute(UNREAD_STATE, {"uid": user_id}).one()
    return int(count or 0), int(newest or 0)


def badge_etag(user_id: int, unread: int, newest: int) -> str:
    """The badge's validator: changes exactly when the reader's unread state does."""
    return f"u{user_id}-{unread}-{newest}"


def deliveries(channel: str | None, state: str | None) -> Select[tuple[Delivery]]:
    """Recent deliveries, newest first, on one channel and in one state when given."""
    query = select(Delivery).order_by(Delivery.id.desc())
    if channel:
        query = query.where(Delivery.channel == channel)
    if state:
        query = query.where(Delivery.state == state)
    return query


def names(session: Session, user_ids: set[int]) -> dict[int, str]:
    """user id -> name, for the people a page of deliveries went to."""
    if not user_ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).tuples().all())


def robots(session: Session) -> list[Robot]:
    """The group robots, active ones first, oldest first."""
    return list(session.scalars(select(Robot).order_by(Robot.active.desc(), Robot.id)))


def scope_names(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    """(body id -> name, department id -> name): what a robot may be added for."""
    bodies = dict(session.execute(select(Body.id, Body.name)).tuples().all())
    departments = dict(session.execute(select(Department.id, Department.name)).tuples().all())
    return bodies, departments
