"""Organising a consultation: the draft and its attachment, publication, replies, the mark
on each comment, the adoption summary and the matter it prepares; and the to-dos."""
from __future__ import annotations

from flask import Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.auth.models import Role, User
from portal.auth.permissions import Context
from portal.consultations import queries, rules
from portal.consultations.forms import ConsultationForm, MarkForm, MatterForm, ReplyForm, SummaryForm
from portal.consultations.models import Comment, Consultation, Status
from portal.consultations.views import bp
from portal.consultations.views.reading import consultation_context, load_comment, load_consultation
from portal.markup import render_markdown
from portal.extensions import db
from portal.files import ALLOWED_HINT, FileRefused
from portal.pagecache import versioned
from portal.formutil import AttachmentForm, error_text
from portal.registry import Todo
from portal.timeutil import to_local
from portal.web import begin_write, explain, redirect_to, render, store_upload, writes_late


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
    error = None
    if form.validate_on_submit():
        fields = _fields(form)  # Markdown rendered before the write lock
        begin_write()
        try:
            consultation = rules.create_draft(db.session, current_user, **fields)  # type: ignore[arg-type]
        except rules.ConsultationError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
            flash(_("草稿已保存。可以添加附件，然后发布。"), "success")
            return redirect_to(url_for("consultations.edit", consultation_id=consultation.id))
    return render("consultations/edit.html", block="consultation_form", form=form, c=None, error=error)


