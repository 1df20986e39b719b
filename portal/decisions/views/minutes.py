"""The 会议记录 written by the recorder (记录员): the discussion of each item and the 列席
remarks beside what the portal records, saved as drafts; the recorder's signature withdrawn
before the supervisor (监督员) signs. Signing itself is the meeting's ``sign`` action."""
from __future__ import annotations

from flask import Response, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.decisions import queries
from portal.decisions.forms import BODY_LABELS, ITEM_STATE_LABELS, STANCE_LABELS, MinutesForm
from portal.decisions.models import Meeting
from portal.decisions.rules import meetings as rules
from portal.decisions.views import bp
from portal.decisions.views.meetings import load_meeting
from portal.extensions import db
from portal.web import attempt, redirect_to, render


def write_page(meeting: Meeting, form: MinutesForm, error: str | None = None, status: int = 200) -> Response:
    drafts = {i.id: request.form.get(f"discussion-{i.id}", i.discussion) for i in meeting.items}
    return render("decisions/minutes_write.html", block="minutes_write", status=status, meeting=meeting, form=form,
                  error=error, drafts=drafts, names=queries.names_for(db.session, meeting), body_labels=BODY_LABELS,
                  item_states=ITEM_STATE_LABELS, stance_labels=STANCE_LABELS)


@bp.route("/decisions/meetings/<int:meeting_id>/minutes/write", methods=["GET", "POST"])
def write_minutes(meeting_id: int) -> Response:
    """The recorder writes the 会议记录: each item's discussion and the 列席 remarks, saved as a
    draft; refused once the recorder has signed (withdraw first) or the minutes are signed."""
    found = load_meeting(meeting_id)
    permissions.require("meeting.write_minutes", found)
    form = MinutesForm(data={"remarks": found.minutes_remarks} if request.method == "GET" else None)
    if not form.validate_on_submit():
        return write_page(found, form)
    discussions = {i.id: request.form.get(f"discussion-{i.id}", "") for i in found.items}
    with attempt() as done:
        rules.save_minutes(db.session, current_user, found, discussions, form.remarks.data or "")
    if not done:
        return write_page(load_meeting(meeting_id), form, done.error, done.status)
    flash(_("会议记录草稿已保存。"), "success")
    return redirect_to(url_for("decisions.write_minutes", meeting_id=meeting_id))


@bp.post("/decisions/meetings/<int:meeting_id>/minutes/withdraw")
def withdraw_signature(meeting_id: int) -> Response:
    """The recorder takes back the signature before the supervisor signs, to correct the draft."""
    found = load_meeting(meeting_id)
    permissions.require("meeting.write_minutes", found)
    with attempt() as done:
        rules.withdraw_recorder_signature(db.session, current_user, found)
    if not done:
        found = load_meeting(meeting_id)
        return write_page(found, MinutesForm(data={"remarks": found.minutes_remarks}), done.error, done.status)
    flash(_("已撤回记录员签署，可以继续修改会议记录。"), "success")
    return redirect_to(url_for("decisions.write_minutes", meeting_id=meeting_id))
