"""Demo democratic evaluations, through the rules: last year's evaluation of the leadership
by the representatives (finished, with results), and a finished small one whose four raters
are too few for any breakdown."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.evaluation import queries
from portal.evaluation import rules as _rules
from portal.seed.history import Replayed
from portal.evaluation.models import Grade
from portal.timeutil import utcnow

rules = Replayed(_rules)  # each step records its audit event at the time it says it happened (now=)

# How the representatives grade each leader: weights for 优秀, 称职, 基本称职, 不称职.
WEIGHTS = {"principal": (70, 27, 3, 0), "secretary": (75, 24, 1, 0), "leader1": (55, 40, 5, 0),
           "leader2": (45, 48, 6, 1), "leader3": (40, 52, 7, 1), "leader4": (35, 50, 13, 2)}


def seed(session: Session, users: dict[str, User]) -> None:
    rng = random.Random(2025)
    union = users["union"]
    opened = utcnow() - timedelta(days=300)
    people = queries.leadership(session, opened.date())
    offices = {uid: titles for uid, _name, titles in people}
    names = [u for u in WEIGHTS if users[u].id in offices]
    grades = [g.value for g in Grade]

    annual = rules.create_evaluation(session, union, title="2025 年度领导班子成员民主评议", period="2025 年度",
                                     raters="reps", subjects=[(users[u].id, offices[users[u].id]) for u in names],
                                     now=opened)
    rules.open_evaluation(session, union, annual, now=opened)
    subjects = {s.user_id: s.id for s in queries.subjects_of(session, annual)}
    for i in range(1, 37):  # 36 of the 40 representatives took part
        rules.rate(session, users[f"rep{i}"], annual, {
            subjects[users[u].id]: rng.choices(grades, WEIGHTS[u])[0] for u in names}, now=opened)
    rules.close_evaluation(session, union, annual, now=opened + timedelta(days=3))

    small = rules.create_evaluation(session, union, title="2025 年新任中层干部试用期满评议（教务处）",
                                    period="2025 年下半年", raters="reps",
                                    subjects=[(users["leader4"].id, "教务处主任")], now=opened)
    rules.open_evaluation(session, union, small, now=opened)
    (subject,) = queries.subjects_of(session, small)
    for i in range(1, 5):
        rules.rate(session, users[f"rep{i}"], small, {subject.id: rng.choice(grades[:2])}, now=opened)
    rules.close_evaluation(session, union, small, now=opened + timedelta(days=2))
