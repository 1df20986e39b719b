"""The democratic evaluation routes in the route × role matrix (``tests/test_access_matrix.py``).

Object routes are tried on an open evaluation of "leader" by the term's representatives."""
from __future__ import annotations

from tests.access import LOGIN

UNION = frozenset({"union"})

ACCESS: dict[str, object] = {
    "evaluation.index": LOGIN,
    "evaluation.create": UNION,
    "evaluation.show": LOGIN,
    "evaluation.rate": frozenset({"rep"}),
    "evaluation.open_evaluation": UNION,  # may ask; is told it is already open
    "evaluation.close_evaluation": UNION,
    # Results only once closed: in the union's sweep the close route (registered before the
    # export) has just closed it; for everyone else it is still open.
    "evaluation.export": UNION,
}


def sample_args(app, people: dict[str, int]) -> dict[str, object]:
    from portal.auth.models import User
    from portal.evaluation import rules
    from portal.extensions import db

    with app.app_context():
        union, leader = db.session.get(User, people["union"]), db.session.get(User, people["leader"])
        ev = rules.create_evaluation(db.session, union, title="民主评议", period="2026 年度", raters="reps",
                                     subjects=[(leader.id, "副校长")])
        rules.open_evaluation(db.session, union, ev)
        db.session.commit()
        return {"evaluation_id": ev.id}
