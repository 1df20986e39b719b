"""Meeting papers (会议材料): uploaded before they are sent, downloaded by insiders, marked read
by each attendee. Rules in ``decisions.rules.papers``; the section is on the meeting's page."""
from __future__ import annotations

from flask import Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.decisions.models import MeetingPaper
from portal.decisions.rules import DecisionError
from portal.decisions.rules import papers as rules
from portal.decisions.views import bp, get_or_404
from portal.decisions.views.meetings import load_meeting, meeting_page
from portal.extensions import db
from portal.i18n import N_
from portal.web import attempt, redirect_to, send_stored, store_upload, writes_late


@bp.post("/decisions/meetings/<int:meeting_id>/papers/add")
@writes_late  # the file is checked and written before the write lock
def add_paper(meeting_id: int) -> Response:
    """Attach a paper to the meeting or one of its items, before the papers are sent."""
    found = load_meeting(meeting_id)
    permissions.require("meeting.settle", found)
    item_id = request.form.get("item_id", type=int)
    with attempt() as done:  # a refused file (FileRefused) too
        stored = store_upload(request.files.get("file"))
        if stored is None:
            raise DecisionError(N_("请选择要上传的文件。"))
        found = load_meeting(meeting_id)
        item = next((i for i in found.items if i.id == item_id), None) if item_id else None
        rules.add_paper(db.session, current_user, found, stored, item)
    if not done:
        return meeting_page(load_meeting(meeting_id), status=done.status, error=done.error)
    flash(_("会议材料已添加。"), "success")
    return redirect_to(url_for("decisions.meeting", meeting_id=meeting_id) + "#mt-papers")


@bp.get("/decisions/meetings/<int:meeting_id>/papers/<int:paper_id>")
def paper_file(meeting_id: int, paper_id: int) -> Response:
    """Download one paper of the meeting (those who see the meeting)."""
    found = load_meeting(meeting_id)
    permissions.require("meeting.view", found)
    paper = get_or_404(MeetingPaper, paper_id)
    if paper.meeting_id != found.id:
        abort(404)
    return send_stored(paper.filename, paper.stored_name, paper.content_type)


@bp.post("/decisions/meetings/<int:meeting_id>/papers/read")
def mark_papers_read(meeting_id: int) -> Response:
    """An attendee marks the papers read (阅读回执)."""
    found = load_meeting(meeting_id)
    permissions.require("meeting.view", found)
    with attempt() as done:
        rules.mark_read(db.session, current_user, found)
    if not done:
        return meeting_page(load_meeting(meeting_id), status=done.status, error=done.error)
    flash(_("已确认阅读会议材料。"), "success")
    return redirect_to(url_for("decisions.meeting", meeting_id=meeting_id) + "#mt-papers")
