"""Demo proposals and consultations, made through the feature's own rule functions (so
every step is in the audit chain and the inboxes): about thirty proposals of the current
(5th) and the previous (4th) congress term over every state — a merged pair, one turned into
an opinion, one rated 不满意 and answered again, two overdue — a finished consultation on the
performance-pay plan with twenty comments and its adoption summary, and an open one on the
canteen contract. Dates are relative to the moment of seeding."""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Department, User
from portal.congress.models import CongressTerm, Representative
from portal.consultations import rules as _consult
from portal.proposals import rules as _rules
from portal.seed.history import Replayed
from portal.proposals.models import Proposal
from portal.timeutil import to_local, utcnow

# each step records its audit event at the time it says it happened (now=)
rules, consult = Replayed(_rules), Replayed(_consult)

# (title, 案由, 建议措施, category, lead department)
TOPICS = [
    ("关于增设教师午休室的建议", "学校目前没有教师午休的场所，中午老师只能趴在办公桌上休息，下午上课精力不足。",
     "利用实验楼三楼空置教室改建教师午休室，配置折叠床和储物柜。", "welfare", "总务处"),
    ("关于改善食堂饭菜质量的建议", "食堂菜品品种单一，口味偏咸，部分菜品价格偏高，教职工意见较多。",
     "成立膳食委员会，每月征求意见；公开菜品价格和成本；增加清淡菜品。", "logistics", "总务处"),
    ("关于规范校门口接送秩序的建议", "上下学时段校门口车辆乱停，学生穿行存在安全隐患。",
     "与交警部门协调设置临时停车区，安排值周教师和家长志愿者疏导。", "management", "德育处"),
    ("关于减轻班主任非教学负担的建议", "班主任每周需要填报大量表格，重复统计占用了与学生谈心的时间。",
     "梳理各部门的填报任务，合并重复表格，由年级组统一收集。", "teaching", "德育处"),
    ("关于完善青年教师培养制度的建议", "近三年新入职教师较多，师徒结对流于形式，缺少考核和激励。",
     "制定青年教师三年成长计划，师徒结对纳入绩效考核，每学期组织汇报课。", "teaching", "教务处"),
    ("关于更新多媒体教学设备的建议", "部分教室投影仪亮度不足、电脑运行缓慢，影响课堂教学。",
     "分批更换为交互式一体机，建立设备报修和巡检制度。", "logistics", "总务处"),
    ("关于开放教师健身活动场地的建议", "教职工工作压力大，缺少课后锻炼的场所。",
     "课后开放体育馆和乒乓球室，工会组织每周一次的健身活动。", "welfare", "总务处"),
    ("关于公开绩效考核细则的建议", "部分教师对绩效考核的计分办法不了解，考核结果公布后疑问较多。",
     "在校务公开栏公布考核细则和计分说明，考核前组织解读。", "management", "党政办公室"),
    ("关于合理安排晚自习值班的建议", "晚自习值班安排不均，部分教师一周值班三次以上。",
     "按学科和年级轮换值班，值班表提前一个月公布，值班计入工作量。", "teaching", "教务处"),
    ("关于改善教师办公室通风条件的建议", "北楼办公室窗户老化打不开，夏季闷热，冬季空气不流通。",
     "更换老化窗户，加装新风设备。", "logistics", "总务处"),
    ("关于建立学生心理健康档案的建议", "学生心理问题增多，班主任缺少专业支持。",
     "配备专职心理教师，建立心理健康档案和危机干预流程。", "teaching", "德育处"),
    ("关于增加教研活动经费的建议", "教研组外出学习和购买资料的经费不足。",
     "按教研组人数核定教研经费，学期末公开使用情况。", "teaching", "教务处"),
    ("关于完善教职工体检项目的建议", "现有体检项目较少，不能满足中老年教师的需要。",
     "增加甲状腺、颈椎等检查项目，可按年龄段分档。", "welfare", "党政办公室"),
    ("关于设立教师子女课后托管的建议", "双职工教师下班晚，子女放学后无人照看。",
     "利用课后服务时段为教职工子女提供托管，由工会协调。", "welfare", "德育处"),
    ("关于规范校内会议的建议", "会议多、时间长，占用教师备课时间。",
     "控制会议数量和时长，能合并的会议合并，会议材料提前发放。", "management", "党政办公室"),
    ("关于改造学校图书馆阅览区的建议", "阅览区座位少，照明不足，学生课间难以使用。",
     "增加座位和照明，延长开放时间到晚自习结束。", "logistics", "总务处"),
]
PREVIOUS = [
    ("关于修缮教工宿舍的建议", "教工宿舍屋顶漏水，墙面脱落。", "列入暑期维修计划。", "logistics", "总务处"),
    ("关于提高班主任津贴的建议", "班主任津贴多年未调整。", "按工作量提高班主任津贴标准。", "welfare", "党政办公室"),
    ("关于建设校园网络的建议", "办公区网络速度慢。", "升级校园网出口带宽，覆盖无线网络。", "logistics", "总务处"),
    ("关于开展教师读书活动的建议", "教师阅读时间少。", "成立读书会，每学期评选读书笔记。", "teaching", "教务处"),
    ("关于增设停车位的建议", "教职工车辆增多，停车位不足。", "利用操场北侧空地增设停车位。", "logistics", "总务处"),
    ("关于加强校园安全巡查的建议", "夜间巡查不到位。", "增加夜间巡查频次，完善监控。", "management", "德育处"),
]
EXTRA = [
    ("关于设立教职工意见箱的建议", "部分教职工不愿当面反映问题。", "设立线上线下意见箱，每月回复。", "management", "党政办公室"),
    ("关于优化课后服务课程的建议", "课后服务内容单一，学生兴趣不高。", "引入社团课程，按学生兴趣选课。", "teaching", "教务处"),
    ("关于增设饮水点的建议", "教学楼每层只有一个饮水点，课间排队。", "每层增设一个饮水点，定期检测水质。", "logistics", "总务处"),
]
ANSWERS = {
    "solved": "经研究，已按建议落实，具体情况见说明。相关费用已列入本年度预算，并向教职工公开。",
    "planned": "建议合理，已列入下学期工作计划，将分步实施，预计在期限内完成。",
    "cannot": "受经费和场地条件限制，目前暂不能解决；待条件具备时优先安排，并在下次教代会上报告进展。",
}


