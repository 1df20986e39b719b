"""Who may see and act on resolutions and meetings; the listing SQL agrees with the check."""
from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select

from portal.auth.models import User
from portal.auth.permissions import Context, can, listing
from portal.decisions import queries
from portal.decisions.models import CoOwner, Meeting, MeetingState, Resolution
from portal.extensions import db
from portal.timeutil import utcnow
from tests.decisions import factories as f


def test_resolution_listing_agrees_with_the_check_on_random_data(app, people):
    rng = random.Random(10)
    with app.app_context():
        s = db.session
        f.school(s)
        m, it = f.passed_item(s)
        users = s.scalars(select(User)).all()
        for i in range(40):
            res = Resolution(item_id=it.id, body="party", title=f"决议{i}", owner_id=rng.choice(users).id,
                             visibility=rng.choice(["public", "staff", "internal"]), decided_on=date(2026, 1, 1),
                             starts_on=date(2026, 1, 1))
            s.add(res)
            s.flush()
            if rng.random() < 0.3:
                s.add(CoOwner(resolution_id=res.id, user_id=rng.choice(users).id))
        s.commit()
        ctx = Context.for_session(s)
        everything = s.scalars(select(Resolution)).all()
        for viewer in [None, *users]:
            listed = set(s.scalars(select(Resolution.id).where(listing(viewer, "resolution.view", ctx))))
            allowed = {r.id for r in everything if can(viewer, "resolution.view", r, ctx)}
            assert listed == allowed, getattr(viewer, "username", None)


def test_sign_listing_agrees_with_the_check_and_gives_the_minutes_to_sign(app, people):
    """``meeting.sign`` and its listing agree on meetings with random recorders and
    supervisors; the to-do (queries.minutes_to_sign) lists a closed meeting until its
    keeper has signed."""
    rng = random.Random(11)
    with app.app_context():
        s = db.session
        f.school(s)
        users = s.scalars(select(User)).all()
        meetings = []
        for i in range(12):
            m = f.meeting(s, rng.choice(["party", "office"]), title=f"会议{i}")
            m.recorder_id, m.supervisor_id = rng.choice(users).id, rng.choice([None, rng.choice(users).id])
            meetings.append(m)
        s.flush()
        ctx = Context.for_session(s)
        for viewer in [None, *users]:
            listed = set(s.scalars(select(Meeting.id).where(listing(viewer, "meeting.sign", ctx))))
            allowed = {m.id for m in meetings if can(viewer, "meeting.sign", m, ctx)}
            assert listed == allowed, getattr(viewer, "username", None)
        assert any(can(u, "meeting.sign", m, ctx) for u in users for m in meetings)
        m = meetings[0]
        m.state = MeetingState.CLOSED.value
        keeper = s.get(User, m.recorder_id)
        assert m in queries.minutes_to_sign(s, keeper.id, listing(keeper, "meeting.sign", ctx))
        m.recorder_signed_at = utcnow()
        assert m not in queries.minutes_to_sign(s, keeper.id, listing(keeper, "meeting.sign", ctx)) \
            or m.supervisor_id == keeper.id


def test_agenda_setters_and_meeting_keepers(app, people):
    with app.app_context():
        s = db.session
        f.school(s)
        party = f.meeting(s, "party")
        office = f.meeting(s, "office", title="校长办公会")
        ctx = Context.for_session(s)
        sec, pri, rec, sup, lead = (f.user(s, n) for n in ("secretary", "principal", "recorder", "supervisor", "leader"))
        assert can(sec, "meeting.settle", party, ctx) and not can(pri, "meeting.settle", party, ctx)
        assert can(pri, "meeting.settle", office, ctx) and not can(sec, "meeting.settle", office, ctx)
        assert can(rec, "meeting.run", party, ctx) and not can(lead, "meeting.run", party, ctx)
        assert can(sup, "meeting.sign", party, ctx) and not can(sec, "meeting.sign", party, ctx)
        assert can(pri, "meeting.decide", office, ctx) and not can(rec, "meeting.decide", office, ctx)
        assert not can(f.user(s, "staff"), "meeting.view", party, ctx)
