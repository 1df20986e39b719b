"""The public portal for visitors, the dashboard after login, and the health check.

The pages compose what features registered in ``portal.registry``: home-page sections for
everyone, and to-dos for the signed-in user.
"""
from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, jsonify
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import text

from portal import registry
from portal.auth import permissions
from portal.extensions import db
from portal.org.models import OFFICE_NAMES, Office
from portal.pagecache import data_head, public_page, versioned
from portal.web import render

bp = Blueprint("home", __name__)


@bp.get("/")
@public_page()
def index() -> Response:
    """Anonymous visitors see the public portal; signed-in staff see their dashboard."""
    permissions.require("portal.view")
    ctx = permissions.current_context()
    user = permissions.viewer(current_user)
    seq, head = data_head()
    context: dict[str, Any] = dict(sections=registry.sections(user, ctx), now=ctx.now, chain_seq=seq, chain_head=head)
    if user is None:
        return render("home/public.html", **context)
    offices = [OFFICE_NAMES[o] for o in Office if ctx.memberships.holds(user.id, o)]
    return render("home/dashboard.html", offices=offices, **context)


@bp.get("/todos")
def todos() -> Response:
    """Everything waiting for the signed-in user, from every feature. The dashboard loads it
    as a fragment after the page, so features can add to-dos without slowing the page.

    The list is kept per worker for this reader until the data changes (every state change
    moves the audit head), the minute turns or the language changes."""
    permissions.require("account.manage")
    user = permissions.viewer(current_user)
    assert user is not None  # require() sent anonymous visitors to log in
    ctx = permissions.current_context()
    key = f"todos:{user.id}:{get_locale()}:{int(time.time() // 60)}"
    return render("home/todos.html", block="todos", todos=versioned(key, lambda: registry.todos(user, ctx)))


@bp.get("/healthz")
def healthz() -> Response | tuple[Response, int]:
    """200 when the database answers; 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
