"""Who hears of a consultation's steps (``portal.notify``): the audience when it opens and
when the adoption summary is out, a commenter when an organiser replies or hides the comment. The message never
names an anonymous commenter."""
from __future__ import annotations

from sqlalchemy.orm import Session

from portal.consultations.models import Comment, Consultation, WindowChange
from portal.consultations.queries import audience_ids
from portal.i18n import N_
from portal.notify.rules import notify
from portal.timeutil import to_local


def published(session: Session, consultation: Consultation) -> None:
    assert consultation.closes_at is not None and consultation.opens_at is not None
    notify(session, audience_ids(session, consultation, to_local(consultation.opens_at).date()),
           N_("征求意见：“%(title)s”，请于 %(date)s 前提出意见"), subject=("consultation", consultation.id),
           actor_id=consultation.organiser_id, title=consultation.title,
           date=to_local(consultation.closes_at).date().isoformat())


def replied(session: Session, consultation: Consultation, item: Comment) -> None:
    notify(session, [item.author_id], N_("您对“%(title)s”提出的意见有了回复"),
           subject=("consultation", consultation.id), title=consultation.title)


def window_changed(session: Session, consultation: Consultation, change: WindowChange) -> None:
    assert consultation.opens_at is not None
    audience = audience_ids(session, consultation, to_local(consultation.opens_at).date())
    if change.kind == "ended":
        notify(session, audience, N_("征求意见“%(title)s”已提前结束，理由：%(reason)s"),
               subject=("consultation", consultation.id), actor_id=change.by_id, title=consultation.title,
               reason=change.reason)
    else:
        notify(session, audience, N_("征求意见“%(title)s”截止日期延长至 %(date)s，理由：%(reason)s"),
               subject=("consultation", consultation.id), actor_id=change.by_id, title=consultation.title,
               date=to_local(change.closes_after).date().isoformat(), reason=change.reason)


def hidden(session: Session, consultation: Consultation, item: Comment) -> None:
    notify(session, [item.author_id], N_("您对“%(title)s”提出的一条意见已被组织者隐藏，理由：%(reason)s"),
           subject=("consultation", consultation.id), title=consultation.title, reason=item.hidden_reason)


def summarised(session: Session, consultation: Consultation) -> None:
    assert consultation.summary_published_at is not None
    notify(session, audience_ids(session, consultation, to_local(consultation.summary_published_at).date()),
           N_("“%(title)s”的意见采纳情况已公布"), subject=("consultation", consultation.id),
           title=consultation.title)
