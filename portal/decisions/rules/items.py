"""Agenda items (议题): proposing, the secretary's and principal's exchange of views, the
evidence an important item needs before it may go on an agenda, and scheduling."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth.models import User
from portal.db import refused_on_conflict
from portal.decisions.models import (
    ITEM_FLOW,
    MEETING_FLOW,
    STAFF_HEARD,
    Evidence,
    EvidenceKind,
    Item,
    ItemState,
    ItemView,
    MajorKind,
    Meeting,
    MeetingBody,
    Resolution,
)
from portal.decisions.rules import DecisionError
from portal.errors import Message
from portal.i18n import N_
from portal.org.memberships import Memberships
from portal.org.models import OFFICE_NAMES, Office
from portal.notify.rules import notify
from portal.textclean import strip_controls
from portal.timeutil import to_local, utcnow

TITLE_MAX = 120
TEXT_MAX = 20_000


def _text(value: str, limit: int = TEXT_MAX) -> str:
    value = strip_controls(value or "").strip()
    if len(value) > limit:
        raise DecisionError(N_("内容过长（最多 %(max)d 字）。"), max=limit)
    return value


def propose_item(
    session: Session, actor: User, body: str, title: str, *, background: str = "", proposal: str = "",
    major_kind: str = MajorKind.NONE.value, important: bool = False, staff_interest: bool = False,
    two_thirds: bool = False, technical: bool = False, reconsiders: Resolution | None = None,
) -> Item:
    """A leadership member proposes an item. Every 三重一大 kind and every staff-interest item
    is important; a cadre item always needs a two-thirds quorum."""
    title = _text(title, TITLE_MAX)
    if not title:
        raise DecisionError(N_("请填写议题名称。"))
    if body not in {b.value for b in MeetingBody}:
        raise DecisionError(N_("请选择会议类别。"))
    if major_kind not in {k.value for k in MajorKind}:
        raise DecisionError(N_("请选择“三重一大”类别。"))
    item = Item(
        body=body, title=title, background=_text(background), proposal=_text(proposal), proposer_id=actor.id,
        major_kind=major_kind, staff_interest=staff_interest, technical=technical,
        important=important or major_kind != MajorKind.NONE.value or staff_interest,
        two_thirds=two_thirds or major_kind == MajorKind.CADRE.value,
        reconsiders_id=reconsiders.id if reconsiders is not None else None,
    )
    session.add(item)
    session.flush()
    record(session, actor, "item.proposed", item, title=title, body=body, major_kind=major_kind,
           important=item.important, staff_interest=staff_interest, two_thirds=item.two_thirds,
           technical=technical, reconsiders=item.reconsiders_id)
    if item.important:
        memberships = Memberships(session, to_local(utcnow()).date())
        holders = [u for office in view_offices(memberships) for u in memberships.holders(office)]
        notify(session, holders, N_("重要议题“%(title)s”待您表明意见后方可上会。"), subject=("item", item.id),
               actor_id=actor.id, title=title)
    return item


def set_two_thirds(session: Session, actor: User, item: Item, on: bool) -> None:
    """The secretary marks an important matter as needing two thirds present (干部任免等重要事项)."""
    if not ITEM_FLOW.allows(item, "set_two_thirds"):
        raise DecisionError(N_("议题已列入议程或已决定，不能再改到会要求。"))
    if not on and item.two_thirds_fixed:
        raise DecisionError(N_("干部任免议题须有三分之二以上成员到会，不能取消。"))
    item.two_thirds = on
    record(session, actor, "item.two_thirds", item, on=on)


# --- the exchange of views ---------------------------------------------------------------

def view_offices(memberships: Memberships) -> tuple[Office, Office]:
    """Who exchange views: the secretary and the principal; where one person holds both
    (一肩挑), the secretary and the deputy secretary."""
    secretaries = memberships.holders(Office.SECRETARY)
    principals = memberships.holders(Office.PRINCIPAL)
    if secretaries and principals and secretaries[0] == principals[0]:
        return Office.SECRETARY, Office.DEPUTY_SECRETARY
    return Office.SECRETARY, Office.PRINCIPAL


def office_of(memberships: Memberships, user: User) -> Office | None:
    """The office in which ``user`` records a view on items, if any."""
    for office in view_offices(memberships):
        if memberships.holds(user.id, office):
            return office
    return None


def record_view(session: Session, actor: User, memberships: Memberships, item: Item, agree: bool,
                note: str = "") -> ItemView:
    """The secretary's or the principal's view; a later view replaces the earlier one (both audited)."""
    if not ITEM_FLOW.allows(item, "record_view"):
        raise DecisionError(N_("议题已列入议程或已决定，不能再改意见。"))
    office = office_of(memberships, actor)
    if office is None:
        raise DecisionError(N_("只有书记和校长（一肩挑时为书记和副书记）就议题交换意见。"))
    note = _text(note, 2000)
    if not agree and not note:
        raise DecisionError(N_("不同意时请写明理由。"))
    view = session.scalar(select(ItemView).where(ItemView.item_id == item.id, ItemView.office == office.name))
    if view is None:
        view = ItemView(item_id=item.id, office=office.name, user_id=actor.id, agree=agree, note=note)
        session.add(view)
    else:
        view.user_id, view.agree, view.note = actor.id, agree, note
    session.flush()
    session.expire(item, ["views"])
    record(session, actor, "item.view", item, office=office.name, agree=agree, note=note)
    if not agree:
        notify(session, [item.proposer_id], N_("议题“%(title)s”因书记与校长意见不一致暂缓上会。"), subject=("item", item.id),
               actor_id=actor.id, title=item.title)
    return view


def add_evidence(
    session: Session, actor: User, item: Item, kind: str, *, held_on: date, reference: str = "", who: str = "",
    conclusion: str = "", attachment: tuple[str, str, str] | None = None, consultation_id: int | None = None,
) -> Evidence:
    """Record that staff were heard, a cadre item prepared, or a technical one reviewed.

    ``attachment`` is (file name, stored name, sha256) of a file already stored.
    A recorded hearing by other means (座谈会、问卷) needs its minutes attached."""
    if kind not in {k.value for k in EvidenceKind}:
        raise DecisionError(N_("请选择记录类别。"))
    if not ITEM_FLOW.allows(item, "add_evidence"):
        raise DecisionError(N_("议题已列入议程或已决定，不能再补充前置记录。"))
    reference, who, conclusion = _text(reference, 200), _text(who, 200), _text(conclusion, 5000)
    if kind == EvidenceKind.CONSULTATION.value:
        reference = _finished_consultation(session, actor, item, consultation_id)
    if kind == EvidenceKind.CONGRESS_VOTE.value and not reference:
        raise DecisionError(N_("请写明教代会表决的名称或编号。"))
    if kind == EvidenceKind.HEARING.value and attachment is None:
        raise DecisionError(N_("以座谈会、问卷等方式听取意见的，须附上会议纪要或结果。"))
    if kind in (EvidenceKind.PREPARATION.value, EvidenceKind.EXPERT.value) and not (who and conclusion):
        raise DecisionError(N_("请写明参加人员和结论。"))
    name, stored, digest = attachment or ("", "", "")
    evidence = Evidence(item_id=item.id, kind=kind, reference=reference, who=who, held_on=held_on,
                        conclusion=conclusion, attachment_name=name, attachment_stored=stored,
                        attachment_sha256=digest, recorded_by_id=actor.id)
    session.add(evidence)
    session.flush()
    session.expire(item, ["evidence"])
    record(session, actor, "item.evidence", item, kind=kind, reference=reference, held_on=held_on.isoformat(),
           attachment_sha256=digest or None)
    return evidence


def _finished_consultation(session: Session, actor: User, item: Item, consultation_id: int | None) -> str:
    """A consultation whose adoption summary is published; linked to this item (matter kind
    ``agenda_item``) when it prepares no other matter yet. Returns the reference to keep."""
    from portal.consultations.models import Consultation
    from portal.consultations.queries import finished
    from portal.consultations.rules import link_matter

    found = session.scalar(finished(session).where(Consultation.id == (consultation_id or 0)))
    if found is None:
        raise DecisionError(N_("请选择一项已发布采纳情况的征求意见。"))
    if found.matter_kind == "agenda_item" and found.matter_id not in (None, item.id):
        raise DecisionError(N_("该征求意见已用于另一议题。"))
    if found.matter_id is None and found.matter_kind in ("", "agenda_item"):
        link_matter(session, actor, found, "agenda_item", item.id)
    return f"#{found.id} {found.title}"[:200]


# --- preconditions --------------------------------------------------------------------

@dataclass(frozen=True)
class Missing:
    message: Message
    who: Message  # who must act


def missing_preconditions(item: Item, memberships: Memberships) -> list[Missing]:
    """What an important item still needs before it may go on an agenda (``item.views`` and
    ``item.evidence`` loaded). Not important: nothing."""
    if not item.important:
        return []
    found: list[Missing] = []
    views = {v.office: v for v in item.views}
    offices = view_offices(memberships)
    for office in offices:
        if office.name not in views:
            found.append(Missing(Message(N_("%(office)s尚未表明意见。"), office=Message(OFFICE_NAMES[office])),
                                 Message(OFFICE_NAMES[office])))
    given = [views[o.name] for o in offices if o.name in views]
    if any(not v.agree for v in given):
        found.append(Missing(Message(N_("%(a)s与%(b)s意见不一致，暂缓上会，待双方意见一致后再列入议程。"),
                                     a=Message(OFFICE_NAMES[offices[0]]), b=Message(OFFICE_NAMES[offices[1]])),
                             Message(N_("%(a)s和%(b)s"), a=Message(OFFICE_NAMES[offices[0]]),
                                     b=Message(OFFICE_NAMES[offices[1]]))))
    kinds = {e.kind for e in item.evidence}
    if item.staff_interest and not kinds & set(STAFF_HEARD):
        found.append(Missing(Message(N_("涉及教职工切身利益，须先听取教职工意见（已完成的征求意见、教代会表决或座谈会等记录）。")),
                             Message(N_("提出人"))))
    if item.major_kind == MajorKind.CADRE.value and EvidenceKind.PREPARATION.value not in kinds:
        found.append(Missing(Message(N_("干部任免议题须有酝酿、推荐考察记录。")), Message(N_("提出人"))))
    if item.technical and EvidenceKind.EXPERT.value not in kinds:
        found.append(Missing(Message(N_("专业性、技术性较强的议题须有专家论证记录。")), Message(N_("提出人"))))
    return found


def held_back(item: Item) -> bool:
    """暂缓上会: a view on record disagrees."""
    return any(not v.agree for v in item.views)


def schedule_item(session: Session, actor: User, memberships: Memberships, item: Item, meeting: Meeting) -> None:
    """Put an item on a meeting's agenda while it is open; an important item only with every
    precondition met."""
    if ITEM_FLOW.step(ItemState(item.state), "schedule") is None:
        raise DecisionError(N_("该议题不能列入议程（当前状态不允许）。"))
    if not MEETING_FLOW.allows(meeting, "schedule"):
        raise DecisionError(N_("会议议程已确定，不能再增加议题。"))
    allowed = {item.body} | ({MeetingBody.JOINT.value} if item.body == MeetingBody.OFFICE.value else set())
    if meeting.body not in allowed:
        raise DecisionError(N_("该议题不属于这一会议的议事范围。"))
    missing = missing_preconditions(item, memberships)
    if missing:
        raise DecisionError(N_("议题的前置程序尚未完成：%(what)s"), what=Message.joined([m.message for m in missing]))
    position = session.scalar(select(func.max(Item.position)).where(Item.meeting_id == meeting.id)) or 0
    with refused_on_conflict(session, DecisionError(N_("会议议程刚刚有变动，请刷新页面后重试。"))):
        item.meeting_id = meeting.id
        item.position = position + 1
        item.state = ItemState.SCHEDULED.value
    session.expire(meeting, ["items"])
    record(session, actor, "item.scheduled", item, meeting=meeting.id)


def unschedule_item(session: Session, actor: User, item: Item, meeting: Meeting) -> None:
    if not MEETING_FLOW.allows(meeting, "schedule") or item.meeting_id != meeting.id:
        raise DecisionError(N_("会议议程已确定，不能再撤下议题。"))
    item.meeting_id = None
    item.state = ItemState.PROPOSED.value
    session.flush()
    session.expire(meeting, ["items"])
    record(session, actor, "item.unscheduled", item, meeting=meeting.id)


def copy_item(session: Session, actor: User | None, item: Item, body: str, action: str) -> Item:
    """A new item continuing ``item`` (forwarded to the Party meeting, or proposed again after
    deferral), carrying its views and evidence; the original stays on record as it was."""
    new = Item(
        body=body, title=item.title, background=item.background, proposal=item.proposal,
        proposer_id=item.proposer_id, major_kind=item.major_kind, important=item.important,
        staff_interest=item.staff_interest, two_thirds=item.two_thirds, technical=item.technical,
        reconsiders_id=item.reconsiders_id, origin_id=item.id,
    )
    session.add(new)
    session.flush()
    for view in item.views:
        session.add(ItemView(item_id=new.id, office=view.office, user_id=view.user_id, agree=view.agree,
                             note=view.note, at=view.at))
    for ev in item.evidence:
        session.add(Evidence(item_id=new.id, kind=ev.kind, reference=ev.reference, who=ev.who, held_on=ev.held_on,
                             conclusion=ev.conclusion, attachment_name=ev.attachment_name,
                             attachment_stored=ev.attachment_stored, attachment_sha256=ev.attachment_sha256,
                             recorded_by_id=ev.recorded_by_id, at=ev.at))
    session.flush()
    record(session, actor, action, new, origin=item.id, body=body)
    return new


def repropose_item(session: Session, actor: User, item: Item) -> Item:
    """A deferred item is proposed again, as a new item that links back to it."""
    if not ITEM_FLOW.allows(item, "repropose"):
        raise DecisionError(N_("只有缓议的议题可以重新提交。"))
    if session.scalar(select(func.count()).select_from(Item).where(Item.origin_id == item.id)):
        raise DecisionError(N_("该议题已重新提交过。"))
    return copy_item(session, actor, item, item.body, "item.reproposed")
