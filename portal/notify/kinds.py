"""What kind of message each notification is, and what (if anything) a group hears of it.

A reader chooses by kind (urgings, votes, things to do, news of their own items) how mail
reaches them; the defaults suit a school: urgings and votes at once, the rest in the daily
digest. A group robot hears of topics, and only through the fixed texts below: each names the
subject by its number and nothing else, so no title, name, note, choice or anonymous author
can reach a group chat, whatever the notification itself carries.

The keys are the msgids the workflows pass to ``notify()`` (``tests/notify`` checks that each
is still used); a message not listed is of kind ``update`` and reaches no group.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from portal.i18n import N_


class Kind(str, enum.Enum):
    URGING = "urging"  # 催报与到期、逾期提醒
    VOTE = "vote"  # 投票、评议与征求意见
    TASK = "task"  # 待您办理
    UPDATE = "update"  # 您的事项有了进展


KIND_LABELS = {
    Kind.URGING: N_("催报与到期提醒"),
    Kind.VOTE: N_("投票、评议与征求意见"),
    Kind.TASK: N_("待我办理的事项"),
    Kind.UPDATE: N_("我的事项有了进展"),
}


class Mode(str, enum.Enum):
    NOW = "now"  # a mail of its own, at once (after quiet hours)
    DIGEST = "digest"  # in the daily digest
    OFF = "off"  # the inbox only


MODE_LABELS = {Mode.NOW: N_("立即发送"), Mode.DIGEST: N_("每日汇总"), Mode.OFF: N_("不发邮件")}

DEFAULT_MODES = {Kind.URGING: Mode.NOW, Kind.VOTE: Mode.NOW, Kind.TASK: Mode.DIGEST, Kind.UPDATE: Mode.DIGEST}


class Topic(str, enum.Enum):
    """What a group robot may hear of."""

    DECISIONS = "decisions"
    REPORTS = "reports"
    URGINGS = "urgings"
    PROPOSALS = "proposals"
    CONGRESS = "congress"


TOPIC_LABELS = {
    Topic.DECISIONS: N_("议事决策"),
    Topic.REPORTS: N_("执行情况与工作报告"),
    Topic.URGINGS: N_("催报与逾期"),
    Topic.PROPOSALS: N_("提案办理"),
    Topic.CONGRESS: N_("教代会、评议与征求意见"),
}

# The leadership's group (the robots set by WECOM_ROBOT_URL / DINGTALK_ROBOT_URL).
LEADERSHIP_TOPICS = frozenset({Topic.DECISIONS, Topic.REPORTS, Topic.URGINGS})


@dataclass(frozen=True)
class GroupNote:
    """What a group hears of one message: a topic and a fixed text whose only parameter is
    the subject's number (``%(id)d``)."""

    topic: Topic
    text: str


# Shared with portal.decisions.rules.reminders (its COMING_DUE and LATE).
_COMING_DUE = N_("决议“%(title)s”的执行情况报告应于 %(due)s 前提交。")
_LATE = N_("决议“%(title)s”的执行情况报告已逾期（应于 %(due)s 前提交），请尽快报告。")

KIND_OF: dict[str, Kind] = {
    N_("书记催报：请报告决议“%(title)s”的执行情况。%(note)s"): Kind.URGING,
    _COMING_DUE: Kind.URGING,
    _LATE: Kind.URGING,
    N_("提案人对“%(title)s”的答复不满意，请于 %(date)s 前再次办理答复"): Kind.URGING,
    N_("民主评议“%(title)s”已开始，请参加。"): Kind.VOTE,
    N_("征求意见：“%(title)s”，请于 %(date)s 前提出意见"): Kind.VOTE,
    N_("公开事项“%(title)s”等待您审批。"): Kind.TASK,
    N_("%(name)s邀请您附议提案“%(title)s”"): Kind.TASK,
    N_("提案“%(title)s”已提交，请审查"): Kind.TASK,
    N_("提案“%(title)s”交由贵部门承办，请于 %(date)s 前答复"): Kind.TASK,
    N_("提案“%(title)s”请贵部门协办，请在答复前填写协办意见"): Kind.TASK,
    N_("您的提案“%(title)s”已答复，请评价"): Kind.TASK,
    N_("您负责落实决议“%(title)s”，请按期报告执行情况。"): Kind.TASK,
    N_("重要议题“%(title)s”待您表明意见后方可上会。"): Kind.TASK,
    N_("校长办公会议将“%(title)s”提交党组织会议决定。"): Kind.TASK,
    N_("“%(title)s”的议程和会议材料已送达，请会前阅读。"): Kind.TASK,
    N_("%(term)s第 %(number)d 次会议（%(day)s）需要校长工作报告，请在会前提交。"): Kind.TASK,
    N_("校长工作报告《%(title)s》已提交，请在会前阅读并提出意见。"): Kind.TASK,
    N_("代表 %(name)s 对校长工作报告提出了意见，请答复。"): Kind.TASK,
}

