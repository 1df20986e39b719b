"""Polls: the union drafts, opens and closes them (paper polls with the tellers' counts) and
marks results public; representatives vote; everyone allowed reads the result with its rule
and figures. Before close no page shows more than how many have voted."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import lazyload

from portal.auth import permissions
from portal.congress import queries
from portal.congress.forms import (
    LABELS, OPTION_LABELS, ElectionVoteForm, MotionVoteForm, PollForm, PublishForm, paper_form, parse_rule, rule_code,
)
from portal.congress.models import NamedVote, Poll
from portal.congress.rules import polls as rules
from portal.congress.rules.common import AlreadyVoted
from portal.congress.rules.results import election_threshold
from portal.congress.rules.sessions import is_present
from portal.congress.views import bp
from portal.congress.views.sessions import load_session
from portal.extensions import db, write_intent
from portal.formutil import options
from portal.pagecache import reader_page
from portal.web import FormInvalid, attempt, begin_write, into_main, redirect_to, render, require_valid, writes_late


def load_poll(poll_id: int, action: str = "congress.poll.view", options: tuple[Any, ...] = ()) -> Poll:
    poll = db.session.get(Poll, poll_id, options=options) or abort(404)
    permissions.require(action, poll)
    return poll


def _spec(form: PollForm) -> rules.PollSpec:
    num, den, strict = parse_rule(form.rule.data or "default", form.kind.data or "motion")
    return rules.PollSpec(
        title=form.title.data or "", kind=form.kind.data or "motion", secret=form.secret.data, paper=form.paper.data,
        seats=form.seats.data or 1, candidates=tuple((form.candidates.data or "").splitlines()),
        rule_num=num, rule_den=den, rule_strict=strict)


def _poll_form(poll: Poll | None = None) -> PollForm:
    form = PollForm(formdata=None)
    if poll is not None:
        form.title.data, form.kind.data, form.secret.data, form.paper.data = poll.title, poll.kind, poll.secret, poll.paper
        form.seats.data = poll.seats
        form.candidates.data = "\n".join(c.name for c in poll.candidates)
        form.rule.data = rule_code(poll.rule_num, poll.rule_den, poll.rule_strict)
    return form


def _option_pairs(poll: Poll) -> list[tuple[str, str]]:
    if poll.is_motion:
        return [(code, str(OPTION_LABELS[code])) for code in poll.options]
    return [(c.code, c.name) for c in poll.candidates]


def _vote_form(poll: Poll, submitted: bool = False) -> FlaskForm:
    """The ballot; with the posted choices when ``submitted``."""
    cls = MotionVoteForm if poll.is_motion else ElectionVoteForm
    form: FlaskForm = cls() if submitted else cls(formdata=None)
    form.choice.choices = options(_option_pairs(poll))
    return form


def poll_context(poll: Poll, **extra: Any) -> dict[str, Any]:
    """Everything the poll page and its fragments need; counts only once the poll closed."""
    user_id: int = current_user.id if current_user.is_authenticated else 0
    manage = permissions.can(current_user, "congress.manage", poll)
    voted = bool(user_id) and rules.has_voted(db.session, poll, user_id)
    my_choice = None
    if voted and not poll.secret:
        vote = db.session.get(NamedVote, (poll.id, user_id))
        my_choice = vote.choice.split(",") if vote and vote.choice else []
    may_vote = permissions.can(current_user, "congress.vote", poll)
    vote_form = extra.pop("vote_form", None)
    if vote_form is None and may_vote and not (voted and poll.secret):
        vote_form = _vote_form(poll)
        if my_choice is not None:
            vote_form.choice.data = my_choice[0] if poll.is_motion and my_choice else my_choice
    paper = extra.pop("paper_form", None)
    if paper is None and manage and poll.paper and poll.is_open:
        paper = paper_form(_option_pairs(poll), not poll.is_motion)(formdata=None)
    named_votes: list[NamedVote] = []
    if poll.is_closed and not poll.secret and not poll.paper:
        named_votes = queries.named_votes(db.session, poll)
    people = queries.users_by_id(db.session, [v.user_id for v in named_votes])
    return {
        "poll": poll, "cs": poll.session, "manage": manage, "labels": LABELS, "voted": voted, "my_choice": my_choice,
        "may_vote": may_vote, "vote_form": vote_form, "cast": rules.ballots_cast(db.session, poll),
        "present_now": bool(user_id) and is_present(db.session, poll.session, user_id),
        "signed_in": queries.signed_in_to_vote(db.session, poll) if poll.is_open else 0,
        "result": queries.result_of(db.session, poll, _), "counts": rules.frozen_counts(db.session, poll),
        "option_pairs": _option_pairs(poll), "paper_form": paper, "edit_form": extra.pop("edit_form", None) or (
            _poll_form(poll) if manage and poll.is_draft else None),
        "publish_form": PublishForm(formdata=None, public=poll.results_public) if manage and poll.is_closed else None,
        "named_votes": named_votes, "people": people, "threshold": election_threshold(poll),
        **extra,
    }


@bp.post("/sessions/<int:session_id>/polls")
def create_poll(session_id: int) -> Response:
    """Draft a motion or an election in this session (union)."""
    cs = load_session(session_id, "congress.manage")
    form = PollForm()
    with attempt() as done:
        require_valid(form)
        poll = rules.create_poll(db.session, current_user, cs, _spec(form))
    if done:
        flash(_("已添加表决事项“%(title)s”。", title=poll.title), "success")
        return redirect_to(url_for("congress.show_poll", poll_id=poll.id))
    done.flash()
    return redirect_to(url_for("congress.show_session", session_id=cs.id) + "#new-poll")


@bp.get("/polls/<int:poll_id>")
@reader_page()
def show_poll(poll_id: int) -> Response:
    """A poll: the ballot for representatives, ballots cast against the frozen roster while
    open, and after close the counts, the rule, the figures and the ballot-box digest."""
    poll = load_poll(poll_id)
    return render("congress/poll.html", **poll_context(poll))


@bp.post("/polls/<int:poll_id>/edit")
def edit_poll(poll_id: int) -> Response:
    """Change a draft poll (union); refused once it opened."""
    poll = load_poll(poll_id, "congress.manage")
    form = PollForm()
    with attempt() as done:
        require_valid(form)
        rules.update_poll(db.session, current_user, poll, _spec(form))
    if done:
        flash(_("表决事项已保存。"), "success")
        return redirect_to(url_for("congress.show_poll", poll_id=poll.id))
    return render("congress/poll.html", block="poll_edit", status=done.status,
                  **poll_context(poll, edit_form=form, edit_error=done.error))


@bp.post("/polls/<int:poll_id>/open")
def open_poll(poll_id: int) -> Response:
    """Open the poll, freezing the eligible roster and the number present (union)."""
    poll = load_poll(poll_id, "congress.manage")
    with attempt() as done:
        rules.open_poll(db.session, current_user, poll)
    done.flash(_("表决已开始：应到 %(roster)d 人，实到 %(present)d 人。", roster=poll.roster_size or 0,
                 present=poll.present_at_open or 0))
    return redirect_to(url_for("congress.show_poll", poll_id=poll.id))


@bp.post("/polls/<int:poll_id>/close")
def close_poll(poll_id: int) -> Response:
    """Close an online poll: counts frozen, digest computed and written to the audit chain."""
    poll = load_poll(poll_id, "congress.manage")
    with attempt() as done:
        rules.close_poll(db.session, current_user, poll)
    done.flash(_("表决已结束，结果如下。"))
    return redirect_to(url_for("congress.show_poll", poll_id=poll.id))


@bp.post("/polls/<int:poll_id>/paper")
def close_paper(poll_id: int) -> Response:
    """Enter a paper poll's counts and close it; counts beyond those present are refused."""
    poll = load_poll(poll_id, "congress.manage")
    form = paper_form(_option_pairs(poll), not poll.is_motion)()
    with attempt() as done:
        require_valid(form)
        counts = {code: getattr(form, f"n_{code}").data for code, _label in _option_pairs(poll)}
        rules.close_paper_poll(db.session, current_user, poll, counts, None if poll.is_motion else form.ballots.data)
    if done:
        flash(_("计票结果已录入，表决已结束。"), "success")
        return redirect_to(url_for("congress.show_poll", poll_id=poll.id))
    return render("congress/poll.html", block="paper", status=done.status,
                  **poll_context(poll, paper_form=form, paper_error=done.error))


