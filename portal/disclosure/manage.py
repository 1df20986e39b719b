"""Authoring and the publication workflow: drafts, approval, withdrawal, corrections,
attachments, objections and their answers, acknowledgements."""
from __future__ import annotations

import io

from flask import Response, abort, current_app, flash, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from portal.auth import permissions
from portal.disclosure import files, reading, rules
from portal.disclosure.export import ack_workbook
from portal.disclosure.forms import AnswerForm, AttachmentForm, NoticeForm, ObjectionForm, ReasonForm
from portal.disclosure.models import STATUS_LABELS, Attachment, CatalogItem, Notice, Objection, Status
from portal.disclosure.views import bp, load_notice, notice_context
from portal.extensions import db
from portal.formutil import error_text
from portal.web import redirect_to, render


def _items_for(user) -> list[CatalogItem]:
    channels = [c for c in ("party", "school") if permissions.can(user, "notice.create", c)]
    return list(db.session.scalars(
        select(CatalogItem).where(CatalogItem.active.is_(True), CatalogItem.channel.in_(channels))
        .order_by(CatalogItem.channel, CatalogItem.position, CatalogItem.id)
    ))


def _notice_form(items, notice: Notice | None = None) -> NoticeForm:
    form = NoticeForm(obj=notice)
    form.set_items(items)
    return form


def _draft_fields(form: NoticeForm, items: list[CatalogItem]) -> dict | None:
    """The validated form as keyword arguments for create_draft/update_draft; None (with the
    error on the field) when the chosen catalogue item is not one this author may use."""
    item = next((i for i in items if i.id == form.catalog_item_id.data), None)
    if item is None:
        form.catalog_item_id.errors = [_("请选择公开目录。")]
        return None
    return {
        "item": item, "audience": form.audience.data, "title": form.title.data, "body_md": form.body_md.data,
        "requires_ack": form.requires_ack.data, "gongshi_days": form.gongshi_days.data or 0,
    }


@bp.get("/notices/workspace")
def workspace() -> Response:
    """My drafts and submissions, what waits for my approval, and what I published lately."""
    permissions.require("notice.workspace")
    user = current_user
    base = select(Notice).options(joinedload(Notice.catalog_item), joinedload(Notice.author))
    mine = db.session.scalars(
        base.where(Notice.author_id == user.id, Notice.status.in_([Status.DRAFT.value, Status.SUBMITTED.value]))
        .order_by(Notice.updated_at.desc())
    ).all()
    channels = [c for c, role in rules.APPROVER_ROLE.items() if user.has_role(role)]
    waiting = db.session.scalars(
        base.where(Notice.status == Status.SUBMITTED.value, Notice.channel.in_(channels))
        .order_by(Notice.submitted_at)
    ).all() if channels else []
    recent = db.session.scalars(
        base.where(or_(Notice.author_id == user.id, Notice.approver_id == user.id),
                   Notice.status.in_([Status.PUBLISHED.value, Status.WITHDRAWN.value]))
        .order_by(Notice.published_at.desc()).limit(20)
    ).all()
    return render("disclosure/workspace.html", mine=mine, waiting=waiting, recent=recent, status_label=STATUS_LABELS.get,
                  can_create=bool(_items_for(user)))


@bp.route("/notices/new", methods=["GET", "POST"])
def create() -> Response:
    """Write a new notice as a draft, in a catalogue item this author may publish under."""
    permissions.require("notice.workspace")
    items = _items_for(current_user)
    if not items:
        abort(403)
    form = _notice_form(items)
    if request.method == "GET" and request.args.get("item", type=int):
        item = next((i for i in items if i.id == request.args.get("item", type=int)), None)
        if item:
            form.catalog_item_id.data = item.id
            form.audience.data = item.default_audience
            form.gongshi_days.data = item.default_gongshi_days
    error = None
    fields = _draft_fields(form, items) if form.validate_on_submit() else None
    if fields:
        try:
            notice = rules.create_draft(db.session, current_user, **fields)
        except rules.DisclosureError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(_("草稿已保存。可以继续添加附件，然后提交审批。"), "success")
            return redirect_to(url_for("disclosure.edit", notice_id=notice.id))
    return render("disclosure/edit.html", block="notice_form", form=form, notice=None, error=error)


