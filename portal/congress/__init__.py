"""The staff congress (教代会): terms and the dated roster; sessions with sign-in, presence
and quorum; named and secret votes and elections; the hall display.

Importing the package loads no Flask; :func:`init_app` wires the feature into an app.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the permissions, the navigation entry and the to-do."""
    from flask_babel import lazy_gettext as _l

    from portal import registry
    from portal.congress import permissions  # noqa: F401 - registers the checks on import
    from portal.congress.views import bp
    from portal.congress.views.sessions import congress_todos

    app.register_blueprint(bp)
    registry.add_nav("congress.index", _l("教代会"), "congress.list", 30)
    registry.add_todos(congress_todos)
