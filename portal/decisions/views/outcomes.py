"""Deciding the item under discussion: the Party meeting's vote by the chosen method (the
secret ballot opened, cast and closed here), the office meeting's decision by the principal,
and deferral. Rules in ``decisions.rules.outcomes``; the page is the meeting's."""
from __future__ import annotations

from typing import Any

from flask import Response, flash, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.decisions.forms import DecideForm, DeferForm, VoteForm
from portal.decisions.models import Meeting
from portal.decisions.rules import meetings as rules
from portal.decisions.rules import outcomes
from portal.decisions.views import bp
from portal.decisions.views.meetings import NoFields, item_under_discussion, meeting_action
from portal.extensions import db
from portal.org.memberships import Memberships


def announce(passed: bool) -> None:
    """A passed vote in the success style, a failed one in the warning style."""
    if passed:
        flash(_("表决结果：通过。"), "success")
    else:
        flash(_("表决结果：未通过。"), "warning")


@bp.post("/decisions/meetings/<int:meeting_id>/vote")
def vote(meeting_id: int) -> Response:
    """The Party meeting's vote on the current item by the chosen method, with the counts."""
    def step(m: Meeting, ms: Memberships, f: VoteForm) -> None:
        item = item_under_discussion(m)
        named = None
        if f.method.data == "named":
            named = {u: request.form.get(f"named-{u}", "") for u in rules.present_voters(m, ms)}
        passed = outcomes.vote(db.session, current_user, ms, m, item, f.method.data, yes=f.yes.data, no=f.no.data,
                            abstain=f.abstain.data, named=named)
        announce(passed)
    return meeting_action(meeting_id, "meeting.decide", "vote", VoteForm(), step, None)


@bp.post("/decisions/meetings/<int:meeting_id>/secret/open")
def open_secret(meeting_id: int) -> Response:
    """The chair opens a secret ballot (无记名投票) on the current item."""
    def step(m: Meeting, ms: Memberships, f: Any) -> None:
        item = item_under_discussion(m)
        outcomes.open_secret_ballot(db.session, current_user, ms, m, item)
    return meeting_action(meeting_id, "meeting.decide", "open_secret", NoFields(), step, _("无记名投票已开始，请出席成员各自投票。"))


@bp.post("/decisions/meetings/<int:meeting_id>/secret/cast")
def cast_secret(meeting_id: int) -> Response:
    """A present member casts their secret ballot; nobody sees a count before the close."""
    def step(m: Meeting, ms: Memberships, f: Any) -> None:
        item = item_under_discussion(m)
        outcomes.cast_secret_ballot(db.session, current_user, ms, m, item, request.form.get("choice", ""))
    return meeting_action(meeting_id, "meeting.cast_ballot", "cast_secret", NoFields(), step, _("您的选票已投入票箱。"))


@bp.post("/decisions/meetings/<int:meeting_id>/secret/close")
def close_secret(meeting_id: int) -> Response:
    """The chair ends the secret ballot: counted from the raw ballots, the box's digest kept."""
    def step(m: Meeting, ms: Memberships, f: Any) -> None:
        item = item_under_discussion(m)
        passed = outcomes.close_secret_ballot(db.session, current_user, ms, m, item)
        announce(passed)
    return meeting_action(meeting_id, "meeting.decide", "close_secret", NoFields(), step, None)


@bp.post("/decisions/meetings/<int:meeting_id>/decide")
def decide(meeting_id: int) -> Response:
    """The principal's decision at the office meeting, after everyone has stated."""
    def step(m: Meeting, ms: Memberships, f: DecideForm) -> None:
        item = item_under_discussion(m)
        if outcomes.decide(db.session, current_user, ms, m, item, f.outcome.data, f.decision.data or "") is not None:
            flash(_("该议题属重大事项、重要问题，校长办公会议讨论通过后已提交党组织会议研究决定。"), "warning")
    return meeting_action(meeting_id, "meeting.decide", "decide", DecideForm(), step, _("决定已记录。"))


@bp.post("/decisions/meetings/<int:meeting_id>/defer")
def defer(meeting_id: int) -> Response:
    """The chair defers the current item (缓议)."""
    def step(m: Meeting, ms: Memberships, f: DeferForm) -> None:
        item = item_under_discussion(m)
        outcomes.defer_item(db.session, current_user, ms, m, item, f.reason.data or "")
    return meeting_action(meeting_id, "meeting.decide", "defer", DeferForm(), step, _("议题已缓议。"))
