"""Consultation pages. The blueprint lives here; the sub-areas import ``bp`` at the end."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("consultations", __name__)

from portal.consultations.views import manage, reading, window  # noqa: E402,F401
