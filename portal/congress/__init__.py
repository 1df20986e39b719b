"""The staff congress (教代会): terms and the dated roster; sessions with sign-in, presence
and quorum; named and secret votes and elections; the hall display.

Importing the package loads no Flask; :func:`init_app` wires the feature into an app.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the permissions and the navigation entry."""
    from flask_babel import lazy_gettext as _l

    from portal import registry
    from portal.congress import permissions  # noqa: F401 - registers the checks on import
    from portal.congress.views import bp
    from portal.congress.views.work_report import work_report_todos

    app.register_blueprint(bp)
    # No dashboard to-do: asking every signed-in user's roster terms would cost the home page
    # a query over its budget of eight; representatives reach the open session by this entry.
    registry.add_nav("congress.index", _l("教代会"), "congress.list", 30)
    registry.add_subject_link("work_report", "congress.work_report", "session_id")
    registry.add_todos(work_report_todos)
