"""The decisions workspace and the rules of procedure (议事规则) of each body."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.auth.models import User
from portal.auth.permissions import Context
from portal.decisions.forms import (
    BODY_LABELS, ITEM_STATE_LABELS, MAJOR_LABELS, MEETING_CADENCE_LABELS, MEETING_STATE_LABELS, ProcedureForm,
)
from portal.decisions import queries
from portal.decisions.rules import procedure as rules
from portal.decisions.views import bp
from portal.extensions import db
from portal.formutil import required
from portal.registry import Todo
from portal.timeutil import to_local, utcnow
from portal.web import attempt, redirect_to, render


def today() -> date:
    return to_local(utcnow()).date()


@bp.get("/decisions")
def workspace() -> Response:
    """Meetings, the queue of items waiting for an agenda, and each body's cadence."""
    permissions.require("decisions.workspace")
    meetings = db.session.scalars(queries.recent_meetings()).all()
    queue = db.session.scalars(queries.waiting_items()).all()
    return render("decisions/workspace.html", meetings=meetings, queue=queue,
                  cadence=rules.cadence_status(db.session, today()), body_labels=BODY_LABELS,
                  meeting_states=MEETING_STATE_LABELS, item_states=ITEM_STATE_LABELS, major_labels=MAJOR_LABELS,
                  cadence_labels=MEETING_CADENCE_LABELS, can=permissions.can)


def default_form_data(body: str) -> dict[str, object]:
    """A first version's form, filled with the defaults the rules would adopt."""
    (q_num, q_den, _strict), (i_num, i_den) = rules.default_thresholds(body)
    return {"cadence_unit": rules.DEFAULT_CADENCE_UNIT[body], "cadence_days": rules.DEFAULT_CADENCE_DAYS[body],
            "lead_days": rules.DEFAULT_LEAD_DAYS[body], "quorum_num": q_num, "quorum_den": q_den,
            "important_num": i_num, "important_den": i_den}


def procedure_page(body: str, form: ProcedureForm | None = None, error: str | None = None,
                   status: int = 200) -> Response:
    versions = db.session.scalars(queries.procedure_versions(body)).all()
    current = versions[0] if versions else None
    if form is None:
        form = ProcedureForm(obj=current) if current else ProcedureForm(
            data=default_form_data(body))
    described: list[str] = []
    if current:
        from flask_babel import gettext

        from portal import counting

        described = counting.describe_rule(rules.counting_rules(current), 7, translate=gettext)
    return render("decisions/procedure.html", block="procedure_form", status=status, body=body, versions=versions, form=form,
                  error=error, body_labels=BODY_LABELS, major_labels=MAJOR_LABELS, described=described,
                  cadence_labels=MEETING_CADENCE_LABELS,
                  can_adopt=permissions.can(current_user, "procedure.adopt"))


@bp.get("/decisions/procedure/<body>")
def procedure(body: str) -> Response:
    """A body's rules of procedure: the one in force in words, and every version on record."""
    permissions.require("procedure.view")
    if body not in rules.PROCEDURE_BODIES:
        abort(404)
    return procedure_page(body)


@bp.post("/decisions/procedure/<body>")
def adopt_procedure(body: str) -> Response:
    """The secretary records a new version: thresholds, cadence, lead time, adopted and filed dates."""
    permissions.require("procedure.adopt")
    if body not in rules.PROCEDURE_BODIES:
        abort(404)
    form = ProcedureForm()
    if not form.validate_on_submit():
        return procedure_page(body, form)
    current = rules.current_procedure(db.session, body)
    with attempt() as done:
        rules.adopt_procedure(
            db.session, current_user, body, adopted_on=required(form.adopted_on.data), filed_on=form.filed_on.data,
            quorum=(required(form.quorum_num.data), required(form.quorum_den.data), False),
            important=(required(form.important_num.data), required(form.important_den.data)),
            majority=(required(form.majority_num.data), required(form.majority_den.data), form.majority_strict.data),
            disagreement=(required(form.disagreement_num.data), required(form.disagreement_den.data)),
            cadence_unit=form.cadence_unit.data, cadence_days=form.cadence_days.data, lead_days=form.lead_days.data,
            powers=current.power_list if current else None, note=form.note.data or "")
    if not done:
        return procedure_page(body, form, done.error, done.status)
    flash(_("已通过新版议事规则。"), "success")
    return redirect_to(url_for("decisions.procedure", body=body))


def cadence_todos(user: User, ctx: Context) -> list[Todo]:
    """A body that has not met within its cadence, for the secretary and the principal."""
    if not permissions.can(user, "meeting.plan", None, ctx=ctx) or not permissions.can(user, "decisions.workspace", ctx=ctx):
        return []
    return [Todo(_("%(body)s已超过规定周期未开会（应于 %(due)s 前召开）", body=BODY_LABELS[c.body], due=c.due.isoformat()),
                 url_for("decisions.workspace"), warn=True)
            for c in rules.cadence_status(db.session, to_local(ctx.now).date()) if c.overdue and c.due]
