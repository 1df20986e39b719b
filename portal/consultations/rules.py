"""Consultation rules: drafting, publication to an audience for a window, comments (signed
or anonymous to readers), replies, the mark on every comment, the adoption summary and the
link to the matter it prepares. Who may call each is decided in
``portal.consultations.permissions``; the checks here hold whoever asks (states, windows,
completeness)."""
from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit.rules import record, record_anonymous
from portal.auth.models import User
from portal.consultations.models import (
    CONSULTATION_FLOW,
    Adoption,
    Audience,
    Comment,
    Consultation,
    ConsultationAttachment,
    Reply,
    Status,
)
from portal.markup import render_markdown
from portal.errors import DomainError
from portal.i18n import N_
from portal.org.roster import current_term
from portal.timeutil import day_end_utc, day_start_utc, to_local, utcnow

if TYPE_CHECKING:
    from portal.files import StoredFile

TITLE_MAX = 120
BODY_MAX = 50_000
COMMENT_MAX = 5_000
REASON_MAX = 2_000
MAX_ATTACHMENTS = 5
MAX_WINDOW_DAYS = 90
MATTER_KIND_MAX = 40


class ConsultationError(DomainError):
    """A request the consultation rules refuse; the message explains why."""


def _text(value: str, empty: str, too_long: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ConsultationError(empty)
    if len(value) > limit:
        raise ConsultationError(too_long, max=limit)
    return value


def _check_draft_fields(title: str, body_md: str, audience: str, closes_on: date | None,
                        now: datetime) -> tuple[str, str]:
    title = _text(title, N_("请填写标题。"), N_("标题不能超过 %(max)d 个字。"), TITLE_MAX)
    body_md = _text(body_md, N_("请填写征求意见稿的内容。"), N_("正文不能超过 %(max)d 个字。"), BODY_MAX)
    if audience not in {a.value for a in Audience}:
        raise ConsultationError(N_("征求意见范围无效。"))
    _check_closing(closes_on, now)
    return title, body_md


def _check_closing(closes_on: date | None, now: datetime) -> date:
    today = to_local(now).date()
    if closes_on is None:
        raise ConsultationError(N_("请填写截止日期。"))
    if closes_on < today:
        raise ConsultationError(N_("截止日期不能早于今天。"))
    if (closes_on - today).days > MAX_WINDOW_DAYS:
        raise ConsultationError(N_("征求意见期不能超过 %(days)d 天。"), days=MAX_WINDOW_DAYS)
    return closes_on


def create_draft(session: Session, organiser: User, *, title: str, body_md: str, audience: str,
                 closes_on: date | None, body_html: str | None = None,
                 now: datetime | None = None) -> Consultation:
    """Start a consultation as its organiser's draft. Views render ``body_html`` before
    their write transaction (``render_markdown``); other callers may leave it out."""
    now = now or utcnow()
    title, body_md = _check_draft_fields(title, body_md, audience, closes_on, now)
    assert closes_on is not None
    consultation = Consultation(
        title=title, body_md=body_md, body_html=render_markdown(body_md) if body_html is None else body_html,
        audience=audience, organiser_id=organiser.id, status=Status.DRAFT.value, created_at=now,
        closes_at=day_end_utc(closes_on),
    )
    session.add(consultation)
    session.flush()
    record(session, organiser, "consultation.drafted", consultation, audience=audience)
    return consultation


def update_draft(session: Session, actor: User, consultation: Consultation, *, title: str, body_md: str,
                 audience: str, closes_on: date | None, body_html: str | None = None,
                 now: datetime | None = None) -> None:
    """Edit a draft; once published the text stays as the staff read it."""
    if not consultation.is_draft:
        raise ConsultationError(N_("只有草稿可以修改；已发布的征求意见稿保持原样。"))
    now = now or utcnow()
    title, body_md = _check_draft_fields(title, body_md, audience, closes_on, now)
    assert closes_on is not None
    consultation.title, consultation.body_md, consultation.audience = title, body_md, audience
    consultation.body_html = render_markdown(body_md) if body_html is None else body_html
    consultation.closes_at = day_end_utc(closes_on)
    record(session, actor, "consultation.edited", consultation)


def attach(session: Session, actor: User, consultation: Consultation, stored: StoredFile) -> ConsultationAttachment:
    """Attach a stored file (``portal.files.store``) to a draft."""
    if not consultation.is_draft:
        raise ConsultationError(N_("只能在草稿中添加附件。"))
    count = session.scalar(select(func.count()).select_from(ConsultationAttachment)
                           .where(ConsultationAttachment.consultation_id == consultation.id)) or 0
    if count >= MAX_ATTACHMENTS:
        raise ConsultationError(N_("每个征求意见稿最多 %(max)d 个附件。"), max=MAX_ATTACHMENTS)
    att = ConsultationAttachment(consultation_id=consultation.id, **stored.columns())
    session.add(att)
    session.flush()
    record(session, actor, "consultation.attachment_added", att, consultation=consultation.id,
           filename=att.filename, sha256=att.sha256)
    return att




def publish(session: Session, actor: User, consultation: Consultation, now: datetime | None = None) -> None:
    """Put the draft to its audience: the window opens now and closes on the chosen day."""
    now = now or utcnow()
    if consultation.is_draft:
        if consultation.closes_at is None or consultation.closes_at <= now:
            raise ConsultationError(N_("截止日期已过，请先修改截止日期。"))
        if consultation.audience == Audience.REPS.value:
            term = current_term(session, to_local(now).date())
            if term is None:
                raise ConsultationError(N_("目前没有在任期内的教代会，不能向代表征求意见。"))
            consultation.term_id = term.id
    CONSULTATION_FLOW.move(consultation, "publish", ConsultationError(N_("只有草稿可以发布。")))
    consultation.opens_at = now
    record(session, actor, "consultation.published", consultation, audience=consultation.audience,
           closes_at=consultation.closes_at.isoformat() if consultation.closes_at else None)
    from portal.consultations import notices

    notices.published(session, consultation)


def comment(session: Session, actor: User, consultation: Consultation, body: str, anonymous: bool,
            now: datetime | None = None) -> Comment:
    """Comment while the window is open. An anonymous comment keeps only its day and joins
    the audit chain later in a shuffled batch (``record_anonymous``), with no id."""
    now = now or utcnow()
    state = consultation.window(now)
    if state == "draft":
        raise ConsultationError(N_("该征求意见稿尚未发布。"))
    if state != "open":
        raise ConsultationError(N_("征求意见期已结束，不再受理意见。"))
    body = _text(body, N_("请填写意见内容。"), N_("意见不能超过 %(max)d 字。"), COMMENT_MAX)
    day = to_local(now).date()
    item = Comment(id=secrets.token_hex(16), consultation_id=consultation.id, author_id=actor.id,
                   anonymous=bool(anonymous), body=body, created_at=day_start_utc(day) if anonymous else now)
    session.add(item)
    session.flush()
    if anonymous:
        record_anonymous(session, "consultation.commented", item, now=now, consultation=consultation.id,
                         anonymous=True)
    else:
        record(session, actor, "consultation.commented", item, consultation=consultation.id, anonymous=False)
    return item


def reply(session: Session, actor: User, item: Comment, body: str, now: datetime | None = None) -> Reply:
    """An organiser's reply under a comment; the thread stays on record."""
    consultation = session.get(Consultation, item.consultation_id)
    assert consultation is not None
    if consultation.is_draft:
        raise ConsultationError(N_("该征求意见稿尚未发布。"))
    body = _text(body, N_("请填写回复内容。"), N_("回复不能超过 %(max)d 字。"), COMMENT_MAX)
    answer = Reply(comment_id=item.id, author_id=actor.id, body=body, at=now or utcnow())
    session.add(answer)
    session.flush()
    record(session, actor, "consultation.replied", consultation, comment=item.id, reply=answer.id)
    if item.author_id != actor.id:
        from portal.consultations import notices

        notices.replied(session, consultation, item)
    return answer


def mark(session: Session, actor: User, item: Comment, adoption: str, reason: str,
         now: datetime | None = None) -> None:
    """Mark a comment adopted / partly adopted / not adopted, with a reason, after the window
    closes; a mark may be changed until the adoption summary is published."""
    now = now or utcnow()
    consultation = session.get(Consultation, item.consultation_id)
    assert consultation is not None
    state = consultation.window(now)
    if state == "finished":
        raise ConsultationError(N_("采纳情况已经公布，不能再修改。"))
    if state != "closed":
        raise ConsultationError(N_("征求意见期结束后才能逐条标注采纳情况。"))
    if adoption not in {a.value for a in Adoption}:
        raise ConsultationError(N_("请选择采纳、部分采纳或未采纳。"))
    reason = _text(reason, N_("请写明理由。"), N_("理由不能超过 %(max)d 字。"), REASON_MAX)
    item.adoption, item.adoption_reason = adoption, reason
    item.marked_at, item.marked_by_id = now, actor.id
    record(session, actor, "consultation.comment_marked", consultation, comment=item.id, adoption=adoption)


def unmarked_count(session: Session, consultation: Consultation) -> int:
    return session.scalar(select(func.count()).select_from(Comment).where(
        Comment.consultation_id == consultation.id, Comment.adoption.is_(None))) or 0


def publish_summary(session: Session, actor: User, consultation: Consultation, summary_md: str,
                    summary_html: str | None = None, now: datetime | None = None) -> None:
    """Publish the adoption summary (采纳情况) to the same audience: only after the window,
    and only when every comment has its mark."""
    now = now or utcnow()
    if consultation.is_finished:
        raise ConsultationError(N_("采纳情况已经公布。"))
    if consultation.window(now) != "closed":
        raise ConsultationError(N_("征求意见期结束后才能公布采纳情况。"))
    left = unmarked_count(session, consultation)
    if left:
        raise ConsultationError(N_("还有 %(n)d 条意见未标注采纳情况，请逐条标注后再公布。"), n=left)
    if len(summary_md or "") > BODY_MAX:
        raise ConsultationError(N_("说明不能超过 %(max)d 个字。"), max=BODY_MAX)
    CONSULTATION_FLOW.move(consultation, "publish_summary", ConsultationError(N_("只有已发布的征求意见可以公布采纳情况。")))
    consultation.summary_md = (summary_md or "").strip()
    consultation.summary_html = render_markdown(consultation.summary_md) if summary_html is None else summary_html
    consultation.summary_published_at = now
    record(session, actor, "consultation.summary_published", consultation, **adoption_counts(session, consultation))
    from portal.consultations import notices

    notices.summarised(session, consultation)


def adoption_counts(session: Session, consultation: Consultation) -> dict[str, int]:
    """How many comments were adopted, partly adopted, not adopted (and not yet marked)."""
    counts = {a.value: 0 for a in Adoption} | {"unmarked": 0}
    for adoption, n in session.execute(
        select(Comment.adoption, func.count()).where(Comment.consultation_id == consultation.id)
        .group_by(Comment.adoption)
    ):
        counts[adoption or "unmarked"] = n
    return counts


def link_matter(session: Session, user: User, consultation: Consultation, kind: str, matter_id: int | None) -> None:
    """Say which matter this consultation prepares (``kind`` names the feature's object, e.g.
    ``agenda_item``; ``matter_id`` its id, or None while the matter has no record yet)."""
    kind = (kind or "").strip()
    if not kind:
        raise ConsultationError(N_("请选择所征求意见的事项类别。"))
    if len(kind) > MATTER_KIND_MAX or not all(c.isascii() and (c.isalnum() or c in "_.-") for c in kind):
        raise ConsultationError(N_("事项类别无效。"))
    if matter_id is not None and not 0 < matter_id < 2**31:
        raise ConsultationError(N_("事项编号无效。"))
    consultation.matter_kind, consultation.matter_id = kind, matter_id
    record(session, user, "consultation.matter_linked", consultation, matter_kind=kind, matter_id=matter_id)
