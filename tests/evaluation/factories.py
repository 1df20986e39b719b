"""Evaluations made through the real rules, for the tests."""
from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import User
from portal.evaluation import rules
from portal.evaluation.models import Evaluation
from tests.conftest import make_user


def by_name(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def reps(session, n: int, prefix: str = "r") -> list[User]:
    return [make_user(f"{prefix}{i}", {"rep"}) for i in range(n)]


def evaluation(session, *subjects: User, raters: str = "reps", opened: bool = True, by: User | None = None) -> Evaluation:
    by = by or by_name(session, "union") or make_user("union", {"union"})
    ev = rules.create_evaluation(session, by, title="2026 年度领导班子成员民主评议", period="2026 年度", raters=raters,
                                 subjects=[(s.id, "班子成员") for s in subjects])
    if opened:
        rules.open_evaluation(session, by, ev)
    return ev
