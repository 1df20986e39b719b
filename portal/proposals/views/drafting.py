"""Writing a proposal: the draft with similar proposals shown while typing, attachments,
inviting co-signers, co-signing (附议) or declining, and submitting for review."""
from __future__ import annotations

from flask import Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.auth.models import User
from portal.extensions import db
from portal.files import ALLOWED_HINT, FileRefused
from portal.formutil import AttachmentForm, error_text
from portal.i18n import N_
from portal.proposals import rules, similar
from portal.proposals.forms import LABELS, InviteForm, ProposalForm, SimilarForm
from portal.proposals.models import Proposal, ProposalAttachment
from portal.proposals.views import bp
from portal.proposals.views.common import load_proposal, step
from portal.web import explain, redirect_to, render, send_stored, store_upload, writes_late


def _fields(form: ProposalForm) -> dict[str, str]:
    return {"title": form.title.data or "", "reason": form.reason.data or "", "measures": form.measures.data or "",
            "category": form.category.data or ""}


def _similar_to(title: str, reason: str, exclude: int | None = None) -> list[similar.Match]:
    return similar.find(db.session, title, reason, exclude_id=exclude) if (title or reason) else []


@bp.route("/proposals/new", methods=["GET", "POST"])
def create() -> Response:
    """A representative of the current term writes a proposal as a draft."""
    permissions.require("proposal.create")
    form = ProposalForm()
    error = None
    if form.validate_on_submit():
        try:
            proposal = rules.create_draft(db.session, current_user, **_fields(form))  # type: ignore[arg-type]
        except rules.ProposalError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
            flash(_("草稿已保存。请邀请代表附议，附议人数够了即可提交审查。"), "success")
            return redirect_to(url_for("proposals.show", proposal_id=proposal.id))
    matches = _similar_to(form.title.data or "", form.reason.data or "")
    return render("proposals/edit.html", block="proposal_form", form=form, p=None, error=error, matches=matches,
                  labels=LABELS)


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
def edit(proposal_id: int) -> Response:
    """The proposer edits the draft."""
    proposal = load_proposal(proposal_id, "proposal.edit")
    form = ProposalForm(obj=proposal)
    error = None
    if form.validate_on_submit():
        try:
            rules.update_draft(db.session, current_user, proposal, **_fields(form))
        except rules.ProposalError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
            flash(_("草稿已保存。"), "success")
            return redirect_to(url_for("proposals.show", proposal_id=proposal.id))
    matches = _similar_to(form.title.data or "", form.reason.data or "", proposal.id)
    return render("proposals/edit.html", block="proposal_form", form=form, p=proposal, error=error, matches=matches,
                  labels=LABELS, attachment_form=AttachmentForm(), allowed=ALLOWED_HINT)


@bp.get("/proposals/similar")
def similar_search() -> Response:
    """Active search: submitted proposals of this and earlier terms like the title and
    reason being typed, so one co-signs an existing proposal instead of a duplicate."""
    permissions.require("proposal.list")
    form = SimilarForm(request.args, meta={"csrf": False})
    form.validate()
    exclude = request.args.get("exclude", type=int)
    matches = _similar_to((form.title.data or "")[:120], (form.reason.data or "")[:2000], exclude)
    return render("proposals/_similar.html", matches=matches, labels=LABELS)  # a fragment only


@bp.post("/proposals/<int:proposal_id>/attachments")
@writes_late
def upload(proposal_id: int) -> Response:
    """A file for the draft (its proposer) or for the answer being written (a handler); the
    file is checked and written before the write lock is taken."""
    proposal = load_proposal(proposal_id)
    if not (permissions.can(current_user, "proposal.edit", proposal)
            or permissions.can(current_user, "proposal.answer", proposal)
            or permissions.can(current_user, "proposal.part", proposal)):
        abort(403)
    form = AttachmentForm()
    if not form.validate_on_submit():
        flash(error_text(form), "error")
        return redirect_to(url_for("proposals.show", proposal_id=proposal_id))
    try:
        stored = store_upload(form.file.data)
        proposal = load_proposal(proposal_id)
        rules.attach(db.session, current_user, proposal, stored)
    except (rules.ProposalError, FileRefused) as exc:
        db.session.rollback()
        flash(explain(exc), "error")
    else:
        db.session.commit()
        flash(_("附件已上传。"), "success")
    return redirect_to(url_for("proposals.show", proposal_id=proposal_id))


@bp.get("/proposals/attachments/<int:proposal_file_id>")
def download(proposal_file_id: int) -> Response:
    """A proposal's or an answer's file, after the proposal's own access check."""
    att = db.session.get(ProposalAttachment, proposal_file_id) or abort(404)
    load_proposal(att.proposal_id)
    return send_stored(att.filename, att.stored_name, att.content_type)


@bp.post("/proposals/<int:proposal_id>/invite")
def invite(proposal_id: int) -> Response:
    """The proposer invites a representative of the term to co-sign."""
    form = InviteForm()

    def apply(p: Proposal) -> None:
        invitee = db.session.get(User, form.user_id.data or 0)
        if invitee is None:
            raise rules.ProposalError(N_("请选择代表。"))
        rules.invite(db.session, current_user, p, invitee)

    return step(proposal_id, "proposal.edit", form, apply, _("已发出附议邀请。"))


@bp.post("/proposals/<int:proposal_id>/cosign")
def cosign(proposal_id: int) -> Response:
    """附议: a representative of the term co-signs (never their own, never twice)."""
    def apply(p: Proposal) -> None:
        rules.cosign(db.session, current_user, p)

    return step(proposal_id, "proposal.cosign", None, apply, _("已附议。"))


@bp.post("/proposals/<int:proposal_id>/decline")
def decline(proposal_id: int) -> Response:
    """An invited representative declines to co-sign."""
    return step(proposal_id, "proposal.cosign", None, lambda p: rules.decline(db.session, current_user, p),
                _("已谢绝附议。"))


@bp.post("/proposals/<int:proposal_id>/submit")
def submit(proposal_id: int) -> Response:
    """The proposer submits the draft for review (enough co-signers needed)."""
    return step(proposal_id, "proposal.submit", None, lambda p: rules.submit(db.session, current_user, p),
                _("已提交提案工作委员会审查。"))