@bp.route("/notices/<int:notice_id>/edit", methods=["GET", "POST"])
def edit(notice_id: int) -> Response:
    """Edit a draft (its author only); published notices are corrected, not edited."""
    notice = load_notice(notice_id, "notice.view")
    if not permissions.can(current_user, "notice.edit", notice):
        flash(_("只有草稿可以修改；已发布的公开事项请使用“更正”发布新版本。"), "error")
        return redirect_to(url_for("disclosure.show", notice_id=notice.id))
    items = [i for i in _items_for(current_user) if i.channel == notice.channel]
    form = _notice_form(items, notice)
    error = None
    fields = _draft_fields(form, items) if form.validate_on_submit() else None
    if fields:
        try:
            rules.update_draft(db.session, current_user, notice, **fields)
        except rules.DisclosureError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(_("草稿已保存。"), "success")
            return redirect_to(url_for("disclosure.edit", notice_id=notice.id))
    return render("disclosure/edit.html", block="notice_form", form=form, notice=notice, error=error,
                  attachment_form=AttachmentForm(), allowed=files.ALLOWED_HINT)


@bp.post("/notices/preview")
def preview() -> Response:
    """Render the Markdown being typed exactly as readers will see it (sanitised)."""
    permissions.require("notice.workspace")
    body = (request.form.get("body_md") or "")[: rules.BODY_MAX]
    return render("disclosure/_preview.html", html=rules.render_markdown(body))


def _transition(notice_id: int, action: str, apply, success: str) -> Response:
    """Run one workflow step; a refused step explains itself and changes nothing."""
    notice = load_notice(notice_id, "notice.view")
    permissions.require(action, notice)
    try:
        target = apply(notice)
    except rules.DisclosureError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect_to(url_for("disclosure.show", notice_id=notice.id))
    db.session.commit()
    flash(success, "success")
    return redirect_to(target or url_for("disclosure.show", notice_id=notice.id))


@bp.post("/notices/<int:notice_id>/submit")
def submit(notice_id: int) -> Response:
    """Send a draft for approval."""
    return _transition(notice_id, "notice.submit", lambda n: rules.submit(db.session, current_user, n),
                       _("已提交审批。"))


@bp.post("/notices/<int:notice_id>/publish")
def publish(notice_id: int) -> Response:
    """Approve and publish (secretary for Party affairs, principal for school affairs)."""
    return _transition(notice_id, "notice.approve", lambda n: rules.publish(db.session, current_user, n),
                       _("已审批并发布。"))


def _with_reason(notice_id: int, action: str, rule, success: str) -> Response:
    """A workflow step that needs a written reason (send back, withdraw)."""
    form = ReasonForm()
    return _transition(notice_id, action, lambda n: rule(db.session, current_user, n, form.reason.data or ""), success)


@bp.post("/notices/<int:notice_id>/return")
def send_back(notice_id: int) -> Response:
    """Return a submission to its author with a reason."""
    return _with_reason(notice_id, "notice.approve", rules.send_back, _("已退回起草人。"))


@bp.post("/notices/<int:notice_id>/withdraw")
def withdraw(notice_id: int) -> Response:
    """Withdraw a published notice with a public reason; the record stays."""
    return _with_reason(notice_id, "notice.withdraw", rules.withdraw, _("已撤回，撤回原因将向读者显示。"))


@bp.post("/notices/<int:notice_id>/correct")
def correct(notice_id: int) -> Response:
    """Start the next version of a published notice, as a draft that goes through approval."""
    def start(n: Notice) -> str:
        draft = rules.start_correction(db.session, current_user, n)
        return url_for("disclosure.edit", notice_id=draft.id)

    return _transition(notice_id, "notice.correct", start, _("已创建更正草稿，审批发布后将替代当前版本。"))


