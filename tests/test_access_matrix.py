"""Route × role matrix built from ``app.url_map``: every route must have an entry here,
and every (route, method, role, full page / htmx fragment) cell must match it."""
from __future__ import annotations

import pytest

from portal.web import REFUSED
from tests.access import ADMIN, LOGIN, PUBLIC
from tests.conftest import ROLES, login_as, make_people
from tests.boards import access as boards_access
from tests.decisions import access as decisions_access
from tests.congress import access as congress_access
from tests.disclosure import access as disclosure_access
from tests.consultations import access as consultations_access
from tests.evaluation import access as evaluation_access
from tests.notify import access as notify_access
from tests.proposals import access as proposals_access

# Each feature lists its own routes in tests/<feature>/access.py: ACCESS and sample_args().
FEATURES = [disclosure_access, notify_access, congress_access, evaluation_access, consultations_access,
            proposals_access, decisions_access, boards_access]


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
    "admin.inspectors": ADMIN,
    "admin.change_inspector_end": ADMIN,
    "audit.events": frozenset({"admin", "secretary", "supervisor"}),
}
for _feature in FEATURES:
    assert not ACCESS.keys() & _feature.ACCESS.keys(), "an endpoint listed twice"
    ACCESS.update(_feature.ACCESS)


# GET routes that need a query to give their page (a form read from the query string).
QUERY: dict[str, dict[str, str]] = {
    "disclosure.export_register": {"start": "2026-01-01", "end": "2026-12-31"},
}

# GET routes whose answer to an allowed role is a redirect, and where it goes. Any other GET
# must give its page (2xx); a POST may answer with its page or redirect after the post.
GET_REDIRECTS: dict[str, str] = {
    "auth.login": "/",  # already signed in: home
    "disclosure.edit": "/notices/",  # a published notice: shown, and told only drafts are edited
}


# An outside inspector (督导 / 巡察) on a day of its term reaches exactly these, whatever the
# features' own entries say (public pages included): the inspection pages, and its own
# session, language and password. Its home page leads to the self-check. Written out here,
# not read from the app, so that a page added to the app's list fails this test.
INSPECTOR_PAGES = frozenset({
    "decisions.self_check", "decisions.archive", "decisions.minutes", "decisions.tracker",
    "decisions.tracker_export", "decisions.resolution", "decisions.report_file", "audit.events",
    "auth.login", "auth.logout", "auth.set_language", "auth.change_password", "home.healthz", "home.index",
})
INSPECTOR_REDIRECTS = {"home.index": "/decisions/self-check", "auth.login": "/"}


def make_inspector(app) -> None:
    """The inspector's account, opened through the admin's rule, its term covering today."""
    from datetime import timedelta

    from sqlalchemy import select

    from portal.admin.rules import open_inspector
    from portal.auth.models import User
    from portal.extensions import db
    from portal.timeutil import to_local, utcnow
    from tests.conftest import password_hash

    with app.app_context():
        if db.session.scalar(select(User.id).where(User.username == "inspector")):
            return
        today = to_local(utcnow()).date()
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        user, _term = open_inspector(db.session, admin, username="inspector", name="督导甲", unit="区教育局督导室",
                                     starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=1),
                                     today=today, password_hash=password_hash())
        user.must_change_password = False
        db.session.commit()


def _made_args(app, people: dict[str, int]) -> tuple[dict[str, object], list[tuple[object, dict[str, object]]]]:
    """The core's URL parameter values, and each feature's (its ``tests/<feature>/access.py``
    makes its objects through the real rules)."""
    core: dict[str, object] = {"user_id": people["staff"]}
    make_inspector(app)
    with app.app_context():
        from sqlalchemy import select

        from portal.extensions import db
        from portal.org.models import BodyMember, InspectorTerm

        core["member_id"] = db.session.scalar(select(BodyMember.id).limit(1))
        core["term_id"] = db.session.scalar(select(InspectorTerm.id).limit(1))
    return core, [(feature, feature.sample_args(app, people)) for feature in FEATURES]


def sample_args(app, people: dict[str, int]) -> dict[str, object]:
    """Values for URL parameters, by name, all features together (a later feature's value
    wins where two name a parameter alike)."""
    core, made = _made_args(app, people)
    for _feature, args in made:
        core.update(args)
    return core


