"""Who may try what with proposals. Being a representative is the term's roster on the day,
answering follows the department head (``Department.head_id``), reviewing and assigning is
the union's (the proposal committee). Finer refusals (one's own, twice, the wrong
department, a third rating) are the rules' own, each with its message.

``proposal.view`` comes with :func:`visible_proposals`, the SQL that lists exactly what the
check allows (tests/proposals/test_permissions.py shows they agree). Submitted proposals,
answers and ratings are published to staff (DOMAIN.md §2, step 7); a draft is seen by its
proposer and by those asked to co-sign it; visitors see nothing.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select

from portal.auth.models import Role, User
from portal.auth.permissions import Context, register
from portal.proposals.models import Cohandler, Cosign, CosignStatus, Proposal, Status


def _invited(user: User) -> ColumnElement[bool]:
    return Proposal.id.in_(select(Cosign.proposal_id).where(Cosign.user_id == user.id))


def _view(user: User | None, proposal: Proposal, ctx: Context) -> bool:
    if user is None:
        return False
    if not proposal.is_draft or proposal.proposer_id == user.id:
        return True
    return ctx.memberships.session.scalar(select(Cosign.id).where(
        Cosign.proposal_id == proposal.id, Cosign.user_id == user.id)) is not None


def visible_proposals(user: User | None, ctx: Context) -> ColumnElement[bool]:
    """SQL: exactly the proposals ``proposal.view`` allows this user."""
    if user is None:
        return false()
    return or_(Proposal.status != Status.DRAFT.value, Proposal.proposer_id == user.id, _invited(user))


def _signed_in(user: User | None, obj: Any, ctx: Context) -> bool:
    return user is not None


def _may_propose(user: User | None, obj: Any, ctx: Context) -> bool:
    """A representative on a current term's roster today."""
    return user is not None and ctx.memberships.is_representative(user.id)


def _edit(user: User | None, proposal: Proposal, ctx: Context) -> bool:
    return user is not None and proposal.is_draft and user.id == proposal.proposer_id


def _cosign(user: User | None, proposal: Proposal, ctx: Context) -> bool:
    """A representative of the proposal's term who can see it (the proposer too: the rule
    then says one cannot co-sign one's own)."""
    return user is not None and ctx.memberships.is_representative(user.id, proposal.term_id) \
        and _view(user, proposal, ctx)


def _union(user: User | None, obj: Any, ctx: Context) -> bool:
    return user is not None and user.has_role(Role.UNION)


def _review(user: User | None, proposal: Proposal, ctx: Context) -> bool:
    return _union(user, proposal, ctx) and not proposal.is_draft


def _handler(user: User | None, proposal: Proposal, ctx: Context) -> bool:
    """A department head, on a proposal in handling (the rule says whether their
    department is the one assigned)."""
    return user is not None and bool(ctx.memberships.heads(user.id)) and \
        proposal.status in (Status.ASSIGNED.value, Status.ANSWERED.value, Status.CLOSED.value)


def _part(user: User | None, proposal: Proposal, ctx: Context) -> bool:
    if user is None or not ctx.memberships.heads(user.id):
        return False
    return ctx.memberships.session.scalar(select(Cohandler.id).where(
        Cohandler.proposal_id == proposal.id, Cohandler.department_id.in_(sorted(ctx.memberships.heads(user.id))))
    ) is not None


def _rate(user: User | None, proposal: Proposal, ctx: Context) -> bool:
    """The proposer rates the answer (a second time after a returned first round: the rule says
    when the rating is final)."""
    return user is not None and user.id == proposal.proposer_id and \
        proposal.status in (Status.ANSWERED.value, Status.CLOSED.value)


def _proposer(user: User | None, proposal: Proposal, ctx: Context) -> bool:
    return user is not None and user.id == proposal.proposer_id


def _decline(user: User | None, proposal: Proposal, ctx: Context) -> bool:
    """Someone invited to co-sign who has not answered yet."""
    return user is not None and ctx.memberships.session.scalar(select(Cosign.id).where(
        Cosign.proposal_id == proposal.id, Cosign.user_id == user.id,
        Cosign.status == CosignStatus.INVITED.value)) is not None


register("proposal.list", _signed_in)
register("proposal.create", _may_propose)
register("proposal.view", _view, visible_proposals)
register("proposal.edit", _edit)
register("proposal.submit", _edit)
register("proposal.cosign", _cosign)
register("proposal.review", _review)
register("proposal.assign", _review)
register("proposal.answer", _handler)
register("proposal.part", _part)
register("proposal.rate", _rate)
register("proposal.decline", _decline)
register("proposal.invitations", _proposer)  # whom the proposer invited, and their answers
