"""The organiser ends a consultation early or extends it, with a reason on record."""
from __future__ import annotations

from flask import Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.consultations import rules
from portal.consultations.forms import EndEarlyForm, ExtendForm
from portal.consultations.views import bp
from portal.consultations.views.reading import consultation_context, load_consultation
from portal.extensions import db
from portal.web import attempt, redirect_to, render, require_valid


@bp.post("/consultations/<int:consultation_id>/end")
def end_early(consultation_id: int) -> Response:
    """End the window before its closing day (an organiser); everyone invited is told."""
    consultation = load_consultation(consultation_id, "consultation.manage")
    form = EndEarlyForm(prefix="end")
    with attempt() as done:
        require_valid(form)
        rules.end_early(db.session, current_user, consultation, form.reason.data or "")
    if done:
        flash(_("征求意见已提前结束，可以逐条标注采纳情况。"), "success")
        return redirect_to(url_for("consultations.show", consultation_id=consultation.id))
    return render("consultations/show.html", block="organiser", status=done.status,
                  **consultation_context(consultation, end_form=form, window_error=done.error))


@bp.post("/consultations/<int:consultation_id>/extend")
def extend(consultation_id: int) -> Response:
    """Move the closing day later (an organiser); everyone invited is told."""
    consultation = load_consultation(consultation_id, "consultation.manage")
    form = ExtendForm(prefix="extend")
    with attempt() as done:
        require_valid(form)
        rules.extend(db.session, current_user, consultation, form.closes_on.data, form.reason.data or "")
    if done:
        flash(_("截止日期已延长。"), "success")
        return redirect_to(url_for("consultations.show", consultation_id=consultation.id))
    return render("consultations/show.html", block="organiser", status=done.status,
                  **consultation_context(consultation, extend_form=form, window_error=done.error))
