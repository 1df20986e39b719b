"""The consultation routes in the route × role matrix (``tests/test_access_matrix.py``).

Object routes are tried on an open consultation to all staff organised by "union", with a
signed comment by "staff" and an attachment (added while it was a draft)."""
from __future__ import annotations

from tests.access import LOGIN, NOBODY
from tests.conftest import ROLES

ORGANISERS = frozenset({"union", "leader", "secretary", "principal"})

ACCESS: dict[str, object] = {
    "consultations.index": LOGIN,
    "consultations.show": LOGIN,
    "consultations.download": LOGIN,
    "consultations.comment": frozenset(ROLES) - {"union"},  # the organiser replies instead
    "consultations.create": ORGANISERS,
    "consultations.edit": NOBODY,  # published
    "consultations.upload": NOBODY,
    "consultations.publish": NOBODY,
    "consultations.reply": frozenset({"union"}),
    "consultations.mark": frozenset({"union"}),
    "consultations.hide": frozenset({"union"}),
    "consultations.end_early": frozenset({"union"}),
    "consultations.extend": frozenset({"union"}),
    "consultations.summary": frozenset({"union"}),
    "consultations.link": frozenset({"union"}),
}


def sample_args(app, people: dict[str, int]) -> dict[str, object]:
    from datetime import timedelta

    from portal.consultations import rules
    from portal.files import store
    from portal.extensions import db
    from portal.timeutil import to_local, utcnow
    from tests.disclosure.factories import user

    with app.app_context():
        s, union = db.session, user(db.session, "union")
        c = rules.create_draft(s, union, title="征求意见稿", body_md="正文", audience="staff",
                               closes_on=to_local(utcnow()).date() + timedelta(days=5))
        att = rules.attach(s, union, c, store(app.config["UPLOAD_DIR"], "c.pdf", b"%PDF-1.4\n%%EOF\n"))
        rules.publish(s, union, c)
        comment = rules.comment(s, user(s, "staff"), c, "意见", False)
        s.commit()
        return {"consultation_id": c.id, "comment_id": comment.id, "consultation_file_id": att.id}
