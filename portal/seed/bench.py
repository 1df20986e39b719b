"""A large school for the benchmark (``flask --app portal seed-bench``).

The demo school (its logins, bodies, congress roster and catalogue) grown to 300 staff and
``notices`` notices over five years, every one made through the project's own rule
functions (``create_draft`` → ``submit`` → ``publish``, corrections, withdrawals, objections
and answers during 公示 windows, acknowledgements), so every row is in the audit chain and
every table has the shape real use gives it. Deterministic: ``random.Random(seed)``.

Bulk where the rules allow it: one password hash for everybody, commits in batches.
Later features add their volume as further steps in ``STEPS`` (see the end of the file).
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.auth.models import Department, User
from portal.disclosure import rules
from portal.disclosure.models import CatalogItem, Notice
from portal.org.models import BodyMember
from portal.seed import demo
from portal.timeutil import utcnow

STAFF_TOTAL = 300
NOTICES = 10_000
YEARS = 5
BATCH = 500

TOPICS = {
    "party": ["党员大会", "主题党日", "党课学习", "组织生活会", "发展党员", "党费收缴", "民主评议", "廉政教育", "支部建设"],
    "school": ["绩效工资", "职称评审", "岗位聘用", "评优评先", "教学常规", "校园安全", "后勤采购", "课后服务",
               "招生工作", "经费预算", "教师培训", "家校共育"],
}
KINDS = ["通知", "公示", "公告", "情况通报", "实施方案", "工作安排", "结果公布"]
PARAGRAPHS = [
    "根据上级有关文件精神，结合学校实际，经校长办公会议研究、党组织会议决定，现将有关事项公布如下。",
    "请各部门、各年级组认真组织学习，按时完成相关工作，并将落实情况报党政办公室。",
    "本事项涉及教职工切身利益，已提交教职工代表大会讨论，广泛听取了教职工意见。",
    "公示期间，教职工如有异议，可在本页提出，或以书面形式向学校纪检委员反映。",
    "学校将根据执行情况适时调整，并在下一次教代会上报告落实情况。",
    "具体安排如下：\n\n1. 时间：每周三下午\n2. 地点：学校报告厅\n3. 参加人员：全体教职工",
    "| 项目 | 人数 | 金额（元） |\n|---|---|---|\n| 一线教师 | 186 | 1,240,000 |\n| 班主任 | 48 | 316,800 |\n",
    "附：相关政策依据及测算说明（略）。对本方案有疑问的，请与分管副校长联系。",
]
OBJECTIONS = ["建议公布测算依据。", "名单中有一位同志的任职年限有误，请核实。", "考核细则中班主任工作量折算偏低。",
              "请说明评审委员会的组成。", "希望延长公示期，便于外出培训的老师了解情况。"]


@dataclass
class Progress:
    """What was made, for the command's report; ``say`` prints progress lines."""

    say: Callable[[str], None] = print
    counts: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


def _more_staff(session: Session, rng: random.Random, password_hash: str, total: int) -> list[User]:
    """Grow the demo's 120 staff to ``total``, sharing its one password hash."""
    existing = list(session.scalars(select(User).order_by(User.id)))
    departments = list(session.scalars(select(Department).where(Department.kind != "office")))
    taken = {u.name for u in existing}
    added: list[User] = []
    n = 0
    while len(existing) + len(added) < total:
        n += 1
        name = rng.choice(demo.SURNAMES) + rng.choice(demo.GIVEN) + rng.choice(demo.GIVEN)[:1]
        if name in taken:
            continue
        taken.add(name)
        user = User(username=f"bench{n}", staff_no=f"BN{n:04d}", name=name, department=rng.choice(departments),
                    is_party_member=rng.random() < 0.4, password_hash=password_hash, must_change_password=False)
        user.set_roles(set())
        session.add(user)
        added.append(user)
    session.flush()
    return existing + added


def _body(rng: random.Random) -> str:
    return "\n\n".join(rng.sample(PARAGRAPHS, rng.randint(2, 5)))


