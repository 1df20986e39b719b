"""Browsing the audit log."""
from __future__ import annotations

from flask import Blueprint, Response, request
from sqlalchemy import select

from portal.audit.forms import AuditFilterForm
from portal.audit.models import AuditEvent
from portal.audit.rules import chain_head
from portal.audit.sentences import describe
from portal.auth import permissions
from portal.extensions import db
from portal.timeutil import day_end_utc, day_start_utc
from portal.web import explain, paginate, render

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 50


@bp.get("/")
def events() -> Response:
    """List audit events, newest first, filtered by action, actor and date; htmx swaps the
    table. Each reads as a sentence; its raw record (action, object, JSON) opens beside it."""
    permissions.require("audit.view")
    form = AuditFilterForm(request.args, meta={"csrf": False})
    query = select(AuditEvent)
    if form.validate():
        if form.action.data:
            query = query.where(AuditEvent.action.startswith(form.action.data))
        if form.actor.data:
            query = query.where(AuditEvent.actor_name.contains(form.actor.data))
        if form.since.data:
            query = query.where(AuditEvent.at >= day_start_utc(form.since.data))
        if form.until.data:
            query = query.where(AuditEvent.at <= day_end_utc(form.until.data))
    seq, head = chain_head(db.session)
    page = paginate(query.order_by(AuditEvent.seq.desc()), PAGE_SIZE)
    sentences = {i: explain(m) for i, m in describe(db.session, page["rows"]).items()}
    return render("audit/events.html", block="event_table", form=form, chain_seq=seq, chain_head=head,
                  sentences=sentences, **page)
