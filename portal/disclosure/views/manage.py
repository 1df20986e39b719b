"""Authoring and the publication workflow: drafts, approval, withdrawal, corrections and
attachments; and the approver's to-dos."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import joinedload

from portal import markup
from portal.auth import permissions
from portal.auth.models import User
from portal.auth.permissions import Context
from portal.disclosure import queries, rules
from portal.disclosure.forms import AUDIENCE_LABELS, STATUS_LABELS, NoticeForm, ReasonForm
from portal.disclosure.models import ON_RECORD, Acknowledgement, Attachment, CatalogItem, Notice, Status
from portal.disclosure.views import bp
from portal.disclosure.views.reading import load_notice
from portal.extensions import db
from portal.files import ALLOWED_HINT, FileRefused
from portal.formutil import AttachmentForm, error_text
from portal.registry import Todo
from portal.web import begin_write, explain, redirect_to, render, store_upload, writes_late


def _items_for(user: User) -> list[CatalogItem]:
    channels = [c for c in ("party", "school") if permissions.can(user, "notice.create", c)]
    return list(db.session.scalars(
        select(CatalogItem).where(CatalogItem.active.is_(True), CatalogItem.channel.in_(channels))
        .order_by(CatalogItem.channel, CatalogItem.position, CatalogItem.id)
    ))


def _notice_form(items: list[CatalogItem], notice: Notice | None = None) -> NoticeForm:
    # A saved draft's audience and 公示 period were chosen (or accepted) by its author: a
    # catalogue item chosen later says what its defaults are but does not replace them.
    form = NoticeForm(obj=notice, touched=" ".join(NoticeForm.DEFAULTED) if notice else "")
    form.set_items(items)
    return form


def _gongshi_text(days: int) -> str:
    return _("%(days)s 个工作日", days=days) if days else _("不公示")


def _item_defaults(form: NoticeForm, items: list[CatalogItem]) -> list[str]:
    """On GET, a catalogue item chosen by a link (``?item=``) or by the select (htmx sends
    ``?catalog_item_id=`` with the settings shown and ``touched``, the names of those the
    author set) fills in that item's defaults, but only where the author has not chosen.
    Returns the sentences telling the author which defaults were applied and which of their
    own choices were kept."""
    chosen = request.args.get("catalog_item_id", type=int) or request.args.get("item", type=int)
    if "catalog_item_id" in request.args:
        if request.args.get("audience") in AUDIENCE_LABELS:
            form.audience.data = request.args["audience"]
        form.gongshi_days.data = request.args.get("gongshi_days", type=int, default=form.gongshi_days.data)
        form.touched.data = request.args.get("touched", form.touched.data)
        form.catalog_item_id.data = chosen or 0
    item = next((i for i in items if i.id == chosen), None)
    if item is None:
        return []
    form.catalog_item_id.data = item.id
    touched = form.touched_fields()
    applied, kept = [], []
    audience = form.audience.data
    if audience != item.default_audience:
        default = AUDIENCE_LABELS[item.default_audience]
        if "audience" in touched and audience in AUDIENCE_LABELS:
            kept.append(_("公开范围“%(chosen)s”（默认为“%(default)s”）", chosen=AUDIENCE_LABELS[audience], default=default))
        else:
            applied.append(_("公开范围改为“%(audience)s”", audience=default))
            form.audience.data = item.default_audience
    days = form.gongshi_days.data or 0
    if days != item.default_gongshi_days:
        if "gongshi_days" in touched:
            kept.append(_("公示期：%(chosen)s（默认：%(default)s）", chosen=_gongshi_text(days),
                          default=_gongshi_text(item.default_gongshi_days)))
        else:
            applied.append(_("公示期改为 %(days)s 个工作日", days=item.default_gongshi_days)
                           if item.default_gongshi_days else _("公示期改为不公示"))
            form.gongshi_days.data = item.default_gongshi_days
    sentences = []
    if applied:
        sentences.append(_("已按“%(item)s”的默认设置：%(changes)s。如有需要可以再改。",
                           item=item.name, changes=_("，").join(applied)))
    if kept:
        sentences.append(_("保留了您已选的设置，未按“%(item)s”的默认改动：%(kept)s。",
                           item=item.name, kept=_("，").join(kept)))
    return sentences or [_("“%(item)s”的默认公开范围和公示期与当前设置相同。", item=item.name)]


def _settings_block() -> str:
    """The block to render: only the settings when the catalogue select asked (htmx)."""
    return "notice_settings" if "catalog_item_id" in request.args else "notice_form"


def _draft_fields(form: NoticeForm, items: list[CatalogItem]) -> dict[str, Any] | None:
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
    ctx = permissions.current_context()
    base = select(Notice).options(joinedload(Notice.catalog_item), joinedload(Notice.author))
    mine = db.session.scalars(
        base.where(Notice.author_id == user.id, Notice.status.not_in(ON_RECORD))
        .order_by(Notice.updated_at.desc())
    ).all()
    waiting = db.session.scalars(
        base.where(queries.awaiting_approval(user, ctx)).order_by(Notice.submitted_at)
    ).all()
    recent = db.session.scalars(
        base.where(or_(Notice.author_id == user.id, Notice.approver_id == user.id), Notice.status.in_(ON_RECORD))
        .order_by(Notice.published_at.desc()).limit(20)
    ).all()
    approves = any(user.id in rules.approval_chain(ctx.memberships, c) for c in rules.APPROVAL_CHAINS)
    return render("disclosure/workspace.html", mine=mine, waiting=waiting, recent=recent, status_label=STATUS_LABELS.get,
                  audience_label=AUDIENCE_LABELS.get, can_create=bool(_items_for(user)), approves=approves)


@bp.route("/notices/new", methods=["GET", "POST"])
@writes_late
def create() -> Response:
    """Write a new notice as a draft, in a catalogue item this author may publish under."""
    permissions.require("notice.workspace")
    items = _items_for(current_user)
    if not items:
        abort(403)
    form = _notice_form(items)
    item_defaults = _item_defaults(form, items) if request.method == "GET" else []
    error = None
    fields = _draft_fields(form, items) if form.validate_on_submit() else None
    if fields:
        fields["body_html"] = markup.render_markdown(fields["body_md"])  # before the write lock
        begin_write()
        try:
            notice = rules.create_draft(db.session, current_user, **fields)
        except rules.DisclosureError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
            flash(_("草稿已保存。可以继续添加附件，然后提交审批。"), "success")
            return redirect_to(url_for("disclosure.edit", notice_id=notice.id))
    return render("disclosure/edit.html", block=_settings_block(), form=form, notice=None, error=error,
                  item_defaults=item_defaults)


@bp.route("/notices/<int:notice_id>/edit", methods=["GET", "POST"])
@writes_late
def edit(notice_id: int) -> Response:
    """Edit a draft (its author only); published notices are corrected, not edited."""
    notice = load_notice(notice_id, "notice.view")
    if not permissions.can(current_user, "notice.edit", notice):
        flash(_("只有草稿可以修改；已发布的公开事项请使用“更正”发布新版本。"), "error")
        return redirect_to(url_for("disclosure.show", notice_id=notice.id))
    items = [i for i in _items_for(current_user) if i.channel == notice.channel]
    form = _notice_form(items, notice)
    item_defaults = _item_defaults(form, items) if request.method == "GET" else []
    error = None
    fields = _draft_fields(form, items) if form.validate_on_submit() else None
    if fields:
        fields["body_html"] = markup.render_markdown(fields["body_md"])  # before the write lock
        begin_write()
        try:
            rules.update_draft(db.session, current_user, notice, **fields)
        except rules.DisclosureError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
            flash(_("草稿已保存。"), "success")
            return redirect_to(url_for("disclosure.edit", notice_id=notice.id))
    return render("disclosure/edit.html", block=_settings_block(), form=form, notice=notice, error=error,
                  item_defaults=item_defaults, attachment_form=AttachmentForm(), allowed=ALLOWED_HINT)


@bp.post("/notices/preview")
@writes_late  # and never writes: a POST only for the body's size and the CSRF token
def preview() -> Response:
    """Render the Markdown being typed exactly as readers will see it (sanitised)."""
    permissions.require("notice.workspace")
    body = (request.form.get("body_md") or "")[: rules.BODY_MAX]
    return render("disclosure/_preview.html", html=markup.render_markdown(body))


def _transition(notice_id: int, action: str, apply: Callable[[Notice], str | None], success: str) -> Response:
    """Run one workflow step; a refused step explains itself and changes nothing."""
    notice = load_notice(notice_id, "notice.view")
    permissions.require(action, notice)
    try:
        target = apply(notice)
    except rules.DisclosureError as exc:
        db.session.rollback()
        flash(explain(exc), "error")
        return redirect_to(url_for("disclosure.show", notice_id=notice.id))
    db.session.commit()
    flash(success, "success")
    return redirect_to(target or url_for("disclosure.show", notice_id=notice.id))


@bp.post("/notices/<int:notice_id>/submit")
def submit(notice_id: int) -> Response:
    """Send a draft for approval."""
    def apply(n: Notice) -> None:
        rules.submit(db.session, current_user, n)

    return _transition(notice_id, "notice.submit", apply, _("已提交审批。"))


@bp.post("/notices/<int:notice_id>/publish")
def publish(notice_id: int) -> Response:
    """Approve and publish (secretary for Party affairs, principal for school affairs)."""
    def apply(n: Notice) -> None:
        rules.publish(db.session, current_user, n)

    return _transition(notice_id, "notice.approve", apply, _("已审批并发布。"))


def _with_reason(notice_id: int, action: str, rule: Callable[..., None], success: str) -> Response:
    """A workflow step that needs a written reason (send back, withdraw)."""
    form = ReasonForm()
    def apply(n: Notice) -> None:
        rule(db.session, current_user, n, form.reason.data or "")

    return _transition(notice_id, action, apply, success)


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
@writes_late
def upload(notice_id: int) -> Response:
    """Add an attachment to a draft; the type is checked by content, not by name, and the
    file written before the write lock."""
    notice = load_notice(notice_id, "notice.edit")
    form = AttachmentForm()
    if not form.validate_on_submit():
        flash(error_text(form), "error")
        return redirect_to(url_for("disclosure.edit", notice_id=notice.id))
    try:
        stored = store_upload(form.file.data)
        notice = load_notice(notice_id, "notice.edit")
        rules.attach(db.session, current_user, notice, stored)
    except (rules.DisclosureError, FileRefused) as exc:
        db.session.rollback()
        flash(explain(exc), "error")
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


# --- to-dos on the dashboard -----------------------------------------------------------------

def approval_todos(user: User, ctx: Context) -> list[Todo]:
    """Submissions waiting for this user's approval, as one counted link."""
    if not any(user.id in rules.approval_chain(ctx.memberships, c) for c in rules.APPROVAL_CHAINS):
        return []
    count = db.session.scalar(select(func.count()).select_from(Notice).where(queries.awaiting_approval(user, ctx))) or 0
    if not count:
        return []
    return [Todo(_("%(n)s 条公开事项待您审批", n=count), url_for("disclosure.workspace"), count)]


def unread_todos(user: User, ctx: Context) -> list[Todo]:
    """Published notices that ask this reader to acknowledge them and have not been."""
    notices = db.session.scalars(
        select(Notice).options(*queries.LIST_DEFERRED).where(
            queries.visible(user, ctx=ctx), Notice.requires_ack == true(),
            ~Notice.id.in_(select(Acknowledgement.notice_id).where(Acknowledgement.user_id == user.id)),
        ).order_by(Notice.published_at.desc()).limit(10)
    ).all()
    return [Todo(_("请阅读并确认：%(title)s", title=n.title), url_for("disclosure.show", notice_id=n.id)) for n in notices]
