"""Democratic evaluation: setting one up, opening it, rating once and anonymously, closing
it with frozen counts. Every change writes its audit event; refusals raise
:class:`EvaluationError` with a marked message. No Flask."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.ballots import SecretBox
from portal.auth.models import User, on_staff
from portal.congress.models import CongressTerm, Representative
from portal.errors import DomainError
from portal.evaluation.models import (
    EVALUATION_FLOW,
    GRADES,
    Evaluation,
    EvaluationRater,
    EvaluationRating,
    EvaluationSubject,
    EvaluationTally,
    Raters,
)
from portal.i18n import N_
from portal.notify.rules import notify
from portal.org.memberships import Memberships
from portal.org.models import BodyKind
from portal.org.roster import current_term, roster_ids
from portal.timeutil import to_local, utcnow

TITLE_MAX = 120
PERIOD_MAX = 60
OFFICE_MAX = 40
# No breakdown is shown for a person rated by fewer than this many (DOMAIN.md §2).
MIN_GROUP = 5


class EvaluationError(DomainError):
    pass


# Who rated and the ratings (one row per subject rated): the secret box of portal.ballots.
BOX = SecretBox(
    name="evaluation", key=EvaluationRating.key, box=EvaluationRating.evaluation_id,
    content=(EvaluationRating.subject_id, EvaluationRating.grade),
    voter_box=EvaluationRater.evaluation_id, voter=EvaluationRater.rater_id,
    refusal=lambda: EvaluationError(N_("您已参加本次评议，每人只能评议一次。")),
)


def _today(now: datetime | None) -> date:
    return to_local(now or utcnow()).date()


def create_evaluation(session: Session, actor: User, *, title: str, period: str, raters: str,
                      subjects: Sequence[tuple[int, str]], now: datetime | None = None) -> Evaluation:
    """A draft evaluation of ``subjects`` ((user id, office as written), in order)."""
    title, period = (title or "").strip(), (period or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise EvaluationError(N_("请填写评议名称（不超过 %(max)d 个字）。"), max=TITLE_MAX)
    if not period or len(period) > PERIOD_MAX:
        raise EvaluationError(N_("请填写评议期间，例如“2026 年度”（不超过 %(max)d 个字）。"), max=PERIOD_MAX)
    if raters not in {r.value for r in Raters}:
        raise EvaluationError(N_("请选择参加评议的人员范围。"))
    ids = [uid for uid, _office in subjects]
    if not ids:
        raise EvaluationError(N_("请至少选择一名被评议人。"))
    if len(set(ids)) != len(ids):
        raise EvaluationError(N_("同一人不能被列入两次。"))
    found = set(session.scalars(select(User.id).where(User.id.in_(ids), on_staff())))
    if found != set(ids):
        raise EvaluationError(N_("被评议人须是在职的教职工。"))
    term = current_term(session, _today(now))
    if raters == Raters.REPRESENTATIVES.value and term is None:
        raise EvaluationError(N_("当前没有在任的教代会届次，不能由代表评议；请改为全体教职工评议或先登记届次。"))
    evaluation = Evaluation(title=title, period=period, raters=raters, created_by_id=actor.id,
                            term_id=term.id if term and raters == Raters.REPRESENTATIVES.value else None,
                            created_at=now or utcnow())
    session.add(evaluation)
    session.flush()
    for position, (uid, office) in enumerate(subjects):
        session.add(EvaluationSubject(evaluation_id=evaluation.id, user_id=uid, position=position,
                                      title=(office or "").strip()[:OFFICE_MAX]))
    session.flush()
    record(session, actor, "evaluation.created", evaluation, subjects=len(ids), raters=raters)
    return evaluation


def eligible_raters(session: Session, evaluation: Evaluation, on: date) -> list[int]:
    """Who may rate on ``on``: the term's representatives on its roster that day, or all active staff."""
    if evaluation.raters == Raters.STAFF.value:
        return list(session.scalars(select(User.id).where(on_staff()).order_by(User.id)))
    return roster_ids(session, evaluation.term_id, on)




