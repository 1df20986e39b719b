"""How the decision actions read in the audit log (``portal.audit.sentences``): who did what to
which meeting, item or resolution, in words. No Flask."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.sentences import Sentence
from portal.decisions.models import Item, Meeting, Resolution
from portal.decisions.queries import BODY_NAMES, OUTCOME_NAMES, STANCE_NAMES, ATTENDANCE_NAMES, METHOD_NAMES
from portal.errors import Message
from portal.i18n import N_

YES_NO = {True: N_("是"), False: N_("否")}
PASSED = {True: N_("通过"), False: N_("未通过")}
ROLES = {"recorder": N_("记录员"), "supervisor": N_("监督员")}
AGREE = {True: N_("同意上会"), False: N_("不同意上会")}

SENTENCES: dict[str, Sentence] = {
    "item.proposed": Sentence(N_("%(actor)s 提出议题%(object)s")),
    "item.view": Sentence(N_("%(actor)s 对%(object)s表明意见：%(agree)s"), words={"agree": AGREE}),
    "item.evidence": Sentence(N_("%(actor)s 为%(object)s补充前置程序记录")),
    "item.two_thirds": Sentence(N_("%(actor)s 设定%(object)s须三分之二以上成员到会：%(on)s"), words={"on": YES_NO}),
    "item.scheduled": Sentence(N_("%(actor)s 将议题列入议程：%(object)s")),
    "item.unscheduled": Sentence(N_("%(actor)s 将议题撤出议程：%(object)s")),
    "item.stance": Sentence(N_("%(speaker)s 在 %(object)s 表态：%(stance)s（%(actor)s 记录）"), people=("speaker",),
                            words={"stance": STANCE_NAMES}),
    "item.voted": Sentence(N_("%(actor)s 记录 %(object)s 的表决：%(method)s，赞成 %(yes)s、反对 %(no)s、弃权 %(abstain)s，%(passed)s"),
                           words={"method": METHOD_NAMES, "passed": PASSED}),
    "item.decided": Sentence(N_("%(actor)s 对 %(object)s 作出决定：%(outcome)s"), words={"outcome": OUTCOME_NAMES}),
    "item.deferred": Sentence(N_("%(actor)s 对 %(object)s 决定缓议：%(reason)s")),
    "item.forwarded": Sentence(N_("%(object)s 由校长办公会议提交党组织会议（%(actor)s）")),
    "item.reproposed": Sentence(N_("%(actor)s 重新提交缓议的议题%(object)s")),
    "item.secret_ballot_opened": Sentence(N_("%(actor)s 就 %(object)s 开始无记名投票（出席成员 %(voters)s 人）")),
    "item.secret_ballot_cast": Sentence(N_("%(actor)s 就 %(object)s 投下无记名选票")),
    "meeting.created": Sentence(N_("%(actor)s 安排会议%(object)s（%(held_on)s）")),
    "meeting.agenda_settled": Sentence(N_("%(actor)s 确定%(object)s的议程")),
    "meeting.papers_sent": Sentence(N_("%(actor)s 送达%(object)s的议程和会议材料（晚于规定：%(late)s）"), words={"late": YES_NO}),
    "meeting.attendance": Sentence(N_("%(actor)s 记录 %(user)s 在%(object)s%(kind)s"), people=("user",),
                                   words={"kind": ATTENDANCE_NAMES}),
    "meeting.chair_handed_over": Sentence(N_("%(object)s改由 %(chair)s 主持：%(note)s（%(actor)s 记录）"), people=("chair",)),
    "meeting.closed": Sentence(N_("%(actor)s 宣布%(object)s结束")),
    "meeting.minutes_saved": Sentence(N_("%(actor)s 保存%(object)s的会议记录草稿")),
    "meeting.minutes_signed": Sentence(N_("%(actor)s 以%(role)s身份签署%(object)s的会议记录，SHA-256 %(sha256)s"),
                                       words={"role": ROLES}),
    "meeting.minutes_withdrawn": Sentence(N_("%(actor)s 撤回对%(object)s会议记录的签署")),
    "resolution.created": Sentence(N_("%(actor)s 形成%(object)s，责任人 %(owner)s，期限 %(deadline)s"), people=("owner",)),
    "resolution.approved": Sentence(N_("%(actor)s 记录%(object)s获 %(authority)s 批准（%(document)s）")),
    "resolution.reported": Sentence(N_("%(actor)s 报告%(object)s的执行情况：完成 %(percent)s%%")),
    "resolution.urged": Sentence(N_("%(actor)s 催报%(object)s")),
    "resolution.supervision_note": Sentence(N_("%(actor)s 对%(object)s提出督办意见：%(note)s")),
    "resolution.done": Sentence(N_("%(actor)s 确认%(object)s办结")),
    "resolution.changed": Sentence(N_("%(object)s经复议变更（%(actor)s）")),
    "resolution.standing_report": Sentence(N_("%(actor)s 设立%(object)s")),
    "resolution.disclosed": Sentence(N_("%(actor)s 将%(object)s提交党务公开")),
    "procedure.adopted": Sentence(N_("%(actor)s 通过%(object)s")),
    "meeting.paper_added": Sentence(N_("%(actor)s 为%(object)s添加会议材料“%(filename)s”")),
    "meeting.papers_read": Sentence(N_("%(actor)s 确认已阅读%(object)s的会议材料")),
    "supervision.opinion": Sentence(N_("%(actor)s（监督员）提出监督意见：%(text)s")),
    "supervision.answered": Sentence(N_("%(actor)s 答复监督意见：%(answer)s")),
}


def name_items(session: Session, ids: list[int]) -> dict[int, Any]:
    """An item as “党委会（第3次）第 2 项“…”” once on an agenda, else by its title."""
    rows = session.execute(select(Item.id, Item.title, Item.position, Meeting.title)
                           .outerjoin(Meeting, Meeting.id == Item.meeting_id).where(Item.id.in_(ids))).tuples()
    return {i: Message(N_("%(meeting)s 第 %(n)d 项“%(title)s”"), meeting=m, n=pos, title=t) if m
            else Message(N_("“%(title)s”"), title=t) for i, t, pos, m in rows}


def name_meetings(session: Session, ids: list[int]) -> dict[int, Any]:
    rows = session.execute(select(Meeting.id, Meeting.title).where(Meeting.id.in_(ids))).tuples()
    return {i: Message(N_("“%(title)s”"), title=t) for i, t in rows}


def name_resolutions(session: Session, ids: list[int]) -> dict[int, Any]:
    rows = session.execute(select(Resolution.id, Resolution.title).where(Resolution.id.in_(ids))).tuples()
    return {i: Message(N_("决议“%(title)s”"), title=t) for i, t in rows}


def name_procedures(session: Session, ids: list[int]) -> dict[int, Any]:
    from portal.decisions.models import Procedure

    rows = session.execute(select(Procedure.id, Procedure.body, Procedure.version).where(Procedure.id.in_(ids))).tuples()
    return {i: Message(N_("%(body)s议事规则第 %(v)d 版"), body=Message(BODY_NAMES.get(b, b)), v=v) for i, b, v in rows}


NAMERS = {"Item": name_items, "Meeting": name_meetings, "Resolution": name_resolutions, "Procedure": name_procedures}