def _previous_term(session: Session, users: dict[str, User]) -> CongressTerm:
    term = CongressTerm(number=4, name="第四届教职工代表大会", starts_on=date(2019, 9, 1), ends_on=date(2024, 8, 31),
                        is_current=False)
    session.add(term)
    session.flush()
    for i in range(1, 31):
        session.add(Representative(term_id=term.id, user_id=users[f"rep{i}"].id, joined_on=term.starts_on))
    session.flush()
    return term


def _propose(session: Session, users: dict[str, User], proposer: str, cosigners: list[str], topic: tuple[str, ...],
             at: datetime, submit: bool = True) -> Proposal:
    title, reason, measures, category, _dept = topic
    p = rules.create_draft(session, users[proposer], title=title, reason=reason, measures=measures,
                           category=category, now=at)
    for i, name in enumerate(cosigners):
        if i % 2 == 0:
            rules.invite(session, users[proposer], p, users[name], now=at + timedelta(hours=1))
        rules.cosign(session, users[name], p, now=at + timedelta(days=1))
    if submit:
        rules.submit(session, users[proposer], p, now=at + timedelta(days=2))
    return p


def _assign(session: Session, users: dict[str, User], p: Proposal, dept: str, at: datetime, days: int,
            departments: dict[str, Department], cohandler: str | None = None) -> None:
    rules.accept(session, users["union"], p, now=at)
    co = [departments[cohandler]] if cohandler else []
    rules.assign(session, users["union"], p, departments[dept], co, to_local(at).date() + timedelta(days=days), now=at)


