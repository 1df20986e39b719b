"""The per-reader page cache (issue 23, ``portal.pagecache.reader_page``): with every cache
warm, what a write changes shows on the very next request, and a revoked seat hides what it
granted at once. Runs with the cache on (``cached_app``); tests elsewhere run with it off.
A warm page is served by the fast path (``portal.fastpath``, see ``_warm``), so every check
after a write here runs through it too (more of its own in ``tests/test_fastpath.py``)."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import event, select

from portal.auth.models import User
from portal.extensions import db
from portal.org.models import BodyKind, BodyMember
from portal.org.rules import end_seat, seat_member
from portal.timeutil import to_local, utcnow
from tests.conftest import ROLES, login_as, make_user
from tests.disclosure import factories as df
from tests.test_fastpath import Flasked


class Seen:
    """The statements the app runs while the block runs."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.statements: list[str] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        return self.statements

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, *args):
        self.statements.append(statement)


def _setup(app):
    with app.app_context():
        s = db.session
        for role in ROLES:
            make_user(role, {role})
        member = make_user("newmember", set())
        s.commit()
        today = to_local(utcnow()).date()
        seat_member(s, None, BodyKind.PARTY_COMMITTEE, member, starts_on=today - timedelta(days=30))
        party = df.published(s, channel="party", audience="party", title="党内通知PARTYONLY")
        s.commit()
        return party.id


def _warm(client, path: str, app) -> str:
    """The page twice, the second from the cache (it reads no notice rows)."""
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code)
    with Seen(app) as seen, Flasked(app) as flasked:
        again = client.get(path)
    assert again.status_code == 200
    assert not [q for q in seen if "FROM notice" in q], (path, seen)  # served from the cache
    assert flasked.count == 0, path  # by the fast path (portal.fastpath), before Flask
    assert _untokened(again) == _untokened(first)
    return again.get_data(as_text=True)


def _untokened(resp) -> str:
    """The page with its CSRF tokens (signed, with their time) blanked."""
    return re.sub(r'[\w-]{20,}\.[\w-]{4,}\.[\w-]{10,}', "TOKEN", resp.get_data(as_text=True))


def test_revoking_a_seat_hides_what_it_granted_on_the_next_request(cached_app):
    app = cached_app
    notice_id = _setup(app)
    client = app.test_client()
    login_as(client, app, "newmember")
    pages = ["/notices/party", "/", f"/notices/{notice_id}"]
    for path in pages:
        assert "PARTYONLY" in _warm(client, path, app), path
    with app.app_context():
        s = db.session
        member = s.scalar(select(BodyMember).join(User, User.id == BodyMember.user_id)
                          .where(User.username == "newmember"))
        end_seat(s, None, member, to_local(utcnow()).date() - timedelta(days=1))
        s.commit()
    assert "PARTYONLY" not in client.get("/notices/party").get_data(as_text=True)
    assert "PARTYONLY" not in client.get("/").get_data(as_text=True)
    assert client.get(f"/notices/{notice_id}").status_code in (403, 404)


def test_unmarking_a_party_member_hides_party_notices_at_once(cached_app):
    app = cached_app
    notice_id = _setup(app)
    with app.app_context():
        s = db.session
        marked = make_user("marked", set(), is_party_member=True)
        s.commit()
    client = app.test_client()
    login_as(client, app, "marked")
    assert "PARTYONLY" in _warm(client, "/notices/party", app)
    from portal.admin.rules import update_user

    with app.app_context():
        s = db.session
        admin, marked = df.user(s, "admin"), s.get(User, marked.id)
        update_user(s, admin, marked, name=marked.name, department=marked.department, is_party_member=False,
                    roles=marked.roles, active=True)
        s.commit()
    assert "PARTYONLY" not in client.get("/notices/party").get_data(as_text=True)
    assert client.get(f"/notices/{notice_id}").status_code in (403, 404)


