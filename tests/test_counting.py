"""Quorum and majority without an app: DOMAIN.md's worked numbers, and the threshold is the
smallest count that satisfies its rule (Hypothesis). The CLI at the end uses an app."""
from __future__ import annotations

import dataclasses
import json
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal import counting
from portal.counting import Basis, BodyKind, CountingError, Threshold

PARTY = counting.default_rules(BodyKind.PARTY)
OFFICE = counting.default_rules("office")
CONGRESS = counting.default_rules(BodyKind.CONGRESS)
CONGRESS_MORE_THAN_HALF = dataclasses.replace(
    CONGRESS, majority=dataclasses.replace(CONGRESS.majority, strict=True)
)


# --- DOMAIN.md "Worked numbers" --------------------------------------------------------

def test_party_committee_of_7() -> None:
    assert counting.quorum_needed(PARTY, 7) == 4
    assert counting.quorum_met(PARTY, 7, 4)
    assert not counting.quorum_met(PARTY, 7, 3)  # 3 is not half
    assert counting.quorum_needed(PARTY, 7, cadre=True) == 5  # 2/3 of 7 is 4.67
    assert not counting.quorum_met(PARTY, 7, 4, cadre=True)
    assert counting.yes_needed(PARTY, 7) == 4  # 4 > 3.5
    # whatever the attendance: 7 should attend
    for present in range(4, 8):
        assert counting.yes_needed(PARTY, 7, present) == 4
        assert counting.passed(PARTY, 7, present, 4)
        assert not counting.passed(PARTY, 7, present, 3)


def test_party_committee_of_8() -> None:
    assert counting.quorum_needed(PARTY, 8) == 4
    assert counting.yes_needed(PARTY, 8) == 5  # 4 is not more than half
    assert not counting.passed(PARTY, 8, 8, 4)
    assert counting.passed(PARTY, 8, 8, 5)


def test_party_committee_of_9_six_present_four_yes_fails() -> None:
    assert counting.quorum_met(PARTY, 9, 6)
    assert counting.yes_needed(PARTY, 9, 6) == 5  # 5 > 4.5
    assert not counting.passed(PARTY, 9, 6, 4)


def test_congress_of_120() -> None:
    assert counting.quorum_needed(CONGRESS, 120) == 80
    assert counting.quorum_met(CONGRESS, 120, 80)
    assert not counting.quorum_met(CONGRESS, 120, 79)
    assert counting.yes_needed(CONGRESS, 120) == 60  # half of 120, inclusive
    assert counting.yes_needed(CONGRESS, 120, 80) == 60  # even when only 80 are present
    assert counting.passed(CONGRESS, 120, 80, 60)
    assert not counting.passed(CONGRESS, 120, 80, 59)
    assert not counting.passed(CONGRESS, 120, 79, 79)  # no quorum, no valid vote


def test_congress_with_the_schools_more_than_half_rule() -> None:
    assert counting.yes_needed(CONGRESS_MORE_THAN_HALF, 120) == 61
    assert not counting.passed(CONGRESS_MORE_THAN_HALF, 120, 80, 60)
    assert counting.passed(CONGRESS_MORE_THAN_HALF, 120, 80, 61)


def test_office_meeting_counts_those_present_and_is_advisory() -> None:
    assert counting.quorum_needed(OFFICE, 6) == 3
    assert counting.yes_needed(OFFICE, 6) is None  # depends on attendance
    assert counting.yes_needed(OFFICE, 6, 4) == 3
    assert counting.yes_needed(OFFICE, 6, 5) == 3
    assert OFFICE.majority_advisory
    assert "不表决" in counting.describe(OFFICE, 6) and "赞成票" not in counting.describe(OFFICE, 6, 4)


# --- describe() ------------------------------------------------------------------------

def test_describe_states_the_rule_and_the_figures() -> None:
    text = counting.describe(CONGRESS, 120, 80, 60)
    assert "三分之二以上（含本数）" in text and "至少 80 人" in text
    assert "应到 120 人，实到 80 人，已达到应到人数的三分之二以上（含本数），可以开会" in text
    assert "半数以上（含本数）" in text and "通过。" in text
    text = counting.describe(CONGRESS, 120, 79, 60)
    assert "不能开会" in text and "表决无效" in text
    text = counting.describe(PARTY, 9, 6, 4)
    assert "超过应到人数的半数" in text and "赞成 4 票（至少需 5 票）" in text and "未通过" in text
    assert "干部任免" in counting.describe(PARTY, 7, cadre=True)


