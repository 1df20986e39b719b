"""The register of a term's proposals (visible to staff) with filters and paging, its XLSX,
and the committee's report on proposal handling for the next session."""
from __future__ import annotations

import io
from typing import Any

from flask import Response, abort, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.auth.models import User
from portal.auth.permissions import Context
from portal.congress.models import CongressTerm
from portal.extensions import db
from portal.proposals import exports, queries
from portal.proposals.forms import LABELS, RegisterFilterForm
from portal.proposals.views import bp
from portal.registry import Section
from portal.timeutil import to_local, utcnow
from portal.pagecache import reader_page
from portal.web import paginate, render

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _term_and_filters() -> tuple[CongressTerm, RegisterFilterForm, queries.RegisterFilter]:
    terms = queries.terms_newest_first(db.session)
    if not terms:
        abort(404)
    today = to_local(utcnow()).date()
    current = next((t for t in terms if t.starts_on <= today <= t.ends_on), terms[0])
    form = RegisterFilterForm(request.args, meta={"csrf": False})
    departments = queries.department_names(db.session)
    form.fill([(t.id, t.name) for t in terms], [(d.id, d.name) for d in departments])
    filters = queries.RegisterFilter()
    if form.validate():
        filters = queries.RegisterFilter(
            status=form.status.data or "", department_id=form.department.data or 0,
            answer_class=form.answer_class.data or "", rating=form.rating.data or "",
            category=form.category.data or "", overdue=bool(form.overdue.data))
    term = next((t for t in terms if t.id == form.term.data), current)
    form.term.data = term.id
    return term, form, filters


@bp.get("/proposals")
@reader_page()
def register() -> Response:
    """All proposals of a term with status, department, answer class and rating; filters
    swap the table by htmx."""
    permissions.require("proposal.list")
    term, form, filters = _term_and_filters()
    today = to_local(utcnow()).date()
    page: dict[str, Any] = paginate(queries.register_lines(term.id, filters, today), PAGE_SIZE, queries.RegisterLine)
    return render("proposals/register.html", block="register_table", term=term, form=form, labels=LABELS,
                  today=today, can_create=permissions.can(current_user, "proposal.create"), **page)


@bp.get("/proposals/mine")
def mine() -> Response:
    """My proposals: drafts and proposals I propose or co-signed, of every term."""
    permissions.require("proposal.list")
    rows = list(db.session.scalars(queries.mine(current_user)))
    return render("proposals/mine.html", rows=rows, labels=LABELS, today=to_local(utcnow()).date(),
                  can_create=permissions.can(current_user, "proposal.create"))


def my_proposals_section(user: User | None, ctx: Context) -> list[Section]:
    """The dashboard's "我的提案": a signed-in person's latest five, drafts first."""
    if user is None or not permissions.can(user, "proposal.list", None, ctx):
        return []
    rows = list(db.session.scalars(queries.mine(user).limit(6)))
    if not rows:
        return []
    rows.sort(key=lambda p: p.status != "draft")
    return [Section("proposals/_home.html", 20, {"rows": rows[:5], "more": len(rows) > 5, "labels": LABELS})]


@bp.get("/proposals/register.xlsx")
def export() -> Response:
    """The term's register as XLSX (the filters apply)."""
    permissions.require("proposal.list")
    term, _form, filters = _term_and_filters()
    today = to_local(utcnow()).date()
    rows = list(db.session.scalars(queries.register(term.id, filters, today)))
    return send_file(io.BytesIO(exports.register_workbook(term.name, rows, today)), as_attachment=True,
                     download_name=_("提案登记_%(term)s.xlsx", term=term.name), mimetype=XLSX)


@bp.get("/proposals/report")
def report() -> Response:
    """The committee's report on proposal handling: counts by status, department, answer and
    rating, and the list; printable."""
    permissions.require("proposal.list")
    term, form, _filters = _term_and_filters()
    today = to_local(utcnow()).date()
    return render("proposals/report.html", term=term, form=form, labels=LABELS, today=today,
                  report=queries.report(db.session, term.id, today))


@bp.get("/proposals/report.xlsx")
def report_export() -> Response:
    """The report as XLSX."""
    permissions.require("proposal.list")
    term, _form, _filters = _term_and_filters()
    today = to_local(utcnow()).date()
    data = exports.report_workbook(term.name, queries.report(db.session, term.id, today), today)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=_("提案办理情况_%(term)s.xlsx", term=term.name),
                     mimetype=XLSX)
