"""``consultation.view`` and its SQL listing agree on random consultations and people; a
staff-only consultation is nobody's outside the staff, and anonymous authors are seen only
by the organisers."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.auth.permissions import Context, can, listing
from portal.consultations import queries, rules
from portal.consultations.models import Consultation, Status
from portal.congress.models import CongressTerm
from portal.timeutil import utcnow
from tests.consultations.factories import opened
from tests.disclosure.factories import user

pytestmark = pytest.mark.usefixtures("people")


@pytest.mark.parametrize("seed", range(4))
def test_view_check_and_listing_agree(session, seed):
    rng = random.Random(seed)
    people = [user(session, u) for u in ("staff", "rep", "union", "leader", "secretary", "admin", "handler")]
    for p in people:
        p.is_party_member = rng.random() < 0.5
    term = session.scalar(select(CongressTerm))
    rows = []
    for i in range(60):
        c = Consultation(title=f"c{i}", audience=rng.choice(["staff", "reps", "party"]),
                         status=rng.choice([s.value for s in Status]), organiser_id=rng.choice(people).id,
                         term_id=rng.choice([None, term.id]), closes_at=utcnow() + timedelta(days=rng.randint(-5, 5)))
        session.add(c)
        rows.append(c)
    session.flush()
    ctx = Context.for_session(session)
    for viewer in [None, *people]:
        listed = set(session.scalars(select(Consultation.id).where(listing(viewer, "consultation.view", ctx))))
        allowed = {c.id for c in rows if can(viewer, "consultation.view", c, ctx)}
        assert listed == allowed, getattr(viewer, "username", "anonymous")


@pytest.mark.parametrize("seed", range(4))
def test_comment_check_and_listing_agree(session, seed):
    """``consultation.comment`` and its listing (what the dashboard's to-do lists) agree on
    random consultations in every window: draft, open, past the closing time, summarised."""
    rng = random.Random(seed)
    people = [user(session, u) for u in ("staff", "rep", "union", "leader", "secretary", "admin", "handler")]
    for p in people:
        p.is_party_member = rng.random() < 0.5
    term = session.scalar(select(CongressTerm))
    rows = []
    for i in range(60):
        c = Consultation(title=f"c{i}", audience=rng.choice(["staff", "reps", "party"]),
                         status=rng.choice([s.value for s in Status]), organiser_id=rng.choice(people).id,
                         term_id=rng.choice([None, term.id]),
                         closes_at=rng.choice([None, utcnow() + timedelta(days=rng.randint(-5, 5), minutes=7)]))
        session.add(c)
        rows.append(c)
    session.flush()
    ctx = Context.for_session(session)
    for viewer in [None, *people]:
        listed = set(session.scalars(select(Consultation.id).where(listing(viewer, "consultation.comment", ctx))))
        allowed = {c.id for c in rows if can(viewer, "consultation.comment", c, ctx)}
        assert listed == allowed, getattr(viewer, "username", "anonymous")
    assert any(can(p, "consultation.comment", c, ctx) for p in people for c in rows)  # not all refused


def test_the_dashboard_lists_what_a_reader_may_comment_on_until_they_have(session):
    c = opened(session, title="食堂承包合同（征求意见稿）")
    ctx = Context.for_session(session)
    staff = user(session, "staff")
    todo = queries.awaiting_comment(session, staff.id, listing(staff, "consultation.comment", ctx))
    assert [(t.id, t.title) for t in todo] == [(c.id, "食堂承包合同（征求意见稿）")]
    rules.comment(session, staff, c, "建议公开招标。", False)
    assert queries.awaiting_comment(session, staff.id, listing(staff, "consultation.comment", ctx)) == []
    union = user(session, "union")
    assert queries.awaiting_comment(session, union.id, listing(union, "consultation.comment", ctx)) == []


def test_nobody_may_see_an_anonymous_author(session):
    """No check grants it, organisers included: there is no such permission to grant."""
    from portal.auth.permissions import RULES

    c = opened(session, organiser="leader")
    ctx = Context.for_session(session)
    assert not [action for action in RULES if action.startswith("consultation.") and "author" in action]
    assert not can(None, "consultation.view", c, ctx)


def test_reps_consultation_only_for_the_roster_and_organisers(session):
    c = opened(session, audience="reps")
    ctx = Context.for_session(session)
    assert can(user(session, "rep"), "consultation.comment", c, ctx)
    assert not can(user(session, "staff"), "consultation.view", c, ctx)
    assert can(user(session, "union"), "consultation.view", c, ctx)


def test_draft_seen_only_by_its_organiser(session):
    c = rules.create_draft(session, user(session, "leader"), title="草稿", body_md="x", audience="staff",
                           closes_on=(utcnow() + timedelta(days=3)).date())
    ctx = Context.for_session(session)
    assert can(user(session, "leader"), "consultation.view", c, ctx)
    assert not can(user(session, "union"), "consultation.view", c, ctx)
    assert not can(user(session, "staff"), "consultation.view", c, ctx)