GROUP: dict[str, GroupNote] = {
    N_("书记催报：请报告决议“%(title)s”的执行情况。%(note)s"):
        GroupNote(Topic.URGINGS, N_("决议（编号 %(id)d）已催报执行情况，请责任人及时报告。")),
    _LATE: GroupNote(Topic.URGINGS, N_("决议（编号 %(id)d）的执行情况报告已逾期，请责任人尽快报告。")),
    _COMING_DUE: GroupNote(Topic.REPORTS, N_("决议（编号 %(id)d）的执行情况报告即将到期，请责任人按期报告。")),
    N_("您负责落实决议“%(title)s”，请按期报告执行情况。"): GroupNote(Topic.DECISIONS, N_("新决议（编号 %(id)d）已交付落实。")),
    N_("校长办公会议将“%(title)s”提交党组织会议决定。"):
        GroupNote(Topic.DECISIONS, N_("校长办公会议有议题提交党组织会议决定（议题编号 %(id)d）。")),
    N_("“%(title)s”的议程和会议材料已送达，请会前阅读。"):
        GroupNote(Topic.DECISIONS, N_("会议（编号 %(id)d）的议程和材料已送达，请参会人员会前阅读。")),
    N_("%(term)s第 %(number)d 次会议（%(day)s）需要校长工作报告，请在会前提交。"):
        GroupNote(Topic.REPORTS, N_("教代会会议（编号 %(id)d）需要校长工作报告，请在会前提交。")),
    N_("校长工作报告《%(title)s》已提交，请在会前阅读并提出意见。"):
        GroupNote(Topic.CONGRESS, N_("校长工作报告已提交（会议编号 %(id)d），请代表会前阅读并提出意见。")),
    N_("提案“%(title)s”已提交，请审查"): GroupNote(Topic.PROPOSALS, N_("第 %(id)d 号提案已提交，待工会审查。")),
    N_("提案“%(title)s”交由贵部门承办，请于 %(date)s 前答复"):
        GroupNote(Topic.PROPOSALS, N_("第 %(id)d 号提案已交办，请承办部门按期答复。")),
    N_("您的提案“%(title)s”已答复，请评价"): GroupNote(Topic.PROPOSALS, N_("第 %(id)d 号提案已答复，请提案人查看。")),
    N_("民主评议“%(title)s”已开始，请参加。"): GroupNote(Topic.CONGRESS, N_("民主评议（编号 %(id)d）已开始，请参评人员登录参加。")),
    N_("征求意见：“%(title)s”，请于 %(date)s 前提出意见"):
        GroupNote(Topic.CONGRESS, N_("有新的征求意见（编号 %(id)d），请教职工登录查看并提出意见。")),
}

# A test message from the admin's delivery page.
TEST_MESSAGE = N_("这是阳光校务发出的测试消息：此渠道可以正常送达。")


def kind_of(message: str) -> Kind:
    return KIND_OF.get(message, Kind.UPDATE)


def mode_for(choices: dict[str, str], kind: Kind, digest_only: bool) -> Mode:
    """The reader's mode for ``kind`` (their choice, else the default); "digest only" turns
    every single mail into the digest."""
    try:
        mode = Mode(choices.get(kind.value, DEFAULT_MODES[kind].value))
    except ValueError:
        mode = DEFAULT_MODES[kind]
    return Mode.DIGEST if digest_only and mode is Mode.NOW else mode