def test_a_publish_shows_on_the_next_signed_in_request(cached_app):
    app = cached_app
    _setup(app)
    client = app.test_client()
    login_as(client, app, "staff")
    for path in ("/notices/school", "/"):
        assert "NEWSTAFFNOTICE" not in _warm(client, path, app)
    with app.app_context():
        df.published(db.session, title="新通知NEWSTAFFNOTICE")
        db.session.commit()
    for path in ("/notices/school", "/"):
        assert "NEWSTAFFNOTICE" in client.get(path).get_data(as_text=True), path


def test_an_anonymous_objection_shows_to_the_handler_on_the_next_request(cached_app):
    """Anonymous acts wait outside the audit chain (they do not move its head): the reader
    cache's version counts them too."""
    from portal.disclosure import rules

    app = cached_app
    with app.app_context():
        s = db.session
        for role in ROLES:
            make_user(role, {role})
        s.commit()
        notice = df.published(s, title="公示GONGSHI", gongshi=5)
        s.commit()
        notice_id = notice.id
    author = app.test_client()
    login_as(author, app, "leader")
    before = _warm(author, f"/notices/{notice_id}", app)
    assert "OBJECTIONTEXT" not in before
    with app.app_context():
        s = db.session
        rules.lodge_objection(s, df.user(s, "staff"), s.get(type(notice), notice_id), "异议OBJECTIONTEXT",
                              anonymous=True)
        s.commit()
    assert "OBJECTIONTEXT" in author.get(f"/notices/{notice_id}").get_data(as_text=True)


def test_each_reader_has_their_own_copy(cached_app):
    app = cached_app
    _setup(app)
    member, staff = app.test_client(), app.test_client()
    login_as(member, app, "newmember")
    login_as(staff, app, "staff")
    assert "PARTYONLY" in _warm(member, "/", app)
    page = staff.get("/").get_data(as_text=True)
    assert "PARTYONLY" not in page and "newmember" not in page


def test_the_cached_page_carries_the_readers_own_csrf_token(cached_app):
    app = cached_app
    _setup(app)
    client = app.test_client()
    login_as(client, app, "staff")
    client.get("/notices/school")
    page = client.get("/notices/school").get_data(as_text=True)
    assert "\x1f" not in page
    with client.session_transaction() as s:
        assert s.get("csrf_token")  # the token the page's forms carry was issued to this session


# --- the congress: a vote and a sign-in show on the next request; the presence poll's 304 -----

def _congress(app):
    from portal.congress.rules import polls
    from tests.congress import factories as cf

    with app.app_context():
        s = db.session
        for role in ROLES:
            if not cf.user_exists(s, role):
                make_user(role, {role})
        s.commit()
        union = df.user(s, "union")
        reps = cf.reps(s, 6)
        cs = cf.open_session(s, union)
        poll = cf.poll(s, union, cs)
        s.commit()
        return cs.id, poll.id, [r.username for r in reps], polls


