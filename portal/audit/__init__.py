"""The hash-chained audit log and its reader."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import registry
    from portal.audit.views import bp

    app.register_blueprint(bp)
    registry.add_nav("audit.events", _l("审计日志"), "audit.view", 91)
