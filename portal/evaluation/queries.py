"""The read side of democratic evaluation: lists, and results that never break down a
group smaller than :data:`portal.evaluation.rules.MIN_GROUP`."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from portal.auth.models import User, on_staff
from portal.evaluation.models import GRADES, Evaluation, EvaluationRater, EvaluationSubject, EvaluationTally, Grade, Status
from portal.evaluation.rules import MIN_GROUP
from portal.org.memberships import seat_current
from portal.org.models import Body, BodyKind, BodyMember


def evaluations(visible: ColumnElement[bool]) -> Select[tuple[Evaluation]]:
    """The evaluations ``visible`` selects (``listing(user, "evaluation.view")``), newest first."""
    return select(Evaluation).where(visible).order_by(Evaluation.id.desc())


@dataclass(frozen=True)
class OpenEvaluation:
    """What the dashboard needs of an open evaluation: plain values, safe to keep between requests."""

    id: int
    title: str
    raters: str
    term_id: int | None
    rated: frozenset[int]
    is_open: bool = True
    is_closed: bool = False


def open_evaluations(session: Session) -> list[OpenEvaluation]:
    """Every open evaluation with the ids of those who have rated (two queries; one when none is open)."""
    opened = session.execute(select(Evaluation.id, Evaluation.title, Evaluation.raters, Evaluation.term_id)
                             .where(Evaluation.status == Status.OPEN.value).order_by(Evaluation.id)).all()
    if not opened:
        return []
    rated: dict[int, set[int]] = {}
    for eid, rater in session.execute(select(EvaluationRater.evaluation_id, EvaluationRater.rater_id)
                                      .where(EvaluationRater.evaluation_id.in_([e.id for e in opened]))):
        rated.setdefault(eid, set()).add(rater)
    return [OpenEvaluation(e.id, e.title, e.raters, e.term_id, frozenset(rated.get(e.id, ()))) for e in opened]


def subjects_of(session: Session, evaluation: Evaluation) -> list[EvaluationSubject]:
    return list(session.scalars(select(EvaluationSubject).where(EvaluationSubject.evaluation_id == evaluation.id)
                                .order_by(EvaluationSubject.position)))


@dataclass
class SubjectResult:
    subject: EvaluationSubject
    total: int
    # Empty when the group is too small: nothing to leak through a template or an export.
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.total >= MIN_GROUP

    def share(self, *grades: Grade) -> Fraction:
        return Fraction(sum(self.counts.get(g.value, 0) for g in grades), self.total) if self.shown else Fraction(0)


def results(session: Session, evaluation: Evaluation) -> list[SubjectResult]:
    """Each subject's frozen counts after close, in the evaluation's order."""
    if not evaluation.is_closed:
        return []
    subjects = session.scalars(
        select(EvaluationSubject).where(EvaluationSubject.evaluation_id == evaluation.id)
        .order_by(EvaluationSubject.position)
    ).all()
    tallies: dict[int, dict[str, int]] = {}
    for t in session.scalars(select(EvaluationTally).where(EvaluationTally.subject_id.in_([s.id for s in subjects]))):
        tallies.setdefault(t.subject_id, {})[t.grade] = t.count
    out = []
    for s in subjects:
        counts = tallies.get(s.id, {})
        total = sum(counts.values())
        out.append(SubjectResult(s, total, {g.value: counts.get(g.value, 0) for g in GRADES} if total >= MIN_GROUP else {}))
    return out



def leadership(session: Session, on: date) -> list[tuple[int, str, str]]:
    """(user id, name, offices) of everyone seated on the Party committee or the
    administrative team on ``on``, in the bodies' order: who an evaluation may name."""
    rows = session.execute(
        select(BodyMember.user_id, User.name, BodyMember.title)
        .join(Body, Body.id == BodyMember.body_id).join(User, User.id == BodyMember.user_id)
        .where(Body.kind.in_([BodyKind.PARTY_COMMITTEE.value, BodyKind.ADMIN_TEAM.value]), seat_current(on),
               on_staff())
        .order_by(Body.kind, BodyMember.position, BodyMember.id)  # the administrative team first
    ).all()
    people: dict[int, tuple[str, list[str]]] = {}
    for uid, name, title in rows:
        titles = people.setdefault(uid, (name, []))[1]
        if title not in titles:
            titles.append(title)
    return [(uid, name, "、".join(titles)) for uid, (name, titles) in people.items()]
