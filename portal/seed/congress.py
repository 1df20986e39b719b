"""Demo congress: a past session of 第五届教代会 with closed polls (a motion passed; a motion
that failed on the roster rule although most of those present voted yes; a secret election
of a five-member committee from seven candidates; a secret motion), and a session open
today where rep1…rep40 can sign in and vote; each with the principal's work report, read by thirty
representatives, with opinions (one left unanswered today). Made through the congress rules,
deterministic."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.congress.models import CongressSession, CongressTerm
from portal.congress.rules import polls as _polls, sessions as _sessions
from portal.seed.history import Replayed, happened, now_again
from portal.timeutil import local_to_utc, to_local, utcnow

PAST_DAY = date(2025, 3, 14)
# each step records its audit event at the time it says it happened (now=)
polls, sessions = Replayed(_polls), Replayed(_sessions)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    from datetime import time

    return local_to_utc(day, time(hour, minute))


PAST_REPORT = """## 一、一年来的主要工作

1. 完成课后服务时间调整的调研，形成方案提交本次大会审议。
2. 修订《学校章程》，经党委会研究后提交大会审议。
3. 推进教职工绩效工资分配方案的修订，已完成征求意见。

## 二、存在的问题

- 青年教师培养机制还不健全；
- 食堂服务满意度有待提高。

## 三、下一学年的工作安排

围绕“双减”要求优化课程设置，完善教职工民主管理制度。"""

CURRENT_REPORT = """## 一、本年度工作回顾

学校按照党组织领导的校长负责制要求，落实“三重一大”事项集体决策，执行教代会各项决议。

## 二、2027 年度工作思路

1. 落实绩效工资分配方案，按月公示考核结果；
2. 完成食堂承包合同的公开招标；
3. 推进教师专业发展中心建设。"""

OPINIONS = [
    (0, "建议报告中增加青年教师培养的具体措施和时间表。",
     "已采纳。学校将在下学期初出台《青年教师培养三年计划》，明确导师结对和考核安排。"),
    (3, "食堂满意度问题希望给出整改期限。", "总务处将在一个月内完成食堂服务整改，并在校务公开栏公示整改情况。"),
    (7, "课后服务时间调整后，教师的补助标准是否同步调整？", None),
]


def _work_report(session: Session, users: dict[str, User], cs: CongressSession, title: str, text: str,
                 at: datetime | None) -> None:
    """The principal files the work report before the session; representatives read it and
    leave opinions, the principal's office answers most of them."""
    from portal.congress.rules import work_report as reports

    work_report = Replayed(reports)

    principal, office = users["principal"], users["leader3"]
    report = work_report.file_report(session, principal, cs, work_report.prepare(title, text), now=at)
    for i in range(1, 31):
        work_report.mark_read(session, users[f"rep{i}"], report, now=at + timedelta(hours=i) if at else None)
    for n, (rep, body, answer) in enumerate(OPINIONS):
        when = at + timedelta(days=1, hours=n) if at else None
        opinion = work_report.leave_opinion(session, users[f"rep{rep + 1}"], report, body, now=when)
        if answer and (at is not None or n == 0):
            work_report.answer_opinion(session, office, opinion, answer, now=when + timedelta(days=1) if when else None)


