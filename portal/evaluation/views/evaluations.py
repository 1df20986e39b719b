"""Democratic evaluation: the list, setting one up, rating, opening and closing, results."""
from __future__ import annotations

import io
from typing import Any

from flask import Response, abort, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.models import User
from portal.auth.permissions import Context, can, current_context, listing, require
from portal.evaluation import queries, rules
from portal.evaluation.exports import results_workbook
from portal.evaluation.forms import EvaluationForm, RatingForm
from portal.evaluation.models import Evaluation
from portal.evaluation.views import bp
from portal.extensions import db
from portal.formutil import error_text
from portal.pagecache import versioned
from portal.registry import Todo
from portal.timeutil import to_local
from portal.web import explain, paginate, redirect_to, render

PER_PAGE = 20


def load(evaluation_id: int, action: str) -> Evaluation:
    evaluation = db.session.get(Evaluation, evaluation_id) or abort(404)
    require(action, evaluation)
    return evaluation


def page_context(evaluation: Evaluation, **extra: Any) -> dict[str, Any]:
    """Everything the evaluation page and its fragments show (built once for both)."""
    rated = rules.has_rated(db.session, evaluation, current_user.id)
    subjects = queries.subjects_of(db.session, evaluation)
    show_results = can(current_user, "evaluation.results", evaluation)
    return dict(
        evaluation=evaluation, subjects=subjects, rated=rated,
        to_rate=[s for s in subjects if s.user_id != current_user.id],
        may_rate=can(current_user, "evaluation.rate", evaluation) and not rated,
        results=queries.results(db.session, evaluation) if show_results else None,
        min_group=rules.MIN_GROUP, form=extra.pop("form", None) or RatingForm(), **extra,
    )


@bp.get("/")
def index() -> Response:
    """Every evaluation (drafts only for the union), newest first."""
    require("evaluation.list")
    manage = can(current_user, "evaluation.manage")
    return render("evaluation/list.html", block="evaluations", manage=manage,
                  **paginate(queries.evaluations(listing(current_user, "evaluation.view")), PER_PAGE))


def _subject_choices(form: EvaluationForm) -> dict[int, str]:
    people = queries.leadership(db.session, to_local(current_context().now).date())
    form.subjects.choices = [(uid, f"{name}（{offices}）") for uid, name, offices in people]
    return {uid: offices for uid, _name, offices in people}


@bp.route("/new", methods=["GET", "POST"])
def create() -> Response:
    """The union sets up an evaluation of named members of the leadership."""
    require("evaluation.manage")
    form = EvaluationForm()
    offices = _subject_choices(form)
    error = None
    if form.validate_on_submit():
        try:
            evaluation = rules.create_evaluation(
                db.session, current_user, title=form.title.data or "", period=form.period.data or "",
                raters=form.raters.data or "", subjects=[(uid, offices.get(uid, "")) for uid in form.subjects.data or []])
        except rules.EvaluationError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
            return redirect_to(url_for("evaluation.show", evaluation_id=evaluation.id))
    elif request.method == "POST":
        error = error_text(form)
    return render("evaluation/new.html", block="evaluation_form", form=form, error=error)


@bp.get("/<int:evaluation_id>")
def show(evaluation_id: int) -> Response:
    """The evaluation: who is rated, participation, the rating form or the results."""
    evaluation = load(evaluation_id, "evaluation.view")
    return render("evaluation/show.html", block="rating", **page_context(evaluation))


@bp.post("/<int:evaluation_id>/rate")
def rate(evaluation_id: int) -> Response:
    """One rater's grades for everyone rated, once; the form confirms in place."""
    evaluation = load(evaluation_id, "evaluation.rate")
    form = RatingForm()
    error = None
    done = False
    if form.validate_on_submit():
        grades = {int(k.removeprefix("grade-")): v for k, v in request.form.items()
                  if k.startswith("grade-") and k.removeprefix("grade-").isdigit() and len(k) < 20}
        try:
            rules.rate(db.session, current_user, evaluation, grades)
        except rules.EvaluationError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
            done = True
    else:
        error = error_text(form)
    return render("evaluation/show.html", block="rating", **page_context(
        evaluation, error=error, done=done, chosen={} if done else request.form))


def _step(evaluation_id: int, rule: Any, message: str) -> Response:
    evaluation = load(evaluation_id, "evaluation.manage")
    error = None
    try:
        rule(db.session, current_user, evaluation)
    except rules.EvaluationError as exc:
        db.session.rollback()
        error = explain(exc)
    else:
        db.session.commit()
    return render("evaluation/show.html", block="rating",
                  **page_context(evaluation, error=error, step_done=None if error else message))


@bp.post("/<int:evaluation_id>/open")
def open_evaluation(evaluation_id: int) -> Response:
    """Start the evaluation: the number eligible is frozen and the raters are told."""
    return _step(evaluation_id, rules.open_evaluation, _("评议已开始。"))


@bp.post("/<int:evaluation_id>/close")
def close_evaluation(evaluation_id: int) -> Response:
    """End the evaluation: counts and the ballot-box digest are frozen."""
    return _step(evaluation_id, rules.close_evaluation, _("评议已结束，结果已统计。"))


@bp.get("/<int:evaluation_id>/results.xlsx")
def export(evaluation_id: int) -> Response:
    """The results as XLSX for the Party committee's files (aggregates only)."""
    evaluation = load(evaluation_id, "evaluation.results")
    data = results_workbook(evaluation, queries.results(db.session, evaluation))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=_("民主评议结果_%(id)s.xlsx", id=evaluation.id),
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def rating_todos(user: User, ctx: Context) -> list[Todo]:
    """Open evaluations this person may still take part in (no query while none is open and
    nothing has changed: the open ones are kept per data version)."""
    opened = versioned("evaluation.open", lambda: queries.open_evaluations(ctx.memberships.session))
    waiting = [e for e in opened if user.id not in e.rated and can(user, "evaluation.rate", e, ctx)]
    return [Todo(_("民主评议“%(title)s”等待您参加", title=e.title), url_for("evaluation.show", evaluation_id=e.id))
            for e in waiting]