def test_a_vote_shows_on_the_next_poll_page_and_a_sign_in_on_the_next_presence_poll(cached_app):
    from portal.congress.models import CongressSession, Poll
    from portal.congress.rules import sessions
    app = cached_app
    cs_id, poll_id, reps, polls = _congress(app)
    with app.app_context():
        s = db.session
        here = set(sessions.presence(s, s.get(CongressSession, cs_id)).now)
        present = [u for u in reps if df.user(s, u).id in here]
        absent = [u for u in reps if df.user(s, u).id not in here]
    watcher = app.test_client()
    login_as(watcher, app, present[0])
    page = watcher.get(f"/congress/polls/{poll_id}").get_data(as_text=True)
    assert watcher.get(f"/congress/polls/{poll_id}").get_data(as_text=True).count("已投票 0 人") == page.count("已投票 0 人") == 1
    with app.app_context():
        s = db.session
        polls.cast_vote(s, df.user(s, present[1]), s.get(Poll, poll_id), "yes")
        s.commit()
    assert "已投票 1 人" in watcher.get(f"/congress/polls/{poll_id}").get_data(as_text=True)

    # the presence block, as its 15-second poll asks: 304 while nothing changed, fresh after a sign-in
    url = f"/congress/sessions/{cs_id}?block=presence"
    hx = {"HX-Request": "true"}
    first = watcher.get(url, headers=hx)
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    assert watcher.get(url, headers={**hx, "If-None-Match": etag}).status_code == 304
    with app.app_context():
        s = db.session
        sessions.sign_in(s, df.user(s, absent[0]), s.get(CongressSession, cs_id))
        s.commit()
    after = watcher.get(url, headers={**hx, "If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    # the whole page stays out of the browser's cache
    assert watcher.get(f"/congress/sessions/{cs_id}").headers["Cache-Control"] == "no-store"


def test_the_unread_badge_can_be_revalidated(cached_app):
    app = cached_app
    _setup(app)
    client = app.test_client()
    login_as(client, app, "staff")
    first = client.get("/inbox/badge")
    assert first.headers["Cache-Control"] == "private, no-cache" and first.headers["ETag"]
    assert client.get("/inbox/badge", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


# --- the signed-in user, from the worker's copy (``web.load_user``) ----------------------------

def _warm_user(client, app) -> None:
    """The home page twice: the second request reads neither the page nor the user row."""
    _warm(client, "/", app)
    with Seen(app) as seen:
        assert client.get("/").status_code == 200
    assert not [q for q in seen if 'FROM "user"' in q or "FROM user " in q], seen  # the worker's copy


def _refused(client) -> bool:
    """The very next request (the inbox, for signed-in readers only) is sent to sign in, and
    the home page is then the anonymous one."""
    resp = client.get("/inbox")
    if not (resp.status_code in (302, 303) and "/login" in resp.headers["Location"]):
        return False
    return "/logout" not in client.get("/").get_data(as_text=True)


def test_a_deactivated_account_is_refused_on_the_next_request_with_every_cache_warm(cached_app):
    app = cached_app
    _setup(app)
    client = app.test_client()
    login_as(client, app, "staff")
    _warm_user(client, app)
    assert "/logout" in client.get("/").get_data(as_text=True)
    from portal.admin.rules import update_user

    with app.app_context():
        s = db.session
        admin, staff = df.user(s, "admin"), df.user(s, "staff")
        update_user(s, admin, staff, name=staff.name, department=staff.department,
                    is_party_member=staff.is_party_member, roles=staff.roles, active=False)
        s.commit()
    assert _refused(client)


def test_a_changed_password_ends_other_sessions_on_the_next_request_with_every_cache_warm(cached_app):
    app = cached_app
    _setup(app)
    elsewhere, here = app.test_client(), app.test_client()
    login_as(elsewhere, app, "staff")
    _warm_user(elsewhere, app)
    from portal.auth.passwords import hash_password
    from portal.auth.rules import change_password

    with app.app_context():
        s = db.session
        change_password(s, df.user(s, "staff"), hash_password("Newpass123"))
        s.commit()
    assert _refused(elsewhere)
    login_as(here, app, "staff")  # the new session is served
    assert here.get("/").status_code == 200


def test_a_reset_password_sends_the_reader_to_change_it_on_the_next_request(cached_app):
    """Reset: the old cookie is refused; the new session must change the password first."""
    app = cached_app
    _setup(app)
    client = app.test_client()
    login_as(client, app, "staff")
    _warm_user(client, app)
    from portal.admin.rules import reset_password

    with app.app_context():
        s = db.session
        reset_password(s, df.user(s, "admin"), df.user(s, "staff"))
        s.commit()
    assert _refused(client)
    login_as(client, app, "staff")
    resp = client.get("/inbox")
    assert resp.status_code in (302, 303) and "password" in resp.headers["Location"]


def test_a_granted_role_and_a_chosen_language_show_on_the_next_request(cached_app):
    app = cached_app
    _setup(app)
    client = app.test_client()
    login_as(client, app, "staff")
    _warm_user(client, app)
    assert client.get("/admin/users").status_code == 403
    from portal.admin.rules import update_user

    with app.app_context():
        s = db.session
        admin, staff = df.user(s, "admin"), df.user(s, "staff")
        update_user(s, admin, staff, name=staff.name, department=staff.department,
                    is_party_member=staff.is_party_member, roles=set(staff.roles) | {"admin"}, active=True)
        s.commit()
    assert client.get("/admin/users").status_code == 200
    _warm_user(client, app)
    assert 'lang="zh' in client.get("/").get_data(as_text=True)
    with app.app_context():  # as the language form does, through the rule (another worker's copy)
        from portal.auth.rules import set_locale

        s = db.session
        set_locale(s, df.user(s, "staff"), "en")
        s.commit()
    client.set_cookie("lang", "zh_CN")  # the account's choice wins over the cookie
    assert 'lang="en' in client.get("/").get_data(as_text=True)


def test_the_hall_display_counts_a_secret_ballot_and_a_sign_in_on_its_next_poll(cached_app):
    """The hall display is kept per worker (``congress.views.hall``): a secret ballot, a
    sign-in and a rotated address all show on the next poll."""
    from portal.congress.models import CongressSession, Poll
    from portal.congress.rules import sessions
    from tests.congress import factories as cf
    app = cached_app
    cs_id, _poll_id, reps, polls = _congress(app)
    with app.app_context():
        s = db.session
        cs = s.get(CongressSession, cs_id)
        union = df.user(s, "union")
        secret = cf.poll(s, union, cs, secret=True, opened=False)
        s.commit()
        secret_id, token = secret.id, cs.display_token
        here = set(sessions.presence(s, cs).now)
        present = [u for u in reps if df.user(s, u).id in here]
        absent = [u for u in reps if df.user(s, u).id not in here]
    union_client = app.test_client()
    login_as(union_client, app, "union")
    union_client.post(f"/congress/polls/{_poll_id}/close")
    union_client.post(f"/congress/polls/{secret_id}/open")
    screen = app.test_client()
    url = f"/congress/hall/{token}"
    hx = {"HX-Request": "true"}
    first = screen.get(url, headers=hx)
    assert first.status_code == 200 and b'id="hall-state"' in first.data and b"<html" not in first.data
    etag = first.headers["ETag"]
    with Seen(app) as seen:
        assert screen.get(url, headers={**hx, "If-None-Match": etag}).status_code == 304
    assert not [q for q in seen if "FROM poll" in q or "attendance" in q], seen  # the state is kept
    assert len(seen) <= 2, seen  # the data version (and SQLite's BEGIN)
    with app.app_context():  # a secret ballot: counted on the display
        s = db.session
        polls.cast_vote(s, df.user(s, present[0]), s.get(Poll, secret_id), "yes")
        s.commit()
    voted = screen.get(url, headers={**hx, "If-None-Match": etag})
    assert voted.status_code == 200 and voted.headers["ETag"] != etag
    assert _hall_cast(first) == 0 and _hall_cast(voted) == 1
    with app.app_context():
        s = db.session
        sessions.sign_in(s, df.user(s, absent[0]), s.get(CongressSession, cs_id))
        s.commit()
    signed = screen.get(url, headers={**hx, "If-None-Match": voted.headers["ETag"]})
    assert signed.status_code == 200 and signed.headers["ETag"] != voted.headers["ETag"]
    assert screen.get(url).status_code == 200 and b"<html" in screen.get(url).data  # the full page apart
    union_client.post(f"/congress/sessions/{cs_id}/display")  # a new address: the old one is dead at once
    assert screen.get(url, headers=hx).status_code == 404


def _hall_cast(resp) -> int:
    """The ballots cast as the hall display shows them."""
    found = re.search(r'<span>(\d+)</span> / \d+</p>\s*<p>已投票', resp.get_data(as_text=True))
    assert found, resp.get_data(as_text=True)
    return int(found.group(1))
