"""The public portal for visitors, the dashboard after login, and the health check.

The pages compose what features registered in ``portal.registry``: home-page sections for
everyone, and to-dos for the signed-in user.
"""
from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from flask_babel import get_locale
from flask_login import current_user

from portal import readiness, registry
from portal.auth import permissions
from portal.errors import Message
from portal.extensions import db
from portal.org.models import OFFICE_NAMES, Office
from portal.pagecache import data_head, public_page, reader_page, versioned
from portal.web import render, unavailable

bp = Blueprint("home", __name__)


@bp.get("/")
@public_page()
@reader_page()
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
    """200 when the database answers at the schema this code expects; otherwise 503 with
    the one line that says what to fix (a schema behind the code, an unreachable server;
    ``portal.readiness`` answers before this view while the database cannot be served)."""
    try:
        # A pooled connection asked directly: no ORM session, no transaction to begin (on
        # SQLite the session's BEGIN doubled the statements of every probe).
        conn = db.engine.raw_connection()
        try:
            cursor = conn.cursor()
            cursor.execute("SELECT 1")
            cursor.fetchall()
            cursor.close()
        finally:
            conn.close()
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        url = current_app.config["DATABASE_URL"]
        try:
            found = readiness.describe(error, url)
        except Exception:  # noqa: BLE001 - not a configuration problem; still unhealthy
            found = Message(readiness.UNREACHABLE, where=readiness.hide_password(url), reason=type(error).__name__)
        return unavailable(found)
    return jsonify(status="ok", database="ok")
