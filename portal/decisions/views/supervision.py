"""Supervision opinions (监督意见) on a meeting, an item or a resolution, and the secretary's
answers; both shown on the subject's page. Rules in ``decisions.rules.supervision``."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.decisions.models import SupervisionOpinion
from portal.decisions.rules import supervision as rules
from portal.decisions.views import bp, get_or_404
from portal.extensions import db
from portal.web import attempt, redirect_to


def _subject(kind: str, subject_id: int) -> tuple[Any, str, int | None, Any]:
    """(object, title, its meeting's supervisor, a page function) for a subject the reader may see."""
    from portal.decisions.views.items import item_page, load_item
    from portal.decisions.views.meetings import load_meeting, meeting_page
    from portal.decisions.views.resolutions import load_resolution, resolution_page

    if kind == "meeting":
        meeting = load_meeting(subject_id)
        permissions.require("meeting.view", meeting)
        return meeting, meeting.title, meeting.supervisor_id, meeting_page
    if kind == "item":
        item = load_item(subject_id)
        permissions.require("item.view", item)
        return item, item.title, item.meeting.supervisor_id if item.meeting else None, item_page
    if kind == "resolution":
        res = load_resolution(subject_id)
        permissions.require("resolution.view", res)
        return res, res.title, None, resolution_page
    abort(404)


def _page_url(kind: str, subject_id: int) -> str:
    endpoint = {"meeting": "decisions.meeting", "item": "decisions.item", "resolution": "decisions.resolution"}[kind]
    values: dict[str, Any] = {f"{kind}_id": subject_id}
    return url_for(endpoint, **values) + "#sv-opinions"


@bp.post("/decisions/opinions/<kind>/<int:subject_id>")
def add_opinion(kind: str, subject_id: int) -> Response:
    """The supervisor records an opinion on a meeting, an item or a resolution."""
    subject, title, supervisor_id, page = _subject(kind, subject_id)
    permissions.require("supervision.opine", supervisor_id)
    with attempt() as done:
        rules.add_opinion(db.session, current_user, permissions.current_context().memberships, kind, subject_id,
                          title, request.form.get("text", ""), supervisor_id)
    if not done:
        return page(_subject(kind, subject_id)[0], error=done.error, status=done.status)
    flash(_("监督意见已记录，书记将收到提醒。"), "success")
    return redirect_to(_page_url(kind, subject_id))


@bp.post("/decisions/opinions/<int:opinion_id>/answer")
def answer_opinion(opinion_id: int) -> Response:
    """The secretary answers a supervision opinion on record."""
    opinion = get_or_404(SupervisionOpinion, opinion_id)
    subject, title, _supervisor, page = _subject(opinion.subject_kind, opinion.subject_id)
    permissions.require("supervision.answer")
    with attempt() as done:
        rules.answer_opinion(db.session, current_user, permissions.current_context().memberships, opinion,
                             request.form.get("answer", ""), title)
    if not done:
        return page(_subject(opinion.subject_kind, opinion.subject_id)[0], error=done.error, status=done.status)
    flash(_("已答复监督意见。"), "success")
    return redirect_to(_page_url(opinion.subject_kind, opinion.subject_id))