def _head(departments: dict[str, Department], dept: str, users_by_id: dict[int, User]) -> User:
    head_id = departments[dept].head_id
    assert head_id is not None
    return users_by_id[head_id]


def seed_proposals(session: Session, users: dict[str, User], now: datetime | None = None) -> dict[str, int]:
    """About thirty proposals over every state, and the two consultations."""
    now = now or utcnow()
    departments = {d.name: d for d in session.scalars(select(Department))}
    by_id = {u.id: u for u in users.values()}
    made: dict[str, int] = {}

    # --- the previous term: all handled and rated (or turned into an opinion) -------------------
    _previous_term(session, users)
    for i, topic in enumerate(PREVIOUS):
        at = datetime(2023, 3, 1, 2, 0) + timedelta(days=30 * i)
        proposer = f"rep{11 + i}"
        p = _propose(session, users, proposer, [f"rep{21 + i}", f"rep{2 + i}"], topic, at)
        if i == 5:
            rules.to_opinion(session, users["union"], p, "属于日常管理工作，转德育处研究改进。", now=at + timedelta(days=5))
            continue
        _assign(session, users, p, topic[4], at + timedelta(days=5), 30, departments)
        head = _head(departments, topic[4], by_id)
        rules.answer(session, head, p, ["solved", "planned", "solved", "solved", "cannot"][i],
                     ANSWERS[["solved", "planned", "solved", "solved", "cannot"][i]], now=at + timedelta(days=20))
        rules.rate(session, users[proposer], p, ["satisfied", "basic", "satisfied", "satisfied", "basic"][i],
                   now=at + timedelta(days=25))

    # --- the current term ------------------------------------------------------------------------
    def ago(days: int) -> datetime:
        return now - timedelta(days=days)

    t = TOPICS
    # closed: rated in the first round
    for k, (topic_i, rating, cls) in enumerate([(5, "satisfied", "solved"), (9, "basic", "planned"),
                                                (12, "satisfied", "solved"), (15, "basic", "solved")]):
        proposer = f"rep{20 + k}"
        p = _propose(session, users, proposer, [f"rep{24 + k}", f"rep{28 + k}"], t[topic_i], ago(200 - 10 * k))
        _assign(session, users, p, t[topic_i][4], ago(190 - 10 * k), 30, departments)
        rules.answer(session, _head(departments, t[topic_i][4], by_id), p, cls, ANSWERS[cls], now=ago(175 - 10 * k))
        rules.rate(session, users[proposer], p, rating, now=ago(170 - 10 * k))
    # 不满意, answered again, then rated: final
    p = _propose(session, users, "rep6", ["rep7", "rep8", "rep9"], t[1], ago(150))
    _assign(session, users, p, "总务处", ago(145), 30, departments, cohandler="党政办公室")
    rules.add_part(session, users["leader3"], p, "党政办公室将牵头公开食堂成本和价格。", now=ago(130))
    rules.answer(session, users["handler1"], p, "planned", "已与承包方沟通，下学期起增加清淡菜品。", now=ago(125))
    rules.rate(session, users["rep6"], p, "dissatisfied", "只答应增加菜品，没有回应成立膳食委员会和公开价格。", now=ago(120))
    rules.answer(session, users["handler1"], p, "solved",
                 "已成立由教职工代表参加的膳食委员会，每月公布菜品价格和成本，每学期开展满意度测评。", now=ago(100))
    rules.rate(session, users["rep6"], p, "basic", now=ago(95))
    made["returned_and_reanswered"] = p.id
    # answered, waiting for the proposer's rating
    for k, topic_i in enumerate((3, 10, 13)):
        p = _propose(session, users, f"rep{12 + k}", [f"rep{15 + k}", f"rep{18 + k}"], t[topic_i], ago(80 - 5 * k))
        _assign(session, users, p, t[topic_i][4], ago(70 - 5 * k), 40, departments)
        cls = ["planned", "solved", "cannot"][k]
        rules.answer(session, _head(departments, t[topic_i][4], by_id), p, cls, ANSWERS[cls], now=ago(20 - 5 * k))
    # assigned, in time (one with a co-handler)
    for k, topic_i in enumerate((6, 11, 14)):
        p = _propose(session, users, f"rep{31 + k}", [f"rep{34 + k}", f"rep{37 + k}"], t[topic_i], ago(40 - 5 * k))
        _assign(session, users, p, t[topic_i][4], ago(30 - 5 * k), 45, departments,
                cohandler="总务处" if k == 0 and t[topic_i][4] != "总务处" else None)
    # assigned and overdue
    for k, topic_i in enumerate((2, 8)):
        p = _propose(session, users, f"rep{26 + k}", [f"rep{29 + k}", f"rep{32 + k}"], t[topic_i], ago(90 - 5 * k))
        _assign(session, users, p, t[topic_i][4], ago(80 - 5 * k), 30, departments)
        made.setdefault("overdue", p.id)
    # the merged pair: a second proposal on teachers' rest merged into the first (assigned above? no: accepted)
    target = _propose(session, users, "rep2", ["rep3", "rep4"], t[0], ago(25))
    rules.accept(session, users["union"], target, now=ago(20))
    twin = _propose(session, users, "rep10", ["rep11", "rep12"],
                    ("建议为教师设立午间休息室", "很多老师中午没有地方休息，特别是家远的老师。",
                     "在每栋教学楼设一间休息室。", "welfare", "总务处"), ago(22))
    rules.merge(session, users["union"], twin, target, "与第 %d 号提案内容相同，并案办理。" % target.id, now=ago(19))
    made["merged"] = twin.id
    # turned into an opinion
    p = _propose(session, users, "rep16", ["rep17", "rep18"], t[7], ago(18))
    rules.to_opinion(session, users["union"], p, "学校已在校务公开中公布考核细则，转党政办公室加强解读。", now=ago(15))
    # submitted, waiting for review
    _propose(session, users, "rep19", ["rep20", "rep21"], t[4], ago(6))
    _propose(session, users, "rep22", ["rep23", "rep24"],
             ("关于增加青年教师外出培训机会的建议", "青年教师外出学习机会少，视野不够开阔。",
              "每学年安排青年教师至少一次外出培训。", "teaching", "教务处"), ago(4))
    # accepted, waiting to be assigned
    for k, topic in enumerate(EXTRA):
        p = _propose(session, users, f"rep{35 + k}", [f"rep{38 + k}", f"rep{1 + k}"], topic, ago(12 - k))
        if k < 2:
            rules.accept(session, users["union"], p, now=ago(8 - k))
    # drafts gathering co-signers
    p = _propose(session, users, "rep25", [], t[15], ago(2), submit=False)
    rules.invite(session, users["rep25"], p, users["rep26"], now=ago(2))
    rules.cosign(session, users["rep27"], p, now=ago(1))
    made["proposals"] = session.scalar(select(Proposal.id).order_by(Proposal.id.desc()).limit(1)) or 0

    _consultations(session, users, now)
    return made