def seed_notices(session: Session, rng: random.Random, people: list[User], count: int, now: datetime,
                 progress: Progress, commit: Callable[[], None]) -> None:
    """``count`` notices over ``YEARS`` years, oldest first (ids grow with time, as in use)."""
    by_name = {u.username: u for u in people}
    approver = {"party": by_name["secretary"], "school": by_name["principal"]}
    authors = {"party": [by_name[n] for n in ("leader3", "union", "supervisor")],
               "school": [by_name[n] for n in ("leader1", "leader2", "leader3", "leader4", "handler1", "handler2")]}
    items = {ch: list(session.scalars(CatalogItem.ordered(ch))) for ch in ("party", "school")}
    readers = [u for u in people if u.active]
    span = timedelta(days=365 * YEARS).total_seconds()
    moments = sorted(rng.random() * span for _ in range(count))
    for i, offset in enumerate(moments):
        when = now - timedelta(seconds=span - offset) - timedelta(hours=1)
        channel = "party" if rng.random() < 0.35 else "school"
        item = rng.choice(items[channel])
        audience = rng.choices(["public", "staff", "party"], weights=[3, 6, 1 if channel == "school" else 4])[0]
        title = f"关于{rng.choice(TOPICS[channel])}的{rng.choice(KINDS)}（{when.year}-{i + 1:05d}）"
        author = rng.choice(authors[channel])
        notice = rules.create_draft(
            session, author, item=item, audience=audience, title=title, body_md=_body(rng),
            requires_ack=rng.random() < 0.03, gongshi_days=item.default_gongshi_days,
        )
        notice.created_at = notice.updated_at = when - timedelta(hours=3)
        rules.submit(session, author, notice, now=when - timedelta(hours=2))
        rules.publish(session, approver[channel], notice, now=when)
        progress.add("notices")
        if notice.gongshi_days and rng.random() < 0.08:
            for k in range(rng.randint(1, 3)):
                objection = rules.lodge_objection(session, rng.choice(readers), notice, rng.choice(OBJECTIONS),
                                                  rng.random() < 0.3, now=when + timedelta(hours=2 + k))
                progress.add("objections")
                if rng.random() < 0.9:
                    rules.answer_objection(session, author, objection, "已研究，答复如下：按方案执行，并补充说明。",
                                           now=when + timedelta(days=1, hours=k))
        if notice.requires_ack:
            for reader in rng.sample(readers, rng.randint(20, 80)):
                rules.acknowledge(session, reader, notice, now=when + timedelta(hours=rng.randint(1, 200)))
                progress.add("acknowledgements")
        roll = rng.random()
        if roll < 0.01:
            rules.withdraw(session, approver[channel], notice, "内容需进一步核实，暂予撤回。", now=when + timedelta(days=1))
            progress.add("withdrawn")
        elif roll < 0.02:
            fix = rules.start_correction(session, author, notice)
            rules.update_draft(session, author, fix, item=item, audience=audience, title=f"{title}（更正）",
                               body_md=notice.body_md + "\n\n（更正：数据以本版为准。）", requires_ack=False,
                               gongshi_days=0)
            rules.submit(session, author, fix, now=when + timedelta(days=1))
            rules.publish(session, approver[channel], fix, now=when + timedelta(days=1, hours=1))
            progress.add("corrections")
        if (i + 1) % BATCH == 0:
            commit()
            progress.say(f"  {i + 1} / {count} 条公开事项（{time.monotonic() - progress.started:.0f} 秒）")
    commit()


# Each step: (name, function(session, rng, people, now, progress, commit)). The congress
# (sessions, votes: 50 sessions), proposals (2,000) and decisions (500 resolutions with
# reports) add their steps here as those features land.
Step = Callable[[Session, random.Random, list[User], datetime, Progress, Callable[[], None]], None]


def _proposals(session: Session, rng: random.Random, people: list[User], now: datetime, progress: Progress,
               commit: Callable[[], None]) -> None:
    from portal.seed.proposals import seed_bench_proposals

    seed_bench_proposals(session, rng, people, now, progress, commit)


def _decisions(session: Session, rng: random.Random, people: list[User], now: datetime, progress: Progress,
               commit: Callable[[], None]) -> None:
    from portal.seed.decisions import seed_bench_decisions

    seed_bench_decisions(session, rng, people, now, progress, commit)


STEPS: list[tuple[str, Step]] = [("proposals (2,000)", _proposals), ("decisions (500 resolutions with reports)", _decisions)]


def seed(session: Session, upload_dir: str, *, notices: int = NOTICES, staff: int = STAFF_TOTAL,
         seed_value: int = 2026, progress: Progress | None = None,
         commit: Callable[[], None] | None = None, now: datetime | None = None) -> Progress:
    """Create the large school in an empty database; ``commit`` is called after each batch."""
    progress = progress or Progress()
    commit = commit or session.commit
    now = now or utcnow()
    rng = random.Random(seed_value)
    demo.seed(session, upload_dir)
    # The demo's office holders took their seats in 2024; here they have held them for the
    # whole five years, so every old notice has its approver (approval follows membership).
    session.execute(update(BodyMember).values(starts_on=(now - timedelta(days=365 * YEARS + 31)).date()))
    commit()
    password_hash = session.scalar(select(User.password_hash).where(User.username == "admin"))
    assert password_hash is not None
    people = _more_staff(session, rng, password_hash, staff)
    progress.add("staff", len(people))
    commit()
    seed_notices(session, rng, people, notices, now, progress, commit)
    for name, step in STEPS:
        progress.say(f"  {name}")
        step(session, rng, people, now, progress, commit)
        commit()
    progress.counts["notice rows"] = len(session.scalars(select(Notice.id)).all())
    return progress