def test_describe_is_translatable_sentence_by_sentence() -> None:
    seen: list[str] = []

    def translate(msgid: str) -> str:
        seen.append(msgid)
        return msgid

    counting.describe(PARTY, 7, 5, 4, translate=translate)
    assert "%(" in "".join(seen)  # message ids keep their named parameters
    assert all("7" not in msgid for msgid in seen)  # figures are parameters, never baked in
    shout = counting.describe(PARTY, 7, 5, 4, translate=lambda s: s.replace("通过", "PASS"))
    assert "PASS" in shout


def test_odd_fractions_have_words() -> None:
    rule = Threshold(Fraction(5, 7), strict=False)
    assert counting.rule_phrase(rule) == "达到应到人数的7 分之 5以上（含本数）"


# --- bad figures -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "members, present, yes",
    [(0, None, None), (-1, None, None), (7, 8, None), (7, -1, None), (7, 5, 6), (7, 5, -1), (7, None, 8)],
)
def test_impossible_figures_are_refused_in_chinese(members: int, present: int | None, yes: int | None) -> None:
    with pytest.raises(CountingError) as info:
        counting.check_figures(members, present, yes)
    assert "人" in str(info.value) or "票" in str(info.value)


def test_unsatisfiable_thresholds_are_refused() -> None:
    with pytest.raises(ValueError):
        Threshold(Fraction(0), strict=False)
    with pytest.raises(ValueError):
        Threshold(Fraction(3, 2), strict=False)
    with pytest.raises(ValueError):
        Threshold(Fraction(1), strict=True)
    with pytest.raises(ValueError):
        dataclasses.replace(PARTY, quorum=Threshold(Fraction(1, 2), strict=False, basis=Basis.PRESENT))


# --- the threshold is the smallest count satisfying the rule ---------------------------------

def _satisfies(count: int, rule: Threshold, base: int) -> bool:
    """The rule, written out directly in exact rationals (independent of smallest_count)."""
    limit = rule.fraction * base
    return count > limit if rule.strict else count >= limit


fractions = st.builds(
    Fraction, st.integers(min_value=1, max_value=100), st.integers(min_value=1, max_value=100)
).filter(lambda f: f <= 1)


@given(
    base=st.integers(min_value=0, max_value=100_000),
    fraction=fractions,
    strict=st.booleans(),
    basis=st.sampled_from(list(Basis)),
)
def test_threshold_is_the_smallest_count_meeting_the_rule(
    base: int, fraction: Fraction, strict: bool, basis: Basis
) -> None:
    if strict and fraction == 1:
        return
    rule = Threshold(fraction, strict=strict, basis=basis)
    k = counting.smallest_count(rule, base)
    assert _satisfies(k, rule, base)
    assert k == 0 or not _satisfies(k - 1, rule, base)
    assert 0 <= k <= base + 1 and (k <= base or base == 0)


# DOMAIN.md's default rules, written out in integers for each body (independent of
# portal.counting's thresholds): (quorum, important-matters quorum, motion passes).
def _party(members: int, present: int, yes: int) -> tuple[bool, bool, bool]:
    # 半数以上到会 (inclusive); 干部任免等重要事项三分之二以上; 赞成票超过应到会委员半数 (strict, roster)
    return present * 2 >= members, present * 3 >= members * 2, yes * 2 > members


def _office(members: int, present: int, yes: int) -> tuple[bool, bool, bool]:
    # 半数以上成员到会, for every item; the majority view gathered is of those present
    return present * 2 >= members, present * 2 >= members, yes * 2 > present


def _congress(members: int, present: int, yes: int) -> tuple[bool, bool, bool]:
    # 三分之二以上代表出席; 代表总数半数以上赞成 (inclusive, against the whole roster)
    return present * 3 >= members * 2, present * 3 >= members * 2, yes * 2 >= members


DOMAIN_RULES = {BodyKind.PARTY: _party, BodyKind.OFFICE: _office, BodyKind.CONGRESS: _congress}


def test_the_written_out_rules_give_domain_md_s_worked_numbers() -> None:
    """The oracle below is itself checked against DOMAIN.md's figures."""
    assert _party(7, 4, 4) == (True, False, True) and _party(7, 3, 3)[0] is False and _party(7, 5, 3)[1:] == (True, False)
    assert _party(8, 4, 4) == (True, False, False) and _party(8, 8, 5)[2]
    assert _party(9, 6, 4) == (True, True, False) and _party(9, 6, 5)[2]
    assert _congress(120, 80, 60) == (True, True, True) and _congress(120, 79, 79)[0] is False
    assert _congress(120, 80, 59)[2] is False


