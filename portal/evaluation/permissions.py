"""Who may do what in democratic evaluation. The union (工会) runs it; raters are the term's
representatives on the day (or all staff). Once closed, the aggregates (never a breakdown
under five raters) go to those who rated, as the body that evaluates (MoE 32: the congress
民主评议 the school's leaders, so its representatives, or all staff when all staff rated), to
the Party committee that manages the cadres (the seed: 党组织 管干部), to the union that ran
it and to the discipline supervisor."""
from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from portal.auth.models import Role, User
from portal.auth.permissions import Context, holds, register, signed_in
from portal.evaluation.models import Evaluation, Raters, Status
from portal.evaluation.queries import OpenEvaluation
from portal.org.models import BodyKind, Office


def manages(user: User | None, ctx: Context) -> bool:
    return user is not None and (user.has_role(Role.UNION) or holds(user, ctx, Office.UNION_CHAIR))


def _manage(user: User | None, obj: object, ctx: Context) -> bool:
    return manages(user, ctx)


def _view(user: User | None, evaluation: Evaluation, ctx: Context) -> bool:
    return user is not None and (evaluation.status != Status.DRAFT.value or manages(user, ctx))


def visible_evaluations(user: User | None, ctx: Context) -> ColumnElement[bool]:
    """SQL: exactly the evaluations ``evaluation.view`` allows."""
    if user is None:
        return false()
    return true() if manages(user, ctx) else Evaluation.status != Status.DRAFT.value


def may_rate(user: User | None, evaluation: Evaluation | OpenEvaluation, ctx: Context) -> bool:
    """Open, and the person is a rater today (whether they already rated is the rule's to say)."""
    if user is None or not evaluation.is_open:
        return False
    if evaluation.raters == Raters.STAFF.value:
        return user.active
    return ctx.memberships.is_representative(user.id, evaluation.term_id)


def _results(user: User | None, evaluation: Evaluation, ctx: Context) -> bool:
    if user is None or not evaluation.is_closed:
        return False
    return manages(user, ctx) or user.has_role(Role.SUPERVISOR) or ctx.memberships.member_of(
        user.id, BodyKind.PARTY_COMMITTEE) or is_rater_body(user, evaluation, ctx)


def is_rater_body(user: User, evaluation: Evaluation, ctx: Context) -> bool:
    """One of the body that rates: all active staff, or the term's representatives on the day."""
    if evaluation.raters == Raters.STAFF.value:
        return user.active
    return ctx.memberships.is_representative(user.id, evaluation.term_id)


register("evaluation.list", signed_in)
register("evaluation.manage", _manage)
register("evaluation.view", _view, visible_evaluations)
register("evaluation.rate", may_rate)
register("evaluation.results", _results)
