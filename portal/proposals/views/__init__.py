"""Proposal pages. The blueprint lives here; the sub-areas import ``bp`` at the end."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("proposals", __name__)

from portal.proposals.views import drafting, handling, register  # noqa: E402,F401
