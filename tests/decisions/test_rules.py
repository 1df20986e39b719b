"""Decision rules without HTTP: worked numbers through the counting module, preconditions,
末位表态 at both bodies, each vote method, the office meeting's disagreement rule, forwarding,
cadence and lead time, approval deadlines, reconsideration, and the refusals of the issue."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.decisions.models import Item, Meeting, MeetingAttendance, Report, Resolution, Stance
from portal.decisions.queries import minutes_text, names_for
from portal.decisions.rules import DecisionError
from portal.decisions.rules import items as item_rules
from portal.decisions.rules import meetings as meeting_rules
from portal.decisions.rules import outcomes
from portal.decisions.rules import procedure as procedure_rules
from portal.decisions.rules import resolutions as res_rules
from portal.timeutil import local_to_utc
from tests.decisions import factories as f
from tests.decisions.factories import DAY, ms, user


@pytest.fixture
def school(session, people):
    seated = f.school(session)
    session.commit()
    return seated


def _absent(session, m: Meeting, names: list[str]) -> None:
    for name in names:
        meeting_rules.set_attendance(session, user(session, "recorder"), ms(session), m, user(session, name),
                                     "absent", "出差")


# --- worked numbers through counting ----------------------------------------------------

@pytest.mark.parametrize("absent,ok", [(3, True), (4, False)])
def test_party_committee_of_7_convenes_with_4_not_3(session, school, absent, ok):
    it = f.item(session)
    m = f.settled(session, items=[it])
    _absent(session, m, ["m1", "m2", "m3", "m4"][:absent])
    count = meeting_rules.attendance_count(m, ms(session), it)
    assert (count.members, count.present, count.quorum_needed, count.quorum_met) == (7, 7 - absent, 4, ok)
    assert ("可以开会" in count.lines[0]) is ok


@pytest.mark.parametrize("absent,ok", [(2, True), (3, False)])
def test_cadre_item_needs_5_of_7(session, school, absent, ok):
    it = f.item(session, major_kind="cadre")
    assert it.two_thirds and it.important
    item_rules.add_evidence(session, user(session, "leader"), it, "preparation", held_on=DAY, who="组织委员",
                            conclusion="酝酿一致")
    f.agree(session, it)
    m = f.settled(session, items=[it])
    _absent(session, m, ["m1", "m2", "m3"][:absent])
    assert meeting_rules.attendance_count(m, ms(session), it).quorum_needed == 5
    assert meeting_rules.attendance_count(m, ms(session), it).quorum_met is ok
    if not ok:
        with pytest.raises(DecisionError, match="到会人数不足"):
            meeting_rules.record_stance(session, user(session, "recorder"), ms(session), m, it,
                                        user(session, "leader"), "agree")


@pytest.mark.parametrize("yes,passed", [(4, True), (3, False)])
def test_motion_needs_4_yes_of_7_whatever_the_attendance(session, school, yes, passed):
    it = f.item(session)
    m = f.settled(session, items=[it])
    _absent(session, m, ["m1", "m2"])  # 5 present
    f.stances_in_order(session, m, it)
    assert outcomes.vote(session, user(session, "secretary"), ms(session), m, it, "hands",
                              yes=yes, no=5 - yes, abstain=0) is passed
    assert f"至少需 4 票" in it.result_text and ("，通过。" in it.result_text) is passed


def test_party_committee_of_8_needs_5_yes(session, people):
    f.school(session, party_size=8)
    it = f.item(session)
    m = f.settled(session, items=[it])
    f.stances_in_order(session, m, it)
    assert not outcomes.vote(session, user(session, "secretary"), ms(session), m, it, "oral",
                                  yes=4, no=4, abstain=0)
    assert "至少需 5 票" in it.result_text


def test_party_committee_of_9_with_6_present_4_yes_fails(session, people):
    f.school(session, party_size=9)
    it = f.item(session)
    m = f.settled(session, items=[it])
    _absent(session, m, ["m1", "m2", "m3"])
    f.stances_in_order(session, m, it)
    assert not outcomes.vote(session, user(session, "secretary"), ms(session), m, it, "hands",
                                  yes=4, no=2, abstain=0)
    assert it.state == "rejected" and "至少需 5 票" in it.result_text


def test_a_schools_own_threshold_is_applied_and_the_meeting_keeps_its_version(session, school):
    procedure_rules.adopt_procedure(session, None, "party", adopted_on=date(2026, 1, 1), filed_on=date(2026, 1, 5),
                                    majority=(2, 3, False))
    it = f.item(session)
    m = f.settled(session, items=[it])
    f.stances_in_order(session, m, it)
    assert m.procedure.version == 1 and m.procedure.majority_num == 2
    assert not outcomes.vote(session, user(session, "secretary"), ms(session), m, it, "hands", yes=4, no=3,
                                  abstain=0)
    assert "至少需 5 票" in it.result_text  # 2/3 of 7 = 4.67 → 5


# --- preconditions -------------------------------------------------------------------------

def test_important_item_needs_both_views_and_is_held_back_on_disagreement(session, school):
    it = f.item(session, staff_interest=True, title="绩效工资分配方案")
    m = f.meeting(session)
    missing = [str(x.message) for x in item_rules.missing_preconditions(it, ms(session))]
    assert any("党组织书记尚未表明意见" in x for x in missing) and any("校长尚未表明意见" in x for x in missing)
    assert any("听取教职工意见" in x for x in missing)
    with pytest.raises(DecisionError, match="前置程序尚未完成"):
        item_rules.schedule_item(session, user(session, "secretary"), ms(session), it, m)
    item_rules.record_view(session, user(session, "secretary"), ms(session), it, True)
    item_rules.record_view(session, user(session, "principal"), ms(session), it, False, "方案需再测算")
    assert item_rules.held_back(it)
    assert any("暂缓上会" in str(x.message) for x in item_rules.missing_preconditions(it, ms(session)))
    item_rules.record_view(session, user(session, "principal"), ms(session), it, True, "已重新测算")
    item_rules.add_evidence(session, user(session, "leader"), it, "congress_vote", held_on=DAY,
                            reference="第五届教代会第三次会议表决通过")
    assert item_rules.missing_preconditions(it, ms(session)) == []
    item_rules.schedule_item(session, user(session, "secretary"), ms(session), it, m)
    assert it.state == "scheduled"


def test_hearing_needs_minutes_and_technical_needs_expert_review(session, school):
    it = f.item(session, staff_interest=True, technical=True)
    with pytest.raises(DecisionError, match="须附上会议纪要"):
        item_rules.add_evidence(session, user(session, "leader"), it, "hearing", held_on=DAY, reference="座谈会")
    item_rules.add_evidence(session, user(session, "leader"), it, "hearing", held_on=DAY, reference="座谈会",
                            attachment=("纪要.pdf", "ab" * 16, "0" * 64))
    f.agree(session, it)
    assert [str(x.message) for x in item_rules.missing_preconditions(it, ms(session))] == [
        "专业性、技术性较强的议题须有专家论证记录。"]


def test_one_person_secretary_and_principal_exchange_views_with_the_deputy(session, people):
    from portal.org.models import BodyKind, Seat

    secretary = user(session, "secretary")
    f._seat(session, BodyKind.ADMIN_TEAM, secretary, Seat.CHAIR, "校长")
    from portal.org.models import BodyMember

    for row in session.scalars(select(BodyMember).where(BodyMember.user_id == people["principal"])):
        row.ends_on = date(2021, 1, 1)
    deputy = user(session, "leader")
    f._seat(session, BodyKind.PARTY_COMMITTEE, deputy, Seat.DEPUTY, "副书记")
    it = f.item(session, major_kind="decision")
    offices = item_rules.view_offices(ms(session))
    assert [o.name for o in offices] == ["SECRETARY", "DEPUTY_SECRETARY"]
    item_rules.record_view(session, secretary, ms(session), it, True)
    assert [str(m.message) for m in item_rules.missing_preconditions(it, ms(session))] == ["党组织副书记尚未表明意见。"]
    item_rules.record_view(session, deputy, ms(session), it, True)
    assert item_rules.missing_preconditions(it, ms(session)) == []


# --- 末位表态 ---------------------------------------------------------------------------------

def test_party_meeting_principal_second_to_last_secretary_last(session, school):
    it = f.item(session)
    m = f.settled(session, items=[it])
    order = meeting_rules.speaking_order(m, ms(session))
    assert order[-2:] == [school["principal"].id, school["secretary"].id]
    rec = user(session, "recorder")
    with pytest.raises(DecisionError, match="末位表态"):
        meeting_rules.record_stance(session, rec, ms(session), m, it, school["secretary"], "agree", "同意")
    with pytest.raises(DecisionError, match="末位表态"):
        meeting_rules.record_stance(session, rec, ms(session), m, it, school["principal"], "agree", "同意")
    for uid in order[:-2]:
        meeting_rules.record_stance(session, rec, ms(session), m, it, session.get(type(school["leader"]), uid), "agree", "同意")
    with pytest.raises(DecisionError, match="末位表态"):
        meeting_rules.record_stance(session, rec, ms(session), m, it, school["secretary"], "agree", "同意")
    meeting_rules.record_stance(session, rec, ms(session), m, it, school["principal"], "agree", "同意")
    meeting_rules.record_stance(session, rec, ms(session), m, it, school["secretary"], "agree", "同意")
    assert [s.user_id for s in it.stances] == order


def test_office_meeting_principal_last(session, school):
    it = f.item(session, "office", "教学楼维修")
    m = f.settled(session, "office", [it])
    order = meeting_rules.speaking_order(m, ms(session))
    assert order[-1] == school["principal"].id and school["secretary"].id not in order
    with pytest.raises(DecisionError, match="末位表态"):
        meeting_rules.record_stance(session, user(session, "recorder"), ms(session), m, it, school["principal"], "agree", "同意")


def test_stances_refused_from_absent_nonvoting_twice_and_without_reason(session, school):
    it = f.item(session)
    m = f.settled(session, items=[it])
    rec = user(session, "recorder")
    _absent(session, m, ["m1"])
    with pytest.raises(DecisionError, match="未出席"):
        meeting_rules.record_stance(session, rec, ms(session), m, it, school["m1"], "agree", "同意")
    guest = user(session, "union")
    meeting_rules.set_attendance(session, rec, ms(session), m, guest, "nonvoting")
    with pytest.raises(DecisionError, match="列席"):
        meeting_rules.record_stance(session, rec, ms(session), m, it, guest, "agree", "同意")
    meeting_rules.record_stance(session, rec, ms(session), m, it, guest, "remark", "建议公开招标")
    first = session.get(type(guest), meeting_rules.speaking_order(m, ms(session))[0])
    with pytest.raises(DecisionError, match="说明理由"):
        meeting_rules.record_stance(session, rec, ms(session), m, it, first, "disagree")
    meeting_rules.record_stance(session, rec, ms(session), m, it, first, "agree", "同意")
    with pytest.raises(DecisionError, match="已就本议题表过态"):
        meeting_rules.record_stance(session, rec, ms(session), m, it, first, "agree", "同意")
    with pytest.raises(DecisionError, match="不是本机构成员"):
        meeting_rules.set_attendance(session, rec, ms(session), m, user(session, "staff"), "present")


def test_vote_before_every_stance_is_refused_and_one_item_at_a_time(session, school):
    a, b = f.item(session, title="甲"), f.item(session, title="乙")
    m = f.settled(session, items=[a, b])
    with pytest.raises(DecisionError, match="尚未全部表态"):
        outcomes.vote(session, user(session, "secretary"), ms(session), m, a, "hands", yes=7, no=0, abstain=0)
    with pytest.raises(DecisionError, match="一事一议"):
        meeting_rules.record_stance(session, user(session, "recorder"), ms(session), m, b, school["leader"], "agree", "同意")


# --- vote methods ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["oral", "hands"])
def test_counted_methods(session, school, method):
    it = f.item(session)
    m = f.settled(session, items=[it])
    f.stances_in_order(session, m, it)
    with pytest.raises(DecisionError, match="超过出席成员人数"):
        outcomes.vote(session, user(session, "secretary"), ms(session), m, it, method, yes=7, no=1, abstain=0)
    assert outcomes.vote(session, user(session, "secretary"), ms(session), m, it, method, yes=5, no=1, abstain=1)
    assert (it.vote_method, it.votes_yes, it.votes_no, it.votes_abstain) == (method, 5, 1, 1)


def test_named_ballot_records_each_choice(session, school):
    it = f.item(session)
    m = f.settled(session, items=[it])
    f.stances_in_order(session, m, it)
    voters = meeting_rules.present_voters(m, ms(session))
    with pytest.raises(DecisionError, match="每一位出席成员"):
        outcomes.vote(session, user(session, "secretary"), ms(session), m, it, "named", named={voters[0]: "yes"})
    choices = {u: ("yes" if i < 3 else "no") for i, u in enumerate(voters)}
    assert not outcomes.vote(session, user(session, "secretary"), ms(session), m, it, "named", named=choices)
    assert (it.votes_yes, it.votes_no) == (3, 4) and len(it.named_votes) == 7


def test_secret_ballot_is_refused_until_the_ballot_machinery_is_merged(session, school):
    it = f.item(session)
    m = f.settled(session, items=[it])
    f.stances_in_order(session, m, it)
    with pytest.raises(DecisionError, match="无记名投票"):
        outcomes.vote(session, user(session, "secretary"), ms(session), m, it, "secret", yes=7, no=0, abstain=0)
    assert it.state == "scheduled"


# --- the office meeting -----------------------------------------------------------------------

def test_office_meeting_serious_disagreement_must_defer(session, school):
    it = f.item(session, "office", "调整作息时间", important=True)
    f.agree(session, it)
    m = f.settled(session, "office", [it])
    rec = user(session, "recorder")
    order = meeting_rules.speaking_order(m, ms(session))
    for n, uid in enumerate(order):
        stance = "disagree" if n < 3 else "agree"
        meeting_rules.record_stance(session, rec, ms(session), m, it, session.get(type(rec), uid), stance, "理由")
    with pytest.raises(DecisionError, match="应暂缓决策"):
        outcomes.decide(session, school["principal"], ms(session), m, it, "pass", "通过")
    assert it.state == "scheduled"
    outcomes.decide(session, school["principal"], ms(session), m, it, "defer")
    assert it.state == "deferred"
    again = item_rules.repropose_item(session, school["leader"], it)
    assert again.origin_id == it.id and again.state == "proposed" and len(again.views) == 2


def test_office_decision_on_a_major_matter_is_forwarded_with_its_record(session, school):
    it = f.item(session, "office", "食堂承包合同", major_kind="expenditure")
    f.agree(session, it)
    m = f.settled(session, "office", [it])
    f.stances_in_order(session, m, it)
    forwarded = outcomes.decide(session, school["principal"], ms(session), m, it, "pass", "同意提交党委会")
    assert it.state == "forwarded" and not it.resolutions
    assert forwarded is not None and forwarded.body == "party" and forwarded.origin_id == it.id
    assert item_rules.missing_preconditions(forwarded, ms(session)) == []  # views travel with it
    with pytest.raises(DecisionError, match="只有会议通过的议题"):
        res_rules.add_resolution(session, school["principal"], it, title="x", text="", owner=school["principal"],
                                 deadline=None)


def test_office_decision_without_quorum_is_refused(session, school):
    it = f.item(session, "office", "运动会安排")
    m = f.settled(session, "office", [it])
    _absent(session, m, ["leader", "a1", "a2", "a3"])  # 2 of 6 present
    with pytest.raises(DecisionError, match="到会人数不足"):
        outcomes.decide(session, school["principal"], ms(session), m, it, "pass", "通过")


# --- cadence and lead time -------------------------------------------------------------------

def test_cadence_flag(session, school):
    procedure_rules.adopt_procedure(session, None, "party", adopted_on=date(2026, 1, 1))
    assert procedure_rules.cadence_due(None, date(2026, 1, 1), "month") == date(2026, 1, 31)
    [party] = [c for c in procedure_rules.cadence_status(session, date(2026, 1, 31)) if c.body == "party"]
    assert not party.overdue and party.unit == "month"
    [party] = [c for c in procedure_rules.cadence_status(session, date(2026, 2, 1)) if c.body == "party"]
    assert party.overdue  # January went by without a meeting


def test_papers_late_against_the_lead_time(session, school):
    it = f.item(session)
    m = f.meeting(session)
    item_rules.schedule_item(session, school["secretary"], ms(session), it, m)
    meeting_rules.settle_agenda(session, school["secretary"], m)
    lead = m.procedure.lead_days
    on_time = m.starts_at - timedelta(days=lead)
    assert meeting_rules.send_papers(session, school["secretary"], m, now=on_time) is False
    m.papers_sent_at = on_time + timedelta(seconds=1)
    assert meeting_rules.papers_late(m, lead)


# --- minutes ----------------------------------------------------------------------------------

def test_minutes_signed_by_both_then_read_only_with_hash_in_the_chain(session, school):
    m, it = f.passed_item(session)
    meeting_rules.close_meeting(session, school["secretary"], m)
    text = minutes_text(m, names_for(session, m))
    assert "举手表决" in text and "通过" in text
    with pytest.raises(DecisionError, match="记录员和监督员"):
        meeting_rules.sign_minutes(session, school["leader"], m, text)
    f.write_minutes(session, m)
    text = minutes_text(m, names_for(session, m))
    meeting_rules.sign_minutes(session, user(session, "recorder"), m, text)
    assert m.state == "closed"
    meeting_rules.sign_minutes(session, user(session, "supervisor"), m, text)
    assert m.state == "signed" and m.minutes_hash == meeting_rules.minutes_digest(text)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "meeting.minutes_signed")
                            .order_by(AuditEvent.seq.desc())).first()
    assert m.minutes_hash in event.summary
    with pytest.raises(DecisionError, match="已签署"):
        meeting_rules.sign_minutes(session, user(session, "recorder"), m, text)
    with pytest.raises(DecisionError, match="会议已结束"):
        meeting_rules.set_attendance(session, user(session, "recorder"), ms(session), m, school["m1"], "absent", "x")
    with pytest.raises(DecisionError, match="会议记录已签署"):
        res_rules.add_resolution(session, school["recorder"], it, title="x", text="", owner=school["principal"],
                                 deadline=None)


def test_absent_chair_hands_over_to_the_deputy(session, school):
    it = f.item(session)
    m = f.settled(session, items=[it])
    with pytest.raises(DecisionError, match="出席时"):
        meeting_rules.hand_over_chair(session, school["recorder"], ms(session), m, "出差")
    _absent(session, m, ["secretary"])
    meeting_rules.hand_over_chair(session, school["recorder"], ms(session), m, "书记外出学习")
    assert m.chair_id == school["principal"].id and m.chair_note == "书记外出学习"


# --- resolutions --------------------------------------------------------------------------

def test_awaiting_approval_deadline_runs_from_the_approval(session, school):
    res = f.resolution(session, deadline=DAY + timedelta(days=90), needs_approval=True)
    assert res.state == "awaiting_approval" and res.deadline is None and res.deadline_days == 90
    with pytest.raises(DecisionError, match="不在执行中"):
        res_rules.file_report(session, school["principal"], res, "进展", 10, DAY)
    approved = date(2026, 5, 1)
    res_rules.record_approval(session, school["principal"], res, approved, "区教育局", "区教〔2026〕12号")
    assert res.state == "open" and res.starts_on == approved and res.deadline == approved + timedelta(days=90)


def test_reports_by_the_owner_only_and_finishing_needs_a_final_report(session, school):
    res = f.resolution(session)
    with pytest.raises(DecisionError, match="责任人"):
        res_rules.file_report(session, school["leader"], res, "进展", 10, DAY)
    with pytest.raises(DecisionError, match="最终报告"):
        res_rules.confirm_done(session, school["secretary"], res)
    report = res_rules.file_report(session, school["principal"], res, "合同已签订", 40, DAY + timedelta(days=20))
    assert report.on_time and report.due_on == date(2026, 4, 10)
    late = res_rules.file_report(session, school["principal"], res, "补报", 60, date(2026, 5, 1))
    assert late.due_on == date(2026, 4, 30) and not late.on_time
    res_rules.file_report(session, school["principal"], res, "全部完成", 100, date(2026, 5, 20), final=True)
    res_rules.confirm_done(session, school["secretary"], res)
    assert res.state == "done"


def test_urging_is_recorded_and_counted(session, school):
    res = f.resolution(session)
    res_rules.urge(session, school["secretary"], res, "请尽快报告")
    res_rules.urge(session, school["secretary"], res, "")
    res_rules.add_supervision_note(session, school["secretary"], res, "注意合同条款公开")
    assert [u.kind for u in res.urgings] == ["urge", "urge", "note"]
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "resolution.urged")) == 2


def test_reconsideration_keeps_both_and_cannot_repeat(session, school):
    res = f.resolution(session)
    item = res_rules.propose_reconsideration(session, school["principal"], res, "复议食堂合同", "价格变动", "改为一年期")
    assert item.reconsiders_id == res.id and item.important
    with pytest.raises(DecisionError, match="待议的复议"):
        res_rules.propose_reconsideration(session, school["principal"], res, "再议", "理由", "")
    f.agree(session, item)
    later = date(2026, 4, 10)
    m = f.settled(session, items=[item], on=later)
    f.stances_in_order(session, m, item, on=later)
    assert outcomes.vote(session, school["secretary"], ms(session, later), m, item, "hands", yes=7, no=0, abstain=0)
    assert res.state == "changed" and res.changed_by_item_id == item.id
    new = res_rules.add_resolution(session, school["recorder"], item, title="食堂合同改为一年期", text="",
                                   owner=school["principal"], deadline=date(2026, 12, 31))
    assert session.get(Resolution, res.id).state == "changed" and new.state == "open"
    with pytest.raises(DecisionError, match="已经复议变更"):
        res_rules.propose_reconsideration(session, school["principal"], res, "x", "y", "")


def test_refusals_change_nothing(session, school):
    res = f.resolution(session)
    session.commit()
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    for attempt in (
        lambda: res_rules.file_report(session, school["leader"], res, "x", 10, DAY),
        lambda: res_rules.confirm_done(session, school["secretary"], res),
        lambda: res_rules.file_report(session, school["principal"], res, "x", 101, DAY),
    ):
        with pytest.raises(DecisionError):
            attempt()
        session.rollback()
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
    assert session.scalar(select(func.count()).select_from(Report)) == 0


def test_a_finished_consultation_is_evidence_that_staff_were_heard(session, school):
    from portal.consultations import rules as consult
    from portal.consultations.queries import finished_for
    from tests.consultations.factories import after, opened

    it = f.item(session, staff_interest=True, title="绩效工资分配方案")
    f.agree(session, it)
    c = opened(session)
    with pytest.raises(DecisionError, match="已发布采纳情况"):
        item_rules.add_evidence(session, school["leader"], it, "consultation", held_on=DAY, consultation_id=c.id)
    consult.publish_summary(session, user(session, "union"), c, "无意见", now=after(c))
    item_rules.add_evidence(session, school["leader"], it, "consultation", held_on=DAY, consultation_id=c.id)
    assert finished_for(session, "agenda_item", it.id) is c
    assert item_rules.missing_preconditions(it, ms(session)) == []
    other = f.item(session, staff_interest=True, title="另一议题")
    with pytest.raises(DecisionError, match="另一议题"):
        item_rules.add_evidence(session, school["leader"], other, "consultation", held_on=DAY, consultation_id=c.id)


def test_secret_ballot_two_tables_no_double_vote_tally_from_raw_ballots(session, school):
    from sqlalchemy import inspect

    from portal.ballots import box_digest
    from portal.decisions.models import ItemBallotVoter, ItemSecretBallot

    it = f.item(session, major_kind="cadre", title="任命教务处副主任")
    item_rules.add_evidence(session, school["leader"], it, "preparation", held_on=DAY, who="党委", conclusion="酝酿一致")
    f.agree(session, it)
    m = f.settled(session, items=[it])
    _absent(session, m, ["m1"])
    f.stances_in_order(session, m, it)
    with pytest.raises(DecisionError, match="先开始投票"):
        outcomes.vote(session, school["secretary"], ms(session), m, it, "secret")
    outcomes.open_secret_ballot(session, school["secretary"], ms(session), m, it)
    with pytest.raises(DecisionError, match="只有出席会议的成员"):
        outcomes.cast_secret_ballot(session, school["m1"], ms(session), m, it, "yes")
    voters = meeting_rules.present_voters(m, ms(session))
    for n, uid in enumerate(voters):
        outcomes.cast_secret_ballot(session, session.get(type(school["m1"]), uid), ms(session), m, it,
                                         "yes" if n < 5 else "no")
    with pytest.raises(DecisionError, match="已经投过票"):
        outcomes.cast_secret_ballot(session, school["secretary"], ms(session), m, it, "no")
    columns = {c.name for c in inspect(ItemSecretBallot).columns}
    assert columns == {"key", "item_id", "choice"}  # no voter, no time, no sequential key
    assert session.scalar(select(func.count()).select_from(ItemBallotVoter)) == 6
    assert outcomes.close_secret_ballot(session, school["secretary"], ms(session), m, it)
    assert (it.votes_yes, it.votes_no, it.state) == (5, 1, "passed")
    ballots = session.scalars(select(ItemSecretBallot.choice)).all()
    assert it.ballot_digest == box_digest(ballots, f"decisions-item:{it.id}")
    assert "至少 5 人到会" in it.result_text or "至少需 5 人" in it.result_text or "已达到" in it.result_text
    events = " ".join(e.summary for e in session.scalars(select(AuditEvent).where(
        AuditEvent.action == "item.secret_ballot_cast")))
    assert "yes" not in events and "no" not in events.replace("none", "")
