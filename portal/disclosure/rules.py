"""Disclosure rules: the publication workflow, 公示 windows, objections, acknowledgements
and versions. Plain functions over a session; each state change writes an audit event.
Who may call each one is decided in ``portal.disclosure.permissions``; the checks here are
the ones that hold whoever asks (states, windows, four eyes). Who approves a notice is
answered by :func:`approver_for`, and nowhere else."""
from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import markup
from portal.audit.rules import record, record_anonymous
from portal.auth.models import User
from portal.disclosure.models import (
    NOTICE_FLOW,
    Acknowledgement,
    Attachment,
    Audience,
    Cadence,
    CatalogItem,
    Channel,
    Clarification,
    Notice,
    Objection,
    Status,
)
from portal.db import refused_on_conflict
from portal.errors import DomainError, Message
from portal.files import StoredFile
from portal.i18n import N_
from portal.notify.rules import notify
from portal.org.memberships import Memberships
from portal.org.models import OFFICE_NAMES, Office
from portal.timeutil import day_end_utc, to_local, utcnow
from portal import workdays

# Who approves, by channel: the first holder of these offices who is not the notice's author
# (four eyes). A school may set another order (``APPROVAL_CHAINS`` in the configuration).
APPROVAL_CHAINS: dict[str, tuple[Office, ...]] = {
    Channel.SCHOOL.value: (Office.PRINCIPAL, Office.SECRETARY),
    Channel.PARTY.value: (Office.SECRETARY, Office.DEPUTY_SECRETARY),
}
TITLE_MAX = 120
BODY_MAX = 50_000
REASON_MAX = 2_000
DEFAULT_GONGSHI_DAYS = 5


class DisclosureError(DomainError):
    """A request the disclosure rules refuse; the message explains why."""


# --- working days and the 公示 window ----------------------------------------------------

def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day from ``start`` (itself counted when it is one), skipping
    weekends and public holidays and counting the 调休 days that are worked (portal.workdays)."""
    return workdays.add_working_days(start, days)


def gongshi_window(start: datetime, days: int) -> tuple[datetime, datetime]:
    """From ``start`` (naive UTC) to the end of its ``days``-th working day, school time."""
    last = add_working_days(to_local(start).date(), days)
    return start, day_end_utc(last)


def gongshi_state(notice: Notice, now: datetime | None = None) -> str:
    """``none`` (no 公示), ``upcoming``, ``open`` or ``closed`` (公示期满)."""
    if not notice.gongshi_start or not notice.gongshi_end:
        return "none"
    now = now or utcnow()
    if now < notice.gongshi_start:
        return "upcoming"
    if now <= notice.gongshi_end:
        return "open"
    return "closed"


# --- drafting ------------------------------------------------------------------------

def _check_text(title: str, body_md: str) -> tuple[str, str]:
    title = (title or "").strip()
    if not title:
        raise DisclosureError(N_("请填写标题。"))
    if len(title) > TITLE_MAX:
        raise DisclosureError(N_("标题不能超过 %(max)d 个字。"), max=TITLE_MAX)
    if len(body_md or "") > BODY_MAX:
        raise DisclosureError(N_("正文不能超过 %(max)d 个字。"), max=BODY_MAX)
    return title, body_md or ""


def _check_placement(item: CatalogItem, channel: str, audience: str) -> None:
    if item.channel != channel:
        raise DisclosureError(N_("所选公开目录不属于该公开类别。"))
    if not item.active:
        raise DisclosureError(N_("该公开目录项已停用。"))
    if audience not in {a.value for a in Audience}:
        raise DisclosureError(N_("公开范围无效。"))


def create_draft(
    session: Session,
    author: User,
    *,
    item: CatalogItem,
    audience: str,
    title: str,
    body_md: str,
    requires_ack: bool = False,
    gongshi_days: int = 0,
    body_html: str | None = None,
) -> Notice:
    """Start a notice as a draft of its author, in the catalogue item's channel.

    Views pass ``body_html`` (``render_markdown(body_md)``) rendered before their write
    transaction began, so no writer waits on rendering; other callers may leave it out."""
    title, body_md = _check_text(title, body_md)
    _check_placement(item, item.channel, audience)
    if not 0 <= gongshi_days <= 30:
        raise DisclosureError(N_("公示期应在 0 到 30 个工作日之间。"))
    notice = Notice(
        channel=item.channel, catalog_item_id=item.id, audience=audience, title=title, body_md=body_md,
        body_html=markup.render_markdown(body_md) if body_html is None else body_html,
        requires_ack=requires_ack, gongshi_days=gongshi_days,
        author_id=author.id, status=Status.DRAFT.value,
    )
    session.add(notice)
    session.flush()
    notice.series_id = notice.id
    # No title: audit readers may not see drafts or Party-only notices; the id names it.
    record(session, author, "notice.drafted", notice, channel=notice.channel)
    return notice


def update_draft(
    session: Session,
    actor: User,
    notice: Notice,
    *,
    item: CatalogItem,
    audience: str,
    title: str,
    body_md: str,
    requires_ack: bool,
    gongshi_days: int,
    body_html: str | None = None,
) -> None:
    """Edit a draft. Published notices are never edited in place: correct them instead.
    ``body_html`` as for :func:`create_draft`."""
    if not notice.is_editable:
        raise DisclosureError(N_("只有草稿可以修改；已发布的公开事项请使用“更正”发布新版本。"))
    title, body_md = _check_text(title, body_md)
    _check_placement(item, notice.channel, audience)
    if not 0 <= gongshi_days <= 30:
        raise DisclosureError(N_("公示期应在 0 到 30 个工作日之间。"))
    notice.catalog_item_id = item.id
    notice.audience = audience
    notice.title = title
    notice.body_md = body_md
    notice.body_html = markup.render_markdown(body_md) if body_html is None else body_html
    notice.requires_ack = requires_ack
    notice.gongshi_days = gongshi_days
    notice.updated_at = utcnow()
    record(session, actor, "notice.edited", notice)


# --- the workflow --------------------------------------------------------------------

def submit(session: Session, actor: User, notice: Notice, now: datetime | None = None) -> None:
    """Send a draft to the channel's approver (secretary for Party affairs, principal for school)."""
    now = now or utcnow()
    approver = approver_for(Memberships(session, to_local(now).date()), notice)
    if notice.is_draft and approver is None:
        raise DisclosureError(N_("目前没有可以审批该公开事项的人：请先由系统管理员配备%(offices)s（审批人不能是起草人本人）。"),
                              offices=_offices_named(notice.channel))
    NOTICE_FLOW.move(notice, "submit", DisclosureError(N_("只有草稿可以提交审批。")))
    notice.submitted_at = now
    notice.return_reason = ""
    record(session, actor, "notice.submitted", notice)
    notify(session, [approver], N_("公开事项“%(title)s”等待您审批。"), subject=("notice", notice.id),
           actor_id=actor.id, now=now, title=notice.title)


