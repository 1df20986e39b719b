"""Disclosure pages. The blueprint lives here; each sub-area's routes are a module below,
imported at the end so every module can import ``bp`` from this package without a cycle."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("disclosure", __name__)

from portal.disclosure.views import catalogue, feeds, manage, participation, reading  # noqa: E402,F401