def args_by_endpoint(app, people: dict[str, int]) -> dict[str, dict[str, object]]:
    """Values for URL parameters, by endpoint: the core's, then the endpoint's own feature's.
    Per feature, because two features may name a parameter alike (``item_id``: a catalogue
    item of disclosure, an agenda item of decisions)."""
    core, made = _made_args(app, people)
    by_endpoint: dict[str, dict[str, object]] = {endpoint: core for endpoint in ACCESS}
    for feature, args in made:
        own = {**core, **args}
        by_endpoint.update({endpoint: own for endpoint in feature.ACCESS})  # type: ignore[attr-defined]
    return by_endpoint


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
    assert QUERY.keys() <= endpoints and GET_REDIRECTS.keys() <= endpoints


def _allowed(spec: object, role: str | None) -> bool:
    if spec == PUBLIC:
        return True
    if role is None:
        return False
    if spec == LOGIN:
        return True
    return role in spec  # type: ignore[operator]


def _to_login(location: str) -> bool:
    return location.startswith(("/login", "/account/password"))


def _granted_to_inspector(resp, endpoint: str, method: str) -> bool:
    if method == "GET" and endpoint in INSPECTOR_REDIRECTS:
        return resp.status_code == 302 and resp.headers["Location"].startswith(INSPECTOR_REDIRECTS[endpoint])
    return _granted(resp, endpoint, method)


def _denied(resp, role: str | None) -> bool:
    if role is None:
        if resp.status_code == 302 and _to_login(resp.headers["Location"]):
            return True
        return resp.status_code == 401 and _to_login(resp.headers.get("HX-Redirect", ""))
    return resp.status_code == 403


def _granted(resp, endpoint: str, method: str) -> bool:
    """The page itself (2xx), or the redirect that is this route's answer: after a POST, to a
    page of this site that is not the sign-in page; for a GET, only where GET_REDIRECTS says;
    or, for a POST, the rule's or the form's refusal explained in place (REFUSED: the empty
    post reached the step). Not another 4xx (a missing object, a bad request, a wrong method),
    not a refusal in disguise."""
    if method == "POST" and resp.status_code == REFUSED:
        return True
    if 200 <= resp.status_code < 300:
        target = resp.headers.get("HX-Redirect")  # htmx's redirect after a post
        if target is None:
            return True
    elif resp.status_code in (302, 303):
        target = resp.headers["Location"]
    else:
        return False
    if method == "GET":
        return endpoint in GET_REDIRECTS and target.startswith(GET_REDIRECTS[endpoint])
    return target.startswith("/") and not target.startswith("//") and not _to_login(target)


def _school(app) -> dict[str, dict[str, object]]:
    """One person per role, the inspector's account and every feature's objects, made through
    the real rules."""
    with app.app_context():
        people = make_people()
    return args_by_endpoint(app, people)


@pytest.fixture
def school_app(on_snapshot):
    """The school the matrix runs in, made once (each role's test gets a copy: its POSTs change it)."""
    return on_snapshot(_school)


@pytest.mark.parametrize("role", [None, *ROLES, "inspector"])
def test_matrix(school_app, role):
    app, args = school_app
    cells = deviations = 0
    problems = []
    for rule, method in _rules(app):
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **{k: args[rule.endpoint][k] for k in rule.arguments})
        query = QUERY.get(rule.endpoint) if method == "GET" else None
        for htmx in (False, True):
            client = app.test_client()
            if role:
                login_as(client, app, role)
            headers = {"HX-Request": "true"} if htmx else {}
            resp = client.open(url, method=method, headers=headers, data={}, query_string=query)
            cells += 1
            if role == "inspector":
                expected = rule.endpoint in INSPECTOR_PAGES
                ok = _granted_to_inspector(resp, rule.endpoint, method) if expected else _denied(resp, role)
            else:
                expected = _allowed(ACCESS[rule.endpoint], role)
                ok = _granted(resp, rule.endpoint, method) if expected else _denied(resp, role)
            if resp.status_code >= 500 or not ok:
                deviations += 1
                where = resp.headers.get("Location") or resp.headers.get("HX-Redirect") or ""
                problems.append(f"{method} {url} role={role} htmx={htmx}: {resp.status_code} {where} "
                                f"expected {'allow' if expected else 'deny'}")
    print(f"matrix role={role}: {cells} cells, {deviations} deviations")
    assert problems == []
