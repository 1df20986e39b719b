"""Login, logout, password change, throttling messages and session replay, over HTTP."""
from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from portal.auth.models import User
from portal.auth.rules import DEVICE_SALT
from portal.auth.views import DEVICE_COOKIE
from portal.extensions import db
from tests.conftest import PASSWORD, login_as, make_user, writer_can_start


def test_login_page_is_chinese(client):
    html = client.get("/login").get_data(as_text=True)
    assert "登录阳光校务" in html and 'lang="zh-CN"' in html


def test_login_success_and_dashboard(client, people):
    r = client.post("/login", data={"username": "staff", "password": PASSWORD})
    assert r.status_code == 303 and r.headers["Location"] == "/"
    assert "您好，staff" in client.get("/").get_data(as_text=True)


def test_failed_login_shows_chinese_message_and_keeps_username(client, people):
    r = client.post("/login", data={"username": "staff", "password": "wrong"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "用户名或密码错误。" in html and 'value="staff"' in html


def test_htmx_login_failure_returns_only_the_form(client, people):
    r = client.hx("/login", method="POST", data={"username": "staff", "password": "wrong"})
    html = r.get_data(as_text=True)
    assert html.lstrip().startswith('<form id="login_form"') and "<html" not in html
    assert "HX-Request" in r.headers["Vary"]


def test_htmx_login_success_redirects_whole_page(client, people):
    r = client.hx("/login", method="POST", data={"username": "staff", "password": PASSWORD})
    assert r.headers["HX-Redirect"] == "/"


def test_next_is_followed_only_within_the_site(client, people):
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        client.post("/logout")
        r = client.post("/login", data={"username": "staff", "password": PASSWORD, "next": evil})
        assert r.headers["Location"] == "/", evil
    client.post("/logout")
    r = client.post("/login", data={"username": "admin", "password": PASSWORD, "next": "/admin/users"})
    assert r.headers["Location"] == "/admin/users"


def test_throttle_blocks_after_five_failures_with_chinese_message(client, people):
    for _ in range(5):
        client.post("/login", data={"username": "staff", "password": "wrong"})
    r = client.post("/login", data={"username": "staff", "password": PASSWORD})
    assert "登录失败次数过多" in r.get_data(as_text=True)
    assert "_user_id" not in (client.get_cookie("portal_session") and _session(client) or {})


def _session(client):
    with client.session_transaction() as s:
        return dict(s)


def test_real_user_gets_in_with_their_browser_from_anywhere_while_attacked(app, people):
    attacker = app.test_client()
    owner = app.test_client()
    assert owner.post("/login", data={"username": "staff", "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 303
    owner.post("/logout")
    for i in range(12):
        attacker.post("/login", data={"username": "staff", "password": f"guess{i}"},
                      environ_base={"REMOTE_ADDR": f"192.0.2.{i}"})
    blocked = attacker.post("/login", data={"username": "staff", "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "192.0.2.99"})
    assert "锁定" in blocked.get_data(as_text=True)
    r = owner.post("/login", data={"username": "staff", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert r.status_code == 303


def test_logout_kills_copied_cookie(app, client, people):
    login_as(client, app, "staff")
    cookie = client.get_cookie("portal_session").value
    thief = app.test_client()
    thief.set_cookie("portal_session", cookie)
    assert thief.get("/").status_code == 200 and "您好" in thief.get("/").get_data(as_text=True)
    client.post("/logout")
    assert "您好" not in thief.get("/").get_data(as_text=True)
    assert thief.get("/admin/users").status_code == 302


def test_password_change_kills_other_sessions_but_not_this_one(app, client, people):
    r = client.post("/login", data={"username": "staff", "password": PASSWORD})
    other = app.test_client()
    other.post("/login", data={"username": "staff", "password": PASSWORD})
    r = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "NewPassw0rd", "confirm": "NewPassw0rd"})
    assert r.status_code == 303
    assert "您好" in client.get("/").get_data(as_text=True)
    assert "您好" not in other.get("/").get_data(as_text=True)


def test_password_change_errors_are_chinese(app, client, people):
    login_as(client, app, "staff")
    r = client.post("/account/password", data={"current_password": "nope", "new_password": "short", "confirm": "x"})
    html = r.get_data(as_text=True)
    assert "当前密码不正确。" in html and "密码至少 8 位" in html and "两次输入的新密码不一致。" in html


def test_deactivation_kills_session(app, client, people):
    login_as(client, app, "staff")
    with app.app_context():
        from portal.admin.rules import update_user

        admin = db.session.get(User, people["admin"])
        user = db.session.get(User, people["staff"])
        update_user(db.session, admin, user, name=user.name, department=None, is_party_member=False,
                    roles=set(), active=False)
        db.session.commit()
    assert client.get("/account/password").status_code == 302


def test_forced_password_change_on_first_login(app, client):
    with app.app_context():
        make_user("newbie", must_change_password=True)
        db.session.commit()
    r = client.post("/login", data={"username": "newbie", "password": PASSWORD})
    assert r.headers["Location"] == "/account/password"
    assert client.get("/").headers["Location"] == "/account/password"
    assert client.hx("/").headers["HX-Redirect"] == "/account/password"
    client.post("/account/password", data={"current_password": PASSWORD, "new_password": "Fresh1234x", "confirm": "Fresh1234x"})
    assert client.get("/").status_code == 200
    with app.app_context():
        assert not db.session.scalar(select(User).where(User.username == "newbie")).must_change_password


def test_csrf_missing_or_wrong_token_is_refused(app, client, people):
    login_as(client, app, "staff")
    other = app.test_client()
    login_as(other, app, "admin")
    for token in (False, "garbage", other.csrf_token()):
        r = client.post("/account/password", csrf=token, data={
            "current_password": PASSWORD, "new_password": "NewPassw0rd", "confirm": "NewPassw0rd"})
        assert r.status_code == 400, token
        assert "页面已过期" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, people["staff"]).check_password(PASSWORD)


def test_expired_csrf_keeps_the_users_text(app, client, people):
    login_as(client, app, "admin")
    # A browser says where a form post came from (Origin); the text comes back only for our own pages.
    r = client.post("/admin/users/new", csrf=False, data={"name": "一段很长的文字 保留", "username": "keepme"},
                    headers={"Origin": "http://localhost"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "一段很长的文字 保留" in html and "keepme" in html


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Referer": "https://evil.example/page"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "same-site", "Referer": "http://localhost/"},
    {},
])
def test_forged_cross_site_post_gets_no_resubmittable_form(app, client, people, headers):
    login_as(client, app, "admin")
    r = client.post("/admin/users/new", csrf=False, headers=headers,
                    data={"name": "攻击者的文字", "username": "planted", "roles": "admin"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "请求没有执行" in html
    assert "攻击者的文字" not in html and "planted" not in html
    assert 'action="/admin/users/new"' not in html and "再次提交" not in html


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin"},
    {"Referer": "http://localhost/admin/users/new"},
])
def test_same_origin_expiry_keeps_the_text(app, client, people, headers):
    login_as(client, app, "admin")
    r = client.post("/admin/users/new", csrf=False, headers=headers, data={"name": "我的文字", "username": "mine"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "我的文字" in html and 'action="/admin/users/new"' in html


def test_htmx_request_needing_login_gets_hx_redirect(client):
    r = client.hx("/admin/users")
    assert r.status_code == 401 and r.headers["HX-Redirect"].startswith("/login?next=")


def test_language_switch_to_english(client):
    r = client.post("/language", data={"lang": "en", "next": "/login"})
    assert r.status_code == 302
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html


def test_session_fixation_a_planted_cookie_is_replaced_at_login(app, people):
    attacker = app.test_client()
    attacker.get("/login")
    attacker.csrf_token()  # gives the pre-login session some content
    planted = attacker.get_cookie("portal_session").value
    victim = app.test_client()
    victim.set_cookie("portal_session", planted)
    victim.post("/login", data={"username": "staff", "password": PASSWORD})
    assert victim.get_cookie("portal_session").value != planted
    assert "您好" not in attacker.get("/").get_data(as_text=True)


def test_hundred_guesses_are_blocked_after_the_threshold_and_the_owner_gets_in(app, people):
    attacker = app.test_client()
    blocked = 0
    for i in range(100):
        r = attacker.post("/login", data={"username": "staff", "password": f"guess-{i}"},
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})
        blocked += "登录失败次数过多" in r.get_data(as_text=True)
    print(f"brute force: {blocked}/100 blocked")
    assert blocked == 95  # five real checks, then refused without looking at the password
    owner = app.test_client()
    r = owner.post("/login", data={"username": "staff", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert r.status_code == 303


# --- the device cookie: the owner's browser, not the address, is what the throttle spares ------

NAT = {"REMOTE_ADDR": "10.0.0.99"}  # the staff room: the whole school behind one address


def _sign_in(client, username, password=PASSWORD, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, environ_base=NAT, **kwargs)


def _device_cookie(client):
    return client.get_cookie(DEVICE_COOKIE, path="/login")


def test_teacher8_gets_in_after_a_colleagues_5_and_40_wrong_guesses_from_the_staff_room(app, people):
    teacher8 = app.test_client()
    assert _sign_in(teacher8, "staff").status_code == 303  # signed in from the staff room before
    teacher8.post("/logout", environ_base=NAT)
    colleague = app.test_client()
    for i in range(5):
        assert "用户名或密码错误" in _sign_in(colleague, "staff", f"guess-{i}").get_data(as_text=True)
    assert "登录失败次数过多" in _sign_in(colleague, "staff").get_data(as_text=True)  # refused, right password or not
    assert _sign_in(teacher8, "staff").status_code == 303
    teacher8.post("/logout", environ_base=NAT)
    for i in range(40):
        _sign_in(colleague, f"user{i}", f"guess-{i}")
    assert "此地址登录失败次数过多" in _sign_in(app.test_client(), "rep").get_data(as_text=True)
    assert _sign_in(teacher8, "staff").status_code == 303


def test_the_device_cookie_is_signed_long_lived_httponly_lax_and_only_for_the_login_page(app, people):
    client = app.test_client()
    _sign_in(client, "staff")
    cookie = _device_cookie(client)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    assert cookie.max_age == 365 * 24 * 3600 and cookie.path == "/login"
    with app.app_context():
        user_id, nonce = URLSafeTimedSerializer(app.secret_key, salt=DEVICE_SALT).loads(cookie.value)
    assert user_id == people["staff"] and len(nonce) >= 16
    over_https = app.test_client()
    _sign_in(over_https, "staff", base_url="https://localhost")
    assert _device_cookie(over_https).secure


def test_each_sign_in_gives_a_new_device_cookie_and_a_failure_gives_none(app, people):
    client = app.test_client()
    _sign_in(client, "staff", "wrong")
    assert _device_cookie(client) is None
    _sign_in(client, "staff")
    first = _device_cookie(client).value
    client.post("/logout", environ_base=NAT)
    _sign_in(client, "staff")
    assert _device_cookie(client).value != first


def test_logout_keeps_the_device_cookie_and_it_is_no_session(app, people):
    client = app.test_client()
    _sign_in(client, "staff")
    cookie = _device_cookie(client).value
    client.post("/logout", environ_base=NAT)
    assert _device_cookie(client).value == cookie
    assert "您好" not in client.get("/").get_data(as_text=True)  # the device cookie signs nobody in
    stranger = app.test_client()
    stranger.set_cookie(DEVICE_COOKIE, cookie, path="/login")
    assert "您好" not in stranger.get("/").get_data(as_text=True)
    assert "您好" not in stranger.get("/login", follow_redirects=True).get_data(as_text=True)


def test_the_attacker_without_a_cookie_is_throttled_per_account_and_per_address(app, people):
    owner = app.test_client()
    _sign_in(owner, "staff")
    owner.post("/logout", environ_base=NAT)
    attacker = app.test_client()
    for i in range(10):
        attacker.post("/login", data={"username": "staff", "password": f"guess-{i}"},
                      environ_base={"REMOTE_ADDR": f"192.0.2.{i}"})
    r = attacker.post("/login", data={"username": "staff", "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "192.0.2.200"})
    assert "锁定" in r.get_data(as_text=True)
    for i in range(30):
        _sign_in(attacker, f"nobody{i}", "guess")
    assert "此地址登录失败次数过多" in _sign_in(attacker, "admin").get_data(as_text=True)
    assert _sign_in(owner, "staff").status_code == 303


def test_a_forged_or_another_accounts_device_cookie_gives_no_exemption(app, people):
    colleague = app.test_client()
    assert _sign_in(colleague, "rep").status_code == 303  # the colleague's own, valid device cookie
    colleague.post("/logout", environ_base=NAT)
    for i in range(5):
        _sign_in(colleague, "staff", f"guess-{i}")
    assert "登录失败次数过多" in _sign_in(colleague, "staff").get_data(as_text=True)

    forged = {
        "another key": URLSafeTimedSerializer("guessed-key", salt=DEVICE_SALT).dumps([people["staff"], "x" * 22]),
        "another purpose": URLSafeTimedSerializer(app.secret_key).dumps([people["staff"], "x" * 22]),
        "garbage": "x" * 40,
    }
    for what, value in forged.items():
        client = app.test_client()
        client.set_cookie(DEVICE_COOKIE, value, path="/login")
        assert "登录失败次数过多" in _sign_in(client, "staff").get_data(as_text=True), what


def test_a_device_cookie_that_guessed_wrong_too_often_is_limited(app, people):
    holder = app.test_client()  # the owner's browser, in a colleague's hands
    _sign_in(holder, "staff")
    holder.post("/logout", environ_base=NAT)
    for i in range(5):  # counted against the device only
        assert "用户名或密码错误" in _sign_in(holder, "staff", f"guess-{i}").get_data(as_text=True)
    assert _sign_in(app.test_client(), "staff").status_code == 303  # the account and the address are not locked
    for i in range(5):  # now untrusted: counted like any guess without a cookie
        assert "用户名或密码错误" in _sign_in(holder, "staff", f"again-{i}").get_data(as_text=True)
    assert "登录失败次数过多" in _sign_in(holder, "staff").get_data(as_text=True)


def test_password_hashing_holds_no_write_lock(app, client, people, monkeypatch):
    """scrypt takes half a second at the production cost: checking a password at sign-in and
    hashing a new one happen before the write begins, so 120 teachers signing in at 8 a.m.
    never queue every other writer in the school behind them."""
    from portal.auth import passwords

    real = passwords._scrypt
    seen: list[bool] = []

    def probing(method: str, salt: str, password: str) -> str:
        seen.append(writer_can_start(app))
        return real(method, salt, password)

    monkeypatch.setattr(passwords, "_scrypt", probing)
    resp = client.post("/login", data={"username": "staff", "password": PASSWORD})
    assert resp.status_code in (302, 303) and seen == [True]
    resp = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "Brand5new-pw",
                                                   "confirm": "Brand5new-pw"})
    assert resp.status_code in (302, 303), resp.get_data(as_text=True)[:500]
    assert seen == [True, True, True]
    client.post("/logout")
    assert client.post("/login", data={"username": "staff", "password": "wrong-password"}).status_code == 200
    assert seen[3:] == [True]
