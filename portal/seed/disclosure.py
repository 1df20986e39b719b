"""Demo disclosures: the catalogue for both channels and a year of notices, made through
the same rule functions as the UI (so every step is in the audit chain). Dates are
relative to the moment of seeding, so 公示 windows are open whenever the demo is made."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from portal.auth.models import User
from portal import files
from portal.disclosure import rules as _rules
from portal.seed.history import Replayed, happened, now_again
from portal.disclosure.models import CatalogItem, Notice
from portal.timeutil import utcnow

# each step records its audit event at the time it says it happened (now=)
rules = Replayed(_rules)

# (channel, name, cadence, default audience, default 公示 days, description)
CATALOGUE = [
    ("party", "党组织会议决定事项", "event", "staff", 0, "党组织会议研究决定的重要事项（涉密事项除外）。"),
    ("party", "党组织设置与分工", "yearly", "public", 0, "党组织设置、委员分工及调整情况。"),
    ("party", "发展党员（拟发展对象公示）", "event", "staff", 5, "入党积极分子、发展对象、预备党员转正等公示。"),
    ("party", "党费收缴使用管理情况", "term", "party", 0, "党费收缴、使用和管理情况，定期公布。"),
    ("party", "民主评议党员", "yearly", "party", 0, "民主评议党员的组织开展和结果。"),
    ("party", "党内表彰", "event", "staff", 5, "优秀共产党员、优秀党务工作者等表彰。"),
    ("party", "党风廉政建设", "term", "staff", 0, "党风廉政建设责任制落实和廉洁教育情况。"),
    ("party", "书记抓党建工作述职", "yearly", "staff", 0, "党组织书记年度抓基层党建工作述职报告。"),
    ("school", "发展规划、年度计划与总结", "yearly", "public", 0, "学校发展规划、学年工作计划和总结。"),
    ("school", "章程与规章制度", "event", "public", 0, "学校章程及涉及教职工、学生的规章制度。"),
    ("school", "年度预算与决算", "yearly", "staff", 0, "学校年度经费预算、决算情况。"),
    ("school", "重大支出、基建与采购（三重一大）", "event", "staff", 0, "大额资金使用、基建项目和物资采购结果。"),
    ("school", "收费项目与标准", "term", "public", 0, "经批准的收费项目、标准和依据。"),
    ("school", "招生政策与结果", "yearly", "public", 0, "招生计划、政策、程序和结果。"),
    ("school", "绩效工资分配方案", "event", "staff", 5, "绩效工资分配方案及考核结果公示。"),
    ("school", "职称评审与岗位聘用", "event", "staff", 5, "职称评审推荐、岗位聘用的条件、程序和结果公示。"),
    ("school", "评优评先", "event", "staff", 5, "各级各类评优评先推荐人选公示。"),
    ("school", "干部任免", "event", "staff", 5, "中层干部选拔任用、任免公示。"),
    ("school", "教代会提案办理情况", "term", "staff", 0, "教代会提案立案、办理和答复情况。"),
    ("school", "决议执行情况", "monthly", "staff", 0, "党组织会议、校长办公会议决议的执行和反馈情况。"),
]

# A tiny but valid PDF, so the demo has an attachment to download.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed(session: Session, users: dict[str, User], upload_dir: str, now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    items = {}
    for pos, (channel, name, cadence, audience, days, desc) in enumerate(CATALOGUE):
        item = CatalogItem(channel=channel, name=name, cadence=cadence, default_audience=audience,
                           default_gongshi_days=days, description=desc, position=pos,
                           created_at=now - timedelta(days=400))
        if name == "党组织会议决定事项":
            item.receives = "party_decision"  # judged by the Party meeting's decisions, 5 working days each
        session.add(item)
        items[name] = item
    session.flush()

    def ago(days: float) -> datetime:
        return now - timedelta(days=days)

    def publish(item: str, author: str, title: str, body: str, days_ago: float, *, audience: str | None = None,
                ack: bool = False, gongshi: int | None = None,
                attachments: tuple[tuple[str, bytes], ...] = ()) -> Notice:
        catalog = items[item]
        when = ago(days_ago)
        happened(when - timedelta(hours=3))
        notice = rules.create_draft(
            session, users[author], item=catalog, audience=audience or catalog.default_audience, title=title,
            body_md=body, requires_ack=ack,
            gongshi_days=catalog.default_gongshi_days if gongshi is None else gongshi,
        )
        for filename, data in attachments:
            rules.attach(session, users[author], notice, files.store(upload_dir, filename, data))
        notice.created_at = notice.updated_at = when - timedelta(hours=3)
        rules.submit(session, users[author], notice, now=when - timedelta(hours=2))
        approver = "secretary" if catalog.channel == "party" else "principal"
        rules.publish(session, users[approver], notice, now=when)
        return notice

    # --- Party affairs -------------------------------------------------------------------
    publish("党组织设置与分工", "leader3", "中共阳光实验学校委员会委员分工",
            "学校党委由 7 名委员组成，分工如下：\n\n| 职务 | 姓名 | 分工 |\n|---|---|---|\n"
            "| 书记 | 周建华 | 主持党委全面工作 |\n| 副书记 | 陈立新 | 协助书记工作，负责行政工作 |\n"
            "| 组织委员 | 赵国庆 | 组织、党员发展 |\n| 纪检委员 | 郑玉兰 | 纪检监察 |\n| 宣传委员 | 黄秀英 | 宣传、工会 |\n",
            330)
    publish("书记抓党建工作述职", "leader3", "2025 年度党委书记抓基层党建工作述职报告",
            "一、主要工作及成效\n\n二、存在的问题\n\n三、下一步工作打算\n", 300)
    publish("党费收缴使用管理情况", "leader3", "2025 年下半年党费收缴使用情况",
            "2025 年 7 月至 12 月，学校党委共收缴党费 **28,460.00 元**，按规定全额上缴上级党委。"
            "下拨党费 6,000.00 元，用于慰问困难党员和订阅党报党刊。", 250)
    publish("党费收缴使用管理情况", "leader3", "2026 年上半年党费收缴使用情况",
            "2026 年 1 月至 6 月，学校党委共收缴党费 **29,120.00 元**，已全额上缴。本期未使用下拨党费。", 200)
    publish("发展党员（拟发展对象公示）", "leader3", "关于拟发展对象的公示",
            "经支部委员会研究，拟确定以下同志为发展对象：\n\n- 语文教研组 李梓萱\n- 数学教研组 王浩然\n\n"
            "公示期间，如有异议，请在本页提出或向党委组织委员反映。", 40)
    publish("党内表彰", "leader3", "关于表彰 2026 年度优秀共产党员的决定",
            "经各支部推荐、党委研究，决定表彰以下同志……", 150)

    # --- School affairs ------------------------------------------------------------------
    plan = publish("发展规划、年度计划与总结", "leader1", "阳光实验学校 2026—2027 学年工作计划",
                   "## 指导思想\n\n坚持党组织领导的校长负责制……\n\n## 主要目标\n\n1. 教学质量稳步提升\n2. 教师专业发展\n", 80)
    publish("年度预算与决算", "handler1", "2026 年度学校经费预算安排情况",
            "2026 年度学校预算总收入 2,316 万元，其中财政拨款 2,200 万元……详见附件。", 290,
            attachments=(("2026年度预算明细表.pdf", _PDF),))
    publish("重大支出、基建与采购（三重一大）", "handler1", "教学楼多媒体设备采购结果公告",
            "经校长办公会议研究、党委会议决定，采用公开招标方式采购教室多媒体设备 48 套，中标金额 86.4 万元。", 60)
    fees = publish("收费项目与标准", "handler1", "2026 年秋季学期收费项目与标准",
                   "- 作业本费：每生每学期 30 元\n- 课后服务费：每生每月 200 元\n", 85)
    happened(ago(84))
    correction = rules.start_correction(session, users["handler1"], fees)
    rules.update_draft(
        session, users["handler1"], correction, item=items["收费项目与标准"], audience="public",
        title="2026 年秋季学期收费项目与标准（更正）",
        body_md="- 作业本费：每生每学期 30 元\n- 课后服务费：每生每月 **180** 元（经物价部门核定，原公布 200 元有误）\n",
        requires_ack=False, gongshi_days=0,
    )
    rules.submit(session, users["handler1"], correction, now=ago(83))
    rules.publish(session, users["principal"], correction, now=ago(82))

    pay = publish("绩效工资分配方案", "leader4", "关于 2026 年度奖励性绩效工资分配方案（征求意见稿）的公示",
                  "根据上级有关文件精神，经教代会讨论，形成本方案。\n\n## 分配原则\n\n- 多劳多得、优绩优酬\n"
                  "- 向一线教师和班主任倾斜\n\n## 分配办法\n\n奖励性绩效工资按岗位、工作量和考核结果分配……", 2)
    o1 = rules.lodge_objection(session, users["rep1"], pay, "班主任津贴的系数偏低，建议由 1.2 调整为 1.5。", False, now=ago(1.5))
    rules.answer_objection(session, users["leader4"], o1, "已提交校长办公会议研究，拟调整为 1.4，并在修订稿中说明。", now=ago(1))
    o2 = rules.lodge_objection(session, users["teacher2"], pay, "兼任行政工作的教师课时量如何折算，方案中没有写清楚。", True, now=ago(1.2))
    rules.answer_objection(session, users["leader4"], o2, "兼任行政工作按每周 4 课时折算，将在附则中补充。", now=ago(0.8))
    rules.lodge_objection(session, users["rep5"], pay, "请公布各岗位的人数与总额测算表。", False, now=ago(0.5))

    publish("干部任免", "leader3", "关于拟任中层干部人选的公示",
            "经民主推荐、考察和党委会议研究，拟任命：\n\n- 孙明辉 同志为教务处主任\n", 1)
    publish("教代会提案办理情况", "leader1", "第五届教代会第二次会议提案办理情况",
            "本次会议共征集提案 36 件，立案 21 件……", 100)
    publish("决议执行情况", "leader3", "2026 年 8 月决议执行情况通报",
            "8 月共有 6 项决议进入执行，已完成 4 项，按期推进 2 项。", 75)
    ethics = publish("章程与规章制度", "leader1", "关于开展师德师风专项教育的通知",
                     "全体教职工须认真学习《新时代中小学教师职业行为十项准则》，并在本页确认已阅。", 10,
                     audience="staff", ack=True)
    for name in ("rep1", "rep2", "rep3", "teacher1", "union"):
        rules.acknowledge(session, users[name], ethics, now=ago(9))
    schedule = publish("章程与规章制度", "leader2", "关于调整冬季作息时间的通知",
                       "自 11 月 1 日起，上午第一节课 8:10 开始。", 30, audience="public")
    rules.withdraw(session, users["principal"], schedule, "作息调整尚需征求家长委员会意见，暂缓执行，另行通知。", now=ago(28))
    now_again()  # a draft written today
    rules.create_draft(session, users["leader1"], item=items["评优评先"], audience="staff",
                       title="关于推荐市级优秀教师人选的公示（草稿）", body_md="拟推荐……", gongshi_days=5)
    session.flush()
    return {"catalogue": len(items), "plan": plan.id}
