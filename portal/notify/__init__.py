"""Notifications: the in-app inbox every workflow writes to when someone must act next or
their item changed, with an unread count in the navigation.

Rules call :func:`portal.notify.rules.notify` with a marked message and the subject it is
about; each feature says in its ``init_app`` how its subjects link
(:func:`portal.registry.add_subject_link`). Other channels (e-mail, a campus messaging app)
register a deliverer in ``portal.notify.rules.DELIVERERS`` and are called with every new
notification; the workflows never change for them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the permissions."""
    from portal.notify import permissions  # noqa: F401 - registers the checks on import
    from portal.notify.views import bp

    app.register_blueprint(bp)
