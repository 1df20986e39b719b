"""Notifications: the in-app inbox every workflow writes to when someone must act next or
their item changed, with an unread count in the navigation; and the outbox that carries
them further, by mail and to group robots (企业微信, 钉钉), each reader choosing how.

Rules call :func:`portal.notify.rules.notify` with a marked message and the subject it is
about; each feature says in its ``init_app`` how its subjects link
(:func:`portal.registry.add_subject_link`). ``notify()`` also queues, in the same
transaction, what the outbox must send (``portal.notify.outbox``); ``flask deliver`` sends it
(``portal.notify.sender``). The workflows never change for a channel.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.orm import Session

    from portal.notify.models import Notification


def init_app(app: Flask) -> None:
    """Register the blueprint, the permissions, the admin's nav entry and the outbox."""
    from flask_babel import lazy_gettext as _l

    from portal import registry
    from portal.notify import permissions  # noqa: F401 - registers the checks on import
    from portal.notify import rules
    from portal.notify.views import bp

    app.register_blueprint(bp)
    registry.add_nav("notify.deliveries", _l("消息推送"), "deliveries.manage", 95)
    if queue_deliveries not in rules.DELIVERERS:
        rules.DELIVERERS.append(queue_deliveries)


def queue_deliveries(session: Session, rows: list[Notification]) -> None:
    """The outbox's deliverer: queue mail and group messages as the running app is configured
    (read at each call: one registration serves every app in a process)."""
    from flask import current_app, has_app_context

    from portal.notify.outbox import Settings, enqueue

    if has_app_context():
        enqueue(session, rows, Settings.from_config(current_app.config))
