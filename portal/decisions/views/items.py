"""Agenda items: proposing, the item page with its missing preconditions, the exchange of
views, the evidence records and their files."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.auth.models import User
from portal.auth.permissions import Context
from portal.decisions import queries
from portal.decisions.forms import (
    BODY_LABELS,
    EVIDENCE_LABELS,
    ITEM_STATE_LABELS,
    MAJOR_LABELS,
    OFFICE_VIEW_LABELS,
    EvidenceForm,
    ItemForm,
    TwoThirdsForm,
    ViewForm,
)
from portal.decisions.models import Evidence, Item
from portal.decisions.rules import items as rules
from portal.decisions.views import bp, get_or_404, stored_attachment
from portal.extensions import db
from portal.formutil import options, required
from portal.registry import Todo
from portal.web import Attempt, attempt, redirect_to, render, send_stored, writes_late


def load_item(item_id: int) -> Item:
    item = db.session.scalar(queries.ITEM, {"item_id": item_id})
    if item is None:
        abort(404)
    return item


def _evidence_form(form: EvidenceForm | None = None) -> EvidenceForm:
    from portal.consultations.queries import finished

    form = form or EvidenceForm()
    done = db.session.scalars(finished(db.session).limit(50)).all()
    form.consultation_id.choices = options([("", "—")] + [(c.id, c.title) for c in done])
    return form


def item_page(item: Item, error: str | None = None, status: int = 200, **forms: Any) -> Response:
    ctx = permissions.current_context()
    origin = db.session.get(Item, item.origin_id) if item.origin_id else None
    return render(
        "decisions/item.html", block="item_main", item=item, error=error, status=status, origin=origin,
        opinion_kind="item", opinion_subject=item, opinions=queries.opinions(db.session, "item", item.id),
        opinion_supervisor=item.meeting.supervisor_id if item.meeting else None,
        missing=rules.missing_preconditions(item, ctx.memberships), held_back=rules.held_back(item),
        view_form=forms.get("view_form") or ViewForm(),
        evidence_form=_evidence_form(forms.get("evidence_form")),
        two_thirds_form=TwoThirdsForm(data={"on": item.two_thirds}),
        body_labels=BODY_LABELS, major_labels=MAJOR_LABELS, states=ITEM_STATE_LABELS,
        evidence_labels=EVIDENCE_LABELS, office_labels=OFFICE_VIEW_LABELS, can=permissions.can,
        my_office=rules.office_of(ctx.memberships, current_user) if current_user.is_authenticated else None,
    )


@bp.route("/decisions/items/new", methods=["GET", "POST"])
def new_item() -> Response:
    """A leadership member proposes an agenda item."""
    permissions.require("item.propose")
    form = ItemForm()
    done = Attempt()
    if form.validate_on_submit():
        with attempt() as done:
            item = rules.propose_item(
                db.session, current_user, form.body.data, form.title.data or "", background=form.background.data or "",
                proposal=form.proposal.data or "", major_kind=form.major_kind.data, important=form.important.data,
                staff_interest=form.staff_interest.data, two_thirds=form.two_thirds.data,
                technical=form.technical.data)
        if done:
            flash(_("议题已提出。"), "success")
            return redirect_to(url_for("decisions.item", item_id=item.id))
    return render("decisions/item_new.html", block="item_form", status=done.status, form=form, error=done.error)


@bp.get("/decisions/items/<int:item_id>")
def item(item_id: int) -> Response:
    """The item, its flags, what it still needs before an agenda and who must act, and its record."""
    found = load_item(item_id)
    permissions.require("item.view", found)
    return item_page(found)


@bp.post("/decisions/items/<int:item_id>/view")
def record_view(item_id: int) -> Response:
    """The secretary's or the principal's view on the item (暂缓上会 when they disagree)."""
    found = load_item(item_id)
    permissions.require("item.record_view", found)
    form = ViewForm()
    if not form.validate_on_submit():
        return item_page(found, view_form=form)
    with attempt() as done:
        rules.record_view(db.session, current_user, permissions.current_context().memberships, found,
                          form.agree.data == "yes", form.note.data or "")
    if not done:
        return item_page(load_item(item_id), done.error, done.status, view_form=form)
    flash(_("意见已记录。"), "success")
    return redirect_to(url_for("decisions.item", item_id=item_id))


@bp.post("/decisions/items/<int:item_id>/evidence")
@writes_late
def add_evidence(item_id: int) -> Response:
    """Record that staff were heard, the cadre preparation, or the expert review, with a file."""
    found = load_item(item_id)
    permissions.require("item.evidence", found)
    form = _evidence_form()
    if not form.validate_on_submit():
        return item_page(found, evidence_form=form)
    with attempt() as done:
        attachment = stored_attachment(form.file.data)
        rules.add_evidence(db.session, current_user, found, form.kind.data, held_on=required(form.held_on.data),
                           reference=form.reference.data or "", who=form.who.data or "",
                           conclusion=form.conclusion.data or "", attachment=attachment,
                           consultation_id=form.consultation_id.data or None)
    if not done:
        return item_page(load_item(item_id), done.error, done.status, evidence_form=form)
    flash(_("记录已保存。"), "success")
    return redirect_to(url_for("decisions.item", item_id=item_id))


@bp.post("/decisions/items/<int:item_id>/two-thirds")
def set_two_thirds(item_id: int) -> Response:
    """The secretary marks an important matter as needing two thirds present."""
    found = load_item(item_id)
    permissions.require("item.set_two_thirds", found)
    form = TwoThirdsForm()
    if not form.validate_on_submit():
        return item_page(found, _("页面已过期，请重新提交。"))
    with attempt() as done:
        rules.set_two_thirds(db.session, current_user, found, bool(form.on.data))
    if not done:
        return item_page(load_item(item_id), done.error, done.status)
    flash(_("已保存。"), "success")
    return redirect_to(url_for("decisions.item", item_id=item_id))


@bp.post("/decisions/items/<int:item_id>/repropose")
def repropose(item_id: int) -> Response:
    """A deferred item is proposed again (a new item linked to this one)."""
    found = load_item(item_id)
    permissions.require("item.propose", found)
    with attempt() as done:
        new = rules.repropose_item(db.session, current_user, found)
    if not done:
        return item_page(load_item(item_id), done.error, done.status)
    flash(_("议题已重新提交。"), "success")
    return redirect_to(url_for("decisions.item", item_id=new.id))


@bp.get("/decisions/evidence/<int:evidence_id>/file")
def evidence_file(evidence_id: int) -> Response:
    """The file attached to an evidence record, as a download, for those who may see the item."""
    evidence = get_or_404(Evidence, evidence_id)
    permissions.require("item.view", load_item(evidence.item_id))
    return send_stored(evidence.attachment_name, evidence.attachment_stored)


def view_todos(user: User, ctx: Context) -> list[Todo]:
    """Important items waiting for my view (the secretary's, the principal's)."""
    office = rules.office_of(ctx.memberships, user)
    if office is None:
        return []
    count = queries.items_waiting_for_view(db.session, office.name)
    if not count:
        return []
    return [Todo(_("%(n)s 个重要议题待您表明意见", n=count), url_for("decisions.workspace"), count)]
