"""Issue 20.3: one default for the office meeting's quorum (the seeds': 半数以上 of the
administrative team, no two-thirds rule), kept a setting of the procedure; ``thresholds``
takes the school's settings or a stored procedure, never states a vote for the office meeting
nor 干部任免 for the congress. Worked numbers, no HTTP."""
from __future__ import annotations

import json
from datetime import date
from fractions import Fraction

import pytest

from portal import counting
from portal.decisions.rules import meetings as meeting_rules
from portal.decisions.rules import procedure as pr
from tests.decisions import factories as f
from tests.decisions.factories import ms


def test_the_office_meeting_has_one_default_half_and_no_two_thirds(session, people):
    office = pr.adopt_procedure(session, None, "office", adopted_on=date(2026, 9, 1))
    party = pr.adopt_procedure(session, None, "party", adopted_on=date(2026, 9, 1))
    assert (office.quorum_num, office.quorum_den, office.important_num, office.important_den) == (1, 2, 1, 2)
    assert (party.quorum_num, party.quorum_den, party.important_num, party.important_den) == (1, 2, 2, 3)
    rules = pr.counting_rules(office)
    assert rules == counting.default_rules("office")  # the same default as `thresholds --body office`
    # an administrative team of 6: 3 present convene it, for an important item too
    assert counting.quorum_needed(rules, 6) == counting.quorum_needed(rules, 6, cadre=True) == 3


def test_an_important_office_item_goes_ahead_with_half_present(session, people):
    school = f.school(session)
    it = f.item(session, "office", "校园安防监控系统升级", important=True, two_thirds=True)
    f.agree(session, it)
    m = f.settled(session, "office", [it])
    for name in ("a1", "a2", "a3"):  # 3 of 6 present
        meeting_rules.set_attendance(session, school["principal"], ms(session), m, school[name], "absent", "出差")
    count = meeting_rules.attendance_count(m, ms(session), it)
    assert (count.members, count.present, count.quorum_needed, count.quorum_met) == (6, 3, 3, True)


def test_a_school_may_still_set_its_own_office_quorum(session, people):
    office = pr.adopt_procedure(session, None, "office", adopted_on=date(2026, 9, 1), important=(2, 3))
    assert counting.quorum_needed(pr.counting_rules(office), 6, cadre=True) == 4


def test_the_office_meeting_states_no_vote_threshold():
    lines = counting.describe_rule(counting.default_rules("office"), 6, cadre=True)
    assert not any("赞成票" in line or "干部任免" in line for line in lines)
    assert any("不表决" in line for line in lines)
    assert counting.describe_result(counting.default_rules("office"), 6, 4, yes=3) == \
        counting.describe_result(counting.default_rules("office"), 6, 4)


def test_the_congress_never_speaks_of_cadre_appointments():
    assert not any("干部任免" in line for line in counting.describe_rule(counting.default_rules("congress"), 120,
                                                                         cadre=True))


@pytest.mark.parametrize("text,value", [("1/2", Fraction(1, 2)), ("2/3", Fraction(2, 3)), ("1", Fraction(1))])
def test_parse_fraction(text, value):
    assert counting.parse_fraction(text) == value


@pytest.mark.parametrize("text", ["0", "3/2", "abc", "1/0", "-1/2"])
def test_parse_fraction_refuses(text):
    with pytest.raises(counting.CountingError):
        counting.parse_fraction(text)


def test_with_settings_worked_numbers():
    congress = counting.with_settings(counting.default_rules("congress"), strict=True)  # 过半数
    assert counting.yes_needed(congress, 120) == 61
    present = counting.with_settings(counting.default_rules("party"), basis=counting.Basis.PRESENT)
    assert counting.yes_needed(present, 7, 5) == 3  # more than half of 5 present
    with pytest.raises(counting.CountingError, match="不表决"):
        counting.with_settings(counting.default_rules("office"), majority=Fraction(1, 2))
    with pytest.raises(counting.CountingError):
        counting.with_settings(counting.default_rules("party"), majority=Fraction(1), strict=True)


# --- the command ------------------------------------------------------------------------

def _run(app, *args: str):
    return app.test_cli_runner().invoke(args=["thresholds", *args])


def test_command_takes_the_schools_settings(app):
    out = json.loads(_run(app, "--body", "congress", "--members", "120", "--present", "90", "--yes", "60",
                          "--strict", "--json").output)
    assert out["yes_needed"] == 61 and out["passed"] is False
    out = json.loads(_run(app, "--body", "party", "--members", "7", "--present", "5", "--yes", "3",
                          "--of", "present", "--json").output)
    assert out["yes_needed"] == 3 and out["passed"] is True
    out = json.loads(_run(app, "--body", "party", "--members", "9", "--quorum", "2/3", "--fraction", "2/3",
                          "--inclusive", "--json").output)
    assert out["quorum_needed"] == 6 and out["yes_needed"] == 6


def test_command_office_states_no_vote(app):
    result = _run(app, "--body", "office", "--members", "6", "--cadre")
    assert result.exit_code == 0 and "至少 3 人到会" in result.output
    assert "赞成票" not in result.output and "干部任免" not in result.output
    assert json.loads(_run(app, "--body", "office", "--members", "6", "--json").output)["votes"] is False
    for args in (["--yes", "3", "--present", "5"], ["--fraction", "1/2"]):
        refused = _run(app, "--body", "office", "--members", "6", *args)
        assert refused.exit_code == 2 and "不表决" in refused.output


def test_command_congress_refuses_cadre(app):
    result = _run(app, "--body", "congress", "--members", "120", "--cadre")
    assert result.exit_code == 2 and "只用于党组织会议" in result.output


def test_command_uses_a_stored_procedure(app, session, people):
    proc = pr.adopt_procedure(session, None, "party", adopted_on=date(2026, 9, 1), majority=(2, 3, False))
    session.commit()
    out = json.loads(_run(app, "--procedure", str(proc.id), "--members", "7", "--json").output)
    assert out["body"] == "party" and out["yes_needed"] == 5
    missing = _run(app, "--procedure", "999", "--members", "7")
    assert missing.exit_code == 2 and "没有编号为 999" in missing.output
    assert _run(app, "--members", "7").exit_code == 2
