"""Democratic evaluation's secret box as QUALITY.md 17 and 32 ask: the rating table holds no
rater, no time and no sequential key, and after close the order-join attack on both tables
(stored order, scan order, transaction ids, audit times) recovers no more than chance + 5 %."""
from __future__ import annotations

import random

from sqlalchemy import Date, DateTime, inspect, select

from portal.audit.models import AuditEvent
from portal.evaluation import queries, rules
from portal.evaluation.models import Grade
from portal.extensions import db
from tests.conftest import make_user
from tests.evaluation.factories import evaluation, reps
from tests.secrecy import MARGIN, Attack, BoxTables, seeded_keys

BOX = BoxTables(ballots="evaluation_rating", ballot_box="evaluation_id", content="grade", voters="evaluation_rater",
                voter_box="evaluation_id", voter="rater_id", audit_action="evaluation.rated", audit_object="Evaluation")
GRADES = [g.value for g in Grade]


def test_the_stored_ratings_cannot_name_a_rater(session, people, monkeypatch):
    """200 representatives each grade two leaders (one grade each, known), in a shuffled order,
    one request each; after close every order pairs raters and ratings no better than chance
    + 5 %, and the raters' audit events say only that they rated. Keys come from a seeded
    generator so the figure is reproducible."""
    ratings = {c["name"]: c for c in inspect(db.engine).get_columns(BOX.ballots)}
    raters_cols = {c["name"]: c for c in inspect(db.engine).get_columns(BOX.voters)}
    assert set(ratings) == {"key", "evaluation_id", "subject_id", "grade"}
    assert set(raters_cols) == {"evaluation_id", "rater_id"}
    assert not any(isinstance(c["type"], (DateTime, Date)) for c in [*ratings.values(), *raters_cols.values()])
    seeded_keys(monkeypatch, 2026)
    ev = evaluation(session, make_user("p2", {"leader"}), make_user("p3", {"leader"}))
    session.commit()
    raters = reps(session, 200)
    rng = random.Random(2026)
    truth = {r.id: rng.choice(GRADES) for r in raters}
    rng.shuffle(raters)
    for r in raters:
        rules.rate(session, r, ev, {s.id: truth[r.id] for s in queries.subjects_of(session, ev)})
        session.commit()
    rules.close_evaluation(session, session.get(type(raters[0]), ev.created_by_id), ev)
    session.commit()
    session.expire_all()
    attack = Attack()
    attack.add(session, BOX, ev.id, truth)
    print(attack.report())
    assert attack.total == 400
    assert attack.worst() <= attack.chance + MARGIN, attack.report()
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == BOX.audit_action)).all()
    assert len(events) == 200 and all(g not in e.summary for e in events for g in GRADES)
