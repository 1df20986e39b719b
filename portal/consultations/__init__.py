"""Consultations (征求意见): drafts that touch staff interests put to the staff, the
representatives or the Party members before they are decided; comments (signed, or
anonymous to readers), replies, the mark on every comment and the adoption summary
(采纳情况). ``queries.finished_for`` answers the decisions feature's question: "were staff
heard on this matter?".

Importing the package loads no Flask; :func:`init_app` wires the feature into an app.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the permissions, the navigation entry, to-dos and links."""
    from flask_babel import lazy_gettext as _l

    from portal import registry
    from portal.consultations import permissions  # noqa: F401 - registers the checks on import
    from portal.consultations.views import bp
    from portal.consultations.views.manage import marking_todos, open_todos

    app.register_blueprint(bp)
    registry.add_nav("consultations.index", _l("征求意见"), "consultation.list", 31)
    for source in (open_todos, marking_todos):
        registry.add_todos(source)
    registry.add_subject_link("consultation", "consultations.show", "consultation_id")
