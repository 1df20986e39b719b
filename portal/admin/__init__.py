"""Administration: accounts, departments and the roster import."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import registry
    from portal.admin.views import bp

    app.register_blueprint(bp)
    registry.add_nav("admin.users", _l("用户管理"), "users.manage", 90)
