"""Democratic evaluation without HTTP: who may rate, once; anonymity of the stored ratings;
frozen counts; no breakdown under five raters (DOMAIN.md §2)."""
from __future__ import annotations

import secrets

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.ballots import box_digest
from portal.evaluation import queries, rules
from portal.evaluation.models import EvaluationRater, EvaluationRating, Grade
from portal.evaluation.rules import EvaluationError
from portal.extensions import db
from tests.conftest import make_user
from tests.evaluation.factories import evaluation, reps

ALL_GOOD = Grade.EXCELLENT.value


def grades_for(ev, grade: str = ALL_GOOD, session=None) -> dict[int, str]:
    return {s.id: grade for s in queries.subjects_of(session or db.session, ev)}


def test_a_representative_rates_once(session, people):
    principal = make_user("p2", {"leader"})
    ev = evaluation(session, principal)
    (rep,) = reps(session, 1)
    rules.rate(session, rep, ev, grades_for(ev))
    with pytest.raises(EvaluationError, match="每人只能评议一次"):
        rules.rate(session, rep, ev, grades_for(ev))
    assert session.scalar(select(EvaluationRating.grade)) == ALL_GOOD
    assert session.query(EvaluationRating).count() == 1


@pytest.mark.parametrize("who", ["staff", "admin", "secretary"])
def test_only_raters_of_the_evaluation_may_rate(session, people, who):
    ev = evaluation(session, make_user("p2", {"leader"}))
    actor = session.get(type(make_user("x")), people[who])
    with pytest.raises(EvaluationError, match="不在本次评议的评议人范围内"):
        rules.rate(session, actor, ev, grades_for(ev))
    assert session.query(EvaluationRating).count() == 0


def test_all_staff_evaluations_take_any_active_colleague(session, people):
    ev = evaluation(session, make_user("p2", {"leader"}), raters="staff")
    staff = session.get(type(make_user("x")), people["staff"])
    rules.rate(session, staff, ev, grades_for(ev))
    assert session.query(EvaluationRater).count() == 1


def test_a_deactivated_representative_may_not_rate(session, people):
    ev = evaluation(session, make_user("p2", {"leader"}))
    (rep,) = reps(session, 1)
    rep.active = False
    with pytest.raises(EvaluationError, match="评议人范围"):
        rules.rate(session, rep, ev, grades_for(ev))


def test_not_before_open_nor_after_close(session, people):
    ev = evaluation(session, make_user("p2", {"leader"}), opened=False)
    (rep,) = reps(session, 1)
    with pytest.raises(EvaluationError, match="不在进行中"):
        rules.rate(session, rep, ev, grades_for(ev))
    union = make_user("u2", {"union"})
    rules.open_evaluation(session, union, ev)
    rules.close_evaluation(session, union, ev)
    with pytest.raises(EvaluationError, match="不在进行中"):
        rules.rate(session, rep, ev, grades_for(ev))
    with pytest.raises(EvaluationError, match="只有进行中的评议可以结束"):
        rules.close_evaluation(session, union, ev)


def test_every_person_must_be_graded_with_a_known_grade(session, people):
    a, b = make_user("a", {"leader"}), make_user("b", {"leader"})
    ev = evaluation(session, a, b)
    (rep,) = reps(session, 1)
    subjects = queries.subjects_of(session, ev)
    with pytest.raises(EvaluationError, match="尚未选择：b"):
        rules.rate(session, rep, ev, {subjects[0].id: ALL_GOOD})
    with pytest.raises(EvaluationError, match="尚未选择"):
        rules.rate(session, rep, ev, {subjects[0].id: ALL_GOOD, subjects[1].id: "superb"})
    with pytest.raises(EvaluationError, match="不属于本次评议"):
        rules.rate(session, rep, ev, {**grades_for(ev), 999_999: ALL_GOOD})
    assert session.query(EvaluationRater).count() == 0 and session.query(EvaluationRating).count() == 0


def test_a_rater_who_is_rated_rates_everyone_else(session, people):
    (rep, other) = reps(session, 2)
    ev = evaluation(session, rep, other)
    rules.rate(session, rep, ev, {s.id: ALL_GOOD for s in queries.subjects_of(session, ev) if s.user_id != rep.id})
    assert session.query(EvaluationRating).count() == 1


def test_setting_up_refuses_what_cannot_be_run(session, people):
    union = make_user("u2", {"union"})
    p = make_user("p2", {"leader"})
    with pytest.raises(EvaluationError, match="至少选择一名"):
        rules.create_evaluation(session, union, title="t", period="2026", raters="reps", subjects=[])
    with pytest.raises(EvaluationError, match="不能被列入两次"):
        rules.create_evaluation(session, union, title="t", period="2026", raters="reps", subjects=[(p.id, ""), (p.id, "")])
    with pytest.raises(EvaluationError, match="评议名称"):
        rules.create_evaluation(session, union, title=" ", period="2026", raters="reps", subjects=[(p.id, "")])
    with pytest.raises(EvaluationError, match="人员范围"):
        rules.create_evaluation(session, union, title="t", period="2026", raters="all", subjects=[(p.id, "")])


def test_four_raters_show_no_breakdown_five_do(session, people):
    """DOMAIN.md: democratic evaluation with 4 raters for one leader: no breakdown is shown."""
    leader = make_user("p2", {"leader"})
    ev = evaluation(session, leader)
    raters = reps(session, 5)
    for r in raters[:4]:
        rules.rate(session, r, ev, grades_for(ev, Grade.COMPETENT.value))
    union = session.get(type(leader), ev.created_by_id)
    four = evaluation(session, leader)
    for r in raters[:4]:
        rules.rate(session, r, four, grades_for(four))
    rules.close_evaluation(session, union, four)
    (small,) = queries.results(session, four)
    assert small.total == 4 and not small.shown and small.counts == {}
    rules.rate(session, raters[4], ev, grades_for(ev, Grade.BASIC.value))
    assert queries.results(session, ev) == []  # nothing before close
    rules.close_evaluation(session, union, ev)
    (five,) = queries.results(session, ev)
    assert five.shown and five.counts == {"excellent": 0, "competent": 4, "basic": 1, "incompetent": 0}
    assert five.share(Grade.EXCELLENT, Grade.COMPETENT) == pytest.approx(0.8)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([g.value for g in Grade]), min_size=0, max_size=12))
def test_frozen_counts_equal_the_recount_and_survive_deactivation(session, people, grades):
    union = make_user(f"u{secrets.token_hex(4)}", {"union"})
    leader = make_user(f"l{secrets.token_hex(4)}", {"leader"})
    ev = evaluation(session, leader, by=union)
    raters = reps(session, len(grades), prefix=f"h{secrets.token_hex(3)}-")
    for r, g in zip(raters, grades):
        rules.rate(session, r, ev, grades_for(ev, g, session))
    rules.close_evaluation(session, union, ev)
    (result,) = queries.results(session, ev)
    assert result.total == len(grades) and ev.rater_count == len(grades)
    if result.shown:
        assert result.counts == {g.value: grades.count(g.value) for g in Grade}
    rows = session.execute(select(EvaluationRating.subject_id, EvaluationRating.grade)
                           .where(EvaluationRating.evaluation_id == ev.id)).all()
    assert ev.digest == box_digest([f"{subject}.{grade}" for subject, grade in rows], f"evaluation:{ev.id}")
    for r in raters:
        r.active = False
    session.flush()
    assert queries.results(session, ev) == [result]
