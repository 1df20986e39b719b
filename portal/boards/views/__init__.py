"""Board pages: the screen itself (no sign-in, by its address), the admin's boards page,
posters, and the charts on the dashboard. The blueprint lives here; each sub-area's routes
are a module below, imported at the end so every module can import ``bp`` without a cycle."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("boards", __name__)

from portal.boards.views import charts, manage, posters, screen  # noqa: E402,F401
