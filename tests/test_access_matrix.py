"""Route × role matrix built from ``app.url_map``: every route must have an entry here,
and every (route, method, role, full page / htmx fragment) cell must match it."""
from __future__ import annotations

import pytest

from tests.conftest import ROLES, login_as

PUBLIC = "public"
LOGIN = "login"
ADMIN = frozenset({"admin"})
NOBODY: frozenset[str] = frozenset()
AUTHORS = frozenset({"leader", "secretary", "principal", "union", "handler", "recorder", "admin"})

# endpoint -> who may use it. A new route without an entry fails test_every_route_has_an_entry.
ACCESS: dict[str, object] = {
    "home.index": PUBLIC,
    "home.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.set_language": PUBLIC,
    "auth.change_password": LOGIN,
    "admin.users": ADMIN,
    "admin.create_user": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.reset_password": ADMIN,
    "admin.import_roster": ADMIN,
    "admin.departments": ADMIN,
    "admin.bodies": ADMIN,
    "admin.end_seat": ADMIN,
    "audit.events": frozenset({"admin", "secretary", "supervisor"}),
    # disclosure; object routes are tried on a published staff-only school notice written by
    # "leader", approved by "principal", in its 公示 window, requiring acknowledgement.
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
    from portal.disclosure.files import store
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
        from sqlalchemy import select

        from portal.org.models import BodyMember

        member_id = db.session.scalar(select(BodyMember.id).limit(1))
        db.session.commit()
        return {"user_id": people["staff"], "notice_id": notice.id, "objection_id": objection.id,
                "attachment_id": att.id, "item_id": item.id, "channel": "school", "member_id": member_id}


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_an_entry(app):
    endpoints = {rule.endpoint for rule, _ in _rules(app)}
    assert sorted(endpoints - ACCESS.keys()) == [], "routes with no entry in ACCESS"
    assert sorted(ACCESS.keys() - endpoints) == [], "entries for routes that no longer exist"


def _allowed(spec: object, role: str | None) -> bool:
    if spec == PUBLIC:
        return True
    if role is None:
        return False
    if spec == LOGIN:
        return True
    return role in spec  # type: ignore[operator]


def _denied(resp, role: str | None) -> bool:
    if role is None:
        if resp.status_code == 302 and resp.headers["Location"].startswith("/login"):
            return True
        return resp.status_code == 401 and resp.headers.get("HX-Redirect", "").startswith("/login")
    return resp.status_code == 403


@pytest.mark.parametrize("role", [None, *ROLES])
def test_matrix(app, people, role):
    cells = deviations = 0
    problems = []
    args = sample_args(app, people)
    for rule, method in _rules(app):
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **{k: args[k] for k in rule.arguments})
        for htmx in (False, True):
            client = app.test_client()
            if role:
                login_as(client, app, role)
            headers = {"HX-Request": "true"} if htmx else {}
            resp = client.open(url, method=method, headers=headers, data={})
            cells += 1
            expected = _allowed(ACCESS[rule.endpoint], role)
            if resp.status_code >= 500 or _denied(resp, role) == expected:
                deviations += 1
                problems.append(f"{method} {url} role={role} htmx={htmx}: {resp.status_code} expected {'allow' if expected else 'deny'}")
    print(f"matrix role={role}: {cells} cells, {deviations} deviations")
    assert problems == []
