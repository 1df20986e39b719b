"""The proposal routes in the route × role matrix (``tests/test_access_matrix.py``).

Object routes are tried on an answered proposal of "rep" (co-signed by two other
representatives), assigned to 总务处 (head: "handler") with 德育处 (head: "leader")
co-handling, with one attachment."""
from __future__ import annotations

from tests.access import LOGIN, NOBODY

ACCESS: dict[str, object] = {
    "proposals.register": LOGIN,
    "proposals.mine": LOGIN,
    "proposals.export": LOGIN,
    "proposals.report": LOGIN,
    "proposals.report_export": LOGIN,
    "proposals.similar_search": LOGIN,
    "proposals.create": frozenset({"rep"}),
    "proposals.show": LOGIN,
    "proposals.print_form": LOGIN,
    "proposals.download": LOGIN,
    "proposals.edit": NOBODY,  # not a draft
    "proposals.invite": NOBODY,
    "proposals.submit": NOBODY,
    # representatives of the term may try; the rule then says why not (already reviewed)
    "proposals.cosign": frozenset({"rep"}),
    "proposals.decline": frozenset({"rep"}),
    "proposals.review": frozenset({"union"}),
    "proposals.assign": frozenset({"union"}),
    # department heads may try; the rule says whose department was assigned
    "proposals.answer": frozenset({"handler", "leader"}),
    "proposals.upload": frozenset({"handler", "leader"}),
    "proposals.part": frozenset({"leader"}),
    "proposals.rate": frozenset({"rep"}),
}


def sample_args(app, people: dict[str, int]) -> dict[str, object]:
    from portal.files import store
    from portal.extensions import db
    from portal.proposals import rules
    from tests.disclosure.factories import user
    from tests.proposals.factories import assigned

    with app.app_context():
        p = assigned(db.session)
        att = rules.attach(db.session, user(db.session, "handler"), p,
                           store(app.config["UPLOAD_DIR"], "a.pdf", b"%PDF-1.4\n%%EOF\n"))
        rules.answer(db.session, user(db.session, "handler"), p, "planned", "已列入计划。")
        db.session.commit()
        return {"proposal_id": p.id, "proposal_file_id": att.id}