COMMENTS = [
    ("rep1", False, "建议将班主任工作量系数从 1.2 提高到 1.3。", "partly", "系数调整为 1.25，兼顾其他岗位。"),
    ("rep2", True, "超课时津贴标准偏低，建议与周边学校持平。", "adopted", "已参照区内平均水平调整。"),
    ("teacher1", False, "请说明奖励性绩效中“教学质量”一项的计算方法。", "adopted", "已在方案附件中补充计算说明。"),
    ("teacher2", False, "后勤人员的考核指标不够具体。", "adopted", "已增加后勤岗位考核细则。"),
    ("rep3", True, "建议取消按职称分档的做法。", "not_adopted", "职称分档依据上级文件规定，学校不能取消。"),
    ("rep4", False, "希望增加对毕业班教师的倾斜。", "partly", "毕业班教师另设专项奖励，额度维持不变。"),
    ("teacher3", True, "行政人员与一线教师的差距应当缩小。", "adopted", "行政岗位系数下调 0.05。"),
    ("rep5", False, "建议将病假扣发标准写清楚。", "adopted", "已在方案第七条明确。"),
    ("teacher4", False, "兼职辅导员的工作量如何计算？", "adopted", "已补充兼职辅导员的工作量折算办法。"),
    ("rep6", True, "考核结果应当允许申诉。", "adopted", "增设考核结果申诉程序。"),
    ("teacher5", False, "建议提前一个月公布考核安排。", "adopted", "考核安排将于每学期初公布。"),
    ("rep7", False, "教研组长津贴偏低。", "partly", "教研组长津贴提高 10%，与年级组长持平的建议未采纳。"),
    ("teacher6", True, "希望对跨校区上课的教师给予交通补贴。", "not_adopted", "交通补贴不属于绩效工资范围，另行研究。"),
    ("rep8", False, "方案中“其他工作”一项过于笼统。", "adopted", "已列明具体项目。"),
    ("teacher7", False, "建议公开各部门的绩效总额。", "adopted", "各部门绩效总额将在校务公开中公布。"),
    ("rep9", True, "临近退休教师的工作量要求可以适当降低。", "not_adopted", "按上级规定执行，学校不另设标准。"),
    ("teacher8", False, "请明确公开课、示范课的加分标准。", "adopted", "已在附件中列出。"),
    ("rep10", False, "建议把家访工作纳入考核。", "partly", "家访纳入班主任考核，不单独计分。"),
    ("teacher9", True, "考核小组中应有普通教师代表。", "adopted", "考核小组增加两名教职工代表。"),
    ("teacher10", False, "希望方案实施一年后再征求一次意见。", "adopted", "实施一年后将组织评估并再次征求意见。"),
]


