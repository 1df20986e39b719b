"""``proposal.view`` and its SQL listing agree on random proposals and people; each step of
the workflow has someone who may take it (no dead end)."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from portal.auth.permissions import Context, can, listing
from portal.proposals.models import PROPOSAL_FLOW, Cosign, Proposal, Status
from tests.disclosure.factories import user
from tests.proposals.factories import answered, assigned, reps, submitted

pytestmark = pytest.mark.usefixtures("people")


@pytest.mark.parametrize("seed", range(4))
def test_view_check_and_listing_agree(session, seed):
    rng = random.Random(seed)
    people = reps(session, 4) + [user(session, u) for u in ("staff", "union", "handler")]
    term_id = submitted(session).term_id
    rows = []
    for i in range(60):
        p = Proposal(term_id=term_id, title=f"p{i}", reason="r", measures="m", proposer_id=rng.choice(people).id,
                     status=rng.choice([s.value for s in Status]))
        session.add(p)
        rows.append(p)
    session.flush()
    for p in rows:
        for u in rng.sample(people, 2):
            if u.id != p.proposer_id:
                session.add(Cosign(proposal_id=p.id, user_id=u.id, status=rng.choice(["invited", "accepted"])))
    session.flush()
    ctx = Context.for_session(session)
    everything = session.scalars(select(Proposal)).all()
    for viewer in [None, *people]:
        listed = set(session.scalars(select(Proposal.id).where(listing(viewer, "proposal.view", ctx))))
        allowed = {p.id for p in everything if can(viewer, "proposal.view", p, ctx)}
        assert listed == allowed, getattr(viewer, "username", "anonymous")


def test_every_state_has_a_next_step_someone_may_take(session):
    ctx = Context.for_session(session)
    union, handler, proposer = user(session, "union"), user(session, "handler"), user(session, "rep")
    cases = {"submitted": (submitted(session, title="甲"), union), "assigned": (assigned(session, title="乙"), handler),
             "answered": (answered(session, title="丙"), proposer)}
    for state, (p, who) in cases.items():
        moves = [t for t in PROPOSAL_FLOW.actions(Status(state)) if t.target != t.source]
        assert moves and set(moves) <= set(PROPOSAL_FLOW.available(who, p, ctx)), state
    p = cases["submitted"][0]
    assert not can(user(session, "staff"), "proposal.review", p, ctx)
    assert not can(None, "proposal.view", p, ctx)
