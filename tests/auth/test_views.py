"""Login, logout, password change, throttling messages and session replay, over HTTP."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from tests.conftest import PASSWORD, login_as, make_user


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


def test_real_user_gets_in_from_their_own_address_while_attacked(app, people):
    attacker = app.test_client()
    owner = app.test_client()
    with app.app_context():
        db.session.get(User, people["staff"]).last_login_ip = "10.0.0.7"
        db.session.commit()
    for i in range(12):
        attacker.post("/login", data={"username": "staff", "password": f"guess{i}"},
                      environ_base={"REMOTE_ADDR": f"192.0.2.{i}"})
    blocked = attacker.post("/login", data={"username": "staff", "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "192.0.2.99"})
    assert "锁定" in blocked.get_data(as_text=True)
    r = owner.post("/login", data={"username": "staff", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.0.7"})
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


def test_one_guesser_behind_the_school_nat_cannot_block_the_staff_room(app, people):
    nat = {"REMOTE_ADDR": "10.0.0.99"}
    teacher = app.test_client()
    assert teacher.post("/login", data={"username": "staff", "password": PASSWORD}, environ_base=nat).status_code == 303
    teacher.post("/logout", environ_base=nat)
    guesser = app.test_client()
    for i in range(40):
        guesser.post("/login", data={"username": f"user{i}", "password": f"guess-{i}"},
                     environ_base=nat)
    r = app.test_client().post("/login", data={"username": "staff", "password": PASSWORD}, environ_base=nat)
    assert r.status_code == 303
