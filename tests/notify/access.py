"""The inbox routes in the route × role matrix (``tests/test_access_matrix.py``)."""
from __future__ import annotations

from tests.access import ADMIN, LOGIN

# The sample notification belongs to "staff": only its recipient may open it.
ACCESS: dict[str, object] = {
    "notify.inbox": LOGIN,
    "notify.badge": LOGIN,
    "notify.read_all": LOGIN,
    "notify.open_notification": frozenset({"staff"}),
    "notify.settings": LOGIN,
    "notify.deliveries": ADMIN,
    "notify.send_test": ADMIN,
    "notify.robots": ADMIN,
    "notify.toggle_robot": ADMIN,
}


def sample_args(app, people: dict[str, int]) -> dict[str, object]:
    from portal.extensions import db
    from portal.i18n import N_
    from portal.notify.rules import notify

    with app.app_context():
        (note,) = notify(db.session, [people["staff"]], N_("公开事项“%(title)s”等待您审批。"),
                         subject=("test", 1), title="样例")
        from portal.auth.models import User
        from portal.notify.rules import add_robot

        robot = add_robot(db.session, db.session.get(User, people["admin"]), platform="wecom", name="样例群",
                          url="https://robot.school.test/cgi-bin/webhook/send?key=k", secret="", body_id=None,
                          department_id=None, topics=["proposals"])
        db.session.commit()
        return {"notification_id": note.id, "robot_id": robot.id}
