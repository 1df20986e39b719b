"""The term's roster: delegations and representatives with their dates; the union records a
representative's leaving and enrols a replacement (dated, so every count uses the roster of
the day that matters)."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.auth.models import User
from portal.congress.forms import EnrolForm, LeaveForm, RepImportForm
from portal.congress import queries
from portal.congress.models import CongressTerm, Representative
from portal.congress.rules import roster as rules
from portal.congress.views import bp
from portal.errors import DomainError
from portal.extensions import db
from portal.formutil import error_text, options, required
from portal.timeutil import to_local, utcnow
from portal.web import attempt, begin_write, explain, redirect_to, render, require_valid, writes_late


def _enrol_form(term: CongressTerm, formdata: bool = False) -> EnrolForm:
    form = EnrolForm() if formdata else EnrolForm(formdata=None)
    people = queries.enrollable(db.session, term.id)
    form.user_id.choices = options([("", "—")] + [(p.id, f"{p.name}（{p.staff_no}）") for p in people])
    delegations = queries.delegations_of(db.session, term.id)
    form.delegation_id.choices = options([(0, _("（不分代表团）"))] + [(d.id, d.name) for d in delegations])
    return form


def _roster_page(term: CongressTerm, **extra: Any) -> Response:
    reps = db.session.scalars(queries.representatives_of(term.id)).all()
    manage = permissions.can(current_user, "congress.manage", term)
    extra.setdefault("import_form", RepImportForm(formdata=None) if manage else None)
    return render("congress/roster.html", block="rep_import" if "result" in extra or "file_error" in extra else None,
                  term=term, reps=reps, manage=manage, enrol_form=_enrol_form(term) if manage else None,
                  columns=rules.REP_COLUMNS, **extra)


@bp.get("/terms/<int:term_id>/roster")
def roster(term_id: int) -> Response:
    """The roster by delegation, with joining and leaving dates."""
    permissions.require("congress.list")
    term = db.session.get(CongressTerm, term_id) or abort(404)
    return _roster_page(term)


@bp.post("/terms/<int:term_id>/roster/import")
@writes_late
def import_roster(term_id: int) -> Response:
    """Import representatives from XLSX/CSV (工号, 代表团, 加入日期): every row valid, or
    nothing enrolled and each bad row listed in Chinese (union). The file is read (bounded,
    see ``portal.xlsx``) before the write lock; a refused file is explained in the import
    block and nothing is written."""
    permissions.require("congress.manage")
    term = db.session.get(CongressTerm, term_id) or abort(404)
    form = RepImportForm()
    result = file_error = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = rules.read_rep_roster(upload.filename or "", upload.read())
        except DomainError as exc:
            file_error = explain(exc)
        else:
            begin_write()
            result = rules.import_reps(db.session, current_user, term, rows, to_local(utcnow()).date())
            if result.ok:
                db.session.commit()
            else:
                db.session.rollback()
    else:
        file_error = error_text(form)
    return _roster_page(term, import_form=form, result=result, file_error=file_error)


@bp.post("/terms/<int:term_id>/roster")
def enrol(term_id: int) -> Response:
    """Enrol a representative (a replacement) from a date (union)."""
    permissions.require("congress.manage")
    term = db.session.get(CongressTerm, term_id) or abort(404)
    form = _enrol_form(term, formdata=True)
    if form.validate_on_submit():
        person = db.session.get(User, form.user_id.data) or abort(404)
        with attempt() as done:
            rules.enrol(db.session, current_user, term, person, required(form.joined_on.data),
                        form.delegation_id.data or None)
        done.flash(_("%(name)s 已列入代表名单。", name=person.name))
    else:
        flash(error_text(form), "error")
    return redirect_to(url_for("congress.roster", term_id=term.id))


@bp.post("/representatives/<int:rep_id>/leave")
def leave(rep_id: int) -> Response:
    """Record that a representative leaves the roster on a date (union)."""
    permissions.require("congress.manage")
    rep = db.session.get(Representative, rep_id) or abort(404)
    form = LeaveForm()
    with attempt() as done:
        require_valid(form)
        rules.record_leave(db.session, current_user, rep, required(form.left_on.data))
    done.flash(_("已登记 %(name)s 离任。", name=rep.user.name))
    return redirect_to(url_for("congress.roster", term_id=rep.term_id))
