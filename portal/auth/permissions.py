"""The one ``can()`` / ``require()`` that every view asks; features register their checks.

A check receives the user (``None`` when anonymous), the object, and a :class:`Context` that
answers membership questions for the day (who is 书记, 校长, a committee member, a
representative, a department head). Each feature's ``permissions.py`` calls
:func:`register` for its actions; where an object check has a list counterpart, it
registers the SQL condition that lists exactly the objects the check allows, and
``tests/<feature>/test_permissions.py`` shows the two agree.

Templates may call ``can`` to hide a button, but never as the only guard: a fragment
request skips the page, so every view asks again.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from portal.auth.models import Role, User
from portal.org.memberships import Memberships
from portal.org.models import BodyKind, Office
from portal.timeutil import to_local, utcnow


@dataclass
class Context:
    """What checks may ask besides the user and the object: memberships on this day."""

    memberships: Memberships
    now: datetime = field(default_factory=utcnow)

    @classmethod
    def for_session(cls, session: Session, now: datetime | None = None) -> Context:
        now = now or utcnow()
        return cls(Memberships(session, to_local(now).date()), now)


Check = Callable[[User | None, Any, Context], bool]
Listing = Callable[[User | None, Context], ColumnElement[bool]]


@dataclass(frozen=True)
class Permission:
    check: Check
    listing: Listing | None = None

    def __call__(self, user: User | None, obj: Any, ctx: Context) -> bool:
        return self.check(user, obj, ctx)


RULES: dict[str, Permission] = {}


def register(action: str, check: Check, listing: Listing | None = None) -> None:
    """Declare who may perform ``action``; each action is registered once."""
    if action in RULES:
        raise RuntimeError(f"permission {action!r} registered twice")
    RULES[action] = Permission(check, listing)


def viewer(user: Any) -> User | None:
    """The signed-in user, or None for anonymous visitors (Flask-Login's anonymous user)."""
    return user if isinstance(user, User) and user.is_authenticated else None


def current_context() -> Context:
    """The context for this request (built once per request), or a fresh one outside requests."""
    from flask import g, has_request_context

    from portal.extensions import db

    if not has_request_context():
        return Context.for_session(db.session)
    if "access_context" not in g:
        g.access_context = Context.for_session(db.session)
    ctx: Context = g.access_context
    return ctx


def can(user: Any, action: str, obj: Any = None, ctx: Context | None = None) -> bool:
    """Whether ``user`` (possibly anonymous) may perform ``action`` on ``obj``."""
    return RULES[action].check(viewer(user), obj, ctx or current_context())


def listing(user: Any, action: str, ctx: Context | None = None) -> ColumnElement[bool]:
    """The SQL condition selecting exactly the objects ``can(user, action, obj)`` allows."""
    found = RULES[action].listing
    if found is None:
        raise KeyError(f"permission {action!r} has no listing")
    return found(viewer(user), ctx or current_context())


def require(action: str, obj: Any = None) -> None:
    """Abort unless the current user may act: anonymous users are sent to log in."""
    from flask import abort
    from flask_login import current_user

    if can(current_user, action, obj):
        return
    if not current_user.is_authenticated:
        from portal.extensions import login_manager

        abort(login_manager.unauthorized())
    abort(403)


# --- building blocks for the features' checks ------------------------------------------

def anyone(user: User | None, obj: Any, ctx: Context) -> bool:
    return True


def signed_in(user: User | None, obj: Any = None, ctx: Context | None = None) -> bool:
    return user is not None


def roles(*wanted: Role) -> Check:
    """Holders of any of these global roles."""
    def check(user: User | None, obj: Any, ctx: Context) -> bool:
        return user is not None and user.has_role(*wanted)

    check.__name__ = "roles_" + "_".join(r.value for r in wanted)
    return check


def holds(user: User | None, ctx: Context, *offices: Office) -> bool:
    return user is not None and ctx.memberships.holds(user.id, *offices)


def is_party_member(user: User | None, ctx: Context) -> bool:
    """A Party member: marked on the person, or seated on the Party committee."""
    return user is not None and (user.is_party_member or ctx.memberships.member_of(user.id, BodyKind.PARTY_COMMITTEE))


def is_leader(user: User | None, ctx: Context) -> bool:
    """班子成员: the leader role, or a seat on the Party committee or the administrative team."""
    return user is not None and (user.has_role(Role.LEADER) or ctx.memberships.member_of(
        user.id, BodyKind.PARTY_COMMITTEE, BodyKind.ADMIN_TEAM))


def inspects(user: User | None, ctx: Context) -> bool:
    """An outside inspector (督导 / 巡察) on a day of their term: reads the inspection pages
    (``INSPECTOR_ENDPOINTS``) and nothing else, writes nothing."""
    return user is not None and user.is_inspector_account and ctx.memberships.inspects(user.id)


# --- the portal's own actions ----------------------------------------------------------

def _audit_reader(user: User | None, obj: Any, ctx: Context) -> bool:
    return user is not None and (user.has_role(Role.ADMIN, Role.SUPERVISOR) or holds(user, ctx, Office.SECRETARY)
                                 or inspects(user, ctx))


register("portal.view", anyone)
register("account.manage", signed_in)
register("users.manage", roles(Role.ADMIN))
register("audit.view", _audit_reader)

# Endpoints a user whose password must change may still reach.
ALLOWED_BEFORE_PASSWORD_CHANGE = frozenset(
    {"auth.change_password", "auth.logout", "auth.set_language", "static", "home.healthz"}
)

# The only pages an inspector's account reaches (portal.auth.inspection refuses every other,
# whatever the feature's own check would say): the self-check and its archive, minutes,
# resolutions (the tracker, each resolution and its reports' files) and the audit log; and
# signing in and out, the language, one's own password. Each is read-only (GET), except the
# last three, which change only the inspector's own session or account.
INSPECTOR_ENDPOINTS = ALLOWED_BEFORE_PASSWORD_CHANGE | frozenset({
    "auth.login",
    "decisions.self_check", "decisions.archive", "decisions.minutes",
    "decisions.tracker", "decisions.tracker_export", "decisions.resolution", "decisions.report_file",
    "audit.events",
})
