"""Hypothesis: over many random polls (motions and elections, named and secret, any rule),
the stored counts equal the test's own count of the choices it cast, the outcome is what
DOMAIN.md's rules (written out here, not taken from ``portal.counting``) give, the digest
equals the one recomputed from the rows, and deactivating people or taking them off the
roster after close changes nothing."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from sqlalchemy import select

import pytest

from portal.ballots import box_digest
from portal.congress.models import Representative
from portal.congress.rules import CongressError, polls
from portal.congress.rules.results import outcome
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
    "lean": st.integers(0, 16),  # motions: how many sixteenths of the ballots say yes, roughly
})


def motion_case(present: int, yes: int, rule: tuple[int, int, bool]) -> dict:
    """A motion with exactly ``yes`` yes votes among ``present`` ballots (the rest abstain)."""
    return {"kind": "motion", "secret": False, "rule": rule, "seats": 1, "candidates": 4, "present": present,
            "ballots": [0] * yes + [1] * (present - yes), "lean": 1}


# The edges of DOMAIN.md's rules for a roster of 16 (examples always run): quorum is 11
# present (10 is not two thirds); half or more is 8 yes, more than half 9, two thirds 11.
EDGES = [motion_case(11, 8, (1, 2, False)), motion_case(10, 10, (1, 2, False)), motion_case(15, 7, (1, 2, False)),
         motion_case(12, 8, (1, 2, True)), motion_case(12, 9, (1, 2, True)),
         motion_case(13, 10, (2, 3, False)), motion_case(13, 11, (2, 3, False))]


def _examples(cases: list[dict]):
    def apply(test):
        for case in reversed(cases):
            test = example(case=case)(test)
        return test
    return apply


EDGE_EXAMPLES = _examples(EDGES)


# The term's roster while these polls run: the fixture's "rep" and the fifteen voters.
ROSTER = 16


def congress_quorum(present: int, roster: int) -> bool:
    """DOMAIN.md: a session convenes with at least two thirds of the term's representatives."""
    return present * 3 >= roster * 2


def motion_passes(yes: int, present: int, roster: int, rule: tuple[int, int, bool]) -> bool:
    """DOMAIN.md: yes votes from the rule's share of *all* representatives (default half or
    more, inclusive; "more than half" when strict), and only with a quorum."""
    num, den, strict = rule
    enough = yes * den > num * roster if strict else yes * den >= num * roster
    return congress_quorum(present, roster) and enough


def naive_election(counts: dict[str, int], seats: int, cast: int, present: int, roster: int,
                   rule: tuple[int, int, bool]) -> tuple[list[str], list[str]]:
    """Elected and tied as a plain reading of the rules: a quorum, then a candidate needs the
    rule's share of the ballots cast; the most votes win the seats; a tie across the last
    seat is a tie (nobody in it is elected)."""
    from fractions import Fraction

    if not congress_quorum(present, roster):
        return [], []
    share = Fraction(rule[0], rule[1]) * cast
    ok = sorted((c for c, n in counts.items() if cast and (n > share if rule[2] else n >= share)), key=lambda c: -counts[c])
    if len(ok) <= seats:
        return sorted(ok), []
    cutoff = counts[ok[seats - 1]]
    above = [c for c in ok if counts[c] > cutoff]
    at = [c for c in ok if counts[c] == cutoff]
    if len(above) + len(at) == seats:
        return sorted(above + at), []
    return sorted(above), sorted(at)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(case=poll_cases)
@EDGE_EXAMPLES
def test_stored_result_equals_recount_and_survives_later_changes(app, people, case):
    with app.app_context():
        union = f.user(db.session, "union")
        voters = [f.user(db.session, f"pr{i}") for i in range(1, 16)] if f.user_exists(db.session, "pr1") else \
            f.reps(db.session, 15, prefix="pr")
        cs = f.current_open_session(db.session, union)
        f.set_present(db.session, cs, voters[:case["present"]])
        names = tuple(f"候选人{i}" for i in range(case["candidates"]))
        poll = f.poll(db.session, union, cs, kind=case["kind"], secret=case["secret"], rule=case["rule"],
                      seats=case["seats"], candidates=names if case["kind"] == "election" else (), opened=False)
        if not congress_quorum(case["present"], ROSTER):  # MoE 32: no vote without two thirds present
            with pytest.raises(CongressError, match="到会代表不足"):
                polls.open_poll(db.session, union, poll)
            assert poll.status == "draft"
            db.session.commit()
            return
        polls.open_poll(db.session, union, poll)
        options = list(poll.options)
        present = voters[:case["present"]]
        chosen: list[list[str]] = []  # what the test itself cast, ballot by ballot
        for voter, seed in zip(present, case["ballots"]):
            if poll.is_motion:
                choice: list[str] = ["yes" if seed % 16 < case["lean"] else ("no", "abstain")[seed % 2]]
            else:
                choice = [o for i, o in enumerate(options) if seed >> i & 1][:poll.seats]
            polls.cast_vote(db.session, voter, poll, choice)
            chosen.append(choice)
        polls.close_poll(db.session, union, poll)
        db.session.commit()

        # counted by hand from the choices made above, not by the code under test
        expected = {o: sum(o in c for c in chosen) for o in options}
        stored = polls.frozen_counts(db.session, poll)
        assert stored == expected and poll.ballots_cast == len(chosen)
        assert poll.roster_size == ROSTER and poll.present_at_open == case["present"]
        raw = polls.raw_ballots(db.session, poll)
        assert poll.digest == box_digest(raw, polls.box_context(poll))
        before = outcome(poll, stored)
        if poll.is_motion:
            assert before.passed == motion_passes(expected["yes"], case["present"], ROSTER, case["rule"])
        else:
            assert (sorted(before.elected), sorted(before.tied)) == naive_election(
                expected, poll.seats, len(chosen), case["present"], ROSTER, case["rule"])

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
    from portal.congress.models import Candidate, Poll

    seats = min(seats, n_cand)
    present = data.draw(st.integers(0, roster))
    cast = data.draw(st.integers(0, present))
    poll = Poll(kind="election", seats=seats, rule_num=rule[0], rule_den=rule[1], rule_strict=rule[2],
                roster_size=roster, present_at_open=present, ballots_cast=cast)
    poll.candidates = [Candidate(id=i + 1, name=f"c{i}", position=i) for i in range(n_cand)]
    counts = {c.code: data.draw(st.integers(0, cast)) for c in poll.candidates}
    result = outcome(poll, counts)
    elected, tied = naive_election(counts, seats, cast, present, roster, rule)
    assert (sorted(result.elected), sorted(result.tied)) == (elected, tied)
    assert len(result.elected) <= seats