@given(
    kind=st.sampled_from(list(BodyKind)),
    members=st.integers(min_value=1, max_value=500),
    data=st.data(),
)
def test_outcomes_agree_with_the_rules_written_out(kind: BodyKind, members: int, data: st.DataObject) -> None:
    rules = counting.default_rules(kind)
    present = data.draw(st.integers(min_value=0, max_value=members))
    yes = data.draw(st.integers(min_value=0, max_value=present))
    cadre = data.draw(st.booleans())
    rule = DOMAIN_RULES[kind]
    quorum, important_quorum, majority = rule(members, present, yes)
    has_quorum = important_quorum if cadre else quorum
    assert counting.quorum_met(rules, members, present, cadre) == has_quorum
    assert counting.passed(rules, members, present, yes, cadre) == (has_quorum and majority)
    # the thresholds are the smallest figures the written-out rule accepts
    assert counting.quorum_needed(rules, members, cadre) == min(
        p for p in range(members + 1) if rule(members, p, 0)[1 if cadre else 0])
    assert counting.yes_needed(rules, members, present) == min(
        y for y in range(members + 2) if rule(members, present, y)[2])
    counting.describe(rules, members, present, yes, cadre)  # never raises on valid figures


# --- the command -------------------------------------------------------------------------

@pytest.fixture()
def cli():
    from portal import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    return app.test_cli_runner()


def _json(cli, *args: str) -> dict:
    result = cli.invoke(args=["thresholds", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_command_congress_120(cli) -> None:
    out = _json(cli, "--body", "congress", "--members", "120", "--present", "80", "--yes", "60")
    assert out["quorum_met"] is True and out["passed"] is True
    assert out["quorum_needed"] == 80 and out["yes_needed"] == 60
    assert "三分之二" in out["rule"]
    out = _json(cli, "--body", "congress", "--members", "120", "--present", "79", "--yes", "60")
    assert out["quorum_met"] is False and out["passed"] is False


def test_command_without_attendance_leaves_unknowns_null(cli) -> None:
    out = _json(cli, "--body", "party", "--members", "7", "--cadre")
    assert out["quorum_needed"] == 5 and out["yes_needed"] == 4
    assert out["quorum_met"] is None and out["passed"] is None
    out = _json(cli, "--body", "office", "--members", "6")
    assert out["quorum_needed"] == 3 and out["yes_needed"] is None and out["passed"] is None


def test_command_in_words(cli) -> None:
    result = cli.invoke(args=["thresholds", "--body", "party", "--members", "9", "--present", "6", "--yes", "4"])
    assert result.exit_code == 0
    assert "至少 5 人到会" in result.output and "未通过" in result.output


@pytest.mark.parametrize(
    "args, words",
    [
        (["--members", "0"], "应到人数"),
        (["--members", "7", "--present", "8"], "实到人数"),
        (["--members", "7", "--present", "5", "--yes", "6"], "赞成票"),
        (["--members", "abc"], "不是整数"),
    ],
)
def test_command_refuses_bad_figures_without_a_traceback(cli, args: list[str], words: str) -> None:
    result = cli.invoke(args=["thresholds", "--body", "party", *args])
    assert result.exit_code != 0
    assert words in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (ValueError, TypeError))


def test_english_catalogue_translates_every_sentence() -> None:
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parent.parent / "portal/translations/en/LC_MESSAGES/messages.po"
    with po.open("rb") as f:
        catalog = read_po(f)

    def english(msgid: str) -> str:
        message = catalog.get(msgid)
        assert message is not None and message.string, f"no English for {msgid!r}"
        return str(message.string)

    for rules, args in [(CONGRESS, (120, 79, 60)), (PARTY, (9, 6, 4)), (PARTY, (7, 7, 7)), (OFFICE, (6, None, None))]:
        text = counting.describe(rules, *args, cadre=True, translate=english)
        assert not re.search(r"[\u4e00-\u9fff]", text), text
    error = CountingError(counting.N_("应到人数须至少为 1 人（现为 %(members)d）。"), members=0)
    assert error.render(english) == "The number of members must be at least 1 (it is 0)."