@bp.route("/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@writes_late
def edit(consultation_id: int) -> Response:
    """Edit a draft (its organiser); published consultations keep their text."""
    consultation = load_consultation(consultation_id, "consultation.edit")
    form = ConsultationForm(obj=consultation)
    if not form.is_submitted() and consultation.closes_at:
        form.closes_on.data = to_local(consultation.closes_at).date()
    error = None
    if form.validate_on_submit():
        fields = _fields(form)
        begin_write()
        try:
            rules.update_draft(db.session, current_user, consultation, **fields)  # type: ignore[arg-type]
        except rules.ConsultationError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
            flash(_("草稿已保存。"), "success")
            return redirect_to(url_for("consultations.edit", consultation_id=consultation.id))
    return render("consultations/edit.html", block="consultation_form", form=form, c=consultation, error=error,
                  attachment_form=AttachmentForm(), allowed=ALLOWED_HINT)


@bp.post("/consultations/<int:consultation_id>/attachments")
@writes_late
def upload(consultation_id: int) -> Response:
    """Attach a file to the draft; checked by content and written before the write lock."""
    consultation = load_consultation(consultation_id, "consultation.edit")
    form = AttachmentForm()
    if not form.validate_on_submit():
        flash(error_text(form), "error")
        return redirect_to(url_for("consultations.edit", consultation_id=consultation.id))
    try:
        stored = store_upload(form.file.data)
        consultation = load_consultation(consultation_id, "consultation.edit")
        rules.attach(db.session, current_user, consultation, stored)
    except (rules.ConsultationError, FileRefused) as exc:
        db.session.rollback()
        flash(explain(exc), "error")
    else:
        db.session.commit()
        flash(_("附件已上传。"), "success")
    return redirect_to(url_for("consultations.edit", consultation_id=consultation.id))


@bp.post("/consultations/<int:consultation_id>/publish")
def publish(consultation_id: int) -> Response:
    """Publish the draft to its audience; the window opens now."""
    consultation = load_consultation(consultation_id, "consultation.edit")
    try:
        rules.publish(db.session, current_user, consultation)
    except rules.ConsultationError as exc:
        db.session.rollback()
        flash(explain(exc), "error")
        return redirect_to(url_for("consultations.edit", consultation_id=consultation.id))
    db.session.commit()
    flash(_("已发布，征求意见开始。"), "success")
    return redirect_to(url_for("consultations.show", consultation_id=consultation.id))


def _thread(consultation: Consultation, **extra: object) -> Response:
    return render("consultations/show.html", block="thread", **consultation_context(consultation, **extra))


@bp.post("/consultations/comments/<comment_id>/reply")
def reply(comment_id: str) -> Response:
    """An organiser replies under a comment; htmx swaps the thread."""
    item, consultation = load_comment(comment_id, "consultation.manage")
    form = ReplyForm(prefix=f"r{item.id}")
    error = None
    if form.validate_on_submit():
        try:
            rules.reply(db.session, current_user, item, form.body.data or "")
        except rules.ConsultationError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
    else:
        error = error_text(form)
    return _thread(consultation, item_error=(item.id, error) if error else None)


@bp.post("/consultations/comments/<comment_id>/mark")
def mark(comment_id: str) -> Response:
    """Mark a comment adopted / partly adopted / not adopted with a reason (after the window)."""
    item, consultation = load_comment(comment_id, "consultation.manage")
    form = MarkForm(prefix=f"m{item.id}")
    error = None
    if form.validate_on_submit():
        try:
            rules.mark(db.session, current_user, item, form.adoption.data or "", form.reason.data or "")
        except rules.ConsultationError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
    else:
        error = error_text(form)
    return _thread(consultation, item_error=(item.id, error) if error else None)


@bp.post("/consultations/<int:consultation_id>/summary")
@writes_late
def summary(consultation_id: int) -> Response:
    """Publish the adoption summary: refused while any comment is unmarked."""
    consultation = load_consultation(consultation_id, "consultation.manage")
    form = SummaryForm()
    error = None
    if form.validate_on_submit():
        text = form.summary_md.data or ""
        html = render_markdown(text)
        begin_write()
        consultation = load_consultation(consultation_id, "consultation.manage")
        try:
            rules.publish_summary(db.session, current_user, consultation, text, html)
        except rules.ConsultationError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
            flash(_("采纳情况已公布。"), "success")
            return redirect_to(url_for("consultations.show", consultation_id=consultation.id))
    else:
        error = error_text(form)
    return render("consultations/show.html", block="organiser",
                  **consultation_context(consultation, summary_form=form, summary_error=error))


@bp.post("/consultations/<int:consultation_id>/matter")
def link(consultation_id: int) -> Response:
    """Say which matter this consultation prepares (for the decisions feature)."""
    consultation = load_consultation(consultation_id, "consultation.manage")
    form = MatterForm()
    error = None
    if form.validate_on_submit():
        try:
            rules.link_matter(db.session, current_user, consultation, form.matter_kind.data or "", form.matter_id.data)
        except rules.ConsultationError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
    else:
        error = error_text(form)
    return render("consultations/show.html", block="organiser",
                  **consultation_context(consultation, matter_form=form, matter_error=error, matter_saved=not error))


# --- to-dos on the dashboard -----------------------------------------------------------------

def open_todos(user: User, ctx: Context) -> list[Todo]:
    """Open consultations put to this reader, on which they have not commented yet (no query
    while nothing changed: the open ones are kept per data version)."""
    todos = []
    for cid, title, audience, term_id, organiser_id, closes_at, commenters in _open(ctx):
        # a detached stand-in with what the permission looks at
        c = Consultation(id=cid, title=title, audience=audience, term_id=term_id, organiser_id=organiser_id,
                         closes_at=closes_at, status=Status.OPEN.value)
        if user.id not in commenters and permissions.can(user, "consultation.comment", c, ctx):
            todos.append(Todo(_("征求意见：%(title)s", title=title), url_for("consultations.show", consultation_id=cid)))
    return todos[:5]


def marking_todos(user: User, ctx: Context) -> list[Todo]:
    """Closed consultations this organiser must mark and sum up."""
    union = user.has_role(Role.UNION)
    count = sum(1 for f in _open(ctx) if f[5] < ctx.now and (union or f[4] == user.id))
    if not count:
        return []
    return [Todo(_("%(n)s 项征求意见已截止，请逐条标注采纳情况并公布", n=count), url_for("consultations.index"), count, warn=True)]


def _open(ctx: Context) -> list[queries.OpenFact]:
    return versioned("consultations.open", lambda: queries.open_facts(ctx.memberships.session))