def _consultations(session: Session, users: dict[str, User], now: datetime) -> None:
    union = users["union"]
    # heard before the Party meeting decided the revised plan (about 300 days ago), which cites it
    opened = now - timedelta(days=330)
    pay = consult.create_draft(
        session, union, title="《阳光实验学校绩效工资分配方案（修订稿）》征求意见",
        body_md=("## 说明\n\n根据上级有关文件精神，结合学校实际，学校起草了绩效工资分配方案修订稿，现向全体教职工征求意见。\n\n"
                 "## 主要修订内容\n\n1. 调整班主任工作量系数；\n2. 明确超课时津贴标准；\n3. 增加后勤岗位考核细则；\n"
                 "4. 设立考核结果申诉程序。\n\n| 岗位 | 现行系数 | 修订稿系数 |\n|---|---|---|\n| 班主任 | 1.2 | 1.3 |\n"
                 "| 教研组长 | 1.1 | 1.1 |\n| 行政岗位 | 1.15 | 1.15 |\n"),
        audience="staff", closes_on=to_local(opened).date() + timedelta(days=14), now=opened)
    consult.publish(session, union, pay, now=opened)
    items = []
    for i, (who, anonymous, body, _a, _r) in enumerate(COMMENTS):
        items.append(consult.comment(session, users[who], pay, body, anonymous, now=opened + timedelta(days=1 + i // 3,
                                                                                                      hours=i % 5)))
    consult.reply(session, union, items[2], "感谢提出，附件中将补充计算说明。", now=opened + timedelta(days=3))
    consult.reply(session, union, items[4], "职称分档是上级文件的要求，我们会在说明中写清依据。",
                  now=opened + timedelta(days=4))
    closed = (pay.closes_at or now) + timedelta(days=2)
    for item, (_who, _anon, _body, adoption, reason) in zip(items, COMMENTS):
        consult.mark(session, union, item, adoption, reason, now=closed)
    consult.link_matter(session, union, pay, "policy", None)
    consult.publish_summary(session, union, pay, "共收到意见 20 条，逐条研究后形成修订稿，提交教代会审议。",
                            now=closed + timedelta(days=1))

    principal = users["principal"]
    started = now - timedelta(days=3)
    canteen = consult.create_draft(
        session, principal, title="《学校食堂承包合同（草案）》征求意见",
        body_md=("学校食堂承包合同将于本学期末到期。总务处起草了新一期承包合同草案，现向全体教职工征求意见。\n\n"
                 "重点请大家关注：\n\n- 菜品价格与成本公开；\n- 食品安全责任；\n- 膳食委员会的监督权。\n"),
        audience="staff", closes_on=to_local(now).date() + timedelta(days=7), now=started)
    consult.publish(session, principal, canteen, now=started)
    consult.comment(session, users["rep6"], canteen, "合同中应写明膳食委员会每月检查一次。", False,
                    now=started + timedelta(hours=5))
    consult.comment(session, users["teacher2"], canteen, "建议约定菜品价格调整须经膳食委员会同意。", True,
                    now=started + timedelta(days=1))
    consult.comment(session, users["rep13"], canteen, "食品留样和检测的费用由谁承担，请写清楚。", False,
                    now=started + timedelta(days=2))


