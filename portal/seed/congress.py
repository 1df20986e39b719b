"""Demo congress: a past session of 第五届教代会 with closed polls (a motion passed; a motion
that failed on the roster rule although most of those present voted yes; a secret election
of a five-member committee from seven candidates; a secret motion), and a session open
today where rep1…rep40 can sign in and vote. Made through the congress rules, deterministic."""
from __future__ import annotations

import random
from datetime import date, datetime

from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.congress.models import CongressTerm
from portal.congress.rules import polls, sessions
from portal.timeutil import local_to_utc, to_local, utcnow

PAST_DAY = date(2025, 3, 14)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    from datetime import time

    return local_to_utc(day, time(hour, minute))


def seed_congress(session: Session, users: dict[str, User], term: CongressTerm) -> None:
    rng = random.Random(8)
    union = users["union"]
    reps = [users[f"rep{i}"] for i in range(1, 41)]

    past = sessions.create_session(session, union, term, PAST_DAY, "学校报告厅",
                                   "一、听取和审议校长工作报告\n二、审议《学校章程（修订稿）》\n"
                                   "三、审议课后服务时间调整方案\n四、选举提案工作委员会委员\n五、审议绩效工资分配方案")
    sessions.open_session(session, union, past, now=_at(PAST_DAY, 8, 30))
    present = reps[:36]
    for i, rep in enumerate(present):
        sessions.sign_in(session, rep, past, now=_at(PAST_DAY, 8, 31 + i // 6))
    sessions.record_presence(session, union, past, reps[36], "in", "纸质签到（手机未带）", now=_at(PAST_DAY, 8, 40))
    present = reps[:37]

    def motion(title: str, secret: bool, voters: list[User], yes: int, no: int, hour: int, public: bool) -> None:
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

    names = ["陈静", "刘洋", "王芳", "张伟", "李娜", "赵磊", "孙丽"]
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

    today = to_local(utcnow()).date()
    current = sessions.create_session(session, union, term, max(today, term.starts_on), "学校报告厅",
                                      "一、听取和审议学校年度工作报告\n二、审议2027年度工作计划\n三、增补教代会主席团成员")
    sessions.open_session(session, union, current)
    plan = polls.create_poll(session, union, current, polls.PollSpec(title="关于《学校2027年度工作计划》的表决"))
    polls.open_poll(session, union, plan)
    polls.create_poll(session, union, current, polls.PollSpec(
        title="增补教代会主席团成员", kind="election", secret=True, seats=2, candidates=("周敏", "吴强", "郑洁"),
        rule_num=1, rule_den=2, rule_strict=True))
