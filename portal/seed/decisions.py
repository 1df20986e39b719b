"""Demo decisions: a year of Party and office meetings with realistic agendas, every state of
an item and about 25 resolutions in every state, made through the decision rules.

Dates count back from today, so the tracker always shows late reports and a due cadence.
Deterministic: no randomness beyond fixed lists."""
from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.decisions.models import Item, Meeting, Report, Resolution
from portal.decisions.rules import items as ir
from portal.decisions.rules import meetings as mr
from portal.decisions.rules import outcomes
from portal.decisions.rules import papers
from portal.decisions.rules import procedure as pr
from portal.decisions.rules import resolutions as rr
from portal.org.memberships import Memberships
from portal.seed.history import happened, now_again
from portal.timeutil import local_to_utc, to_local, utcnow



class _Demo:
    def __init__(self, session: Session, users: dict[str, User]) -> None:
        self.s = session
        self.u = users
        self.today = to_local(utcnow()).date()
        self.numbers: dict[tuple[str, date], int] = {}
        self.paper: Any = None  # a stored file to send as each agenda item's paper

    def number(self, dates: dict[str, list[date]]) -> None:
        """Number each body's meetings in date order, 第1次 onwards, without gaps."""
        for body, days in dates.items():
            for n, day in enumerate(sorted(set(days)), 1):
                self.numbers[(body, day)] = n

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def person(self, user_id: int) -> User:
        found = self.s.get(User, user_id)
        assert found is not None
        return found

    def ms(self, on: date) -> Memberships:
        return Memberships(self.s, on)

    def item(self, body: str, title: str, proposer: str = "leader1", *, agree: bool = True,
             evidence: tuple[tuple[str, dict[str, Any]], ...] | list[tuple[str, dict[str, Any]]] = (),
             on: date | None = None, **flags: Any) -> Item:
        when = on or self.today
        happened(local_to_utc(when - timedelta(days=7), time(9, 0)))  # proposed a week before the meeting
        it = ir.propose_item(self.s, self.u[proposer], body, title, background=flags.pop("background", ""),
                             proposal=flags.pop("proposal", ""), **flags)
        if it.important and agree:
            ms = self.ms(on or self.today)
            happened(local_to_utc(when - timedelta(days=6), time(10, 0)))
            for who in ("secretary", "principal"):
                ir.record_view(self.s, self.u[who], ms, it, True, "同意提交会议研究。")
        if evidence:
            happened(local_to_utc(when - timedelta(days=6), time(14, 0)))
        for kind, extra in evidence:
            ir.add_evidence(self.s, self.u[proposer], it, kind, held_on=when - timedelta(days=6), **extra)
        return it

    def meeting(self, body: str, on: date, title: str, items: list[Item], late_papers: bool = False,
                absent: tuple[str, ...] = (), receipts: bool = True) -> Meeting:
        """A meeting held on ``on``, numbered by the calendar of the year's meetings (no gaps)."""
        if (body, on) in self.numbers:
            title = (PARTY_TITLE if body == "party" else OFFICE_TITLE) % self.numbers[(body, on)]
        ms = self.ms(on)
        setter = self.u["principal" if body == "office" else "secretary"]
        happened(local_to_utc(on - timedelta(days=5), time(9, 30)))  # planned, its items scheduled
        m = mr.create_meeting(self.s, setter, ms, body, title, local_to_utc(on, time(15, 30)), on,
                              recorder=self.u["leader3"], supervisor=self.u["supervisor"])
        for it in items:
            ir.schedule_item(self.s, setter, ms, it, m)
            if receipts and self.paper is not None:  # the item's paper, sent with the agenda
                happened(local_to_utc(on - timedelta(days=4), time(11, 0)))
                papers.add_paper(self.s, setter, m, self.paper, it).uploaded_at = local_to_utc(on - timedelta(days=4),
                                                                                               time(11, 0))
        sent = local_to_utc(on, time(9, 0)) if late_papers else local_to_utc(on - timedelta(days=3), time(16, 0))
        happened(sent - timedelta(hours=2))
        mr.settle_agenda(self.s, setter, m)
        happened(sent)
        mr.send_papers(self.s, setter, m, now=sent)
        m.settled_at = sent - timedelta(hours=2)
        for n, uid in enumerate(papers.recipients(m) if receipts else []):
            happened(sent + timedelta(hours=1 + n))
            papers.mark_read(self.s, self.person(uid), m).read_at = sent + timedelta(hours=1 + n)
        happened(local_to_utc(on, time(15, 25)))  # the recorder takes attendance as the meeting opens
        for name in absent:
            mr.set_attendance(self.s, self.u["leader3"], ms, m, self.u[name], "absent", "外出参加区教育局培训")
        if body != "party":
            mr.set_attendance(self.s, self.u["leader3"], ms, m, self.u["handler2"], "nonvoting")
        return m

    def stances(self, m: Meeting, it: Item, against: int = 0, on: date | None = None) -> None:
        ms = self.ms(m.held_on)
        for n, uid in enumerate(mr.speaking_order(m, ms)):
            stance = "disagree" if n < against else "agree"
            reasons = AGAINST if stance != "agree" else AGREE
            happened(local_to_utc(m.held_on, time(15, 40)) + timedelta(minutes=4 * n + 30 * m.items.index(it)))
            row = mr.record_stance(self.s, self.u["leader3"], ms, m, it, self.person(uid), stance,
                                   reasons[(it.id * 3 + n) % len(reasons)])
            row.at = local_to_utc(m.held_on, time(15, 40)) + timedelta(minutes=4 * n + 30 * m.items.index(it))

    def vote(self, m: Meeting, it: Item, method: str = "hands", no: int = 0) -> None:
        ms = self.ms(m.held_on)
        voters = mr.present_voters(m, ms)
        happened(self._decided_at(m, it))
        if method == "secret":
            outcomes.open_secret_ballot(self.s, self.u["secretary"], ms, m, it)
            for n, uid in enumerate(voters):
                outcomes.cast_secret_ballot(self.s, self.person(uid), ms, m, it, "no" if n < no else "yes")
            outcomes.close_secret_ballot(self.s, self.u["secretary"], ms, m, it)
        elif method == "named":
            outcomes.vote(self.s, self.u["secretary"], ms, m, it, "named",
                    named={u: ("no" if n < no else "yes") for n, u in enumerate(voters)})
        else:
            outcomes.vote(self.s, self.u["secretary"], ms, m, it, method, yes=len(voters) - no, no=no, abstain=0)

    def _decided_at(self, m: Meeting, it: Item) -> Any:
        return local_to_utc(m.held_on, time(16, 10)) + timedelta(minutes=25 * m.items.index(it))

    def decide(self, m: Meeting, it: Item, outcome: str = "pass", text: str = "同意。") -> Item | None:
        happened(self._decided_at(m, it))
        return outcomes.decide(self.s, self.u["principal"], self.ms(m.held_on), m, it, outcome, text)

    def finish(self, m: Meeting) -> None:
        from portal.decisions.queries import minutes_text, names_for

        held = m.held_on
        happened(local_to_utc(held, time(17, 30)))
        mr.close_meeting(self.s, self.u["leader3"], m)
        happened(local_to_utc(held, time(20, 0)))
        mr.save_minutes(self.s, self.u["leader3"], m, {i.id: discussion(i) for i in m.items},
                        "列席人员就执行中的具体问题作了说明。" if any(a.kind == "nonvoting" for a in m.attendance) else "")
        m.closed_at = local_to_utc(held, time(17, 30))
        m.minutes_saved_at = local_to_utc(held, time(20, 0))
        for n, it in enumerate(m.items):
            it.decided_at = local_to_utc(held, time(16, 10)) + timedelta(minutes=25 * n)
        for res in (r for it in m.items for r in it.resolutions):
            res.created_at = local_to_utc(held, time(17, 0))
        if held < self.day(7):
            text = minutes_text(m, names_for(self.s, m))
            happened(local_to_utc(held + timedelta(days=1), time(10, 0)))
            mr.sign_minutes(self.s, self.u["leader3"], m, text)
            happened(local_to_utc(held + timedelta(days=1), time(16, 0)))
            mr.sign_minutes(self.s, self.u["supervisor"], m, text)
            m.recorder_signed_at = local_to_utc(held + timedelta(days=1), time(10, 0))
            m.supervisor_signed_at = local_to_utc(held + timedelta(days=1), time(16, 0))

    def resolution(self, it: Item, title: str, owner: str, deadline_days: int | None, *, visibility: str = "staff",
                   cadence: str = "monthly", approval: bool = False, co: tuple[str, ...] = ()) -> Resolution:
        assert it.meeting is not None
        deadline = it.meeting.held_on + timedelta(days=deadline_days) if deadline_days is not None else None
        happened(local_to_utc(it.meeting.held_on, time(17, 0)))
        return rr.add_resolution(self.s, self.u["leader3"], it, title=title, text=it.proposal or title,
                                 owner=self.u[owner], deadline=deadline, visibility=visibility, cadence=cadence,
                                 co_owners=[self.u[c] for c in co], needs_approval=approval)

    def report(self, res: Resolution, days_ago: int, text: str, percent: int, final: bool = False) -> Report:
        who = self.s.get(User, res.owner_id)
        assert who is not None
        on = self.day(days_ago)
        happened(local_to_utc(on, time(17, 0)))
        r = rr.file_report(self.s, who, res, text, percent, on, final=final)
        r.filed_at = local_to_utc(on, time(17, 0))
        return r

    def disclose(self, res: Resolution, submitted_ago: int, published_ago: int) -> None:
        """The secretary publishes the decision to 党务公开; the deputy secretary approves it."""
        from portal.decisions.queries import party_catalogue_items
        from portal.decisions.rules.publication import publish_decision
        from portal.disclosure.rules import publish

        assert res.item is not None and res.item.meeting is not None
        happened(local_to_utc(self.day(submitted_ago), time(16, 0)))
        notice = publish_decision(self.s, self.u["secretary"], res, party_catalogue_items(self.s)[0],
                                  res.item.meeting.title, now=local_to_utc(self.day(submitted_ago), time(16, 0)))
        happened(local_to_utc(self.day(published_ago), time(10, 0)))
        publish(self.s, self.u["principal"], notice, now=local_to_utc(self.day(published_ago), time(10, 0)))

    def confirm(self, res: Resolution) -> None:
        """The secretary confirms a resolution done, the working day after its final report."""
        last = max(r.filed_at for r in self.s.scalars(select(Report).where(Report.resolution_id == res.id)))
        happened(last + timedelta(hours=17))
        rr.confirm_done(self.s, self.u["secretary"], res)

    def urge(self, res: Resolution, days_ago: int, note: str) -> None:
        happened(local_to_utc(self.day(days_ago), time(10, 0)))
        row = rr.urge(self.s, self.u["secretary"], res, note)
        row.at = local_to_utc(self.day(days_ago), time(10, 0))


