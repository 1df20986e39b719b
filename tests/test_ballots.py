"""portal.ballots: keys, canonical ballots, the box digest and the tally."""
from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, strategies as st

from portal.ballots import (
    BallotError, box_digest, canonical_ballot, check_choices, new_ballot_key, parse_ballot, tally,
)

OPTIONS = ["yes", "no", "abstain"]


def test_keys_are_random_128_bit_hex() -> None:
    keys = {new_ballot_key() for _ in range(1000)}
    assert len(keys) == 1000
    assert all(len(k) == 32 and int(k, 16) >= 0 for k in keys)


def test_canonical_form_sorts_and_deduplicates() -> None:
    assert canonical_ballot(["c3", "c1", "c3"]) == "c1,c3"
    assert canonical_ballot("yes") == "yes"
    assert canonical_ballot([]) == ""
    assert parse_ballot("c1,c3") == ("c1", "c3")
    assert parse_ballot("") == ()
    for bad in (["a,b"], [""], ["x" * 41], ["赞成"], ["a\nb"]):
        with pytest.raises(BallotError):
            canonical_ballot(bad)


def test_digest_is_the_documented_sha256_and_ignores_order() -> None:
    ballots = ["yes", "no", "yes", ""]
    expected = hashlib.sha256("ballot-box v1\npoll:1\n\nno\nyes\nyes\n".encode()).hexdigest()
    assert box_digest(ballots, "poll:1") == expected
    shuffled = ballots[:]
    random.Random(4).shuffle(shuffled)
    assert box_digest(shuffled, "poll:1") == expected
    assert box_digest(ballots, "poll:2") != expected
    assert box_digest(["yes", "no", "no", ""], "poll:1") != expected
    with pytest.raises(ValueError):
        box_digest([], "a\nb")


def test_check_choices_limits() -> None:
    cands = [f"c{i}" for i in range(7)]
    assert check_choices(["c2", "c1"], cands, max_choices=5) == "c1,c2"
    assert check_choices([], cands, max_choices=5) == ""
    with pytest.raises(BallotError) as err:
        check_choices(cands[:6], cands, max_choices=5)
    assert err.value.params == {"max": 5, "chosen": 6}
    with pytest.raises(BallotError):
        check_choices(["c9"], cands, max_choices=5)
    with pytest.raises(BallotError):
        check_choices([], OPTIONS, max_choices=1, min_choices=1)


def test_tally_counts_every_option_and_empty_ballots() -> None:
    t = tally(["c1,c2", "", "c2"], ["c1", "c2", "c3"], max_choices=2)
    assert t.counts == {"c1": 1, "c2": 2, "c3": 0}
    assert (t.cast, t.empty) == (3, 1)
    with pytest.raises(BallotError):
        tally(["c1,c2,c3"], ["c1", "c2", "c3"], max_choices=2)


@given(st.lists(st.sets(st.sampled_from(["a", "b", "c", "d"]), max_size=2), max_size=60), st.randoms())
def test_tally_equals_naive_count_and_digest_is_order_free(boxes: list[set[str]], rnd: random.Random) -> None:
    ballots = [canonical_ballot(b) for b in boxes]
    t = tally(ballots, ["a", "b", "c", "d"], max_choices=2)
    for code in "abcd":
        assert t.counts[code] == sum(code in b for b in boxes)
    assert t.cast == len(boxes) and t.empty == sum(not b for b in boxes)
    shuffled = ballots[:]
    rnd.shuffle(shuffled)
    assert box_digest(shuffled, "x") == box_digest(ballots, "x")