def approval_chain(memberships: Memberships, channel: str) -> list[int]:
    """The people who may approve in ``channel``, in order (each once)."""
    chain: list[int] = []
    for office in APPROVAL_CHAINS[channel]:
        chain.extend(u for u in memberships.holders(office) if u not in chain)
    return chain


def approver_for(memberships: Memberships, notice: Notice) -> int | None:
    """Who approves this notice: the first of the channel's chain who is not its author."""
    return next((u for u in approval_chain(memberships, notice.channel) if u != notice.author_id), None)


def _offices_named(channel: str) -> Message:
    return Message.joined([Message(OFFICE_NAMES[o]) for o in APPROVAL_CHAINS[channel]], "、")


def _check_approver(session: Session, approver: User, notice: Notice, now: datetime) -> None:
    if approver.id == notice.author_id:
        raise DisclosureError(N_("不能审批自己起草的公开事项，请由他人起草或另请审批。"))
    if approver.id != approver_for(Memberships(session, to_local(now).date()), notice):
        raise DisclosureError(N_("该公开事项须由%(offices)s中的第一位非起草人审批。"), offices=_offices_named(notice.channel))




def publish(session: Session, approver: User, notice: Notice, now: datetime | None = None) -> None:
    """Approve and publish a submitted notice; a 公示 window starts now when it has one.

    Publishing a correction retires the version it corrects (which stays readable).
    """
    now = now or utcnow()
    if notice.is_submitted:
        _check_approver(session, approver, notice, now)
    NOTICE_FLOW.move(notice, "publish", DisclosureError(N_("只有待审批的公开事项可以发布。")))
    notice.approver_id = approver.id
    notice.published_at = now
    if notice.gongshi_days:
        notice.gongshi_start, notice.gongshi_end = gongshi_window(now, notice.gongshi_days)
    if notice.supersedes_id:
        previous = session.get(Notice, notice.supersedes_id)
        assert previous is not None
        previous.is_current = False
        previous.superseded_at = now
    notice.is_current = True
    record(session, approver, "notice.published", notice, version=notice.version,
           gongshi_end=notice.gongshi_end.isoformat() if notice.gongshi_end else None)
    notify(session, [notice.author_id], N_("您起草的“%(title)s”已审批发布。"), subject=("notice", notice.id),
           actor_id=approver.id, now=now, title=notice.title)


