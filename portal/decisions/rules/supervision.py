"""Supervision (监督): the supervisor (监督员, 纪检委员) records an opinion on a meeting, an item
or a resolution (监督意见); the secretary answers it on record. Both are audited and notified."""
from __future__ import annotations

from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth.models import Role, User
from portal.decisions.models import SupervisionOpinion
from portal.decisions.rules import DecisionError
from portal.i18n import N_
from portal.notify.rules import notify
from portal.org.memberships import Memberships
from portal.org.models import Office
from portal.textclean import strip_controls
from portal.timeutil import utcnow

KINDS = ("meeting", "item", "resolution")
TEXT_MAX = 5000


def _text(value: str) -> str:
    value = strip_controls(value or "").strip()
    if len(value) > TEXT_MAX:
        raise DecisionError(N_("内容过长（最多 %(max)d 字）。"), max=TEXT_MAX)
    return value


def may_supervise(user: User, subject_supervisor_id: int | None) -> bool:
    """The 监督员: the supervisor role, or the supervisor named for the meeting."""
    return user.has_role(Role.SUPERVISOR) or (subject_supervisor_id is not None and user.id == subject_supervisor_id)


def add_opinion(session: Session, actor: User, memberships: Memberships, kind: str, subject_id: int, title: str,
                text: str, supervisor_id: int | None = None) -> SupervisionOpinion:
    """The supervisor's opinion on one meeting, item or resolution; the secretary is told."""
    if kind not in KINDS:
        raise DecisionError(N_("监督意见只能针对会议、议题或决议。"))
    if not may_supervise(actor, supervisor_id):
        raise DecisionError(N_("只有监督员可以提出监督意见。"))
    text = _text(text)
    if not text:
        raise DecisionError(N_("请填写监督意见。"))
    opinion = SupervisionOpinion(subject_kind=kind, subject_id=subject_id, by_id=actor.id, text=text)
    session.add(opinion)
    session.flush()
    record(session, actor, "supervision.opinion", opinion, subject=kind, subject_id=subject_id, text=text)
    notify(session, memberships.holders(Office.SECRETARY), N_("监督员对“%(title)s”提出了监督意见，请答复。"),
           subject=(kind, subject_id), actor_id=actor.id, title=title)
    return opinion


def answer_opinion(session: Session, actor: User, memberships: Memberships, opinion: SupervisionOpinion,
                   answer: str, title: str) -> None:
    """The secretary answers a supervision opinion, once, on record; the supervisor is told."""
    if not memberships.holds(actor.id, Office.SECRETARY):
        raise DecisionError(N_("监督意见由书记答复。"))
    if opinion.answered_at is not None:
        raise DecisionError(N_("该监督意见已经答复。"))
    answer = _text(answer)
    if not answer:
        raise DecisionError(N_("请填写答复。"))
    opinion.answer, opinion.answered_by_id, opinion.answered_at = answer, actor.id, utcnow()
    record(session, actor, "supervision.answered", opinion, subject=opinion.subject_kind,
           subject_id=opinion.subject_id, answer=answer)
    notify(session, [opinion.by_id], N_("书记已答复您对“%(title)s”的监督意见。"),
           subject=(opinion.subject_kind, opinion.subject_id), actor_id=actor.id, title=title)
