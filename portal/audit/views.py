"""Browsing the audit log."""
from __future__ import annotations

from flask import Blueprint, Response, request

from portal.audit import queries
from portal.audit.forms import AuditFilterForm
from portal.audit.rules import chain_head
from portal.audit.sentences import describe
from portal.auth import permissions
from portal.extensions import db
from portal.web import explain, paginate, render

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 50


@bp.get("/")
def events() -> Response:
    """List audit events, newest first, filtered by action, actor and date; htmx swaps the
    table. Each reads as a sentence; its raw record (action, object, JSON) opens beside it."""
    permissions.require("audit.view")
    form = AuditFilterForm(request.args, meta={"csrf": False})
    query = queries.events(form.action.data or "", form.actor.data or "", form.since.data,
                           form.until.data) if form.validate() else queries.events()
    seq, head = chain_head(db.session)
    page = paginate(query, PAGE_SIZE)
    sentences = {i: explain(m) for i, m in describe(db.session, page["rows"]).items()}
    return render("audit/events.html", block="event_table", form=form, chain_seq=seq, chain_head=head,
                  sentences=sentences, **page)
