"""Organising a consultation: the draft and its attachment, publication, replies, the mark
on each comment, the adoption summary and the matter it prepares; and the to-dos."""
from __future__ import annotations

from flask import Response, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.auth.models import Role, User
from portal.auth.permissions import Context
from portal.consultations import queries, rules
from portal.consultations.forms import ConsultationForm, HideForm, MarkForm, MatterForm, ReplyForm, SummaryForm
from portal.consultations.models import Consultation
from portal.consultations.views import bp
from portal.consultations.views.reading import consultation_context, load_comment, load_consultation
from portal.markup import render_markdown
from portal.extensions import db
from portal.files import ALLOWED_HINT
from portal.pagecache import versioned
from portal.formutil import AttachmentForm
from portal.registry import Todo
from portal.timeutil import to_local
from portal.web import (
    Attempt, attempt, begin_write, redirect_to, render, require_valid, store_upload, writes_late,
)


def _fields(form: ConsultationForm) -> dict[str, object]:
    body = form.body_md.data or ""
    return {"title": form.title.data or "", "body_md": body, "audience": form.audience.data or "",
            "closes_on": form.closes_on.data, "body_html": render_markdown(body)}


@bp.route("/consultations/new", methods=["GET", "POST"])
@writes_late
def create() -> Response:
    """Write a consultation draft (the union or a leadership member)."""
    permissions.require("consultation.create")
    form = ConsultationForm()
    done = Attempt()
    if request.method == "POST":
        with attempt() as done:
            require_valid(form)
            fields = _fields(form)  # Markdown rendered before the write lock
            begin_write()
            consultation = rules.create_draft(db.session, current_user, **fields)  # type: ignore[arg-type]
        if done:
            flash(_("草稿已保存。可以添加附件，然后发布。"), "success")
            return redirect_to(url_for("consultations.edit", consultation_id=consultation.id))
    return render("consultations/edit.html", block="consultation_form", status=done.status, form=form, c=None,
                  error=done.error)


