"""The one place where access is decided.

Views call :func:`require` (or :func:`can` to shape a page); templates may call ``can`` to
hide a button, but never as the only guard, because a fragment request skips the page.
Every action a route performs is named in ``RULES``; tests build the route × role matrix
from this table and the URL map.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.auth.models import Role

Check = Callable[[Any, Any], bool]


def _anyone(user: Any, obj: Any) -> bool:
    return True


def _signed_in(user: Any, obj: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


def _roles(*roles: Role) -> Check:
    def check(user: Any, obj: Any) -> bool:
        return _signed_in(user, obj) and user.has_role(*roles)

    check.__name__ = "roles_" + "_".join(r.value for r in roles)
    return check


RULES: dict[str, Check] = {
    "portal.view": _anyone,
    "account.manage": _signed_in,
    "users.manage": _roles(Role.ADMIN),
    "audit.view": _roles(Role.ADMIN, Role.SECRETARY, Role.SUPERVISOR),
}

# Endpoints a user whose password must change may still reach.
ALLOWED_BEFORE_PASSWORD_CHANGE = frozenset(
    {"auth.change_password", "auth.logout", "auth.set_language", "static", "home.healthz"}
)


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether ``user`` (possibly anonymous) may perform ``action`` on ``obj``."""
    return RULES[action](user, obj)


def require(action: str, obj: Any = None) -> None:
    """Abort unless the current user may act: anonymous users are sent to log in."""
    if can(current_user, action, obj):
        return
    if not current_user.is_authenticated:
        from portal.extensions import login_manager

        abort(login_manager.unauthorized())
    abort(403)


# Navigation, in order: (endpoint, label, action that must be allowed).
NAV: list[tuple[str, Any, str]] = [
    ("home.index", _l("首页"), "portal.view"),
    ("admin.users", _l("用户管理"), "users.manage"),
    ("audit.events", _l("审计日志"), "audit.view"),
]


def nav_items(user: Any) -> list[tuple[str, Any]]:
    return [(endpoint, label) for endpoint, label, action in NAV if can(user, action)]
