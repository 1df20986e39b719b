"""Route × role matrix built from ``app.url_map``: every route must have an entry here,
and every (route, method, role, full page / htmx fragment) cell must match it."""
from __future__ import annotations

import pytest

from tests.access import ADMIN, LOGIN, PUBLIC
from tests.conftest import ROLES, login_as
from tests.decisions import access as decisions_access
from tests.congress import access as congress_access
from tests.disclosure import access as disclosure_access
from tests.consultations import access as consultations_access
from tests.evaluation import access as evaluation_access
from tests.notify import access as notify_access
from tests.proposals import access as proposals_access

# Each feature lists its own routes in tests/<feature>/access.py: ACCESS and sample_args().
FEATURES = [disclosure_access, notify_access, congress_access, evaluation_access, consultations_access,
            proposals_access, decisions_access]


# endpoint -> who may use it. A new route without an entry fails test_every_route_has_an_entry.
ACCESS: dict[str, object] = {
    "home.index": PUBLIC,
    "home.healthz": PUBLIC,
    "home.todos": LOGIN,
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
}
for _feature in FEATURES:
    assert not ACCESS.keys() & _feature.ACCESS.keys(), "an endpoint listed twice"
    ACCESS.update(_feature.ACCESS)


def sample_args(app, people: dict[str, int]) -> dict[str, object]:
    """Values for URL parameters, by name: the core's, then each feature's (its
    ``tests/<feature>/access.py`` makes its objects through the real rules)."""
    args: dict[str, object] = {"user_id": people["staff"]}
    with app.app_context():
        from sqlalchemy import select

        from portal.extensions import db
        from portal.org.models import BodyMember

        args["member_id"] = db.session.scalar(select(BodyMember.id).limit(1))
    for feature in FEATURES:
        args.update(feature.sample_args(app, people))
    return args


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
