"""The disclosure routes in the route × role matrix (``tests/test_access_matrix.py``)."""
from __future__ import annotations

from tests.access import ADMIN, LOGIN, NOBODY, PUBLIC
from tests.conftest import ROLES

AUTHORS = frozenset({"leader", "secretary", "principal", "union", "handler", "recorder", "admin"})

# Object routes are tried on a published staff-only school notice written by "leader",
# approved by "principal", in its 公示 window, requiring acknowledgement.
ACCESS: dict[str, object] = {
    "disclosure.party": PUBLIC,
    "disclosure.school": PUBLIC,
    "disclosure.search": PUBLIC,
    "disclosure.feed": PUBLIC,
    "disclosure.show": LOGIN,
    "disclosure.qr": LOGIN,
    "disclosure.download": LOGIN,
    "disclosure.edit": LOGIN,  # may look, then is told only drafts are edited
    # the author ("leader") and the approver ("principal") answer objections; they may not lodge one
    "disclosure.object_to": frozenset(ROLES) - {"leader", "principal"},
    "disclosure.acknowledge": LOGIN,
    "disclosure.workspace": AUTHORS,
    "disclosure.create": AUTHORS,
    "disclosure.preview": AUTHORS,
    "disclosure.submit": NOBODY,  # not a draft
    "disclosure.publish": NOBODY,  # not submitted
    "disclosure.send_back": NOBODY,
    "disclosure.upload": NOBODY,
    "disclosure.remove_attachment": NOBODY,
    "disclosure.withdraw": frozenset({"principal", "admin"}),
    "disclosure.correct": frozenset({"leader", "principal"}),
    "disclosure.answer": frozenset({"leader", "principal"}),
    "disclosure.clarify": frozenset({"leader", "principal"}),
    "disclosure.ack_report": frozenset({"leader", "principal", "admin"}),
    "disclosure.ack_export": frozenset({"leader", "principal", "admin"}),
    "disclosure.compliance": frozenset({"admin", "secretary", "principal"}),
    "disclosure.export_register": frozenset({"admin", "secretary", "principal"}),
    "disclosure.new_item": ADMIN,
    "disclosure.edit_item": ADMIN,
}


def sample_args(app, people: dict[str, int]) -> dict[str, object]:
    """Values for URL parameters, by name (objects made through the real rules)."""
    from portal.disclosure import rules
    from portal.files import store
    from portal.extensions import db
    from tests.disclosure.factories import catalog, published, user

    with app.app_context():
        notice = published(db.session, gongshi=5, ack=True)
        objection = rules.lodge_objection(db.session, user(db.session, "rep"), notice, "异议", False)
        notice.status = "draft"  # attachments go on drafts; put it back right after
        att = rules.attach(db.session, user(db.session, "leader"), notice,
                           store(app.config["UPLOAD_DIR"], "a.pdf", b"%PDF-1.4\n%%EOF\n"))
        notice.status = "published"
        item = catalog(db.session)
        db.session.commit()
        return {"notice_id": notice.id, "objection_id": objection.id,
                "attachment_id": att.id, "item_id": item.id, "channel": "school"}