def send_back(session: Session, approver: User, notice: Notice, reason: str) -> None:
    """Return a submitted notice to its author as a draft, with the reason."""
    if notice.is_submitted:
        _check_approver(session, approver, notice, utcnow())
    reason = (reason or "").strip()
    if notice.is_submitted and not reason:
        raise DisclosureError(N_("退回时请写明原因。"))
    NOTICE_FLOW.move(notice, "send_back", DisclosureError(N_("只有待审批的公开事项可以退回。")))
    notice.return_reason = reason[:REASON_MAX]
    record(session, approver, "notice.returned", notice, reason=notice.return_reason)
    notify(session, [notice.author_id], N_("您起草的“%(title)s”被退回修改：%(reason)s"), subject=("notice", notice.id),
           actor_id=approver.id, title=notice.title, reason=notice.return_reason)


def withdraw(session: Session, actor: User, notice: Notice, reason: str, now: datetime | None = None) -> None:
    """Withdraw a published notice. The row, and the reason, stay on record."""
    if not notice.is_current:
        raise DisclosureError(N_("只有当前发布中的公开事项可以撤回。"))
    reason = (reason or "").strip()
    if notice.is_published and not reason:
        raise DisclosureError(N_("撤回时请写明原因，原因将向读者公开。"))
    NOTICE_FLOW.move(notice, "withdraw", DisclosureError(N_("只有当前发布中的公开事项可以撤回。")))
    notice.withdrawn_at = now or utcnow()
    notice.withdraw_reason = reason[:REASON_MAX]
    record(session, actor, "notice.withdrawn", notice, reason=notice.withdraw_reason)


def start_correction(session: Session, actor: User, notice: Notice) -> Notice:
    """Open (or reopen) the draft of the next version of a published notice."""
    if notice.status != Status.PUBLISHED.value or not notice.is_current:
        raise DisclosureError(N_("只有当前发布中的公开事项可以更正。"))
    pending = session.scalar(select(Notice).where(Notice.supersedes_id == notice.id))
    if pending is not None:
        if pending.author_id != actor.id:
            who = session.get(User, pending.author_id)
            raise DisclosureError(N_("%(name)s已在更正此公告，请待其提交审批后再处理。"), name=who.name if who else "?")
        return pending
    draft = Notice(
        channel=notice.channel, catalog_item_id=notice.catalog_item_id, audience=notice.audience,
        title=notice.title, body_md=notice.body_md, body_html=notice.body_html,
        requires_ack=notice.requires_ack, gongshi_days=notice.gongshi_days, author_id=actor.id,
        status=Status.DRAFT.value, series_id=notice.series_id or notice.id, version=notice.version + 1,
        supersedes_id=notice.id, is_current=False,
    )
    with refused_on_conflict(session, DisclosureError(N_("此公告刚刚有人开始更正，请刷新页面后查看。"))):
        session.add(draft)
    for att in session.scalars(select(Attachment).where(Attachment.notice_id == notice.id)):
        session.add(Attachment(notice_id=draft.id, **att.stored_file().columns()))
    record(session, actor, "notice.correction_started", draft, corrects=notice.id, version=draft.version)
    return draft


def content_digest(notice: Notice) -> str:
    """SHA-256 of what a notice says (title, a blank line, the text as written): printed on
    its poster and shown under it online, so a reader can check a paper copy."""
    return hashlib.sha256(f"{notice.title}\n\n{notice.body_md}".encode("utf-8")).hexdigest()


def versions(session: Session, notice: Notice) -> list[Notice]:
    """Every published (or withdrawn) version of this notice's series, newest first."""
    return list(session.scalars(
        select(Notice)
        .where(Notice.series_id == notice.series_id, Notice.published_at.is_not(None))
        .order_by(Notice.version.desc())
    ))


# --- objections ----------------------------------------------------------------------