@bp.post("/polls/<int:poll_id>/vote")
@writes_late
def vote(poll_id: int) -> Response:
    """Cast (or, for a named vote, change) one's vote; a second secret ballot, also from two
    requests at once, is answered "您已投票" and changes nothing. A vote that arrives once the
    poll is no longer open (the union closed it meanwhile) gets the rule's reason, and the
    whole page as it now is, not a bare 403.

    When the whole hall votes at once every vote queues for the write lock, so the lock is
    held for the rule alone: the account, the poll, the permission and the form are read
    before it (``writes_late``), the rule reads again under it what can change, and a vote
    taken is answered with the ballot block from what is known (nothing counted or read again)."""
    # The candidates are read only for an election (a motion's options are fixed), and before the lock.
    poll = load_poll(poll_id, options=(lazyload(Poll.candidates),))
    if not poll.is_motion:
        db.session.refresh(poll, ["candidates"])
    permissions.require("congress.voter", poll)  # who; whether it is still open is the rule's
    # Every posted value goes to the rule, which checks them against the poll: a motion ballot
    # with two choices is refused there, not quietly read as its first one. No form object:
    # the one field needs no more, and CSRFProtect has checked the token of every POST.
    choices = request.form.getlist("choice")
    voted_already = False
    with attempt() as done:
        if poll.is_motion and not choices:
            raise FormInvalid(_("请选择赞成、反对或弃权。"))
        begin_write(expire=False)
        try:
            outcome = rules.cast_vote(db.session, current_user, poll, choices)
        except AlreadyVoted:
            voted_already = True
            raise
    if done:
        return render("congress/poll.html", block="ballot", **_taken_context(poll, outcome, choices))
    write_intent.set(False)  # the answer below only reads
    if voted_already and poll.secret:  # a second secret ballot: the block says so, as after the first
        return render("congress/poll.html", block="ballot", status=done.status,
                      **_taken_context(poll, "refused", choices, error=done.error))
    ctx = poll_context(poll, vote_error=done.error)
    if not poll.is_open:  # its state changed under the ballot: the page head too
        return into_main(render("congress/poll.html", block="content", status=done.status, **ctx))
    return render("congress/poll.html", block="ballot", status=done.status, **ctx)


