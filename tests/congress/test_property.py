"""Hypothesis: over many random polls (motions and elections, named and secret, any rule),
the stored result equals a recount from the raw ballots, the digest equals the one
recomputed from the rows, and deactivating people or taking them off the roster after
close changes nothing."""
from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from portal.ballots import box_digest, tally
from portal.congress.models import Representative
from portal.congress.rules import polls
from portal.congress.rules.results import outcome
from portal.counting import passed
from portal.extensions import db
from tests.congress import factories as f

RULES = [(1, 2, False), (1, 2, True), (2, 3, False)]

poll_cases = st.fixed_dictionaries({
    "kind": st.sampled_from(["motion", "election"]),
    "secret": st.booleans(),
    "rule": st.sampled_from(RULES),
    "seats": st.integers(1, 4),
    "candidates": st.integers(4, 6),
    "present": st.integers(1, 15),
    "ballots": st.lists(st.integers(0, 2**16), min_size=0, max_size=15),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(case=poll_cases)
def test_stored_result_equals_recount_and_survives_later_changes(app, people, case):
    with app.app_context():
        union = f.user(db.session, "union")
        voters = [f.user(db.session, f"pr{i}") for i in range(1, 16)] if f.user_exists(db.session, "pr1") else \
            f.reps(db.session, 15, prefix="pr")
        cs = f.current_open_session(db.session, union)
        f.set_present(db.session, cs, voters[:case["present"]])
        names = tuple(f"候选人{i}" for i in range(case["candidates"]))
        poll = f.poll(db.session, union, cs, kind=case["kind"], secret=case["secret"], rule=case["rule"],
                      seats=case["seats"], candidates=names if case["kind"] == "election" else ())
        options = list(poll.options)
        present = voters[:case["present"]]
        for voter, seed in zip(present, case["ballots"]):
            if poll.is_motion:
                choice: list[str] = [options[seed % 3]]
            else:
                choice = [o for i, o in enumerate(options) if seed >> i & 1][:poll.seats]
            polls.cast_vote(db.session, voter, poll, choice)
        polls.close_poll(db.session, union, poll)
        db.session.commit()

        stored = polls.frozen_counts(db.session, poll)
        raw = polls.raw_ballots(db.session, poll)
        recount = tally(raw, options, poll.max_choices, 1 if poll.is_motion else 0)
        assert stored == recount.counts and poll.ballots_cast == recount.cast
        assert poll.digest == box_digest(raw, polls.box_context(poll))
        before = outcome(poll, stored)
        if poll.is_motion:
            from portal.congress.rules.results import motion_rules, present_for
            assert before.passed == passed(motion_rules(poll), poll.roster_size, min(present_for(poll), poll.roster_size),
                                           stored["yes"])

        # People leave and accounts are deactivated after close: the result stays.
        for voter in present[:3]:
            voter.active = False
            rep = db.session.scalar(select(Representative).where(Representative.user_id == voter.id))
            rep.left_on = date(2021, 1, 1)
        db.session.commit()
        db.session.expire_all()
        poll = db.session.get(type(poll), poll.id)
        after = outcome(poll, polls.frozen_counts(db.session, poll))
        assert (after.lines, after.passed, after.elected, after.tied) == \
            (before.lines, before.passed, before.elected, before.tied)
        for voter in present[:3]:  # back for the next example
            voter.active = True
            db.session.scalar(select(Representative).where(Representative.user_id == voter.id)).left_on = None
        db.session.commit()


@settings(max_examples=2000, deadline=None)
@given(seats=st.integers(1, 5), n_cand=st.integers(1, 8), roster=st.integers(1, 60), data=st.data(),
       rule=st.sampled_from(RULES))
def test_election_outcome_matches_a_naive_count(seats, n_cand, roster, data, rule):
    """Thousands of elections without a database: elected, tied and the rule as a naive reading says."""
    from fractions import Fraction

    from portal.congress.models import Candidate, Poll

    seats = min(seats, n_cand)
    present = data.draw(st.integers(0, roster))
    cast = data.draw(st.integers(0, present))
    poll = Poll(kind="election", seats=seats, rule_num=rule[0], rule_den=rule[1], rule_strict=rule[2],
                roster_size=roster, present_at_open=present, ballots_cast=cast)
    poll.candidates = [Candidate(id=i + 1, name=f"c{i}", position=i) for i in range(n_cand)]
    counts = {c.code: data.draw(st.integers(0, cast)) for c in poll.candidates}
    result = outcome(poll, counts)
    share = Fraction(rule[0], rule[1]) * cast
    ok = [c for c, n in counts.items() if cast and (n > share if rule[2] else n >= share)]
    quorum = present * 3 >= roster * 2
    if not quorum:
        assert result.elected == [] and result.tied == []
        return
    ok.sort(key=lambda c: -counts[c])
    if len(ok) <= seats:
        assert sorted(result.elected) == sorted(ok) and result.tied == []
    else:
        cutoff = counts[ok[seats - 1]]
        above = [c for c in ok if counts[c] > cutoff]
        at = [c for c in ok if counts[c] == cutoff]
        if len(above) + len(at) == seats:
            assert sorted(result.elected) == sorted(above + at)
        else:
            assert sorted(result.elected) == sorted(above) and sorted(result.tied) == sorted(at)
    assert len(result.elected) <= seats
