"""Democratic evaluation (民主评议/测评) of the leadership: an evaluation names the people
rated; each eligible rater rates every one of them once, anonymously.

Who has rated (:class:`EvaluationRater`) and what was rated (:class:`EvaluationRating`) live
apart: a rating row has a random key, no rater, no time, and on SQLite no rowid, so neither
its key nor its place in the table ties it to a rater. Counts are frozen at close
(:class:`EvaluationTally`) with the number eligible at opening.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import ClassVar

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import Base, one_of
from portal.timeutil import utcnow
from portal.workflow import Transition, Workflow


class Status(str, enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Raters(str, enum.Enum):
    REPRESENTATIVES = "reps"  # the representatives of the current congress term
    STAFF = "staff"  # every active member of staff


class Grade(str, enum.Enum):
    EXCELLENT = "excellent"  # 优秀
    COMPETENT = "competent"  # 称职
    BASIC = "basic"  # 基本称职
    INCOMPETENT = "incompetent"  # 不称职


GRADES = tuple(Grade)

EVALUATION_FLOW: Workflow[Status] = Workflow(
    Transition(Status.DRAFT, "open", Status.OPEN, "evaluation.manage"),
    Transition(Status.OPEN, "close", Status.CLOSED, "evaluation.manage"),
)


class Evaluation(Base):
    __tablename__ = "evaluation"
    # No rater_count <= eligible_count: whoever is on the roster on the day may rate, and
    # a representative who joins after the opening is not in the number frozen then.
    __table_args__ = (one_of("status", Status),
                      CheckConstraint("eligible_count >= 0 AND rater_count >= 0", name="counts"))

    flow: ClassVar[Workflow[Status]] = EVALUATION_FLOW  # what may happen next: Workflow.available / move
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    period: Mapped[str] = mapped_column(String(60))  # 2026 年度
    raters: Mapped[str] = mapped_column(String(10), default=Raters.REPRESENTATIVES.value)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("congress_term.id"))
    status: Mapped[str] = mapped_column(String(10), default=Status.DRAFT.value, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    eligible_count: Mapped[int] = mapped_column(Integer, default=0)  # frozen at opening
    rater_count: Mapped[int] = mapped_column(Integer, default=0)  # frozen at close
    # At close: portal.ballots.box_digest over one "<subject id>.<grade>" line per rating, context
    # "evaluation:<id>" (evaluations closed by earlier releases hashed "<key>:<subject>:<grade>" lines).
    digest: Mapped[str] = mapped_column(String(64), default="")

    subjects: Mapped[list[EvaluationSubject]] = relationship(
        back_populates="evaluation", order_by="EvaluationSubject.position", lazy="raise_on_sql")

    @property
    def state(self) -> Status:
        return Status(self.status)

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN.value

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED.value


class EvaluationSubject(Base):
    """One person rated, with the office as the evaluation names it (校长、副校长……)."""

    __tablename__ = "evaluation_subject"
    __table_args__ = (UniqueConstraint("evaluation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)

    evaluation: Mapped[Evaluation] = relationship(back_populates="subjects", lazy="raise_on_sql")
    user: Mapped[User] = relationship(lazy="joined")


class EvaluationRater(Base):
    """That a person has rated (to stop a second time): no time, no link to the ratings."""

    __tablename__ = "evaluation_rater"

    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"), primary_key=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)


class EvaluationRating(Base):
    """One grade for one subject from an unnamed rater: random key, no rater, no time."""

    __tablename__ = "evaluation_rating"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("evaluation_subject.id", ondelete="CASCADE"))
    grade: Mapped[str] = mapped_column(String(12))


class EvaluationTally(Base):
    """The frozen count of one grade for one subject, written at close."""

    __tablename__ = "evaluation_tally"
    __table_args__ = (CheckConstraint("count >= 0", name="count"),)

    subject_id: Mapped[int] = mapped_column(ForeignKey("evaluation_subject.id", ondelete="CASCADE"), primary_key=True)
    grade: Mapped[str] = mapped_column(String(12), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
