"""The cached-page fast path (``portal.fastpath``): what it serves is what Flask would serve,
headers included, and whatever can change the answer sends the request to Flask. A request
"reached Flask" when Flask's ``request_started`` fired; the fast path answers before it."""
from __future__ import annotations

import gzip
import re
from datetime import timedelta

from flask import request_started

from portal.extensions import db
from portal.timeutil import utcnow
from tests.conftest import ROLES, login_as, make_user
from tests.disclosure import factories as df

TOKEN = re.compile(r'[\w-]{20,}\.[\w-]{4,}\.[\w-]{10,}')


class Flasked:
    """Counts the requests that reached Flask while the block runs."""

    def __init__(self, app) -> None:
        self.app = app
        self.count = 0

    def __enter__(self) -> Flasked:
        request_started.connect(self._seen, self.app)
        return self

    def __exit__(self, *exc) -> None:
        request_started.disconnect(self._seen, self.app)

    def _seen(self, sender, **extra) -> None:
        self.count += 1


def fast(app, client, path: str, **kw):
    """``client.get`` that the fast path must answer."""
    with Flasked(app) as flasked:
        resp = client.get(path, **kw)
    assert flasked.count == 0, f"{path} reached Flask"
    return resp


def slow(app, client, path: str, **kw):
    """``client.get`` answered by Flask (the fast path switched off for it), from the same caches."""
    app.config["FAST_PATH"] = False
    try:
        with Flasked(app) as flasked:
            resp = client.get(path, **kw)
    finally:
        app.config["FAST_PATH"] = True
    assert flasked.count == 1
    return resp


def _people(app) -> None:
    with app.app_context():
        for role in ROLES:
            make_user(role, {role})
        df.published(db.session, title="公开通知PUBLICNOTICE", audience="public")
        db.session.commit()


def _visitor(app, path: str = "/"):
    """An anonymous visitor after two pages: the first gave them a session (the page carries a
    CSRF token), the second Flask-Login's mark on it; from here on the session stays as it is."""
    visitor = app.test_client()
    visitor.get(path)
    visitor.get(path)
    return visitor


def _text(resp) -> str:
    data = resp.get_data()
    return (gzip.decompress(data) if resp.headers.get("Content-Encoding") == "gzip" else data).decode()


def _headers(resp) -> dict[str, str]:
    """The headers, a new session cookie by its attributes (its value is the visitor's own)."""
    out = {k: v for k, v in resp.headers.items() if k != "Set-Cookie"}
    if out.get("Content-Encoding") == "gzip":  # the page's CSRF token compresses to its own length
        out.pop("Content-Length")
    cookies = resp.headers.getlist("Set-Cookie")
    out["Set-Cookie"] = ";".join(c.split(";", 1)[1] if ";" in c else "" for c in cookies)
    return out


def _signed_in(app, username: str = "staff"):
    client = app.test_client()
    login_as(client, app, username)
    client.get("/")  # Flask-Login marks the test's session (made without an address) once
    return client


# --- the same answer as Flask's ------------------------------------------------------------

def test_fast_answers_carry_the_same_headers_as_flasks(cached_app):
    app = cached_app
    _people(app)
    app.test_client().get("/notices/school")  # the page in the cache
    a, b = app.test_client(), app.test_client()  # two visitors without a cookie
    quick, normal = fast(app, a, "/notices/school"), slow(app, b, "/notices/school")
    assert _headers(quick) == _headers(normal) and quick.headers["Set-Cookie"]
    assert TOKEN.sub("T", quick.get_data(as_text=True)) == TOKEN.sub("T", normal.get_data(as_text=True))
    # the same visitors again, with their cookies; a gzip-accepting browser; a fragment
    for kw in ({}, {"headers": {"Accept-Encoding": "gzip, deflate"}}, {"headers": {"HX-Request": "true"}}):
        slow(app, b, "/notices/school", **kw)
        quick, normal = fast(app, a, "/notices/school", **kw), slow(app, b, "/notices/school", **kw)
        assert _headers(quick) == _headers(normal), kw
        assert TOKEN.sub("T", _text(quick)) == TOKEN.sub("T", _text(normal))
    # signed in: a page, the presence-style revalidated fragment is covered below, the badge's 304
    staff = _signed_in(app)
    staff.get("/")
    quick, normal = fast(app, staff, "/"), slow(app, staff, "/")
    assert _headers(quick) == _headers(normal) and quick.headers["Cache-Control"] == "no-store"
    etag = staff.get("/inbox/badge").headers["ETag"]
    quick = fast(app, staff, "/inbox/badge", headers={"If-None-Match": etag})
    normal = slow(app, staff, "/inbox/badge", headers={"If-None-Match": etag})
    assert quick.status_code == normal.status_code == 304 and _headers(quick) == _headers(normal)
    # the health probe
    probe = app.test_client()
    quick, normal = fast(app, probe, "/healthz"), slow(app, probe, "/healthz")
    assert _headers(quick) == _headers(normal) and quick.get_data() == normal.get_data()


