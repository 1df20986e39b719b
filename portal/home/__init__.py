"""The public portal, the dashboard after login and the health check. Composes what the
features registered (``portal.registry``) and imports no feature internals."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import registry
    from portal.home.views import bp

    app.register_blueprint(bp)
    registry.add_nav("home.index", _l("首页"), "portal.view", 0)