PARTY_TITLE = "党委会（第%d次）"
OFFICE_TITLE = "校长办公会（第%d次）"
AGREE = (
    "方案经过充分调研，程序完备，同意。", "符合学校发展规划，同意实施，请相关处室细化分工。", "经费来源已落实，同意。",
    "同意，建议实施过程中加强检查，按月报告进展。", "已听取教职工意见，方案吸收了主要建议，同意。",
    "同意。建议把时间节点写进决议，便于督办。", "与上级文件要求一致，同意。", "同意，请注意做好与家长的沟通解释。",
    "风险评估已做，应急预案可行，同意。", "同意，建议分步实施，先试点再推开。",
)
AGAINST = ("时机尚不成熟，建议进一步论证后再议。", "教职工意见分歧较大，建议再次听取意见。", "经费测算依据不足，建议缓议。")
ROUTINE_OFFICE = ("本周教育教学工作安排", "校园安全检查情况通报与整改", "近期德育活动安排", "后勤保障与设施维修安排",
                  "教研组活动与听评课安排", "学籍管理与招生咨询工作", "作业与课后服务情况检查", "食堂与卫生工作检查")
ROUTINE_PARTY = ("传达学习上级会议精神", "主题党日活动安排", "党风廉政建设专题研究", "意识形态工作分析研判",
                 "党员发展与教育管理工作", "师德师风建设情况研究")