@bp.route("/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@writes_late
def edit(consultation_id: int) -> Response:
    """Edit a draft (its organiser); published consultations keep their text."""
    consultation = load_consultation(consultation_id, "consultation.edit")
    form = ConsultationForm(obj=consultation)
    if not form.is_submitted() and consultation.closes_at:
        form.closes_on.data = to_local(consultation.closes_at).date()
    done = Attempt()
    if request.method == "POST":
        with attempt() as done:
            require_valid(form)
            fields = _fields(form)
            begin_write()
            rules.update_draft(db.session, current_user, consultation, **fields)  # type: ignore[arg-type]
        if done:
            flash(_("草稿已保存。"), "success")
            return redirect_to(url_for("consultations.edit", consultation_id=consultation.id))
    return render("consultations/edit.html", block="consultation_form", status=done.status, form=form, c=consultation,
                  error=done.error, attachment_form=AttachmentForm(), allowed=ALLOWED_HINT)


@bp.post("/consultations/<int:consultation_id>/attachments")
@writes_late
def upload(consultation_id: int) -> Response:
    """Attach a file to the draft; checked by content and written before the write lock."""
    consultation = load_consultation(consultation_id, "consultation.edit")
    form = AttachmentForm()
    with attempt() as done:
        require_valid(form)
        stored = store_upload(form.file.data)
        consultation = load_consultation(consultation_id, "consultation.edit")
        rules.attach(db.session, current_user, consultation, stored)
    done.flash(_("附件已上传。"))
    return redirect_to(url_for("consultations.edit", consultation_id=consultation.id))


@bp.post("/consultations/<int:consultation_id>/publish")
def publish(consultation_id: int) -> Response:
    """Publish the draft to its audience; the window opens now."""
    consultation = load_consultation(consultation_id, "consultation.edit")
    with attempt() as done:
        rules.publish(db.session, current_user, consultation)
    done.flash(_("已发布，征求意见开始。"))
    if not done:
        return redirect_to(url_for("consultations.edit", consultation_id=consultation.id))
    return redirect_to(url_for("consultations.show", consultation_id=consultation.id))


def _thread(consultation: Consultation, status: int, **extra: object) -> Response:
    return render("consultations/show.html", block="thread", status=status, **consultation_context(consultation, **extra))


@bp.post("/consultations/comments/<comment_id>/reply")
def reply(comment_id: str) -> Response:
    """An organiser replies under a comment; htmx swaps the thread."""
    item, consultation = load_comment(comment_id, "consultation.manage")
    form = ReplyForm(prefix=f"r{item.id}")
    with attempt() as done:
        require_valid(form)
        rules.reply(db.session, current_user, item, form.body.data or "")
    return _thread(consultation, done.status, item_error=None if done else (item.id, done.error))


@bp.post("/consultations/comments/<comment_id>/mark")
def mark(comment_id: str) -> Response:
    """Mark a comment adopted / partly adopted / not adopted with a reason (after the window)."""
    item, consultation = load_comment(comment_id, "consultation.manage")
    form = MarkForm(prefix=f"m{item.id}")
    with attempt() as done:
        require_valid(form)
        rules.mark(db.session, current_user, item, form.adoption.data or "", form.reason.data or "")
    return _thread(consultation, done.status, item_error=None if done else (item.id, done.error))


@bp.post("/consultations/comments/<comment_id>/hide")
def hide(comment_id: str) -> Response:
    """Hide a comment with a reason on record (an organiser); its author is told."""
    item, consultation = load_comment(comment_id, "consultation.manage")
    form = HideForm(prefix=f"h{item.id}")
    with attempt() as done:
        require_valid(form)
        rules.hide_comment(db.session, current_user, item, form.reason.data or "")
    return _thread(consultation, done.status, item_error=None if done else (item.id, done.error))


@bp.post("/consultations/<int:consultation_id>/summary")
@writes_late
def summary(consultation_id: int) -> Response:
    """Publish the adoption summary: refused while any comment is unmarked."""
    consultation = load_consultation(consultation_id, "consultation.manage")
    form = SummaryForm()
    with attempt() as done:
        require_valid(form)
        text = form.summary_md.data or ""
        html = render_markdown(text)
        begin_write()
        consultation = load_consultation(consultation_id, "consultation.manage")
        rules.publish_summary(db.session, current_user, consultation, text, html)
    if done:
        flash(_("采纳情况已公布。"), "success")
        return redirect_to(url_for("consultations.show", consultation_id=consultation.id))
    return render("consultations/show.html", block="organiser", status=done.status,
                  **consultation_context(consultation, summary_form=form, summary_error=done.error))


@bp.post("/consultations/<int:consultation_id>/matter")
def link(consultation_id: int) -> Response:
    """Say which matter this consultation prepares (for the decisions feature)."""
    consultation = load_consultation(consultation_id, "consultation.manage")
    form = MatterForm()
    with attempt() as done:
        require_valid(form)
        rules.link_matter(db.session, current_user, consultation, form.matter_kind.data or "", form.matter_id.data)
    return render("consultations/show.html", block="organiser", status=done.status,
                  **consultation_context(consultation, matter_form=form, matter_error=done.error, matter_saved=bool(done)))


# --- to-dos on the dashboard -----------------------------------------------------------------

def open_todos(user: User, ctx: Context) -> list[Todo]:
    """Open consultations put to this reader (what ``consultation.comment`` lists), on which
    they have not commented yet."""
    commentable = permissions.listing(user, "consultation.comment", ctx)
    return [Todo(_("征求意见：%(title)s", title=c.title), url_for("consultations.show", consultation_id=c.id))
            for c in queries.awaiting_comment(ctx.memberships.session, user.id, commentable)]


def marking_todos(user: User, ctx: Context) -> list[Todo]:
    """Closed consultations this organiser must mark and sum up (no query while nothing
    changed: the open ones are kept per data version)."""
    union = user.has_role(Role.UNION)
    opened = versioned("consultations.open", lambda: queries.open_consultations(ctx.memberships.session))
    count = sum(1 for c in opened if c.closes_at < ctx.now and (union or c.organiser_id == user.id))
    if not count:
        return []
    return [Todo(_("%(n)s 项征求意见已截止，请逐条标注采纳情况并公布", n=count), url_for("consultations.index"), count, warn=True)]
