"""Route × role matrix built from ``app.url_map``: every route must have an entry here,
and every (route, method, role, full page / htmx fragment) cell must match it."""
from __future__ import annotations

import pytest

from tests.conftest import ROLES, login_as

PUBLIC = "public"
LOGIN = "login"
ADMIN = frozenset({"admin"})

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
    "audit.events": frozenset({"admin", "secretary", "supervisor"}),
}


def sample_args(people: dict[str, int]) -> dict[str, object]:
    """Values for URL parameters, by name."""
    return {"user_id": people["staff"]}


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
    args = sample_args(people)
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