def lodge_objection(
    session: Session, actor: User, notice: Notice, body: str, anonymous: bool, now: datetime | None = None
) -> Objection:
    """Lodge an objection while the 公示 window is open."""
    if notice.status != Status.PUBLISHED.value or not notice.is_current:
        raise DisclosureError(N_("该公开事项不在公示中。"))
    state = gongshi_state(notice, now)
    if state == "none":
        raise DisclosureError(N_("该公开事项没有公示期，不受理异议。"))
    if state == "upcoming":
        raise DisclosureError(N_("公示尚未开始。"))
    if state == "closed":
        raise DisclosureError(N_("公示期已满，不再受理异议。"))
    body = (body or "").strip()
    if not body:
        raise DisclosureError(N_("请填写异议内容。"))
    if len(body) > 5000:
        raise DisclosureError(N_("异议内容不能超过 5000 字。"))
    objection = Objection(notice_id=notice.id, author_id=actor.id, anonymous=anonymous, body=body,
                          created_at=now or utcnow())
    session.add(objection)
    session.flush()
    # The audit log is readable by supervisors: it names the objection, not its author, and
    # an anonymous one joins the log later, by day, away from the author's login.
    if anonymous:
        record_anonymous(session, "objection.lodged", objection, now=now, notice=notice.id, anonymous=True)
    else:
        record(session, actor, "objection.lodged", objection, notice=notice.id, anonymous=False)
    return objection


def answer_objection(session: Session, actor: User, objection: Objection, answer: str, now: datetime | None = None) -> None:
    """Record the publisher's answer; it is shown under the notice and is final once given
    (a later word is a :func:`clarify_answer`, which keeps the first)."""
    if objection.answer:
        raise DisclosureError(N_("该异议已经答复，答复不能修改；如需补充，请添加补充说明。"))
    answer = _answer_text(answer)
    objection.answer = answer
    objection.answered_at = now or utcnow()
    objection.answered_by_id = actor.id
    record(session, actor, "objection.answered", objection, notice=objection.notice_id,
           **_audit_text(session, objection, answer))


def clarify_answer(session: Session, actor: User, objection: Objection, text: str,
                   now: datetime | None = None) -> Clarification:
    """Add a dated clarification under an answer; the answer and earlier ones stay as they were."""
    if not objection.answer:
        raise DisclosureError(N_("该异议尚未答复，请先答复。"))
    clarification = Clarification(objection_id=objection.id, body=_answer_text(text), at=now or utcnow(),
                                  by_id=actor.id)
    session.add(clarification)
    session.flush()
    record(session, actor, "objection.clarified", objection, notice=objection.notice_id,
           clarification=clarification.id, **_audit_text(session, objection, clarification.body))
    return clarification


def _answer_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DisclosureError(N_("请填写答复内容。"))
    if len(text) > 5000:
        raise DisclosureError(N_("答复不能超过 5000 字。"))
    return text


