"""Who may do what at the congress. The union (工会: the union role, or the seat of 工会主席
on the day) runs sessions and polls; representatives of the session's term sign in and
vote; staff read sessions and results; the public reads results the union marked public.

Nobody, administrators included, is given any permission that shows a secret poll's split
before it closes: no such view exists (counts are frozen only at close).
"""
from __future__ import annotations

from typing import Any

from portal.auth.models import Role, User
from portal.auth.permissions import Context, holds, register, signed_in
from portal.congress.models import CongressSession, Poll, PollStatus, SessionStatus
from portal.org.models import Office


def runs_congress(user: User | None, obj: Any = None, ctx: Context | None = None) -> bool:
    """The union: its role, or the 工会主席 seat on the day."""
    if user is None:
        return False
    if user.has_role(Role.UNION):
        return True
    return ctx is not None and holds(user, ctx, Office.UNION_CHAIR)


def _rep_of(user: User | None, cs: CongressSession, ctx: Context) -> bool:
    """On the session's term's roster today (for a 教职工大会, every active member of staff)."""
    return user is not None and ctx.memberships.is_representative(user.id, cs.term_id)


def _sign_in(user: User | None, cs: CongressSession, ctx: Context) -> bool:
    return cs.status == SessionStatus.OPEN.value and _rep_of(user, cs, ctx)


def _vote(user: User | None, poll: Poll, ctx: Context) -> bool:
    return poll.status == PollStatus.OPEN.value and not poll.paper and _rep_of(user, poll.session, ctx)


def _view_poll(user: User | None, poll: Poll, ctx: Context) -> bool:
    if user is None:
        return poll.status == PollStatus.CLOSED.value and poll.results_public
    return poll.status != PollStatus.DRAFT.value or runs_congress(user, poll, ctx)


def principals_office(user: User | None, obj: Any = None, ctx: Context | None = None) -> bool:
    """The principal's office files the work report and answers opinions on it: the
    principal's seat on the day, or the recorders (党政办) acting for the principal."""
    if user is None:
        return False
    return user.has_role(Role.RECORDER) or (ctx is not None and holds(user, ctx, Office.PRINCIPAL))


def _opine(user: User | None, cs: CongressSession, ctx: Context) -> bool:
    return cs.status != SessionStatus.CLOSED.value and _rep_of(user, cs, ctx)


register("congress.list", signed_in)
register("congress.session.view", signed_in)
register("congress.manage", runs_congress)
register("congress.sign_in", _sign_in)
register("congress.vote", _vote)
register("congress.poll.view", _view_poll)
register("congress.results.public", lambda user, obj, ctx: True)
register("congress.work_report.file", principals_office)
register("congress.work_report.answer", principals_office)
register("congress.work_report.opine", _opine)
