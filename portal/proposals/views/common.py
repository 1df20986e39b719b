"""What the proposal views share: loading a proposal behind its permission, one workflow
step (a refused one explains itself and changes nothing), and the page's context."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from portal.auth import permissions
from portal.auth.models import Department
from portal.extensions import db
from portal.formutil import error_text
from portal.i18n import N_
from portal.org.roster import roster_people
from portal.proposals import queries, rules, similar
from portal.proposals.forms import LABELS, AnswerForm, AssignForm, InviteForm, PartForm, RateForm, ReviewForm
from portal.proposals.models import Proposal
from portal.timeutil import to_local, utcnow
from portal.web import actions, explain, redirect_to


def load_proposal(proposal_id: int, action: str = "proposal.view") -> Proposal:
    proposal = queries.load(db.session, proposal_id)
    if proposal is None:
        abort(404)
    permissions.require("proposal.view", proposal)
    if action != "proposal.view":
        permissions.require(action, proposal)
    return proposal


def step(proposal_id: int, action: str, form: FlaskForm | None, apply: Callable[[Proposal], None],
         success: str) -> Response:
    """Check the permission and the form, take one step, commit once, and go back to the
    proposal's page with what happened (or why nothing did)."""
    proposal = load_proposal(proposal_id, action)
    if form is not None and not form.validate_on_submit():
        flash(error_text(form) or explain(rules.ProposalError(N_("请检查填写的内容。"))), "error")
        return redirect_to(url_for("proposals.show", proposal_id=proposal.id))
    try:
        apply(proposal)
    except rules.ProposalError as exc:
        db.session.rollback()
        flash(explain(exc), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect_to(url_for("proposals.show", proposal_id=proposal.id))


def departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.position, Department.name)))


def term_representatives(term_id: int, exclude: set[int]) -> list[tuple[int, str]]:
    """Whom the proposer may invite: the term's roster today (``portal.org.roster``)."""
    people = roster_people(db.session, term_id, to_local(utcnow()).date())
    return [(u.id, f"{u.name}（{u.staff_no}）") for u in people if u.id not in exclude]


def proposal_context(proposal: Proposal, **extra: Any) -> dict[str, Any]:
    """Everything the proposal page shows, and the forms of the steps this reader may take."""
    user = permissions.viewer(current_user)
    today = to_local(utcnow()).date()
    steps = actions(proposal)
    mine = proposal.cosign_of(user.id if user else None)
    ctx: dict[str, Any] = {
        "p": proposal, "labels": LABELS, "today": today, "steps": steps, "my_cosign": mine,
        "may_cosign": user is not None and "cosign" in steps and rules.cosign_refusal(proposal, user.id, mine) is None,
        "min_cosigners": rules.SETTINGS["min_cosigners"],
        "merged_here": queries.merged_here(db.session, proposal),
        "parts": queries.parts(db.session, proposal),
        "answers": {a.round: a for a in proposal.answers},
    }
    if "invite" in steps:
        form = InviteForm(formdata=None)
        taken = {proposal.proposer_id, *(c.user_id for c in proposal.cosigns)}
        form.user_id.choices = [("", "—"), *term_representatives(proposal.term_id, taken)]
        ctx["invite_form"] = form
    if "accept" in steps:  # the review: accept, merge or turn into an opinion
        ctx["review_form"] = ReviewForm(formdata=None)
        ctx["similar"] = similar.find(db.session, proposal.title, proposal.reason, exclude_id=proposal.id)
    if "assign" in steps:
        form = AssignForm(formdata=None)
        choices = [(d.id, d.name + ("" if d.head_id else _("（未指定负责人）"))) for d in departments()]
        form.lead_id.choices = [("", "—"), *choices]
        form.cohandler_ids.choices = choices
        ctx["assign_form"] = form
    if user is not None and "answer" in steps and rules.heads_lead(user, proposal, db.session):
        ctx["answer_form"] = AnswerForm(formdata=None)
    if "part" in steps:
        ctx["part_form"] = PartForm(formdata=None)
    if "rate" in steps:
        ctx["rate_form"] = RateForm(formdata=None)
    ctx.update(extra)
    return ctx
