"""Disclosure rules: the publication workflow, 公示 windows, objections, acknowledgements
and versions. Plain functions over a session; each state change writes an audit event.
Who may call each one is decided in ``portal.auth.permissions``; the checks here are the
ones that hold whoever asks (states, windows, four eyes)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import markdown
import nh3
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth.models import User
from portal.disclosure.models import (
    Acknowledgement,
    Attachment,
    Audience,
    CatalogItem,
    Channel,
    Notice,
    Objection,
    Status,
)
from portal.timeutil import day_end_utc, to_local, utcnow

APPROVER_ROLE = {Channel.PARTY.value: "secretary", Channel.SCHOOL.value: "principal"}
TITLE_MAX = 120
BODY_MAX = 50_000
REASON_MAX = 2_000
DEFAULT_GONGSHI_DAYS = 5


class DisclosureError(ValueError):
    """A request the rules refuse; the message is shown to the user as it is (Chinese)."""


# --- rich text ---------------------------------------------------------------------

_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}


def render_markdown(text: str) -> str:
    """Markdown to HTML, then sanitised: no raw HTML, scripts, styles or ``hx-*`` survive."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# --- working days and the 公示 window ----------------------------------------------------

def add_working_days(start: date, days: int) -> date:
    """The date of the ``days``-th working day counting ``start`` itself when it is one.

    Weekends are skipped. Public holidays and make-up working days (调休) are not known
    here; the publisher can set the end date by hand when they matter.
    """
    current = start
    counted = 0
    while True:
        if current.weekday() < 5:
            counted += 1
            if counted >= days:
                return current
        current += timedelta(days=1)


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
        raise DisclosureError("请填写标题。")
    if len(title) > TITLE_MAX:
        raise DisclosureError(f"标题不能超过 {TITLE_MAX} 个字。")
    if len(body_md or "") > BODY_MAX:
        raise DisclosureError(f"正文不能超过 {BODY_MAX} 个字。")
    return title, body_md or ""


def _check_placement(item: CatalogItem, channel: str, audience: str) -> None:
    if item.channel != channel:
        raise DisclosureError("所选公开目录不属于该公开类别。")
    if not item.active:
        raise DisclosureError("该公开目录项已停用。")
    if audience not in {a.value for a in Audience}:
        raise DisclosureError("公开范围无效。")


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
) -> Notice:
    """Start a notice as a draft of its author, in the catalogue item's channel."""
    title, body_md = _check_text(title, body_md)
    _check_placement(item, item.channel, audience)
    if not 0 <= gongshi_days <= 30:
        raise DisclosureError("公示期应在 0 到 30 个工作日之间。")
    notice = Notice(
        channel=item.channel, catalog_item_id=item.id, audience=audience, title=title, body_md=body_md,
        body_html=render_markdown(body_md), requires_ack=requires_ack, gongshi_days=gongshi_days,
        author_id=author.id, status=Status.DRAFT.value,
    )
    session.add(notice)
    session.flush()
    notice.series_id = notice.id
    record(session, author, "notice.drafted", notice, title=title, channel=notice.channel)
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
) -> None:
    """Edit a draft. Published notices are never edited in place: correct them instead."""
    if not notice.is_editable:
        raise DisclosureError("只有草稿可以修改；已发布的公开事项请使用“更正”发布新版本。")
    title, body_md = _check_text(title, body_md)
    _check_placement(item, notice.channel, audience)
    if not 0 <= gongshi_days <= 30:
        raise DisclosureError("公示期应在 0 到 30 个工作日之间。")
    notice.catalog_item_id = item.id
    notice.audience = audience
    notice.title = title
    notice.body_md = body_md
    notice.body_html = render_markdown(body_md)
    notice.requires_ack = requires_ack
    notice.gongshi_days = gongshi_days
    notice.updated_at = utcnow()
    record(session, actor, "notice.edited", notice, title=title)


# --- the workflow --------------------------------------------------------------------

def submit(session: Session, actor: User, notice: Notice, now: datetime | None = None) -> None:
    """Send a draft to the channel's approver (secretary for Party affairs, principal for school)."""
    if notice.status != Status.DRAFT.value:
        raise DisclosureError("只有草稿可以提交审批。")
    notice.status = Status.SUBMITTED.value
    notice.submitted_at = now or utcnow()
    notice.return_reason = ""
    record(session, actor, "notice.submitted", notice)


def _check_approver(approver: User, notice: Notice) -> None:
    role = APPROVER_ROLE[notice.channel]
    if not approver.has_role(role):
        who = "党组织书记" if role == "secretary" else "校长"
        raise DisclosureError(f"{'党务' if notice.channel == 'party' else '校务'}公开事项须由{who}审批。")
    if approver.id == notice.author_id:
        raise DisclosureError("不能审批自己起草的公开事项，请由他人起草或另请审批。")


def publish(session: Session, approver: User, notice: Notice, now: datetime | None = None) -> None:
    """Approve and publish a submitted notice; a 公示 window starts now when it has one.

    Publishing a correction retires the version it corrects (which stays readable).
    """
    if notice.status != Status.SUBMITTED.value:
        raise DisclosureError("只有待审批的公开事项可以发布。")
    _check_approver(approver, notice)
    now = now or utcnow()
    notice.status = Status.PUBLISHED.value
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


