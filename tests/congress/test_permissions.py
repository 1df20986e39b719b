"""Who may do what at the congress, from memberships on the day: the union role or the
工会主席 seat runs it; only the session term's representatives sign in and vote."""
from __future__ import annotations

from datetime import date

from portal.auth.permissions import Context, can
from portal.congress.rules import polls
from portal.extensions import db
from portal.org.models import BodyKind, BodyMember
from portal.org.rules import body_of
from tests.congress import factories as f
from tests.conftest import ROLES


def test_who_runs_signs_in_votes_and_reads(app, people):
    with app.app_context():
        union = f.user(db.session, "union")
        (other,) = f.reps(db.session, 1, prefix="o", term_number=2)
        cs = f.open_session(db.session, union)
        motion = f.poll(db.session, union, cs)
        draft = f.poll(db.session, union, cs, secret=True, opened=False)
        ctx = Context.for_session(db.session)
        for role in ROLES:
            u = f.user(db.session, role)
            assert can(u, "congress.manage", cs, ctx) is (role == "union"), role
            assert can(u, "congress.sign_in", cs, ctx) is (role == "rep"), role
            assert can(u, "congress.vote", motion, ctx) is (role == "rep"), role
            assert can(u, "congress.voter", motion, ctx) is (role == "rep"), role
            assert can(u, "congress.poll.view", draft, ctx) is (role == "union"), role
            assert can(u, "congress.poll.view", motion, ctx)
        assert not can(other, "congress.vote", motion, ctx)  # another term's representative
        assert not can(None, "congress.poll.view", motion, ctx)
        polls.close_poll(db.session, union, motion)
        assert not can(f.user(db.session, "rep"), "congress.vote", motion, ctx)  # closed
        # still a voter of the poll: a vote sent now reaches the rule, which says it closed
        assert can(f.user(db.session, "rep"), "congress.voter", motion, ctx)
        assert not can(other, "congress.voter", motion, ctx)
        assert not can(None, "congress.poll.view", motion, ctx)
        polls.set_results_public(db.session, union, motion, True)
        assert can(None, "congress.poll.view", motion, ctx)


def test_the_union_chair_seat_runs_the_congress(app, people):
    with app.app_context():
        teacher = f.user(db.session, "staff")
        ctx = Context.for_session(db.session)
        assert not can(teacher, "congress.manage", None, ctx)
        body = body_of(db.session, BodyKind.UNION_COMMITTEE)
        db.session.add(BodyMember(body_id=body.id, user_id=teacher.id, seat="chair", title="工会主席",
                                  starts_on=date(2020, 1, 1)))
        db.session.flush()
        assert can(teacher, "congress.manage", None, Context.for_session(db.session))
