"""Inbox pages. The blueprint lives here; the routes are in the module below."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notify", __name__)

from portal.notify.views import deliveries, inbox, settings  # noqa: E402,F401