def discussion(item: Item) -> str:
    """The recorder's note of an item's discussion (讨论情况)."""
    if item.state == "deferred":
        return f"与会人员对“{item.title}”分歧较大，部分成员认为时机尚不成熟，主持人提议暂缓决策，进一步听取意见后再议。"
    return f"提出人介绍了“{item.title}”的背景和方案，与会人员就实施步骤、经费和风险逐一发表意见，主持人归纳了讨论情况。"


def routine_days(adopted: date, today: date, office: list[date], party: list[date]) -> tuple[list[date], list[date]]:
    """The days of routine meetings that keep the cadence: a Tuesday in each whole week after the
    adoption without an office meeting, the 12th of each whole month without a Party meeting."""
    office_fill: list[date] = []
    monday = adopted - timedelta(days=adopted.weekday()) + timedelta(days=7)
    while monday + timedelta(days=6) < today:
        if not any(monday <= day <= monday + timedelta(days=6) for day in office):
            office_fill.append(monday + timedelta(days=1))
        monday += timedelta(days=7)
    party_fill: list[date] = []
    first = (adopted.replace(day=1) + timedelta(days=32)).replace(day=1)
    while (first + timedelta(days=32)).replace(day=1) <= today:
        if not any(day.year == first.year and day.month == first.month for day in party):
            party_fill.append(first.replace(day=12))
        first = (first + timedelta(days=32)).replace(day=1)
    return office_fill, party_fill


