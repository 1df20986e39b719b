"""The inbox routes in the route × role matrix (``tests/test_access_matrix.py``)."""
from __future__ import annotations

from tests.access import LOGIN

# The sample notification belongs to "staff": only its recipient may open it.
ACCESS: dict[str, object] = {
    "notify.inbox": LOGIN,
    "notify.badge": LOGIN,
    "notify.read_all": LOGIN,
    "notify.open_notification": frozenset({"staff"}),
}


def sample_args(app, people: dict[str, int]) -> dict[str, object]:
    from portal.extensions import db
    from portal.i18n import N_
    from portal.notify.rules import notify

    with app.app_context():
        (note,) = notify(db.session, [people["staff"]], N_("公开事项“%(title)s”等待您审批。"),
                         subject=("test", 1), title="样例")
        db.session.commit()
        return {"notification_id": note.id}
