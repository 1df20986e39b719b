"""Congress rules without HTTP: sessions, sign-in, the hall code, polls, every edge of
issue 8's "Bad input and edges", and DOMAIN.md's worked numbers through the counting module."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.ballots import BallotError, box_digest
from portal.congress.models import Participation, PollCount, SecretBallot
from portal.congress.rules import CongressError, polls, sessions
from portal.congress.rules.common import AlreadyVoted
from portal.congress.rules.results import outcome
from portal.errors import DomainError
from portal.counting import BodyKind, Threshold, default_rules, passed, quorum_met, quorum_needed, yes_needed
from tests.congress import factories as f

SECRET = b"test-secret-key"


@pytest.fixture
def union(session, people):
    return f.user(session, "union")


def _counts(session, poll) -> dict[str, int]:
    return polls.frozen_counts(session, poll)


# --- DOMAIN.md worked numbers for the congress ------------------------------------------

def test_congress_of_120_worked_numbers() -> None:
    rules = default_rules(BodyKind.CONGRESS)
    assert quorum_needed(rules, 120) == 80
    assert quorum_met(rules, 120, 80) and not quorum_met(rules, 120, 79)
    assert yes_needed(rules, 120, 80) == 60  # half of 120, inclusive, even with only 80 present
    assert passed(rules, 120, 80, 60) and not passed(rules, 120, 80, 59)
    import dataclasses
    from fractions import Fraction
    strict = dataclasses.replace(rules, majority=Threshold(Fraction(1, 2), strict=True))
    assert yes_needed(strict, 120, 80) == 61


def test_worked_numbers_through_a_poll(session, union) -> None:
    """120 on the roster, 80 present, 60 yes: passes; 59 yes: fails; strict rule needs 61."""
    people = f.reps(session, 119)  # + the fixture's "rep": 120
    cs = f.open_session(session, union)
    f.sign_in_all(session, cs, people[:80])
    for yes, rule, expect in ((60, (1, 2, False), True), (59, (1, 2, False), False), (60, (1, 2, True), False),
                              (61, (1, 2, True), True)):
        p = f.poll(session, union, cs, rule=rule)
        assert (p.roster_size, p.present_at_open) == (120, 80)
        for i, u in enumerate(people[:80]):
            polls.cast_vote(session, u, p, "yes" if i < yes else "no")
        polls.close_poll(session, union, p)
        result = outcome(p, _counts(session, p))
        assert result.passed is expect
        assert result.lines[0] == "应到 120 人，实到 80 人，已达到应到人数的三分之二以上（含本数），可以开会。"
        assert f"赞成 {yes} 票" in result.lines[1]


def test_fails_on_the_roster_rule_although_most_present_voted_yes(session, union) -> None:
    people = f.reps(session, 39)  # 40 on the roster
    cs = f.open_session(session, union)
    f.sign_in_all(session, cs, people[:28])
    p = f.poll(session, union, cs)
    for i, u in enumerate(people[:28]):
        polls.cast_vote(session, u, p, "yes" if i < 19 else "no")  # 19 of 28 present: 68 %
    polls.close_poll(session, union, p)
    result = outcome(p, _counts(session, p))
    assert result.passed is False
    assert "至少需 20 票" in result.lines[1]


def test_hall_quorum_worked_numbers() -> None:
    """MoE 32: the congress acts with two thirds of its representatives present (inclusive)."""
    assert polls.hall_quorum(120) == 80  # 79 is not enough
    assert polls.hall_quorum(40) == 27  # 2/3 of 40 = 26.67
    assert polls.hall_quorum(3) == 2 and polls.hall_quorum(1) == 1


def test_a_poll_opens_only_with_two_thirds_present(session, union) -> None:
    people = f.reps(session, 39)  # 40 on the roster
    cs = f.open_session(session, union)
    f.sign_in_all(session, cs, people[:26])  # 26 < 27
    p = f.poll(session, union, cs, opened=False)
    with pytest.raises(CongressError, match="应到 40 人，实到 26 人，须至少 27 人"):
        polls.open_poll(session, union, p)
    assert p.status == "draft" and p.opened_at is None
    sessions.sign_in(session, people[26], cs)
    polls.open_poll(session, union, p)
    assert (p.status, p.roster_size, p.present_at_open) == ("open", 40, 27)


def test_presence_dropping_below_quorum_before_close_carries_nothing(session, union) -> None:
    """27 of 40 open the poll and all vote yes; two leave before the close: 25 < 27, so the
    result says the hall fell below the quorum and the motion is not carried."""
    people = f.reps(session, 39)
    cs = f.open_session(session, union)
    f.sign_in_all(session, cs, people[:27])
    p = f.poll(session, union, cs)
    for u in people[:27]:
        polls.cast_vote(session, u, p, "yes")
    for u in people[:2]:
        sessions.record_presence(session, union, cs, u, "out", "离场")
    polls.close_poll(session, union, p)
    assert p.present_at_close == 25
    result = outcome(p, _counts(session, p))
    assert result.passed is False
    assert "结束表决时实到 25 人，已不足应到 40 人的三分之二（至少需 27 人），表决无效。" in result.lines
    assert result.lines[-1] == "未通过。"
    # The same poll with the hall still full at close passes.
    sessions.record_presence(session, union, cs, people[0], "in")
    sessions.record_presence(session, union, cs, people[1], "in")
    q = f.poll(session, union, cs)
    for u in people[:27]:
        polls.cast_vote(session, u, q, "yes")
    polls.close_poll(session, union, q)
    assert q.present_at_close == 27 and outcome(q, _counts(session, q)).passed is True


def test_an_election_whose_hall_fell_below_quorum_elects_nobody(session, union) -> None:
    people = f.reps(session, 2)  # 3 on the roster: 2 must be present
    cs = f.open_session(session, union)
    f.sign_in_all(session, cs, people)
    p = f.poll(session, union, cs, kind="election", seats=1, candidates=("甲", "乙"))
    for u in people:
        polls.cast_vote(session, u, p, [p.candidates[0].code])
    sessions.record_presence(session, union, cs, people[0], "out")
    polls.close_poll(session, union, p)
    result = outcome(p, _counts(session, p))
    assert result.elected == [] and any("表决无效" in line for line in result.lines)


# --- sign-in ----------------------------------------------------------------------------

def test_sign_in_and_presence_log(session, union) -> None:
    a, b = f.reps(session, 2)
    cs = f.open_session(session, union)
    sessions.sign_in(session, a, cs)
    with pytest.raises(CongressError, match="您已签到"):
        sessions.sign_in(session, a, cs)
    sessions.record_presence(session, union, cs, b, "in", "纸质签到")
    sessions.record_presence(session, union, cs, a, "out")
    p = sessions.presence(session, cs)
    assert p.now == [b.id] and sorted(p.ever) == sorted([a.id, b.id]) and p.roster_size == 3
    with pytest.raises(CongressError):
        sessions.record_presence(session, union, cs, a, "out")


def test_sign_in_refusals(session, union, people) -> None:
    (a,) = f.reps(session, 1)
    cs = sessions.create_session(session, union, f.term(session), date(2026, 3, 1), "礼堂")
    with pytest.raises(CongressError, match="尚未开始"):
        sessions.sign_in(session, a, cs)
    f.file_report(session, cs)
    sessions.open_session(session, union, cs)
    with pytest.raises(CongressError, match="不是"):
        sessions.sign_in(session, f.user(session, "staff"), cs)  # a non-representative
    (other,) = f.reps(session, 1, prefix="o", term_number=2)
    with pytest.raises(CongressError, match="不是"):
        sessions.sign_in(session, other, cs)  # another term's representative
    a.active = False
    with pytest.raises(CongressError, match="停用"):
        sessions.sign_in(session, a, cs)
    a.active = True
    sessions.close_session(session, union, cs)
    with pytest.raises(CongressError, match="已结束"):
        sessions.sign_in(session, a, cs)


def test_hall_code_rotates_every_30_seconds_and_the_previous_one_is_accepted(session, union) -> None:
    (a,) = f.reps(session, 1)
    cs = f.open_session(session, union, requires_hall_code=True)
    t0 = datetime(2026, 3, 1, 1, 0, 0)
    code = sessions.current_hall_code(SECRET, cs.id, t0)
    assert len(code) == 6 and code.isdigit()
    assert sessions.hall_code_valid(SECRET, cs.id, code, t0 + timedelta(seconds=31))  # previous window
    assert not sessions.hall_code_valid(SECRET, cs.id, code, t0 + timedelta(seconds=61))  # stale
    assert not sessions.hall_code_valid(b"other-secret", cs.id, code, t0)
    # Other sessions have codes of their own: over twenty windows, two sessions' codes differ
    # (a six-digit code may coincide by chance, once in a million windows).
    windows = [t0 + timedelta(seconds=30 * i) for i in range(20)]
    same = [w for w in windows if sessions.current_hall_code(SECRET, cs.id + 1, w) == sessions.current_hall_code(SECRET, cs.id, w)]
    assert len(same) <= 1
    assert not sessions.hall_code_valid(SECRET, cs.id + 1, code, t0) or len(same) == 1
    with pytest.raises(CongressError, match="签到码"):
        sessions.sign_in(session, a, cs, code=code, secret=SECRET, now=t0 + timedelta(seconds=90))  # stale code
    with pytest.raises(CongressError, match="签到码"):
        sessions.sign_in(session, a, cs, code="", secret=SECRET, now=t0)
    sessions.sign_in(session, a, cs, code=code, secret=SECRET, now=t0 + timedelta(seconds=5))
    assert sessions.is_present(session, cs, a.id)


def test_closing_a_session_with_an_open_poll_is_refused(session, union) -> None:
    f.reps(session, 2)
    cs = f.open_session(session, union)
    f.poll(session, union, cs)
    with pytest.raises(CongressError, match="正在进行的表决"):
        sessions.close_session(session, union, cs)


# --- votes: every edge ------------------------------------------------------------------

def test_vote_twice_secret_is_refused_and_changes_nothing(session, union) -> None:
    (a,) = f.reps(session, 1)
    cs = f.open_session(session, union)
    f.sign_in_all(session, cs, [a])
    p = f.poll(session, union, cs, secret=True)
    polls.cast_vote(session, a, p, "yes")
    with pytest.raises(AlreadyVoted, match="您已投票"):
        polls.cast_vote(session, a, p, "no")
    assert session.scalars(select(SecretBallot.choice).where(SecretBallot.poll_id == p.id)).all() == ["yes"]


def test_named_vote_may_change_until_close(session, union) -> None:
    (a,) = f.reps(session, 1)
    cs = f.open_session(session, union)
    f.sign_in_all(session, cs, [a])
    p = f.poll(session, union, cs)
    assert polls.cast_vote(session, a, p, "yes") == "cast"
    assert polls.cast_vote(session, a, p, "no") == "changed"
    polls.close_poll(session, union, p)
    assert _counts(session, p) == {"yes": 0, "no": 1, "abstain": 0}
    with pytest.raises(CongressError, match="已经结束"):
        polls.cast_vote(session, a, p, "yes")


def test_vote_refusals(session, union, people) -> None:
    a, b = f.reps(session, 2)
    (other,) = f.reps(session, 1, prefix="o", term_number=2)
    cs = f.open_session(session, union)
    sessions.sign_in(session, a, cs)
    p = f.poll(session, union, cs, opened=False)
    with pytest.raises(CongressError, match="尚未开始"):  # before open
        polls.cast_vote(session, a, p, "yes")
    assert b not in f.fill_quorum(session, union, cs)
    polls.open_poll(session, union, p)
    with pytest.raises(CongressError, match="请先签到"):  # not signed in
        polls.cast_vote(session, b, p, "yes")
    with pytest.raises(CongressError, match="不是"):  # a non-representative
        polls.cast_vote(session, f.user(session, "staff"), p, "yes")
    with pytest.raises(CongressError, match="不是"):  # another term's representative
        polls.cast_vote(session, other, p, "yes")
    a.active = False
    with pytest.raises(CongressError, match="停用"):  # deactivated
        polls.cast_vote(session, a, p, "yes")
    a.active = True
    for bad in ([], ["yes", "no"], ["maybe"], ["<script>"]):  # empty or malformed ballots
        with pytest.raises(BallotError):
            polls.cast_vote(session, a, p, bad)
    assert session.scalar(select(func.count()).select_from(Participation)) == 0
    polls.close_poll(session, union, p)
    with pytest.raises(CongressError, match="已经结束"):  # after close
        polls.cast_vote(session, a, p, "yes")
    with pytest.raises(CongressError, match="不能重复结束"):  # closing twice
        polls.close_poll(session, union, p)


def test_a_rep_who_left_the_roster_after_opening_may_not_vote(session, union) -> None:
    from portal.congress.models import Representative

    (a,) = f.reps(session, 1)
    cs = f.open_session(session, union)
    sessions.sign_in(session, a, cs)
    p = f.poll(session, union, cs)
    rep = session.scalar(select(Representative).where(Representative.user_id == a.id))
    rep.left_on = date(2021, 1, 1)
    session.flush()
    with pytest.raises(CongressError, match="不是"):
        polls.cast_vote(session, a, p, "yes")


def test_election_more_than_n_candidates_refused_fewer_allowed(session, union) -> None:
    people = f.reps(session, 3)
    cs = f.open_session(session, union)
    f.sign_in_all(session, cs, people)
    p = f.poll(session, union, cs, kind="election", seats=2, candidates=("甲", "乙", "丙"))
    c = [x.code for x in p.candidates]
    with pytest.raises(BallotError, match="最多可选 2 项"):
        polls.cast_vote(session, people[0], p, c)
    polls.cast_vote(session, people[0], p, [])  # every place left empty
    polls.cast_vote(session, people[1], p, c[:1])
    polls.cast_vote(session, people[2], p, c[:2])
    polls.close_poll(session, union, p)
    assert p.ballots_cast == 3 and _counts(session, p) == {c[0]: 2, c[1]: 1, c[2]: 0}


def test_editing_after_open_is_refused(session, union) -> None:
    f.reps(session, 1)
    cs = f.open_session(session, union)
    p = f.poll(session, union, cs)
    with pytest.raises(CongressError, match="不能再修改"):
        polls.update_poll(session, union, p, polls.PollSpec(title="改过的标题"))
    assert p.title == "关于绩效工资分配方案的表决"
    with pytest.raises(CongressError):
        polls.open_poll(session, union, p)  # opening twice


def test_poll_spec_refusals(session, union) -> None:
    cs = f.open_session(session, union)
    for spec in (polls.PollSpec(title=""), polls.PollSpec(title="x", kind="election"),
                 polls.PollSpec(title="x", kind="election", candidates=("甲",), seats=2),
                 polls.PollSpec(title="x", rule_num=3, rule_den=2), polls.PollSpec(title="x", rule_num=1, rule_den=1,
                                                                                  rule_strict=True)):
        with pytest.raises(CongressError):
            polls.create_poll(session, union, cs, spec)


def test_paper_counts_checked_against_those_present(session, union) -> None:
    people = f.reps(session, 39)
    cs = f.open_session(session, union)
    f.sign_in_all(session, cs, people[:30])
    p = f.poll(session, union, cs, paper=True)
    with pytest.raises(CongressError, match="网上表决|纸质"):
        polls.cast_vote(session, people[0], p, "yes")
    with pytest.raises(CongressError, match="超过在场人数 30 人"):
        polls.close_paper_poll(session, union, p, {"yes": 25, "no": 5, "abstain": 1})
    with pytest.raises(CongressError):
        polls.close_paper_poll(session, union, p, {"yes": -1, "no": 5, "abstain": 1})
    with pytest.raises(CongressError, match="录入计票结果"):
        polls.close_poll(session, union, p)
    polls.close_paper_poll(session, union, p, {"yes": 24, "no": 5, "abstain": 1})
    assert outcome(p, _counts(session, p)).passed is True
    with pytest.raises(CongressError, match="不能重复结束"):
        polls.close_paper_poll(session, union, p, {"yes": 24, "no": 5, "abstain": 1})


def test_paper_election_counts_checked(session, union) -> None:
    people = f.reps(session, 9)
    cs = f.open_session(session, union)
    f.sign_in_all(session, cs, people)
    p = f.poll(session, union, cs, kind="election", paper=True, seats=2, candidates=("甲", "乙", "丙"))
    c = [x.code for x in p.candidates]
    with pytest.raises(CongressError, match="超过在场人数"):
        polls.close_paper_poll(session, union, p, {c[0]: 1, c[1]: 1, c[2]: 0}, cast=11)
    with pytest.raises(CongressError, match="超过收回的选票数"):
        polls.close_paper_poll(session, union, p, {c[0]: 9, c[1]: 1, c[2]: 0}, cast=8)
    with pytest.raises(CongressError, match="乘应选人数"):
        polls.close_paper_poll(session, union, p, {c[0]: 8, c[1]: 8, c[2]: 8}, cast=8)
    polls.close_paper_poll(session, union, p, {c[0]: 8, c[1]: 5, c[2]: 3}, cast=8)
    assert outcome(p, _counts(session, p)).elected == [c[0], c[1]]  # 8 and 5 of 8 ballots; 丙's 3 is under half


def test_leave_and_replacement_are_dated_and_counts_use_the_day(session, union) -> None:
    from portal.congress.models import Representative
    from portal.congress.rules import roster_ids
    from portal.congress.rules.roster import enrol, record_leave

    (a,) = f.reps(session, 1)
    term = f.term(session)
    rep = session.scalar(select(Representative).where(Representative.user_id == a.id))
    with pytest.raises(DomainError):
        record_leave(session, union, rep, date(2019, 1, 1))  # before joining
    record_leave(session, union, rep, date(2025, 6, 30))
    with pytest.raises(DomainError, match="已于"):
        record_leave(session, union, rep, date(2025, 7, 1))
    b = f.make_user("replacement")
    enrol(session, union, term, b, date(2025, 7, 1))
    assert a.id in roster_ids(session, term.id, date(2025, 6, 30)) and b.id not in roster_ids(session, term.id, date(2025, 6, 30))
    assert a.id not in roster_ids(session, term.id, date(2025, 7, 1)) and b.id in roster_ids(session, term.id, date(2025, 7, 1))


def test_an_assembly_of_all_staff_has_the_whole_active_staff_as_its_roster(session, union, people) -> None:
    """教职工大会: anyone active signs in and votes; a deactivated account neither counts nor votes."""
    from portal.auth.models import User
    from portal.congress.rules import roster_ids

    term = sessions.create_term(session, union, 7, "2026年教职工大会", date(2026, 1, 1), date(2099, 12, 31), "assembly")
    teacher, gone = f.make_user("teacher-a"), f.make_user("teacher-b", active=False)
    active = session.scalar(select(func.count()).select_from(User).where(User.active.is_(True)))
    assert len(roster_ids(session, term.id, date(2026, 3, 1))) == active
    assert gone.id not in roster_ids(session, term.id, date(2026, 3, 1))
    cs = sessions.create_session(session, union, term, date(2026, 3, 1), "礼堂", work_report_required=False)
    sessions.open_session(session, union, cs)  # an extraordinary session needs no work report
    sessions.sign_in(session, teacher, cs)
    with pytest.raises(CongressError, match="停用"):
        sessions.sign_in(session, gone, cs)
    p = f.poll(session, union, cs)
    assert p.roster_size == active and p.present_at_open == polls.hall_quorum(active)
    polls.cast_vote(session, teacher, p, "yes")
    with pytest.raises(CongressError):
        sessions.create_term(session, union, 7, "重复", date(2026, 1, 1), date(2027, 1, 1))
    with pytest.raises(CongressError):
        sessions.create_term(session, union, 8, "倒置", date(2027, 1, 1), date(2026, 1, 1))