def _taken_context(poll: Poll, outcome: str, choices: list[str], error: str | None = None) -> dict[str, Any]:
    """The ballot block once a vote was taken: the thanks, and for a named vote the ballot
    again with the choice made (it may be changed until close); or, with ``error``, a second
    secret ballot refused. Built from what the request already holds; the figures are left
    out (the page shows them when loaded)."""
    vote_form = None
    if not poll.secret:
        vote_form = _vote_form(poll)
        vote_form.choice.data = (choices[0] if choices else None) if poll.is_motion else choices
    return {
        "poll": poll, "cs": poll.session, "voted": True, "may_vote": True, "present_now": True,
        "vote_form": vote_form, "cast": None, "signed_in": None, "result": None,
        "vote_done": None if error else _("已修改您的投票。") if outcome == "changed" else _("投票成功，谢谢。"),
        "vote_error": error,
    }


@bp.post("/polls/<int:poll_id>/publish")
def publish(poll_id: int) -> Response:
    """Mark a closed poll's result public, or take it off the public pages (union)."""
    poll = load_poll(poll_id, "congress.manage")
    form = PublishForm()
    with attempt() as done:
        rules.set_results_public(db.session, current_user, poll, bool(form.public.data))
    done.flash(_("结果已向社会公开。") if form.public.data else _("结果仅在校内可见。"))
    return redirect_to(url_for("congress.show_poll", poll_id=poll.id))