def test_the_presence_poll_is_answered_as_flask_answers_it(cached_app):
    from tests.test_reader_cache import _congress

    app = cached_app
    cs_id, _poll_id, reps, _polls = _congress(app)
    watcher = _signed_in(app, reps[0])
    url, hx = f"/congress/sessions/{cs_id}?block=presence", {"HX-Request": "true"}
    first = watcher.get(url, headers=hx)
    quick, normal = fast(app, watcher, url, headers=hx), slow(app, watcher, url, headers=hx)
    assert quick.status_code == normal.status_code == 200 and _headers(quick) == _headers(normal)
    assert quick.headers["ETag"] == first.headers["ETag"]
    held = {**hx, "If-None-Match": first.headers["ETag"]}
    quick, normal = fast(app, watcher, url, headers=held), slow(app, watcher, url, headers=held)
    assert quick.status_code == normal.status_code == 304 and _headers(quick) == _headers(normal)
    gz = {**hx, "Accept-Encoding": "gzip"}
    assert _headers(fast(app, watcher, url, headers=gz)) == _headers(slow(app, watcher, url, headers=gz))


# --- anonymous visitors ---------------------------------------------------------------------

def test_each_cookieless_visitor_gets_a_session_of_their_own_whose_token_posts(cached_app):
    app = cached_app
    _people(app)
    app.test_client().get("/")
    tokens = set()
    for _ in range(2):
        visitor = app.test_client()
        page = fast(app, visitor, "/").get_data(as_text=True)
        assert "\x1f" not in page
        found = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
        assert len(found) == 1
        tokens |= found
        app.config["WTF_CSRF_ENABLED"] = True
        try:  # the language form of the served page works with the served token
            resp = visitor.post("/language", data={"csrf_token": found.pop(), "lang": "en", "next": "/"})
        finally:
            app.config["WTF_CSRF_ENABLED"] = False
        assert resp.status_code in (302, 303)
        assert 'lang="en' in visitor.get("/").get_data(as_text=True)
    assert len(tokens) == 2