MINUTES_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def seed_decisions(session: Session, users: dict[str, User], upload_dir: str) -> None:
    """A year of meetings and resolutions for the demo school."""
    from portal.files import store

    d = _Demo(session, users)
    minutes_file = store(upload_dir, "教职工座谈会纪要.pdf", MINUTES_PDF)
    d.paper = store(upload_dir, "议题材料（送审稿）.pdf", MINUTES_PDF)
    adopted = d.day(355)
    happened(local_to_utc(adopted, time(10, 0)))
    pr.adopt_procedure(session, None, "party", adopted_on=adopted, filed_on=adopted + timedelta(days=20),
                       note="经党委会审议通过，报区教育局备案。")
    pr.adopt_procedure(session, None, "office", adopted_on=adopted, filed_on=adopted + timedelta(days=20),
                       note="经党委会审议通过，报区教育局备案。")
    # the year's calendar: the meetings below, and a routine one in every week (office) and
    # month (Party) that has none, as the rules ask (每周 / 每月至少1次); numbered in date order
    office_days = [d.day(a) for a in (330, 270, 240, 5)] + [d.day(180 - n * 12) for n in range(1, 14, 2)]
    party_days = [d.day(a) for a in (350, 300, 262, 210, 3)] + [d.day(180 - n * 12) for n in range(0, 14, 2)]
    office_fill, party_fill = routine_days(adopted, d.today, office_days, party_days)
    d.number({"office": office_days + office_fill, "party": party_days + party_fill + [d.today + timedelta(days=3)]})
    R: dict[str, Resolution] = {}

    # --- about a year ago -------------------------------------------------------------------
    on = d.day(350)
    a = d.item("party", "2026年度学校工作要点", "principal", on=on, major_kind="decision",
               proposal="审议通过 2026 年度学校工作要点，分解任务到各处室。")
    b = d.item("party", "党风廉政建设责任分解", "secretary", on=on, proposal="明确班子成员“一岗双责”清单。")
    m = d.meeting("party", on, "党委会（第1次）", [a, b])
    for it in (a, b):
        d.stances(m, it)
        d.vote(m, it)
    R["plan"] = d.resolution(a, "落实年度工作要点，按季度报告推进情况", "principal", 330, visibility="public", cadence="term")
    R["integrity"] = d.resolution(b, "签订党风廉政建设责任书", "secretary", 30, visibility="staff", cadence="once")
    d.finish(m)
    d.report(R["integrity"], 330, "班子成员和中层干部均已签订责任书。", 100, final=True)
    d.confirm(R["integrity"])

    on = d.day(330)
    o1 = d.item("office", "新学期课程安排与教师任课", "leader1", on=on, proposal="确定各年级课程表与任课安排。")
    o2 = d.item("office", "校园安防监控系统升级", "handler1", on=on, technical=True, important=True,
                proposal="更换 64 路监控并接入区平台。",
                evidence=[("expert", {"who": "区电教馆专家组", "conclusion": "方案可行，建议分两期实施。"})])
    m = d.meeting("office", on, "校长办公会（第1次）", [o1, o2])
    d.stances(m, o1)
    d.decide(m, o1, "pass", "同意课程安排，由教务处公布。")
    d.stances(m, o2)
    cctv = d.decide(m, o2, "pass", "同意分两期实施，第一期暑期完成，提交党委会研究决定。")
    assert cctv is not None  # an important item: the Party meeting decides it
    R["courses"] = d.resolution(o1, "公布新学期课程表和任课安排", "leader1", 14, visibility="public", cadence="once")
    d.finish(m)
    d.report(R["courses"], 320, "课程表已于开学前公布。", 100, final=True)
    d.confirm(R["courses"])

    # --- the performance-pay plan, after its consultation -----------------------------------
    on = d.day(300)
    from portal.consultations.queries import finished

    from portal.consultations.models import Consultation

    # the staff were heard first: a consultation whose adoption summary was out before the meeting
    consultation = session.scalar(finished(session).where(
        Consultation.summary_published_at < local_to_utc(on - timedelta(days=6), time(0))).limit(1))
    heard = [("consultation", {"consultation_id": consultation.id})] if consultation else \
        [("congress_vote", {"reference": "第五届教代会第二次会议表决通过"})]
    pay = d.item("party", "奖励性绩效工资分配方案（修订）", "principal", on=on, staff_interest=True, evidence=heard,
                 proposal="按征求意见后的修订稿实施，班主任系数调整为 1.3。")
    m = d.meeting("party", on, "党委会（第2次）", [cctv, pay])
    d.stances(m, cctv)
    d.vote(m, cctv)
    d.stances(m, pay)
    d.vote(m, pay, "named", no=1)
    R["cctv"] = d.resolution(cctv, "校园安防监控系统升级（第一期）", "handler1", 180, visibility="staff", co=("leader2",))
    R["pay"] = d.resolution(pay, "实施修订后的奖励性绩效工资分配方案", "principal", 120, visibility="staff", co=("leader4",))
    d.finish(m)
    d.report(R["pay"], 270, "方案已公示 5 个工作日，无异议。", 40)
    d.report(R["pay"], 238, "已按新方案核发两个月绩效工资。", 80)
    d.report(R["pay"], 200, "全年核发完毕，申诉 2 件均已答复。", 100, final=True)
    d.confirm(R["pay"])

    # --- the canteen contract: office meeting → Party meeting ---------------------------------
    on = d.day(270)
    canteen = d.item("office", "学校食堂承包合同续签", "handler1", on=on, major_kind="expenditure",
                     proposal="与现承包方续签三年，年承包费 86 万元。")
    m = d.meeting("office", on, "校长办公会（第2次）", [canteen])
    d.stances(m, canteen)
    forwarded = d.decide(m, canteen, "pass", "同意提交党委会决定。")
    d.finish(m)
    assert forwarded is not None
    on = d.day(262)
    cadre = d.item("party", "任命教务处副主任", "secretary", on=on, major_kind="cadre",
                   evidence=[("preparation", {"who": "党委委员、教务处教师代表", "conclusion": "民主推荐和考察一致同意。"})],
                   proposal="拟任命孙明辉同志为教务处副主任（试用期一年）。")
    m = d.meeting("party", on, "党委会（第3次）", [forwarded, cadre])
    d.stances(m, forwarded)
    d.vote(m, forwarded, "hands")
    d.stances(m, cadre)
    d.vote(m, cadre, "secret", no=1)
    R["canteen"] = d.resolution(forwarded, "续签食堂承包合同并公开菜品价格", "handler1", 60, visibility="public")
    R["cadre"] = d.resolution(cadre, "印发任职通知并办理试用期考核", "secretary", 365, visibility="internal", cadence="term")
    d.finish(m)
    d.disclose(R["canteen"], 261, 260)
    d.report(R["canteen"], 230, "合同已签订，菜品价格每周公示。", 90)

    # --- an item held back: the secretary and the principal disagree ----------------------------
    held = d.item("party", "调整教职工午餐补贴标准", "leader2", agree=False, staff_interest=True,
                  evidence=[("hearing", {"reference": "教职工座谈会", "attachment": (
                      minutes_file.filename, minutes_file.stored_name, minutes_file.sha256)})],
                  proposal="补贴由每天 12 元调整为 15 元。")
    happened(local_to_utc(d.day(6), time(10, 0)))
    ir.record_view(session, users["secretary"], d.ms(d.today), held, True, "同意研究。")
    ir.record_view(session, users["principal"], d.ms(d.today), held, False, "经费来源尚未落实，暂缓。")

    # --- a deferred item: serious disagreement at the office meeting -------------------------
    on = d.day(240)
    hours = d.item("office", "调整教职工作息时间", "leader1", on=on, important=True,
                   proposal="早读提前 20 分钟，延长午休。")
    works = d.item("office", "暑期校舍维修项目", "handler1", on=on, major_kind="project",
                   proposal="维修教学楼屋面和实验室，预算 48 万元。")
    m = d.meeting("office", on, "校长办公会（第3次）", [hours, works])
    d.stances(m, hours, against=3)
    d.decide(m, hours, "defer", "分歧较大，暂缓决策，再听取意见。")
    d.stances(m, works)
    works_party = d.decide(m, works, "pass", "同意提交党委会决定。")
    d.finish(m)
    assert works_party is not None

    # --- awaiting higher approval, and a reconsidered resolution ------------------------------
    on = d.day(210)
    gym = d.item("party", "新建风雨操场", "principal", on=on, major_kind="project",
                 proposal="新建风雨操场 1,800 平方米，报区教育局审批。")
    m = d.meeting("party", on, "党委会（第4次）", [works_party, gym], late_papers=True)
    d.stances(m, works_party)
    d.vote(m, works_party)
    d.stances(m, gym)
    d.vote(m, gym, "oral")
    R["works"] = d.resolution(works_party, "实施暑期校舍维修项目", "handler1", 75, visibility="public")
    R["gym"] = d.resolution(gym, "新建风雨操场（待区教育局批准）", "principal", 540, visibility="public", approval=True)
    d.finish(m)
    d.report(R["works"], 180, "屋面防水已完工。", 60)
    d.report(R["works"], 140, "实验室改造完成，通过验收。", 100, final=True)
    d.confirm(R["works"])

    # --- monthly Party meetings and office meetings through the year ---------------------------
    topics = [
        ("party", "教师队伍建设三年规划", "leader1", "principal", "staff", 1095, "decision"),  # three years
        ("office", "秋季运动会组织方案", "leader2", "leader2", "public", 40, "none"),
        ("party", "发展党员工作计划", "secretary", "leader3", "internal", 200, "none"),
        ("office", "教学质量监测与分析办法", "leader4", "leader4", "staff", 90, "none"),
        ("party", "校园文化建设方案", "leader2", "leader2", "public", 150, "decision"),
        ("office", "图书馆借阅管理办法修订", "leader4", "leader4", "staff", 60, "none"),
        ("party", "年度预算调整（追加信息化经费）", "principal", "handler1", "staff", 120, "expenditure"),
        ("office", "家校沟通工作制度", "leader2", "leader2", "public", 45, "none"),
        ("party", "师德师风专项整治", "secretary", "secretary", "staff", 120, "none"),
        ("office", "课后服务实施方案", "leader1", "leader1", "public", 60, "none"),  # in place by the next half-term
        ("party", "青年教师培养工程", "leader1", "leader1", "staff", 365, "none"),  # a school year of mentoring
        ("office", "实验室安全管理制度", "leader4", "leader4", "staff", 30, "none"),  # a rule issued within a month
        ("party", "学生心理健康教育方案", "leader2", "leader2", "public", 150, "none"),
        ("office", "冬季校园安全检查", "handler1", "handler1", "staff", 20, "none"),
    ]
    n_party, n_office = 5, 4
    for n, (body, title, proposer, owner, vis, days, kind) in enumerate(topics):
        ago = 180 - n * 12
        on = d.day(ago)
        it = d.item(body, title, proposer, on=on, major_kind=kind if body == "party" else "none",
                    proposal=f"审议《{title}》。")
        if body == "party":
            n_party += 1
            m = d.meeting("party", on, f"党委会（第{n_party}次）", [it], absent=("leader2",) if n % 4 == 0 else ())
            d.stances(m, it)
            d.vote(m, it, "hands" if n % 3 else "oral")
        else:
            n_office += 1
            m = d.meeting("office", on, f"校长办公会（第{n_office}次）", [it])
            d.stances(m, it)
            d.decide(m, it, "pass", "同意。")
        res = d.resolution(it, f"落实《{title}》", owner, days, visibility=vis)
        d.finish(m)
        R[title] = res
        # reports: some on time, some late, some missing
        if n % 3 == 0:
            d.report(res, max(ago - 28, 1), "已部署，按计划推进。", 30)
            if ago - 60 > 0:
                d.report(res, ago - 60, "阶段任务完成。", 60)
        elif n % 3 == 1 and ago > 40:
            d.report(res, ago - 35, "推进中（补报）。", 40)
        if days < ago and n % 2 == 0:
            d.report(res, max(ago - days - 2, 1), "全部完成。", 100, final=True)
            d.confirm(res)

    # --- urging: the integrity-free plan resolution, urged twice ---------------------------------
    late = R["教师队伍建设三年规划"]
    d.urge(late, 40, "请按月报告规划落实情况。")
    d.urge(late, 10, "已逾期未报，请于本周内报告。")
    happened(local_to_utc(d.day(10), time(11, 0)))
    rr.add_supervision_note(session, users["secretary"], late, "重点关注青年教师培养经费落实。")
    d.urge(R["canteen"], 15, "合同已超期，请报告菜品价格公示和收尾情况。")
    d.urge(R["cctv"], 60, "请报告第一期工程进度。")

    # --- reconsideration of the sports-meeting plan -------------------------------------------
    sports = R["秋季运动会组织方案"]
    if sports.state == "open":
        happened(local_to_utc(d.day(13), time(9, 0)))
        recon = rr.propose_reconsideration(session, users["leader2"], sports, "复议秋季运动会组织方案",
                                           "因天气原因需调整比赛日期和项目。", "运动会改为两天，增加趣味项目。")
        ms = d.ms(d.today)
        happened(local_to_utc(d.day(12), time(10, 0)))
        for who in ("secretary", "principal"):
            ir.record_view(session, users[who], ms, recon, True, "同意复议。")
        on = d.day(5)
        m = d.meeting("office", on, f"校长办公会（第{n_office + 1}次）", [recon])
        d.stances(m, recon)
        recon_party = d.decide(m, recon, "pass", "同意调整，提交党委会研究决定。")
        d.finish(m)
        assert recon_party is not None  # a reconsideration is important: the Party meeting decides it
        on = d.day(3)
        m = d.meeting("party", on, f"党委会（第{n_party + 1}次）", [recon_party])
        d.stances(m, recon_party)
        d.vote(m, recon_party)
        d.resolution(recon_party, "按调整后的方案举办秋季运动会", "leader2", 30, visibility="public")
        d.finish(m)

    # --- the routine weekly and monthly meetings ---------------------------------------------
    for n, on in enumerate(sorted(office_fill)):
        it = d.item("office", ROUTINE_OFFICE[n % len(ROUTINE_OFFICE)], ("leader1", "leader2", "leader4")[n % 3], on=on,
                    proposal="研究部署近期工作。")
        m = d.meeting("office", on, "", [it], absent=("leader4",) if n % 7 == 3 else (), receipts=False)
        d.stances(m, it)
        d.decide(m, it, "pass", "同意，由分管领导抓好落实。")
        d.finish(m)
    for n, on in enumerate(sorted(party_fill)):
        it = d.item("party", ROUTINE_PARTY[n % len(ROUTINE_PARTY)], "secretary", on=on, proposal="研究部署有关工作。")
        m = d.meeting("party", on, "", [it], receipts=False)
        d.stances(m, it)
        d.vote(m, it, "hands")
        d.finish(m)

    # --- the principal's regular report to the Party committee ---------------------------------
    happened(local_to_utc(adopted + timedelta(days=1), time(10, 0)))
    regular = rr.standing_report(session, None, users["principal"], d.day(400),
                                 "校长向党委报告重大决议执行情况（每学期）")
    d.report(regular, 220, "上学期重大决议执行情况：6 项完成，2 项推进中。", 50)

    # --- a planned meeting with its agenda still open (planned today) --------------------------
    now_again()
    nxt = d.item("party", "2027年度预算编制原则", "principal", major_kind="expenditure",
                 proposal="坚持“保运转、保重点、保民生”。")
    m = mr.create_meeting(session, users["secretary"], d.ms(d.today + timedelta(days=3)), "party",
                          PARTY_TITLE % d.numbers[("party", d.today + timedelta(days=3))],
                          local_to_utc(d.today + timedelta(days=3), time(15, 30)), d.today + timedelta(days=3),
                          recorder=users["leader3"], supervisor=users["supervisor"])
    ir.schedule_item(session, users["secretary"], d.ms(d.today), nxt, m)
    session.flush()

    # --- this morning's reminders (cron runs ``flask remind`` daily) ----------------------------
    from portal.decisions.rules.reminders import send_reminders

    send_reminders(session, d.today)



