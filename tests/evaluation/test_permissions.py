"""``evaluation.view`` and its SQL listing agree on random evaluations and people; who may
see results follows membership."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.auth.permissions import Context, can, listing
from portal.evaluation.models import Evaluation, Status
from tests.conftest import make_user

pytestmark = pytest.mark.usefixtures("people")


@pytest.mark.parametrize("seed", range(3))
def test_view_check_and_listing_agree(session, seed):
    rng = random.Random(seed)
    creator = session.scalar(select(User).where(User.username == "union"))
    for i in range(30):
        session.add(Evaluation(title=f"e{i}", period="2026", status=rng.choice(list(Status)).value,
                               created_by_id=creator.id))
    session.flush()
    ctx = Context.for_session(session)
    everyone = [None, *session.scalars(select(User))]
    for person in everyone:
        allowed = {e.id for e in session.scalars(select(Evaluation)) if can(person, "evaluation.view", e, ctx)}
        listed = set(session.scalars(select(Evaluation.id).where(listing(person, "evaluation.view", ctx))))
        assert allowed == listed, getattr(person, "username", None)


def test_results_go_to_the_raters_the_party_committee_the_union_and_the_supervisor(session):
    """Issue 21.4: the representatives who rated (the congress evaluates), the Party committee,
    the union and the supervisor; for an evaluation by all staff, every active member of staff."""
    from tests.congress import factories as cf

    creator = session.scalar(select(User).where(User.username == "union"))
    term = cf.term(session)
    closed = Evaluation(title="e", period="2026", status=Status.CLOSED.value, created_by_id=creator.id,
                        raters="reps", term_id=term.id)
    session.add(closed)
    session.flush()
    ctx = Context.for_session(session)
    who = {u.username for u in session.scalars(select(User)) if can(u, "evaluation.results", closed, ctx)}
    assert who == {"union", "secretary", "supervisor", "rep"}
    closed.raters = "staff"
    who = {u.username for u in session.scalars(select(User)) if can(u, "evaluation.results", closed, ctx)}
    assert who == {u.username for u in session.scalars(select(User).where(User.active.is_(True)))}
    closed.raters = "reps"
    closed.status = Status.OPEN.value
    assert not any(can(u, "evaluation.results", closed, ctx) for u in session.scalars(select(User)))
    assert make_user("x").id and not can(None, "evaluation.results", closed, ctx)
