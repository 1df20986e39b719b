"""Everyone signed in has an inbox; a notification is read only by its recipient."""
from __future__ import annotations

from sqlalchemy import ColumnElement, false

from portal.auth.models import User
from portal.auth.models import Role
from portal.auth.permissions import Context, register, roles, signed_in
from portal.notify.models import Notification


def _own(user: User | None, notification: Notification, ctx: Context) -> bool:
    return user is not None and notification.recipient_id == user.id


def own_notifications(user: User | None, ctx: Context) -> ColumnElement[bool]:
    """SQL: exactly the notifications ``notification.read`` allows."""
    return false() if user is None else Notification.recipient_id == user.id


register("inbox.view", signed_in)
register("notification.read", _own, own_notifications)
register("notify.settings", signed_in)  # each reader their own choices
register("deliveries.manage", roles(Role.ADMIN))  # robots, the delivery log, test messages