BENCH_PROPOSALS = 2_000


def seed_bench_proposals(session: Session, rng: random.Random, people: list[User], now: datetime,
                         progress: Any, commit: Callable[[], None]) -> None:
    """The benchmark's 2,000 proposals over the previous and the current term, every one
    through the rules, spread over every state (a step of ``portal.seed.bench.STEPS``)."""
    users = {u.username: u for u in people}
    departments = [d for d in session.scalars(select(Department)) if d.head_id]
    by_id = {u.id: u for u in people}
    terms = list(session.scalars(select(CongressTerm).order_by(CongressTerm.number)))
    topics = TOPICS + PREVIOUS + EXTRA
    for i in range(BENCH_PROPOSALS):
        term = terms[0] if i < BENCH_PROPOSALS // 3 or len(terms) == 1 else terms[-1]
        start = datetime.combine(term.starts_on, datetime.min.time()) + timedelta(days=2)
        end = min(now - timedelta(days=20), datetime.combine(term.ends_on, datetime.min.time()) - timedelta(days=60))
        at = start + (end - start) * (i % (BENCH_PROPOSALS // 3)) / (BENCH_PROPOSALS // 3)
        pool = [f"rep{n}" for n in range(1, 31 if term.number == 4 else 41)]
        proposer, *cosigners = rng.sample(pool, 3)
        title, reason, measures, category, _dept = rng.choice(topics)
        topic = (f"{title}（{i + 1}）", reason, measures, category, _dept)
        roll = rng.random()
        p = _propose(session, users, proposer, cosigners, topic, at, submit=roll > 0.03)
        if roll > 0.1:
            if roll < 0.14:
                rules.to_opinion(session, users["union"], p, "转职能部门研究。", now=at + timedelta(days=3))
            elif roll < 0.18:
                target = session.scalar(select(Proposal).where(Proposal.term_id == p.term_id, Proposal.id < p.id,
                                                               Proposal.status == "accepted").limit(1))
                if target is not None:
                    rules.merge(session, users["union"], p, target, "", now=at + timedelta(days=3))
            else:
                rules.accept(session, users["union"], p, now=at + timedelta(days=3))
                if roll > 0.25:
                    dept = rng.choice(departments)
                    rules.assign(session, users["union"], p, dept, [], (at + timedelta(days=33)).date(),
                                 now=at + timedelta(days=3))
                    if roll > 0.35:
                        head = by_id[dept.head_id] if dept.head_id in by_id else session.get(User, dept.head_id)
                        assert head is not None
                        cls = rng.choice(["solved", "planned", "cannot"])
                        rules.answer(session, head, p, cls, ANSWERS[cls], now=at + timedelta(days=15))
                        if roll > 0.45:
                            rules.rate(session, users[proposer], p, rng.choice(["satisfied", "basic", "satisfied"]),
                                       now=at + timedelta(days=18))
        progress.add("proposals")
        if (i + 1) % 200 == 0:
            commit()