@bp.post("/notices/<int:notice_id>/attachments")
def upload(notice_id: int) -> Response:
    """Add an attachment to a draft; the type is checked by content, not by name."""
    notice = load_notice(notice_id, "notice.edit")
    form = AttachmentForm()
    if not form.validate_on_submit():
        flash(error_text(form), "error")
        return redirect_to(url_for("disclosure.edit", notice_id=notice.id))
    upload_file = form.file.data
    try:
        stored = files.store(current_app.config["UPLOAD_DIR"], upload_file.filename or "", upload_file.read())
        rules.attach(db.session, current_user, notice, stored)
    except rules.DisclosureError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("附件已上传。"), "success")
    return redirect_to(url_for("disclosure.edit", notice_id=notice.id))


@bp.post("/notices/<int:notice_id>/attachments/<int:attachment_id>/remove")
def remove_attachment(notice_id: int, attachment_id: int) -> Response:
    """Remove an attachment from a draft."""
    notice = load_notice(notice_id, "notice.edit")
    att = db.session.get(Attachment, attachment_id)
    if att is None or att.notice_id != notice.id:
        abort(404)
    rules.detach(db.session, current_user, notice, att)
    db.session.commit()
    flash(_("附件已删除。"), "success")
    return redirect_to(url_for("disclosure.edit", notice_id=notice.id))


@bp.post("/notices/<int:notice_id>/objections")
def object_to(notice_id: int) -> Response:
    """Lodge an objection during the 公示 window; htmx swaps the objections section."""
    notice = load_notice(notice_id, "notice.object")
    form = ObjectionForm()
    error = None
    if form.validate_on_submit():
        try:
            rules.lodge_objection(db.session, current_user, notice, form.body.data, form.anonymous.data)
        except rules.DisclosureError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            form = ObjectionForm(formdata=None)
            flash(_("异议已提交，发布单位将作出答复。"), "success")
    return render("disclosure/notice.html", block="objections",
                  **notice_context(notice, objection_form=form, objection_error=error))


@bp.post("/objections/<int:objection_id>/answer")
def answer(objection_id: int) -> Response:
    """The publisher answers an objection; the answer is shown under the notice."""
    objection = db.session.get(Objection, objection_id) or abort(404)
    notice = load_notice(objection.notice_id, "notice.answer")
    form = AnswerForm(prefix=f"a{objection.id}")
    error = None
    if form.validate_on_submit():
        rules.answer_objection(db.session, current_user, objection, form.answer.data)
        db.session.commit()
    else:
        error = (objection.id, error_text(form))
    return render("disclosure/notice.html", block="objections", **notice_context(notice, answer_error=error))


@bp.post("/notices/<int:notice_id>/ack")
def acknowledge(notice_id: int) -> Response:
    """我已阅读: record the acknowledgement (twice is harmless)."""
    notice = load_notice(notice_id, "notice.acknowledge")
    rules.acknowledge(db.session, current_user, notice)
    db.session.commit()
    return render("disclosure/notice.html", block="ack", **notice_context(notice))


@bp.get("/notices/<int:notice_id>/acks")
def ack_report(notice_id: int) -> Response:
    """Who has and has not acknowledged, by department (publisher, approver, admin)."""
    notice = load_notice(notice_id, "notice.ack_report")
    groups = reading.ack_report(db.session, notice)
    return render("disclosure/acks.html", notice=notice, groups=groups)


@bp.get("/notices/<int:notice_id>/acks.xlsx")
def ack_export(notice_id: int) -> Response:
    """The acknowledgement list as XLSX."""
    notice = load_notice(notice_id, "notice.ack_report")
    data = ack_workbook(notice, reading.ack_report(db.session, notice))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"阅读确认_{notice.id}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
