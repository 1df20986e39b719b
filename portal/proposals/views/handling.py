"""A proposal's page and its steps after submission: review (立案 / 并案 / 转为意见建议),
assignment (交办), the answer and co-handlers' parts, the proposer's rating; the printable
proposal form (提案表); and the to-dos of representatives, handlers and the union."""
from __future__ import annotations

from flask import Response, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.models import Role, User
from portal.pagecache import reader_page, versioned
from portal.auth.permissions import Context
from portal.extensions import db
from portal.i18n import N_
from portal.proposals import queries, rules
from portal.proposals.forms import AnswerForm, AssignForm, PartForm, RateForm, ReviewForm
from portal.proposals.models import Proposal, Status
from portal.proposals.views import bp
from portal.proposals.views.common import load_proposal, proposal_context, step
from portal.registry import Todo
from portal.timeutil import to_local
from portal.web import render


@bp.get("/proposals/<int:proposal_id>")
@reader_page()
def show(proposal_id: int) -> Response:
    """The proposal: its text, co-signers, review, assignment, answers, parts and ratings,
    with the step this reader may take next."""
    proposal = load_proposal(proposal_id)
    return render("proposals/show.html", **proposal_context(proposal))


@bp.get("/proposals/<int:proposal_id>/print")
def print_form(proposal_id: int) -> Response:
    """提案表: the proposal as one printable sheet for the archive."""
    proposal = load_proposal(proposal_id)
    return render("proposals/print.html", **proposal_context(proposal))


@bp.post("/proposals/<int:proposal_id>/review")
def review(proposal_id: int) -> Response:
    """The proposal committee reviews: accept, merge into another, or turn into an opinion."""
    form = ReviewForm()

    def apply(p: Proposal) -> None:
        decision = form.decision.data
        if decision == "accept":
            rules.accept(db.session, current_user, p)
        elif decision == "merge":
            target = db.session.get(Proposal, form.target_id.data) if form.target_id.data else None
            rules.merge(db.session, current_user, p, target, form.reason.data or "")
        elif decision == "to_opinion":
            rules.to_opinion(db.session, current_user, p, form.reason.data or "")
        else:
            raise rules.ProposalError(N_("请选择审查意见。"))

    return step(proposal_id, "proposal.review", form, apply, _("审查意见已记录。"))


@bp.post("/proposals/<int:proposal_id>/assign")
def assign(proposal_id: int) -> Response:
    """交办 to a lead department and optional co-handlers, with a deadline."""
    form = AssignForm()
    by_id = queries.departments_by_id(db.session)
    form.lead_id.choices = [("", "—"), *((d.id, d.name) for d in by_id.values())]
    form.cohandler_ids.choices = [(d.id, d.name) for d in by_id.values()]

    def apply(p: Proposal) -> None:
        rules.assign(db.session, current_user, p, by_id.get(form.lead_id.data or 0),
                     [by_id[i] for i in form.cohandler_ids.data or [] if i in by_id], form.deadline.data)

    return step(proposal_id, "proposal.assign", form, apply, _("已交办。"))


@bp.post("/proposals/<int:proposal_id>/answer")
def answer(proposal_id: int) -> Response:
    """The head of the lead department answers this round."""
    form = AnswerForm()

    def apply(p: Proposal) -> None:
        rules.answer(db.session, current_user, p, form.answer_class.data or "", form.explanation.data or "")

    return step(proposal_id, "proposal.answer", form, apply, _("答复已提交，提案人将收到评价提醒。"))


@bp.post("/proposals/<int:proposal_id>/part")
def part(proposal_id: int) -> Response:
    """A co-handling department adds its part."""
    form = PartForm()

    def apply(p: Proposal) -> None:
        rules.add_part(db.session, current_user, p, form.text.data or "")

    return step(proposal_id, "proposal.part", form, apply, _("协办意见已提交。"))


@bp.post("/proposals/<int:proposal_id>/rate")
def rate(proposal_id: int) -> Response:
    """The proposer rates the answer (不满意 once returns it for another round)."""
    form = RateForm()

    def apply(p: Proposal) -> None:
        rules.rate(db.session, current_user, p, form.rating.data or "", form.comment.data or "")

    return step(proposal_id, "proposal.rate", form, apply, _("评价已记录。"))


# --- to-dos on the dashboard ----------------------------------------------------------------

def proposal_todos(user: User, ctx: Context) -> list[Todo]:
    """Invitations to co-sign, answers to rate; for the union what to review, assign and
    chase; for department heads what to answer or co-handle (overdue ones flagged). No
    query while nothing changed: the facts are kept per data version."""
    facts = versioned("proposals.todos", lambda: queries.todo_facts(db.session))
    today = to_local(ctx.now).date()
    todos: list[Todo] = []

    def link(pid: int) -> str:
        return url_for("proposals.show", proposal_id=pid)

    mine = [f for f in facts if f.who == user.id]
    for f in mine:
        if f.kind == "invited":
            todos.append(Todo(_("请附议提案：%(title)s", title=f.title), link(f.proposal_id)))
        elif f.kind == "rate":
            todos.append(Todo(_("请评价提案答复：%(title)s", title=f.title), link(f.proposal_id)))
    for f in sorted((f for f in mine if f.kind == "answer"), key=lambda f: f.deadline or today):
        late = f.deadline is not None and today > f.deadline
        text = _("逾期未答复：%(title)s", title=f.title) if late else _("请答复提案：%(title)s", title=f.title)
        todos.append(Todo(text, link(f.proposal_id), warn=late))
    parts = len({f.proposal_id for f in mine if f.kind == "part"})
    if parts:
        todos.append(Todo(_("%(n)s 件提案请贵部门协办", n=parts), url_for("proposals.register", status="assigned"), parts))
    if user.has_role(Role.UNION):
        for kind, status, text in (("review", Status.SUBMITTED, N_("%(n)s 件提案待审查")),
                                   ("assign", Status.ACCEPTED, N_("%(n)s 件已立案提案待交办"))):
            n = sum(1 for f in facts if f.kind == kind)
            if n:
                todos.append(Todo(_(text, n=n), url_for("proposals.register", status=status.value), n))
        unresolved = sum(1 for f in facts if f.kind == "unresolved")
        if unresolved:
            todos.append(Todo(_("%(n)s 件提案两轮答复后提案人仍不满意，请提案工作委员会研究", n=unresolved),
                              url_for("proposals.register", status=Status.CLOSED.value, rating="dissatisfied"),
                              unresolved, warn=True))
        overdue = sum(1 for f in facts if f.kind == "answer" and f.deadline is not None and today > f.deadline)
        if overdue:
            todos.append(Todo(_("%(n)s 件提案逾期未答复", n=overdue), url_for("proposals.register", overdue="y"),
                              overdue, warn=True))
    return todos
