"""The principal's work report to a session: the office files it (with an optional paper),
representatives mark it read and leave opinions, the office answers each; and the reports
other features compile for a session, frozen, to print."""
from __future__ import annotations

from typing import Any

import nh3
from flask import Response, abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.congress.forms import AnswerForm, OpinionForm, WorkReportForm
from portal.congress.models import CongressSession, SessionReport, WorkReportOpinion, WorkReportRead
from portal.congress.rules import sessions as session_rules
from portal.congress.rules import work_report as rules
from portal.congress.views import bp
from portal.congress.views.sessions import load_session
from portal import files
from portal.errors import DomainError
from portal.extensions import db
from portal.formutil import error_text
from portal.registry import Todo
from portal.web import explain, redirect_to, render, store_upload, writes_late


def _context(cs: CongressSession, **extra: Any) -> dict[str, Any]:
    report = rules.report_of(db.session, cs)
    office = permissions.can(current_user, "congress.work_report.file", cs)
    opine = report is not None and permissions.can(current_user, "congress.work_report.opine", cs)
    read = report is not None and db.session.get(WorkReportRead, (report.id, current_user.id)) is not None
    form = extra.pop("form", None)
    if form is None and office and cs.is_planned:
        form = WorkReportForm(formdata=None, obj=report) if report else WorkReportForm(formdata=None)
    opinions = rules.opinions(db.session, report) if report else []
    answer = permissions.can(current_user, "congress.work_report.answer", cs)
    return {
        "cs": cs, "report": report, "standing": rules.standing(db.session, cs), "office": office,
        "opinions": opinions, "form": form,
        "answer_forms": {o.id: AnswerForm(formdata=None, prefix=f"a{o.id}") for o in opinions
                         if answer and o.answered_at is None},
        "opinion_form": extra.pop("opinion_form", None) or (OpinionForm(formdata=None) if opine else None),
        "read": read,
        "may_read": opine and not read, "allowed_files": files.ALLOWED_HINT, **extra,
    }


@bp.get("/sessions/<int:session_id>/work-report")
def work_report(session_id: int) -> Response:
    """The report with its paper, how many have read it, the opinions and their answers."""
    cs = load_session(session_id)
    return render("congress/work_report.html", **_context(cs))


@bp.post("/sessions/<int:session_id>/work-report")
@writes_late
def file_work_report(session_id: int) -> Response:
    """File or revise the report while the session is planned (the principal's office). The
    text is rendered and the file checked and written before the write lock."""
    cs = load_session(session_id, "congress.work_report.file")
    form = WorkReportForm()
    if not form.validate_on_submit():
        return render("congress/work_report.html", block="file_form", **_context(cs, form=form, error=error_text(form)))
    try:
        draft = rules.prepare(form.title.data or "", form.body.data or "")
        stored = store_upload(form.file.data)
        cs = load_session(session_id, "congress.work_report.file")
        document = session_rules.attach_document(db.session, current_user, cs, stored) if stored else None
        rules.file_report(db.session, current_user, cs, draft, document)
    except DomainError as exc:
        db.session.rollback()
        return render("congress/work_report.html", block="file_form", **_context(cs, form=form, error=explain(exc)))
    db.session.commit()
    flash(_("校长工作报告已提交，代表可以阅读并提出意见。"), "success")
    return redirect_to(url_for("congress.work_report", session_id=cs.id))


def _report_of(cs: CongressSession) -> Any:
    return rules.report_of(db.session, cs) or abort(404)


@bp.post("/sessions/<int:session_id>/work-report/read")
def mark_work_report_read(session_id: int) -> Response:
    """A representative marks the report read."""
    cs = load_session(session_id, "congress.work_report.opine")
    try:
        rules.mark_read(db.session, current_user, _report_of(cs))
    except DomainError as exc:
        db.session.rollback()
        flash(explain(exc), "error")
    else:
        db.session.commit()
        flash(_("已标记为已阅读。"), "success")
    return redirect_to(url_for("congress.work_report", session_id=cs.id))


@bp.post("/sessions/<int:session_id>/work-report/opinions")
def leave_opinion(session_id: int) -> Response:
    """A representative's opinion on the report (signed), until the session closes."""
    cs = load_session(session_id, "congress.work_report.opine")
    report = _report_of(cs)
    form = OpinionForm()
    error = error_text(form) if not form.validate_on_submit() else None
    if error is None:
        try:
            rules.leave_opinion(db.session, current_user, report, form.body.data or "")
        except DomainError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
            flash(_("意见已提交，校长办公室将作答复。"), "success")
            return redirect_to(url_for("congress.work_report", session_id=cs.id))
    return render("congress/work_report.html", block="opinion_form",
                  **_context(cs, opinion_form=form, opinion_error=error))


@bp.post("/work-report-opinions/<int:opinion_id>/answer")
def answer_opinion(opinion_id: int) -> Response:
    """The principal's office answers an opinion (final once given)."""
    opinion = db.session.get(WorkReportOpinion, opinion_id) or abort(404)
    report = db.session.get(rules.WorkReport, opinion.report_id) or abort(404)
    cs = load_session(report.session_id, "congress.work_report.answer")
    form = AnswerForm(prefix=f"a{opinion.id}")
    if not form.validate_on_submit():
        flash(error_text(form), "error")
    else:
        try:
            rules.answer_opinion(db.session, current_user, opinion, form.answer.data or "")
        except DomainError as exc:
            db.session.rollback()
            flash(explain(exc), "error")
        else:
            db.session.commit()
            flash(_("答复已发布。"), "success")
    return redirect_to(url_for("congress.work_report", session_id=cs.id) + f"#opinion-{opinion_id}")


# Reports compiled for a session keep the tags and classes the portal's own templates emit.
_REPORT_TAGS = {"section", "h2", "h3", "h4", "p", "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr", "th",
                "td", "caption", "strong", "em", "span", "small", "time", "br", "abbr"}


@bp.get("/session-reports/<int:report_id>")
def session_report(report_id: int) -> Response:
    """A report compiled for a session, as it was when attached (print on A4)."""
    report = db.session.get(SessionReport, report_id) or abort(404)
    cs = load_session(report.session_id)
    html = nh3.clean(report.html, tags=_REPORT_TAGS, attributes={"*": {"class", "colspan", "rowspan", "scope"},
                                                                  "time": {"datetime"}})
    return render("congress/session_report.html", cs=cs, report=report, html=html)


def work_report_todos(user: Any, ctx: Any) -> list[Todo]:
    """The principal's office: sessions waiting for the work report, and opinions waiting
    for an answer (one statement, and only for the office)."""
    from portal.auth.permissions import can

    if not can(user, "congress.work_report.file", None):
        return []
    missing, unanswered, where = rules.office_backlog(db.session)
    todos = [Todo(_("%(term)s第 %(n)d 次会议需要校长工作报告，请在会前提交", term=m.term, n=m.number),
                  url_for("congress.work_report", session_id=m.session_id), warn=True) for m in missing]
    if unanswered:
        todos.append(Todo(_("代表对校长工作报告的意见待答复"), url_for("congress.work_report", session_id=where) + "#opinions",
                          count=unanswered))
    return todos
