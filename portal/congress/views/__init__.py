"""Congress pages. The blueprint lives here; each sub-area's routes are a module below
(sessions and presence, polls, the hall display), imported at the end so every module can
import ``bp`` from this package without a cycle."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("congress", __name__, url_prefix="/congress")

from portal.congress.views import hall, polls, roster, sessions, work_report  # noqa: E402,F401
