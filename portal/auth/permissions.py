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


# --- disclosure ------------------------------------------------------------------------
# Party-affairs notices are approved by the secretary, school-affairs ones by the principal.
_APPROVER = {"party": Role.SECRETARY, "school": Role.PRINCIPAL}
_AUTHORS = (Role.LEADER, Role.SECRETARY, Role.PRINCIPAL, Role.UNION, Role.HANDLER, Role.RECORDER, Role.ADMIN)


def readable_audiences(user: Any) -> frozenset[str]:
    """The notice audiences this person may read: the SQL filters use this same set."""
    if not _signed_in(user, None):
        return frozenset({"public"})
    if user.is_party_member or user.has_role(Role.SECRETARY):
        return frozenset({"public", "staff", "party"})
    return frozenset({"public", "staff"})


def _approves(user: Any, channel: str) -> bool:
    return _signed_in(user, None) and user.has_role(_APPROVER[channel])


def _handles(user: Any, notice: Any) -> bool:
    """Author or the channel's approver: the people responsible for this notice."""
    return _signed_in(user, None) and (user.id == notice.author_id or _approves(user, notice.channel))


def _view_notice(user: Any, notice: Any) -> bool:
    if notice.status in ("published", "withdrawn"):
        return notice.audience in readable_audiences(user) or _handles(user, notice)
    return _handles(user, notice)  # drafts and submissions: author and approver only


def _read_notice_body(user: Any, notice: Any) -> bool:
    # A withdrawn notice keeps its record public, but its text only for those responsible:
    # it may have been withdrawn because it should never have been shown.
    if notice.status == "withdrawn":
        return _handles(user, notice)
    return _view_notice(user, notice)


def _author_in(user: Any, channel: Any) -> bool:
    if not (_signed_in(user, None) and user.has_role(*_AUTHORS)):
        return False
    if channel == "party":
        return bool(user.is_party_member or user.has_role(Role.SECRETARY))
    return True


def _edit_notice(user: Any, notice: Any) -> bool:
    return _signed_in(user, None) and notice.status == "draft" and user.id == notice.author_id


def _approve_notice(user: Any, notice: Any) -> bool:
    return notice.status == "submitted" and _approves(user, notice.channel)


def _withdraw_notice(user: Any, notice: Any) -> bool:
    return notice.status == "published" and notice.is_current and (
        _approves(user, notice.channel) or (_signed_in(user, None) and user.has_role(Role.ADMIN)))


def _correct_notice(user: Any, notice: Any) -> bool:
    return notice.status == "published" and notice.is_current and _handles(user, notice) \
        and _author_in(user, notice.channel)


def _object_to(user: Any, notice: Any) -> bool:
    return _signed_in(user, None) and notice.status == "published" and _view_notice(user, notice)


def _acknowledge(user: Any, notice: Any) -> bool:
    return _signed_in(user, None) and notice.requires_ack and notice.status == "published" \
        and _view_notice(user, notice)


def _see_ack_report(user: Any, notice: Any) -> bool:
    return _handles(user, notice) or (_signed_in(user, None) and user.has_role(Role.ADMIN))


def _see_objector(user: Any, objection_and_notice: Any) -> bool:
    """Who lodged an anonymous objection: only the channel's approver (and the system)."""
    objection, notice = objection_and_notice
    if not objection.anonymous:
        return True
    return _approves(user, notice.channel)


RULES: dict[str, Check] = {
    "portal.view": _anyone,
    "account.manage": _signed_in,
    "users.manage": _roles(Role.ADMIN),
    "audit.view": _roles(Role.ADMIN, Role.SECRETARY, Role.SUPERVISOR),
    # disclosure
    "notice.list": _anyone,
    "notice.view": _view_notice,
    "notice.read_body": _read_notice_body,
    "notice.create": _author_in,  # obj: channel, or None for "any channel"
    "notice.workspace": lambda u, o: _author_in(u, "school") or _author_in(u, "party")
    or _approves(u, "party") or _approves(u, "school"),
    "notice.edit": _edit_notice,
    "notice.submit": _edit_notice,
    "notice.approve": _approve_notice,
    "notice.withdraw": _withdraw_notice,
    "notice.correct": _correct_notice,
    "notice.object": _object_to,
    "notice.answer": lambda u, n: n.status in ("published", "withdrawn") and _handles(u, n),
    "notice.acknowledge": _acknowledge,
    "notice.ack_report": _see_ack_report,
    "objection.see_author": _see_objector,
    "catalogue.manage": _roles(Role.ADMIN),
    "catalogue.compliance": _roles(Role.ADMIN, Role.SECRETARY, Role.PRINCIPAL),
    "disclosure.export": _roles(Role.ADMIN, Role.SECRETARY, Role.PRINCIPAL),
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
    ("disclosure.party", _l("党务公开"), "notice.list"),
    ("disclosure.school", _l("校务公开"), "notice.list"),
    ("disclosure.workspace", _l("发布与审批"), "notice.workspace"),
    ("disclosure.compliance", _l("公开目录"), "catalogue.compliance"),
    ("admin.users", _l("用户管理"), "users.manage"),
    ("audit.events", _l("审计日志"), "audit.view"),
]


def nav_items(user: Any) -> list[tuple[str, Any]]:
    return [(endpoint, label) for endpoint, label, action in NAV if can(user, action)]