def _audit_text(session: Session, objection: Objection, text: str) -> dict[str, str]:
    """The answer's text for the audit chain, so it can never be lost; for a Party-only
    notice only its SHA-256 (audit readers need not be Party members), which still proves
    the text shown under the notice is the one given."""
    notice = session.get(Notice, objection.notice_id)
    if notice is not None and notice.audience == Audience.PARTY.value:
        return {"text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    return {"text": text}


# --- acknowledgements ------------------------------------------------------------------

def acknowledge(session: Session, actor: User, notice: Notice, now: datetime | None = None) -> bool:
    """Record 已阅确认; returns False when this reader had already acknowledged."""
    if not notice.requires_ack or notice.status != Status.PUBLISHED.value:
        raise DisclosureError(N_("该公开事项不需要确认阅读。"))
    exists = session.scalar(select(Acknowledgement.id).where(
        Acknowledgement.notice_id == notice.id, Acknowledgement.user_id == actor.id))
    if exists:
        return False
    try:
        with session.begin_nested():
            session.add(Acknowledgement(notice_id=notice.id, user_id=actor.id, at=now or utcnow()))
    except IntegrityError:  # a double click raced us: already acknowledged
        return False
    record(session, actor, "notice.acknowledged", notice)
    return True


# --- attachments ------------------------------------------------------------------------

def attach(session: Session, actor: User, notice: Notice, stored: StoredFile) -> Attachment:
    """Attach a stored file (see ``portal.files.store``) to a draft."""
    if not notice.is_editable:
        raise DisclosureError(N_("只能在草稿中添加附件。"))
    count = session.scalar(select(func.count()).select_from(Attachment).where(Attachment.notice_id == notice.id)) or 0
    if count >= 20:
        raise DisclosureError(N_("每条公开事项最多 20 个附件。"))
    att = Attachment(notice_id=notice.id, **stored.columns())
    session.add(att)
    session.flush()
    record(session, actor, "attachment.added", att, notice=notice.id, filename=att.filename, sha256=att.sha256)
    return att


def detach(session: Session, actor: User, notice: Notice, attachment: Attachment) -> None:
    """Remove an attachment from a draft. The file stays on disk: earlier versions may share it."""
    if not notice.is_editable or attachment.notice_id != notice.id:
        raise DisclosureError(N_("只能在草稿中删除附件。"))
    record(session, actor, "attachment.removed", attachment, notice=notice.id, filename=attachment.filename)
    session.delete(attachment)
    session.flush()


# --- the catalogue ----------------------------------------------------------------------

CATALOG_FIELDS = ("channel", "name", "description", "default_audience", "default_gongshi_days", "cadence", "receives",
                  "event_days", "active")


def _check_catalog_name(session: Session, channel: str, name: str, item_id: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise DisclosureError(N_("请填写名称。"))
    clash = session.scalar(select(CatalogItem.id).where(
        CatalogItem.channel == channel, CatalogItem.name == name, CatalogItem.id != (item_id or 0)))
    if clash:
        raise DisclosureError(N_("该公开类别下已有同名目录项。"))
    return name


CHANNEL_NAMES = {Channel.PARTY.value: N_("党务公开"), Channel.SCHOOL.value: N_("校务公开")}


def _check_receives(session: Session, item: CatalogItem) -> list[int]:
    """An item that receives a kind of event (``portal.registry.EVENT_KINDS``) is a 随时 item
    of the kind's channel, active, with 1–30 working days; it is the only one receiving that
    kind: the item that received it before stops (its ids are returned, for the record)."""
    from portal.registry import EVENT_KINDS

    item.receives = item.receives or ""
    item.event_days = item.event_days or 5
    if not 1 <= item.event_days <= 30:
        raise DisclosureError(N_("公开时限应在 1 到 30 个工作日之间。"))
    if not item.receives:
        return []
    kind = EVENT_KINDS.get(item.receives)
    if kind is None:
        raise DisclosureError(N_("没有这种可接收的事项。"))
    if item.cadence != Cadence.EVENT.value:
        raise DisclosureError(N_("只有“随时”公开的目录项可以接收事项：请把公开频次设为“随时”。"))
    if item.channel != kind.channel:
        raise DisclosureError(N_("这种事项只能由“%(channel)s”类别的目录项接收。"),
                              channel=Message(CHANNEL_NAMES.get(kind.channel, kind.channel)))
    if not item.active:
        raise DisclosureError(N_("停用的目录项不能接收事项。"))
    before = list(session.scalars(select(CatalogItem).where(
        CatalogItem.receives == item.receives, CatalogItem.id != (item.id or 0))))
    for other in before:
        other.receives = ""
    return [other.id for other in before]


def add_catalog_item(session: Session, actor: User, **fields: object) -> CatalogItem:
    """Add an item to the disclosure catalogue, after the others of its channel."""
    item = CatalogItem(**{f: fields[f] for f in CATALOG_FIELDS if f in fields})
    item.name = _check_catalog_name(session, item.channel, item.name)
    item.default_gongshi_days = item.default_gongshi_days or 0
    took_over = _check_receives(session, item)
    item.position = (session.scalar(select(func.max(CatalogItem.position))) or 0) + 1
    session.add(item)
    session.flush()
    record(session, actor, "catalogue.item_added", item, name=item.name, receives=item.receives,
           event_days=item.event_days, took_over_from=took_over)
    return item


def change_catalog_item(session: Session, actor: User, item: CatalogItem, **fields: object) -> None:
    """Edit a catalogue item. Its channel stays: notices under it belong to that channel."""
    before = {f: getattr(item, f) for f in CATALOG_FIELDS}
    fields.pop("channel", None)
    if "name" in fields:
        fields["name"] = _check_catalog_name(session, item.channel, str(fields["name"]), item.id)
    for f in CATALOG_FIELDS:
        if f in fields:
            setattr(item, f, fields[f])
    item.default_gongshi_days = item.default_gongshi_days or 0
    took_over = _check_receives(session, item)
    record(session, actor, "catalogue.item_changed", item,
           before=before, after={f: getattr(item, f) for f in CATALOG_FIELDS}, took_over_from=took_over)