def send_back(session: Session, approver: User, notice: Notice, reason: str) -> None:
    """Return a submitted notice to its author as a draft, with the reason."""
    if notice.status != Status.SUBMITTED.value:
        raise DisclosureError("只有待审批的公开事项可以退回。")
    _check_approver(approver, notice)
    reason = (reason or "").strip()
    if not reason:
        raise DisclosureError("退回时请写明原因。")
    notice.status = Status.DRAFT.value
    notice.return_reason = reason[:REASON_MAX]
    record(session, approver, "notice.returned", notice, reason=notice.return_reason)


def withdraw(session: Session, actor: User, notice: Notice, reason: str, now: datetime | None = None) -> None:
    """Withdraw a published notice. The row, and the reason, stay on record."""
    if notice.status != Status.PUBLISHED.value or not notice.is_current:
        raise DisclosureError("只有当前发布中的公开事项可以撤回。")
    reason = (reason or "").strip()
    if not reason:
        raise DisclosureError("撤回时请写明原因，原因将向读者公开。")
    notice.status = Status.WITHDRAWN.value
    notice.withdrawn_at = now or utcnow()
    notice.withdraw_reason = reason[:REASON_MAX]
    record(session, actor, "notice.withdrawn", notice, reason=notice.withdraw_reason)


def start_correction(session: Session, actor: User, notice: Notice) -> Notice:
    """Open (or reopen) the draft of the next version of a published notice."""
    if notice.status != Status.PUBLISHED.value or not notice.is_current:
        raise DisclosureError("只有当前发布中的公开事项可以更正。")
    pending = session.scalar(select(Notice).where(Notice.supersedes_id == notice.id))
    if pending is not None:
        if pending.author_id != actor.id:
            who = session.get(User, pending.author_id)
            raise DisclosureError(f"{who.name if who else '他人'}已在更正此公告，请待其提交审批后再处理。")
        return pending
    draft = Notice(
        channel=notice.channel, catalog_item_id=notice.catalog_item_id, audience=notice.audience,
        title=notice.title, body_md=notice.body_md, body_html=notice.body_html,
        requires_ack=notice.requires_ack, gongshi_days=notice.gongshi_days, author_id=actor.id,
        status=Status.DRAFT.value, series_id=notice.series_id or notice.id, version=notice.version + 1,
        supersedes_id=notice.id, is_current=False,
    )
    session.add(draft)
    session.flush()
    for att in session.scalars(select(Attachment).where(Attachment.notice_id == notice.id)):
        session.add(Attachment(
            notice_id=draft.id, filename=att.filename, stored_name=att.stored_name,
            content_type=att.content_type, size=att.size, sha256=att.sha256,
        ))
    record(session, actor, "notice.correction_started", draft, corrects=notice.id, version=draft.version)
    return draft


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
        raise DisclosureError("该公开事项不在公示中。")
    state = gongshi_state(notice, now)
    if state == "none":
        raise DisclosureError("该公开事项没有公示期，不受理异议。")
    if state == "upcoming":
        raise DisclosureError("公示尚未开始。")
    if state == "closed":
        raise DisclosureError("公示期已满，不再受理异议。")
    body = (body or "").strip()
    if not body:
        raise DisclosureError("请填写异议内容。")
    if len(body) > 5000:
        raise DisclosureError("异议内容不能超过 5000 字。")
    objection = Objection(notice_id=notice.id, author_id=actor.id, anonymous=anonymous, body=body,
                          created_at=now or utcnow())
    session.add(objection)
    session.flush()
    # The audit log is readable by supervisors: it names the objection, not its author.
    record(session, None if anonymous else actor, "objection.lodged", objection, notice=notice.id, anonymous=anonymous)
    return objection


def answer_objection(session: Session, actor: User, objection: Objection, answer: str, now: datetime | None = None) -> None:
    """Record the publisher's answer; it is shown under the notice."""
    answer = (answer or "").strip()
    if not answer:
        raise DisclosureError("请填写答复内容。")
    if len(answer) > 5000:
        raise DisclosureError("答复不能超过 5000 字。")
    objection.answer = answer
    objection.answered_at = now or utcnow()
    objection.answered_by_id = actor.id
    record(session, actor, "objection.answered", objection, notice=objection.notice_id)


# --- acknowledgements ------------------------------------------------------------------

def acknowledge(session: Session, actor: User, notice: Notice, now: datetime | None = None) -> bool:
    """Record 已阅确认; returns False when this reader had already acknowledged."""
    if not notice.requires_ack or notice.status != Status.PUBLISHED.value:
        raise DisclosureError("该公开事项不需要确认阅读。")
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

def attach(session: Session, actor: User, notice: Notice, stored) -> Attachment:
    """Attach a stored file (see ``disclosure.files.store``) to a draft."""
    if not notice.is_editable:
        raise DisclosureError("只能在草稿中添加附件。")
    count = session.scalar(select(func.count()).select_from(Attachment).where(Attachment.notice_id == notice.id))
    if count >= 20:
        raise DisclosureError("每条公开事项最多 20 个附件。")
    att = Attachment(notice_id=notice.id, filename=stored.filename, stored_name=stored.stored_name,
                     content_type=stored.content_type, size=stored.size, sha256=stored.sha256)
    session.add(att)
    session.flush()
    record(session, actor, "attachment.added", att, notice=notice.id, filename=att.filename, sha256=att.sha256)
    return att


def detach(session: Session, actor: User, notice: Notice, attachment: Attachment) -> None:
    """Remove an attachment from a draft. The file stays on disk: earlier versions may share it."""
    if not notice.is_editable or attachment.notice_id != notice.id:
        raise DisclosureError("只能在草稿中删除附件。")
    record(session, actor, "attachment.removed", attachment, notice=notice.id, filename=attachment.filename)
    session.delete(attachment)
    session.flush()
