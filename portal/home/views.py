"""The public portal for visitors, the dashboard after login, and the health check."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify
from flask_login import current_user
from sqlalchemy import func, select, text
from sqlalchemy.orm import joinedload

from portal.audit.rules import chain_head
from portal.auth import permissions
from portal.disclosure import reading
from portal.disclosure.compliance import overdue_count
from portal.disclosure.models import CHANNEL_LABELS, Acknowledgement, Notice, Status
from portal.extensions import db
from portal.timeutil import utcnow
from portal.web import render

bp = Blueprint("home", __name__)


def _todo(user, now) -> dict:
    """The dashboard's to-do list; each entry links to the page that clears it."""
    todo: dict = {}
    channels = [c for c, role in (("party", "secretary"), ("school", "principal")) if user.has_role(role)]
    if channels:
        todo["approvals"] = db.session.scalar(select(func.count()).select_from(Notice).where(
            Notice.status == Status.SUBMITTED.value, Notice.channel.in_(channels))) or 0
    todo["unread"] = db.session.scalars(
        select(Notice).where(
            reading.visible(user), Notice.requires_ack.is_(True),
            ~Notice.id.in_(select(Acknowledgement.notice_id).where(Acknowledgement.user_id == user.id)),
        ).order_by(Notice.published_at.desc()).limit(10)
    ).all()
    if permissions.can(user, "catalogue.compliance"):
        todo["overdue"] = overdue_count(db.session, now)
    return todo


@bp.get("/")
def index() -> Response:
    """Anonymous visitors see the public portal; signed-in staff see their dashboard."""
    permissions.require("portal.view")
    now = utcnow()
    user = current_user if current_user.is_authenticated else None
    latest = {
        channel: db.session.scalars(reading.notice_list(user, channel).limit(6)).all()
        for channel in ("party", "school")
    }
    in_gongshi = db.session.scalars(
        select(Notice).options(joinedload(Notice.catalog_item))
        .where(reading.visible(user), Notice.gongshi_start <= now, Notice.gongshi_end >= now)
        .order_by(Notice.gongshi_end)
    ).all()
    seq, head = chain_head(db.session)
    context = dict(latest=latest, in_gongshi=in_gongshi, channel_labels=CHANNEL_LABELS, now=now,
                   chain_seq=seq, chain_head=head)
    if user is None:
        return render("home/public.html", **context)
    return render("home/dashboard.html", todo=_todo(user, now), **context)


@bp.get("/healthz")
def healthz() -> Response:
    """200 when the database answers; 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
