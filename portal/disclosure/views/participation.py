"""Taking part in a published notice: objections during 公示 and their answers,
acknowledgements (已阅确认) and the acknowledgement report."""
from __future__ import annotations

import io

from flask import Response, abort, send_file
from flask_babel import gettext as _
from flask_login import current_user

from portal.disclosure import queries, rules
from portal.disclosure.exports import ack_workbook
from portal.disclosure.forms import AnswerForm, ObjectionForm
from portal.disclosure.models import Objection
from portal.disclosure.views import bp
from portal.disclosure.views.reading import load_notice, notice_context
from portal.extensions import db
from portal.web import attempt, render, require_valid


@bp.post("/notices/<int:notice_id>/objections")
def object_to(notice_id: int) -> Response:
    """Lodge an objection during the 公示 window; htmx swaps the objections section, which
    confirms it in place (no flash left for a later page). Author and approver may not."""
    notice = load_notice(notice_id, "notice.object")
    form = ObjectionForm()
    with attempt() as done:
        require_valid(form)
        rules.lodge_objection(db.session, current_user, notice, form.body.data or "", form.anonymous.data)
    if done:
        form = ObjectionForm(formdata=None)
    return render("disclosure/notice.html", block="objections", status=done.status, **notice_context(
        notice, objection_form=form, objection_error=done.error, objection_lodged=bool(done)))


@bp.post("/objections/<int:objection_id>/answer")
def answer(objection_id: int) -> Response:
    """The publisher answers an objection; the answer is shown under the notice."""
    objection = db.session.get(Objection, objection_id) or abort(404)
    notice = load_notice(objection.notice_id, "notice.answer")
    form = AnswerForm(prefix=f"a{objection.id}")
    with attempt() as done:
        require_valid(form)
        rules.answer_objection(db.session, current_user, objection, form.answer.data or "")
    return render("disclosure/notice.html", block="objections", status=done.status,
                  **notice_context(notice, answer_error=None if done else (objection.id, done.error)))


@bp.post("/objections/<int:objection_id>/clarify")
def clarify(objection_id: int) -> Response:
    """Add a dated clarification under a given answer (which itself stays as it was)."""
    objection = db.session.get(Objection, objection_id) or abort(404)
    notice = load_notice(objection.notice_id, "notice.answer")
    form = AnswerForm(prefix=f"c{objection.id}")
    with attempt() as done:
        require_valid(form)
        rules.clarify_answer(db.session, current_user, objection, form.answer.data or "")
    return render("disclosure/notice.html", block="objections", status=done.status,
                  **notice_context(notice, clarify_error=None if done else (objection.id, done.error)))


@bp.post("/notices/<int:notice_id>/ack")
def acknowledge(notice_id: int) -> Response:
    """我已阅读: record the acknowledgement (twice is harmless)."""
    notice = load_notice(notice_id, "notice.acknowledge")
    with attempt() as done:
        rules.acknowledge(db.session, current_user, notice)
    return render("disclosure/notice.html", block="ack", status=done.status,
                  **notice_context(notice, just_acknowledged=bool(done), ack_error=done.error))


@bp.get("/notices/<int:notice_id>/acks")
def ack_report(notice_id: int) -> Response:
    """Who has and has not acknowledged, by department (publisher, approver, admin)."""
    notice = load_notice(notice_id, "notice.ack_report")
    groups = queries.ack_report(db.session, notice)
    return render("disclosure/acks.html", notice=notice, groups=groups)


@bp.get("/notices/<int:notice_id>/acks.xlsx")
def ack_export(notice_id: int) -> Response:
    """The acknowledgement list as XLSX."""
    notice = load_notice(notice_id, "notice.ack_report")
    data = ack_workbook(notice, queries.ack_report(db.session, notice))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=_("阅读确认_%(id)s.xlsx", id=notice.id),
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
