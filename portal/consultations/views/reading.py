"""Reading and taking part: the list, a consultation with its thread, the attachment, and
commenting while the window is open."""
from __future__ import annotations

from typing import Any

from flask import Response, abort
from flask_login import current_user

from portal.auth import permissions
from portal.consultations import queries, rules
from portal.consultations.forms import (
    ADOPTION_LABELS, AUDIENCE_LABELS, MATTER_LABELS, WINDOW_LABELS, CommentForm, EndEarlyForm, ExtendForm, HideForm, MarkForm, MatterForm, ReplyForm,
    SummaryForm,
)
from portal.consultations.models import Comment, Consultation, ConsultationAttachment
from portal.consultations.views import bp
from portal.extensions import db
from portal.timeutil import utcnow
from portal.web import attempt, paginate, render, require_valid, send_stored

PAGE_SIZE = 20
LABELS = {"audience": AUDIENCE_LABELS, "adoption": ADOPTION_LABELS, "window": WINDOW_LABELS, "matter": MATTER_LABELS}


def load_consultation(consultation_id: int, action: str = "consultation.view") -> Consultation:
    """The consultation with its organiser and attachments, after asking permissions."""
    consultation = queries.for_page(db.session, consultation_id)
    if consultation is None:
        abort(404)
    permissions.require("consultation.view", consultation)
    if action != "consultation.view":
        permissions.require(action, consultation)
    return consultation


def load_comment(comment_id: str, action: str) -> tuple[Comment, Consultation]:
    if len(comment_id) != 32 or not all(c in "0123456789abcdef" for c in comment_id):
        abort(404)
    item = db.session.get(Comment, comment_id) or abort(404)
    return item, load_consultation(item.consultation_id, action)


def consultation_context(consultation: Consultation, **extra: Any) -> dict[str, Any]:
    """Everything the page and its fragments (the thread, the organiser's panel) need."""
    now = utcnow()
    return {
        "c": consultation,
        "comments": queries.comments(db.session, consultation) if consultation.is_published else [],
        "counts": rules.adoption_counts(db.session, consultation),
        "window": consultation.window(now),
        "labels": LABELS,
        "comment_form": extra.pop("comment_form", None) or CommentForm(formdata=None),
        "summary_form": extra.pop("summary_form", None) or SummaryForm(formdata=None),
        "matter_form": extra.pop("matter_form", None) or MatterForm(formdata=None, obj=consultation),
        "reply_form": ReplyForm, "mark_form": MarkForm, "hide_form": HideForm,
        "end_form": extra.pop("end_form", None) or EndEarlyForm(formdata=None, prefix="end"),
        "extend_form": extra.pop("extend_form", None) or ExtendForm(formdata=None, prefix="extend"),
        "window_changes": queries.window_changes(db.session, consultation) if consultation.is_published else [],
        **extra,
    }


@bp.get("/consultations")
def index() -> Response:
    """Consultations put to this reader (or organised by them), open ones first."""
    permissions.require("consultation.list")
    query = queries.listed(permissions.listing(current_user, "consultation.view"))
    return render("consultations/list.html", block="consultation_list", labels=LABELS, now=utcnow(),
                  can_create=permissions.can(current_user, "consultation.create"), **paginate(query, PAGE_SIZE))


@bp.get("/consultations/<int:consultation_id>")
def show(consultation_id: int) -> Response:
    """The draft put to consultation, its attachment, the thread and, once published, the
    adoption summary with its counts."""
    consultation = load_consultation(consultation_id)
    return render("consultations/show.html", **consultation_context(consultation))


@bp.post("/consultations/<int:consultation_id>/comments")
def comment(consultation_id: int) -> Response:
    """Comment while the window is open (signed, or anonymous to readers); htmx swaps the
    thread, which confirms the comment in place."""
    consultation = load_consultation(consultation_id, "consultation.comment")
    form = CommentForm()
    with attempt() as done:
        require_valid(form)
        rules.comment(db.session, current_user, consultation, form.body.data or "", form.anonymous.data)
    if done:
        form = CommentForm(formdata=None)
    return render("consultations/show.html", block="thread", status=done.status,
                  **consultation_context(consultation, comment_form=form, comment_error=done.error, commented=bool(done)))


@bp.get("/consultations/attachments/<int:consultation_file_id>")
def download(consultation_file_id: int) -> Response:
    """The draft's attachment, as a file, after the consultation's own access check."""
    att = db.session.get(ConsultationAttachment, consultation_file_id) or abort(404)
    load_consultation(att.consultation_id)
    return send_stored(att.filename, att.stored_name, att.content_type)
