"""The public portal for visitors, the dashboard after login, and the health check."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify
from flask_login import current_user
from sqlalchemy import text

from portal.audit.rules import chain_head
from portal.auth import permissions
from portal.extensions import db
from portal.web import render

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Response:
    """Anonymous visitors see the public portal; signed-in staff see their dashboard."""
    permissions.require("portal.view")
    seq, head = chain_head(db.session)
    template = "home/dashboard.html" if current_user.is_authenticated else "home/public.html"
    return render(template, chain_seq=seq, chain_head=head)


@bp.get("/healthz")
def healthz() -> Response:
    """200 when the database answers; 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