def open_evaluation(session: Session, actor: User, evaluation: Evaluation, now: datetime | None = None) -> None:
    """Open for rating; the number eligible is frozen now."""
    EVALUATION_FLOW.move(evaluation, "open", EvaluationError(N_("只有未开始的评议可以开始。")))
    evaluation.opened_at = now or utcnow()
    raters = eligible_raters(session, evaluation, _today(now))
    evaluation.eligible_count = len(raters)
    record(session, actor, "evaluation.opened", evaluation, eligible=evaluation.eligible_count)
    notify(session, raters, N_("民主评议“%(title)s”已开始，请参加。"), subject=("evaluation", evaluation.id),
           actor_id=actor.id, now=now, title=evaluation.title)


def has_rated(session: Session, evaluation: Evaluation, user_id: int) -> bool:
    return BOX.has_voted(session, evaluation.id, user_id)


def rate(session: Session, actor: User, evaluation: Evaluation, grades: Mapping[int, str],
         now: datetime | None = None) -> None:
    """Record one rater's grades for every subject but themselves, once.

    The ratings go into the evaluation's box (``portal.ballots``) with random keys and nothing
    else that could name the rater; that they rated is recorded apart (and is what the audit
    event says).
    """
    if not evaluation.is_open:
        raise EvaluationError(N_("该评议不在进行中，不能评议。"))
    if actor.id not in eligible_raters(session, evaluation, _today(now)):
        raise EvaluationError(N_("您不在本次评议的评议人范围内。"))
    if has_rated(session, evaluation, actor.id):
        raise BOX.refusal()
    subjects = session.scalars(select(EvaluationSubject).where(EvaluationSubject.evaluation_id == evaluation.id)
                               .order_by(EvaluationSubject.position)).all()
    to_rate = [s for s in subjects if s.user_id != actor.id]
    if set(grades) - {s.id for s in to_rate}:
        raise EvaluationError(N_("评议表中有不属于本次评议的人员，请刷新页面后重试。"))
    missing = [s.user.name for s in to_rate if grades.get(s.id) not in {g.value for g in GRADES}]
    if missing:
        raise EvaluationError(N_("请为每位被评议人选择等次，尚未选择：%(names)s。"), names="、".join(missing))
    BOX.cast(session, evaluation.id, actor.id, *[(s.id, grades[s.id]) for s in to_rate])
    record(session, actor, "evaluation.rated", evaluation)


def close_evaluation(session: Session, actor: User, evaluation: Evaluation, now: datetime | None = None) -> None:
    """Close: freeze the counts per subject and grade, the number who rated, and the digest;
    the box is written again so that its stored order cannot pair a rating with a rater."""
    EVALUATION_FLOW.move(evaluation, "close", EvaluationError(N_("只有进行中的评议可以结束。")))
    evaluation.closed_at = now or utcnow()
    closed = BOX.close(session, evaluation.id)
    counts: dict[tuple[int, str], int] = {}
    for subject_id, grade in closed.contents:
        counts[(subject_id, grade)] = counts.get((subject_id, grade), 0) + 1
    session.add_all(EvaluationTally(subject_id=s, grade=g, count=n) for (s, g), n in sorted(counts.items()))
    evaluation.rater_count = closed.voters
    evaluation.digest = closed.digest
    session.flush()
    record(session, actor, "evaluation.closed", evaluation, raters=evaluation.rater_count, digest=evaluation.digest)
    today = _today(now)
    readers = [*eligible_raters(session, evaluation, today),
               *Memberships(session, today).members(BodyKind.PARTY_COMMITTEE)]
    notify(session, readers, N_("民主评议“%(title)s”已结束，可以查看汇总结果。"), subject=("evaluation", evaluation.id),
           actor_id=actor.id, now=now, title=evaluation.title)
