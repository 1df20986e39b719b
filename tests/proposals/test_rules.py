"""Proposal rules without HTTP: every transition and who may take it, and every item of
the issue's "Bad input and edges", each refused with its Chinese message and nothing changed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.notify.models import Notification
from portal.proposals import rules
from portal.proposals.models import Answer, Cosign, Proposal
from portal.timeutil import to_local, utcnow
from tests.disclosure.factories import user
from tests.proposals.factories import answered, assigned, department, drafted, reps, submitted


def _unchanged(session, p: Proposal):
    """A snapshot of what a refused step must not have touched."""
    session.expire_all()
    fresh = session.get(Proposal, p.id)
    return (fresh.status, fresh.round, fresh.rating, fresh.merged_into_id, fresh.lead_department_id,
            session.scalar(select(func.count()).select_from(Cosign).where(Cosign.proposal_id == p.id)),
            session.scalar(select(func.count()).select_from(Answer).where(Answer.proposal_id == p.id)))


def _refused(session, p, message, call):
    session.commit()
    before = _unchanged(session, p)
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(rules.ProposalError, match=message):
        call()
    session.rollback()
    assert _unchanged(session, p) == before
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events


def _notified(session, user_id: int, proposal_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user_id, Notification.subject_id == proposal_id,
        Notification.subject_kind == "proposal")) or 0


def test_whole_lifecycle_with_a_second_round(session, people):
    proposer, a, b = reps(session, 3)
    p = drafted(session, proposer)
    assert p.status == "draft" and p.gram_count > 5
    rules.invite(session, proposer, p, a)
    assert _notified(session, a.id, p.id) == 1
    rules.cosign(session, a, p)
    rules.cosign(session, b, p)  # not invited: found it and co-signed
    assert rules.cosigner_count(session, p) == 2
    rules.submit(session, proposer, p)
    assert p.status == "submitted" and _notified(session, people["union"], p.id) == 1
    union = user(session, "union")
    rules.accept(session, union, p)
    assert p.status == "accepted" and _notified(session, a.id, p.id) == 2
    deadline = to_local(utcnow()).date() + timedelta(days=20)
    rules.assign(session, union, p, department(session), [department(session, "德育处", head="leader")], deadline)
    assert (p.status, p.round, p.deadline) == ("assigned", 1, deadline)
    assert _notified(session, people["handler"], p.id) == 1 and _notified(session, people["leader"], p.id) == 1
    rules.add_part(session, user(session, "leader"), p, "德育处可提供一间活动室。")
    rules.answer(session, user(session, "handler"), p, "planned", "已列入寒假改造计划。")
    assert (p.status, p.answer_class) == ("answered", "planned")
    rules.rate(session, proposer, p, "dissatisfied", "时间太晚。")
    assert (p.status, p.round, p.rating, p.answer_class) == ("assigned", 2, "dissatisfied", None)
    assert p.deadline >= to_local(utcnow()).date() + timedelta(days=15)
    rules.answer(session, user(session, "handler"), p, "solved", "本学期内改建完成。")
    rules.rate(session, proposer, p, "basic")
    assert (p.status, p.rating, p.answer_class) == ("closed", "basic", "solved")
    ratings = [a.rating for a in session.scalars(select(Answer).where(Answer.proposal_id == p.id).order_by(Answer.round))]
    assert ratings == ["dissatisfied", "basic"]
    actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "Proposal")))
    assert actions.count("proposal.rated") == 2 and "proposal.assigned" in actions


def test_satisfied_in_the_first_round_is_final(session, people):
    p = answered(session)
    rules.rate(session, user(session, "rep"), p, "satisfied")
    assert p.status == "closed" and p.round == 1


def test_merge_keeps_both_linked_and_informs(session, people):
    target = submitted(session)
    rules.accept(session, user(session, "union"), target)
    other = submitted(session, title="建议建设教师休息室")
    cosigners = [c.user_id for c in session.scalars(select(Cosign).where(Cosign.proposal_id == other.id))]
    rules.merge(session, user(session, "union"), other, target, "内容相近")
    assert (other.status, other.merged_into_id) == ("merged", target.id)
    told = set(session.scalars(select(Notification.recipient_id).where(
        Notification.subject_id == other.id, Notification.message.contains("已并入第"))))
    assert told == {other.proposer_id, *cosigners}
    assert _notified(session, target.proposer_id, target.id) >= 1
    assert rules.cosigner_count(session, other) == 2  # kept


def test_merged_proposals_people_follow_the_surviving_one(session, people):
    """After 并案 the merged proposal's proposer and co-signers hear of the surviving
    proposal's assignment, answers and closing (issue 21.6); its own people
    hear once, not twice."""
    from tests.conftest import make_user

    union = user(session, "union")
    target = submitted(session)
    rules.accept(session, union, target)
    proposer, cosigner_a, cosigner_b = (make_user(n, {"rep"}) for n in ("rep_m", "rep_n", "rep_o"))
    other = drafted(session, proposer, title="建议建设教师休息室")
    for r in (cosigner_a, cosigner_b):
        rules.cosign(session, r, other)
    rules.submit(session, proposer, other)
    rules.merge(session, union, other, target, "内容相近")
    followers = {proposer.id, cosigner_a.id, cosigner_b.id}

    def heard(word: str) -> set[int]:
        return set(session.scalars(select(Notification.recipient_id).where(
            Notification.subject_id == target.id, Notification.message.contains(word))))

    rules.assign(session, union, target, department(session), [], to_local(utcnow()).date() + timedelta(days=30))
    assert followers <= heard("已交办")
    rules.answer(session, user(session, "handler"), target, "planned", "已列入计划。")
    assert followers <= heard("已答复")
    rules.rate(session, user(session, "rep"), target, "basic")
    assert heard("已办结") >= followers
    own = session.scalars(select(Notification.recipient_id).where(
        Notification.subject_id == target.id, Notification.message.contains("已答复"))).all()
    assert len(own) == len(set(own))  # nobody told twice


def test_turn_into_an_opinion_needs_a_reason(session, people):
    p = submitted(session)
    _refused(session, p, "请写明理由", lambda: rules.to_opinion(session, user(session, "union"), p, " "))
    rules.to_opinion(session, user(session, "union"), p, "属于日常管理事项，转学校办公室研究。")
    assert p.status == "opinion"


# --- bad input and edges (issue 11) ------------------------------------------------------------

def test_submitting_with_fewer_than_two_cosigners(session, people):
    proposer, a = reps(session, 2)
    p = drafted(session, proposer)
    rules.cosign(session, a, p)
    session.commit()
    _refused(session, p, "至少需要 2 位代表附议，目前只有 1 位", lambda: rules.submit(session, proposer, p))


def test_the_threshold_is_a_setting(session, people, monkeypatch):
    proposer, a = reps(session, 2)
    p = drafted(session, proposer)
    rules.cosign(session, a, p)
    monkeypatch.setitem(rules.SETTINGS, "min_cosigners", 1)
    rules.submit(session, proposer, p)
    assert p.status == "submitted"


def test_cosigning_ones_own_or_twice(session, people):
    proposer, a = reps(session, 2)
    p = drafted(session, proposer)
    rules.cosign(session, a, p)
    session.commit()
    _refused(session, p, "不能附议自己的提案", lambda: rules.cosign(session, proposer, p))
    _refused(session, p, "不能重复附议", lambda: rules.cosign(session, a, p))
    _refused(session, p, "不能邀请自己", lambda: rules.invite(session, proposer, p, proposer))
    _refused(session, p, "已经邀请过", lambda: rules.invite(session, proposer, p, a))


def test_non_representative_proposing_or_cosigning(session, people):
    with pytest.raises(rules.ProposalError, match="只有本届教代会代表可以提出提案"):
        drafted(session, user(session, "staff"))
    assert session.scalar(select(func.count()).select_from(Proposal)) == 0
    p = drafted(session)
    session.commit()
    _refused(session, p, "只有本届教代会代表可以附议", lambda: rules.cosign(session, user(session, "staff"), p))
    _refused(session, p, "只能邀请本届教代会代表", lambda: rules.invite(session, user(session, "rep"), p,
                                                                      user(session, "staff")))


def test_reviewing_twice_and_by_others(session, people):
    p = submitted(session)
    rules.accept(session, user(session, "union"), p)
    session.commit()
    _refused(session, p, "已经审查过", lambda: rules.accept(session, user(session, "union"), p))
    _refused(session, p, "已经审查过", lambda: rules.to_opinion(session, user(session, "union"), p, "理由"))
    q = submitted(session, title="关于食堂饭菜质量的建议", reason="饭菜口味单一。")
    session.commit()
    _refused(session, q, "只有提案工作委员会", lambda: rules.accept(session, user(session, "leader"), q))
    d = drafted(session, title="草稿")
    session.commit()
    _refused(session, d, "尚未提交审查", lambda: rules.accept(session, user(session, "union"), d))


def test_merging_into_itself_or_into_a_merged_proposal(session, people):
    union = user(session, "union")
    a = submitted(session)
    b = submitted(session, title="关于午休的建议")
    c = submitted(session, title="关于午休室的建议")
    rules.merge(session, union, b, a)
    session.commit()
    _refused(session, c, "不能把提案并入它自己", lambda: rules.merge(session, union, c, c))
    _refused(session, c, "已并入其他提案", lambda: rules.merge(session, union, c, b))
    _refused(session, c, "请填写要并入的提案编号", lambda: rules.merge(session, union, c, None))
    d = drafted(session, title="草稿")
    session.commit()
    _refused(session, c, "只能并入已提交", lambda: rules.merge(session, union, c, d))


def test_answering_by_a_department_that_was_not_assigned(session, people):
    p = assigned(session)
    session.commit()
    # leader heads 德育处, a co-handler here: may add a part, not answer
    _refused(session, p, "未交办给您负责的部门", lambda: rules.answer(session, user(session, "leader"), p, "solved", "x"))
    _refused(session, p, "未交办给您负责的部门", lambda: rules.answer(session, user(session, "union"), p, "solved", "x"))
    _refused(session, p, "请选择答复类别", lambda: rules.answer(session, user(session, "handler"), p, "maybe", "x"))
    _refused(session, p, "请填写答复说明", lambda: rules.answer(session, user(session, "handler"), p, "solved", ""))
    _refused(session, p, "只有协办部门的负责人", lambda: rules.add_part(session, user(session, "handler"), p, "x"))
    rules.answer(session, user(session, "handler"), p, "solved", "已解决。")
    session.commit()
    _refused(session, p, "本轮已经答复", lambda: rules.answer(session, user(session, "handler"), p, "solved", "再答"))


def test_assignment_edges(session, people):
    p = submitted(session)
    union = user(session, "union")
    rules.accept(session, union, p)
    session.commit()
    today = to_local(utcnow()).date()
    headless = department(session, "教科室", head=None)
    session.commit()
    _refused(session, p, "尚未指定负责人", lambda: rules.assign(session, union, p, headless, [], today))
    _refused(session, p, "不能早于今天", lambda: rules.assign(session, union, p, department(session), [],
                                                          today - timedelta(days=1)))
    _refused(session, p, "请选择承办部门", lambda: rules.assign(session, union, p, None, [], today))


def test_rating_by_someone_else_or_a_third_time(session, people):
    p = answered(session)
    session.commit()
    cosigner = session.scalar(select(Cosign.user_id).where(Cosign.proposal_id == p.id))
    from portal.auth.models import User
    _refused(session, p, "只有提案人可以评价", lambda: rules.rate(session, session.get(User, cosigner), p, "satisfied"))
    _refused(session, p, "只有提案人可以评价", lambda: rules.rate(session, user(session, "union"), p, "satisfied"))
    _refused(session, p, "请选择满意", lambda: rules.rate(session, user(session, "rep"), p, "great"))
    proposer = user(session, "rep")
    rules.rate(session, proposer, p, "dissatisfied")
    rules.answer(session, user(session, "handler"), p, "cannot", "经费不足，暂不能解决。")
    rules.rate(session, proposer, p, "dissatisfied")  # the second rating is final, even 不满意
    assert p.status == "closed" and p.round == 2
    session.commit()
    _refused(session, p, "评价已是最终结果", lambda: rules.rate(session, proposer, p, "satisfied"))


def test_overdue(session, people):
    p = assigned(session, days=1)
    today = to_local(utcnow()).date()
    assert not p.is_overdue(today)
    assert p.is_overdue(today + timedelta(days=2))