def seed_congress(session: Session, users: dict[str, User], term: CongressTerm) -> None:
    rng = random.Random(8)
    union = users["union"]
    reps = [users[f"rep{i}"] for i in range(1, 41)]

    happened(_at(PAST_DAY - timedelta(days=21), 10))
    past = sessions.create_session(session, union, term, PAST_DAY, "学校报告厅",
                                   "一、听取和审议校长工作报告\n二、审议《学校章程（修订稿）》\n"
                                   "三、审议课后服务时间调整方案\n四、选举提案工作委员会委员\n五、审议绩效工资分配方案")
    _work_report(session, users, past, "关于学校 2025—2026 学年工作的报告", PAST_REPORT, _at(PAST_DAY - timedelta(7), 16))
    sessions.open_session(session, union, past, now=_at(PAST_DAY, 8, 30))
    present = reps[:36]
    for i, rep in enumerate(present):
        sessions.sign_in(session, rep, past, now=_at(PAST_DAY, 8, 31 + i // 6))
    sessions.record_presence(session, union, past, reps[36], "in", "纸质签到（手机未带）", now=_at(PAST_DAY, 8, 40))
    present = reps[:37]

    def motion(title: str, secret: bool, voters: list[User], yes: int, no: int, hour: int, public: bool) -> None:
        happened(_at(PAST_DAY, hour) - timedelta(minutes=10))
        poll = polls.create_poll(session, union, past, polls.PollSpec(title=title, secret=secret))
        polls.open_poll(session, union, poll, now=_at(PAST_DAY, hour))
        choices = ["yes"] * yes + ["no"] * no + ["abstain"] * (len(voters) - yes - no)
        for voter, choice in zip(voters, choices):
            polls.cast_vote(session, voter, poll, choice, now=_at(PAST_DAY, hour, 5))
        polls.close_poll(session, union, poll, now=_at(PAST_DAY, hour, 20))
        if public:
            polls.set_results_public(session, union, poll, True)

    motion("关于《学校章程（修订稿）》的表决", False, present, 31, 4, 9, True)
    # Ten leave for a lesson: 27 stay (quorum holds, 27 of 40), 19 vote yes (70 % of those
    # present) but the roster rule needs 20 of 40: it fails.
    for rep in present[27:]:
        sessions.record_presence(session, union, past, rep, "out", "离场上课", now=_at(PAST_DAY, 9, 40))
    motion("关于调整课后服务时间的表决", False, present[:27], 19, 5, 10, True)
    for rep in present[27:]:
        sessions.record_presence(session, union, past, rep, "in", "返回会场", now=_at(PAST_DAY, 10, 40))

    names = [reps[i].name for i in (2, 7, 11, 16, 22, 29, 34)]  # candidates from the school's own representatives
    happened(_at(PAST_DAY, 10, 50))
    election = polls.create_poll(session, union, past, polls.PollSpec(
        title="选举第五届教代会提案工作委员会委员", kind="election", secret=True, seats=5, candidates=tuple(names),
        rule_num=1, rule_den=2, rule_strict=True))
    polls.open_poll(session, union, election, now=_at(PAST_DAY, 11))
    weights = [0.9, 0.85, 0.8, 0.7, 0.6, 0.35, 0.3]
    codes = [c.code for c in election.candidates]
    for voter in present:
        chosen = [c for c, w in zip(codes, weights) if rng.random() < w][:5]
        polls.cast_vote(session, voter, election, chosen, now=_at(PAST_DAY, 11, 5))
    polls.close_poll(session, union, election, now=_at(PAST_DAY, 11, 30))
    polls.set_results_public(session, union, election, True)

    motion("关于《教职工绩效工资分配方案》的表决", True, present, 29, 6, 14, False)
    sessions.close_session(session, union, past, now=_at(PAST_DAY, 16))

    now_again()  # the current session is today's
    today = to_local(utcnow()).date()
    current = sessions.create_session(session, union, term, max(today, term.starts_on), "学校报告厅",
                                      "一、听取和审议学校年度工作报告\n二、审议2027年度工作计划\n三、增补教代会主席团成员")
    _work_report(session, users, current, "学校年度工作报告", CURRENT_REPORT, None)
    sessions.open_session(session, union, current)
    for rep in reps[:30]:  # a poll opens only with two thirds of the forty present
        sessions.sign_in(session, rep, current)
    plan = polls.create_poll(session, union, current, polls.PollSpec(title="关于《学校2027年度工作计划》的表决"))
    polls.open_poll(session, union, plan)
    polls.create_poll(session, union, current, polls.PollSpec(
        title="增补教代会主席团成员", kind="election", secret=True, seats=2, candidates=tuple(reps[i].name for i in (4, 13, 25)),
        rule_num=1, rule_den=2, rule_strict=True))
