"""The principal's report to the congress on the execution of resolutions touching staff
interests, with the handling of proposals: live (print, XLSX), and compiled for a session,
where it is attached frozen (its printable text and its spreadsheet, each hashed)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Response, abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.auth import permissions
from portal.congress.models import CongressSession, CongressTerm, SessionStatus
from portal.decisions import exports, queries
from portal.decisions.forms import BODY_LABELS, STATUS_LABELS, AttachReportForm, CongressReportForm
from portal.decisions.rules.tracker import add_months
from portal.decisions.views import bp
from portal.decisions.views.procedure import today
from portal.decisions.views.tracker import _headers, _xlsx
from portal.errors import DomainError
from portal.extensions import db
from portal.formutil import error_text, options
from portal.org.roster import current_term
from portal.web import begin_write, explain, redirect_to, render, writes_late


def _current_term() -> CongressTerm | None:
    return current_term(db.session, today())


def _default_since(term: CongressTerm | None) -> date:
    last_year = add_months(today(), -12)
    return max(term.starts_on, last_year) if term else last_year


def _requested() -> tuple[CongressReportForm, CongressTerm | None, Compiled]:
    """The report since the date in the query string, or the default when none is valid."""
    form = CongressReportForm(request.args, meta={"csrf": False})
    if request.args:
        form.validate()
    term = _current_term()
    since = form.since.data if form.since.data and not form.since.errors else _default_since(term)
    return form, term, compile_report(since, term)


@dataclass(frozen=True)
class Compiled:
    """Everything the report shows, for the page, the frozen copy and the spreadsheet."""

    since: date
    today: date
    term: CongressTerm | None
    rows: list[queries.TrackerRow]
    proposals: Any

    def context(self) -> dict[str, Any]:
        from portal.proposals.forms import ANSWER_LABELS, RATING_LABELS, STATUS_LABELS as PROPOSAL_STATUS

        return {"rows": self.rows, "since": self.since, "today": self.today, "proposals": self.proposals,
                "term": self.term, "proposal_status": PROPOSAL_STATUS, "answer_labels": ANSWER_LABELS,
                "rating_labels": RATING_LABELS, "status_labels": STATUS_LABELS, "body_labels": BODY_LABELS,
                "reports": queries.reports_of(db.session, [r.resolution.id for r in self.rows]),
                "figures": queries.figures(db.session, self.rows, self.today)}

    def spreadsheet(self) -> bytes:
        return exports.congress_report_xlsx(
            self.rows, _headers(), lambda s: str(STATUS_LABELS[s]), lambda b: str(BODY_LABELS.get(b, b)),
            (self.term.name, self.proposals, self.today) if self.term and self.proposals else None)


def compile_report(since: date, term: CongressTerm | None) -> Compiled:
    from portal.proposals.queries import report as proposal_report

    day = today()
    return Compiled(since, day, term, queries.congress_rows(db.session, since, day),
                    proposal_report(db.session, term.id, day) if term else None)


def _open_sessions(term: CongressTerm | None) -> list[CongressSession]:
    if term is None:
        return []
    return list(db.session.scalars(select(CongressSession).where(
        CongressSession.term_id == term.id, CongressSession.status != SessionStatus.CLOSED.value)
        .order_by(CongressSession.held_on, CongressSession.id)))


def _attach_form(term: CongressTerm | None, formdata: Any = None) -> AttachReportForm | None:
    if not permissions.can(current_user, "congress_report.attach"):
        return None
    form = AttachReportForm(formdata=formdata)
    form.session_id.choices = options([("", "—")] + [
        (cs.id, _("第 %(n)d 次会议（%(day)s）", n=cs.number, day=cs.held_on.isoformat())) for cs in _open_sessions(term)])
    return form


@bp.get("/decisions/congress-report")
def congress_report() -> Response:
    """The report since the date given (by default the term's start, at most a year back)."""
    permissions.require("congress_report.view")
    form, term, compiled = _requested()
    form.since.data = compiled.since
    return render("decisions/congress_report.html", form=form, attach_form=_attach_form(term), **compiled.context())


@bp.get("/decisions/congress-report.xlsx")
def congress_report_export() -> Response:
    """The report to the congress as a spreadsheet: the resolutions, then the proposals."""
    permissions.require("congress_report.view")
    return _xlsx(_requested()[2].spreadsheet(), "congress-report.xlsx")


def _previous_session_day(cs: CongressSession) -> date | None:
    return db.session.scalar(select(CongressSession.held_on).where(
        CongressSession.term_id == cs.term_id, CongressSession.number < cs.number)
        .order_by(CongressSession.number.desc()).limit(1))


@bp.post("/decisions/congress-report/attach")
@writes_late
def attach_congress_report() -> Response:
    """Compile the report since the session before the chosen one (or the term's start) and
    attach it to the chosen session, frozen. Rendering, the spreadsheet and its file are done
    before the write lock."""
    permissions.require("congress_report.attach")
    term = _current_term()
    form = _attach_form(term, request.form) or abort(403)
    if not form.validate_on_submit():
        flash(error_text(form), "error")
        return redirect_to(url_for("decisions.congress_report"))
    cs = db.session.get(CongressSession, form.session_id.data) or abort(404)
    compiled = compile_report(_previous_session_day(cs) or (term.starts_on if term else _default_since(term)), term)
    title = _("关于教职工切身利益相关决议执行情况的报告")
    html = render_template("decisions/_congress_report_body.html", **compiled.context())
    from portal.congress.rules import sessions as session_rules
    from portal.congress.rules import work_report
    from portal import files

    try:
        stored = files.store(current_app.config["UPLOAD_DIR"], _("决议执行情况报告_第%(n)d次会议.xlsx", n=cs.number),
                             compiled.spreadsheet())
        begin_write()
        cs = db.session.get(CongressSession, cs.id) or abort(404)
        sheet = session_rules.attach_document(db.session, current_user, cs, stored)
        report = work_report.attach_compiled(db.session, current_user, cs, title, html, sheet)
    except DomainError as exc:
        db.session.rollback()
        flash(explain(exc), "error")
        return redirect_to(url_for("decisions.congress_report"))
    db.session.commit()
    flash(_("报告已附到第 %(n)d 次会议。", n=cs.number), "success")
    return redirect_to(url_for("congress.session_report", report_id=report.id))