def seed_bench_decisions(session: Session, rng: Any, people: list[User], now: Any, progress: Any,
                         commit: Any, count: int = 500) -> None:
    """``count`` resolutions for the benchmark school, ten per Party meeting over two years,
    each with one to three progress reports, all through the decision rules."""
    users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(
        ["secretary", "principal", "leader1", "leader2", "leader3", "leader4", "handler1", "supervisor"])))}
    d = _Demo(session, users)
    owners = ["principal", "leader1", "leader2", "leader4", "handler1"]
    per = 10
    for batch in range(count // per):
        on = d.day(730 - batch * (700 // max(count // per, 1)))
        items = [ir.propose_item(session, users["leader1"], "party", f"基准议题 {batch * per + i + 1}",
                                 proposal="基准测试数据。") for i in range(per)]
        m = d.meeting("party", on, f"党委会（基准 {batch + 1}）", items)
        for it in items:
            d.stances(m, it)
            d.vote(m, it)
            res = d.resolution(it, f"基准决议 {it.title}", rng.choice(owners), rng.choice([60, 120, 365, 540]),
                               visibility=rng.choice(["public", "staff", "internal"]), cadence=rng.choice(["monthly", "term"]))
            for k in range(rng.randint(1, 3)):
                filed = on + timedelta(days=25 + 30 * k + rng.randint(0, 20))
                if filed < d.today:
                    d.report(res, (d.today - filed).days, "按计划推进。", min(30 * (k + 1), 90))
        d.finish(m)
        commit()
        progress.add("resolutions", per)