def test_the_language_cookie_picks_the_cached_page(cached_app):
    app = cached_app
    _people(app)
    visitor = _visitor(app)
    assert 'lang="zh' in fast(app, visitor, "/").get_data(as_text=True)
    visitor.set_cookie("lang", "en")
    visitor.get("/")
    assert 'lang="en' in fast(app, visitor, "/").get_data(as_text=True)
    other = app.test_client()
    assert 'lang="en' in fast(app, other, "/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)


def test_a_flashed_message_is_never_swallowed(cached_app):
    app = cached_app
    _people(app)
    visitor = _visitor(app)
    fast(app, visitor, "/")
    with visitor.session_transaction() as s:
        s["_flashes"] = [("info", "FLASHED-ONCE")]
    assert "FLASHED-ONCE" in visitor.get("/").get_data(as_text=True)
    assert "FLASHED-ONCE" not in fast(app, visitor, "/").get_data(as_text=True)


def test_a_publish_shows_to_anonymous_visitors_on_the_next_request(cached_app):
    app = cached_app
    _people(app)
    visitor = _visitor(app, "/notices/school")
    assert "FRESHNOTICE" not in fast(app, visitor, "/notices/school").get_data(as_text=True)
    with app.app_context():
        df.published(db.session, title="新通知FRESHNOTICE", audience="public")
        db.session.commit()
    assert "FRESHNOTICE" in visitor.get("/notices/school").get_data(as_text=True)


# --- signed in --------------------------------------------------------------------------------

def test_the_sliding_expiry_still_slides_and_expires(cached_app):
    app = cached_app
    _people(app)
    staff = _signed_in(app)
    fast(app, staff, "/")
    two_minutes_ago = utcnow().timestamp() - 120
    with staff.session_transaction() as s:
        s["seen_at"] = two_minutes_ago
    resp = fast(app, staff, "/")  # the stamp is due: moved on, as web.session_expired does
    assert "/logout" in resp.get_data(as_text=True) and resp.headers["Set-Cookie"]
    with staff.session_transaction() as s:
        assert s["seen_at"] > two_minutes_ago
    assert "Set-Cookie" not in fast(app, staff, "/").headers  # at most once a minute
    fast(app, staff, "/")
    with staff.session_transaction() as s:
        s["seen_at"] = utcnow().timestamp() - app.config["SESSION_IDLE_MINUTES"] * 60 - 5
    assert "/logout" not in staff.get("/").get_data(as_text=True)  # signed out: the public page
    with staff.session_transaction() as s:
        assert "_user_id" not in s


def test_a_session_made_elsewhere_is_marked_not_fresh_as_flask_login_marks_it(cached_app):
    """Basic session protection: a signed-in session used from another address or browser
    loses its "fresh" mark (the cookie is written again), on the fast path as on Flask's."""
    app = cached_app
    _people(app)
    staff = _signed_in(app)
    fast(app, staff, "/")
    with staff.session_transaction() as s:
        s["_fresh"] = True  # made for another browser (its _id is someone else's)
        s["_id"] = "0" * 128
    resp = fast(app, staff, "/")
    assert "/logout" in resp.get_data(as_text=True) and resp.headers["Set-Cookie"]
    with staff.session_transaction() as s:
        assert s["_fresh"] is False


def test_a_deactivated_accounts_badge_is_refused_every_time(cached_app):
    """The badge has no page cache key: the copy of the user row must be current and active."""
    from portal.admin.rules import update_user

    app = cached_app
    _people(app)
    staff = _signed_in(app)
    etag = staff.get("/inbox/badge").headers["ETag"]
    assert fast(app, staff, "/inbox/badge", headers={"If-None-Match": etag}).status_code == 304
    with app.app_context():
        s = db.session
        admin, user = df.user(s, "admin"), df.user(s, "staff")
        update_user(s, admin, user, name=user.name, department=user.department,
                    is_party_member=user.is_party_member, roles=user.roles, active=False)
        s.commit()
    for _ in range(2):  # the first refusal leaves the worker a copy of the deactivated row
        resp = staff.get("/inbox/badge", headers={"If-None-Match": etag})
        assert resp.status_code in (302, 303, 401), resp.status_code


def test_a_signed_out_cookie_is_not_served_the_new_sessions_pages(cached_app):
    """After "end all sessions" a new session fills the cache at the new version: the old
    cookie (another session version) must not be served from it."""
    from portal.auth.rules import end_all_sessions

    app = cached_app
    _people(app)
    old = _signed_in(app)
    fast(app, old, "/")
    with app.app_context():
        s = db.session
        end_all_sessions(s, df.user(s, "staff"), "test")
        s.commit()
    new = _signed_in(app)
    new.get("/")
    fast(app, new, "/")
    with Flasked(app):
        for path in ("/", "/inbox/badge"):
            page = old.get(path)
            assert page.status_code in (302, 303, 401) or "/logout" not in page.get_data(as_text=True), path


def test_an_other_users_cookie_never_gets_this_readers_page(cached_app):
    app = cached_app
    _people(app)
    with app.app_context():
        make_user("second", set())
        db.session.commit()
    first, second = _signed_in(app, "staff"), _signed_in(app, "second")
    first.get("/")
    mine = fast(app, first, "/").get_data(as_text=True)
    theirs = second.get("/").get_data(as_text=True)
    assert TOKEN.sub("T", mine) != TOKEN.sub("T", theirs)
    with app.app_context():
        names = {df.user(db.session, u).name for u in ("staff", "second")}
    staff_name, second_name = sorted(names, key=lambda n: n not in mine)
    assert staff_name in mine and second_name in theirs and second_name not in mine


def test_a_session_older_than_its_lifetime_goes_to_flask(cached_app):
    app = cached_app
    _people(app)
    staff = _signed_in(app)
    fast(app, staff, "/")
    with staff.session_transaction() as s:
        s["login_at"] = utcnow().timestamp() - timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"], minutes=1) \
            .total_seconds()
    assert "/logout" not in staff.get("/").get_data(as_text=True)


def test_the_accounts_language_picks_the_cached_page(cached_app):
    """Signed in, the account's language wins over the ``lang`` cookie, on the fast path too."""
    from portal.auth.rules import set_locale

    app = cached_app
    _people(app)
    with app.app_context():
        s = db.session
        set_locale(s, df.user(s, "staff"), "en")
        s.commit()
    staff = _signed_in(app)
    staff.set_cookie("lang", "zh_CN")
    staff.get("/")
    assert 'lang="en' in fast(app, staff, "/").get_data(as_text=True)
