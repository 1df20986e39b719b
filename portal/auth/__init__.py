"""Accounts, signing in and out, and the one can()/require() every feature registers into."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from portal.auth.views import bp

    app.register_blueprint(bp)
