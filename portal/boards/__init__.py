"""Public notice boards (公开栏): hallway screens at unguessable addresses showing only public
content as slides, with a heartbeat so the admin sees a board gone dark; printable posters
for the paper board; server-rendered SVG charts of the tracker and the proposals.

Importing the package loads no Flask; :func:`init_app` wires the feature into an app.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint (with the poll shortcut in front of the app), the permissions, the admin's to-do (a dark board) and the
    leadership's chart section on the dashboard."""
    from portal import registry
    from portal.boards import permissions  # noqa: F401 - registers the checks on import
    from portal.boards.views import bp
    from portal.boards.views.manage import dark_board_todos
    from portal.boards.views.charts import chart_sections

    from portal.boards.cli import board_cli

    if app.config.get("TESTING"):  # one app serves many fresh databases: hold no reports between them
        app.config["BOARD_HEARTBEAT_SECONDS"] = 0
    from portal.boards.views.shortcut import PollShortcut

    app.register_blueprint(bp)
    # Flask documents wrapping wsgi_app for middleware; mypy sees a method being replaced.
    app.wsgi_app = PollShortcut(app, app.wsgi_app)  # type: ignore[method-assign]
    app.cli.add_command(board_cli)
    registry.add_todos(dark_board_todos)
    registry.add_sections(chart_sections)
