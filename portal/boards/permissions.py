"""Who manages boards (the administrator), who sees the charts on the dashboard (the
leadership), and who may print a poster (anyone: a poster shows only public content, and
each view checks that the content is public)."""
from __future__ import annotations

from typing import Any

from portal.auth.models import Role, User
from portal.auth.permissions import Context, anyone, is_leader, register, roles


def _leadership(user: User | None, obj: Any, ctx: Context) -> bool:
    return is_leader(user, ctx) or (user is not None and user.has_role(Role.UNION, Role.SUPERVISOR))


register("board.manage", roles(Role.ADMIN))
register("board.charts", _leadership)
register("poster.print", anyone)
