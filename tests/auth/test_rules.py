"""Login throttling, passwords, sessions and the permission table, without HTTP."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from portal.auth.models import LoginFailure, User
from portal.auth.passwords import hash_password
from portal.auth.permissions import RULES, can
from portal.disclosure.permissions import readable_audiences
from portal.auth.rules import (
    DEVICE_LIFETIME,
    DEVICE_SALT,
    Throttle,
    authenticate,
    change_password,
    end_all_sessions,
    issue_device_token,
    login_block_reason,
    password_problem,
    trusted_device,
)
from portal.timeutil import utcnow
from tests.conftest import PASSWORD, make_user

NOW = datetime(2026, 11, 21, 8, 0)
T = Throttle(window=timedelta(minutes=15), max_per_pair=5, max_per_address=30, max_per_account=10)


def _fail(session, username, address, n, at=NOW):
    for i in range(n):
        session.add(LoginFailure(username=username, address=address, at=at - timedelta(seconds=i)))
    session.flush()


def test_pair_limit_is_inclusive_at_five(session):
    _fail(session, "amy", "10.0.0.1", 4)
    assert login_block_reason(session, "amy", "10.0.0.1", T, NOW) is None
    _fail(session, "amy", "10.0.0.1", 1)
    assert "失败次数过多" in login_block_reason(session, "amy", "10.0.0.1", T, NOW)
    assert login_block_reason(session, "amy", "10.0.0.2", T, NOW) is None  # another address


def test_failures_outside_the_window_do_not_count(session):
    _fail(session, "amy", "10.0.0.1", 5, at=NOW - timedelta(minutes=16))
    assert login_block_reason(session, "amy", "10.0.0.1", T, NOW) is None


def test_address_limit_across_accounts(session):
    for i in range(30):
        _fail(session, f"user{i}", "10.9.9.9", 1)
    assert "此地址" in login_block_reason(session, "someone", "10.9.9.9", T, NOW)


def test_account_limit_across_addresses(session):
    for i in range(9):
        _fail(session, "amy", f"192.0.2.{i}", 1)
    assert login_block_reason(session, "amy", "192.0.2.200", T, NOW) is None
    _fail(session, "amy", "192.0.2.9", 1)
    assert "锁定" in login_block_reason(session, "amy", "192.0.2.200", T, NOW)


def test_authenticate_records_failures_and_clears_them_on_success(session):
    make_user("amy")
    assert authenticate(session, "amy", "wrong", "10.0.0.1") is None
    assert authenticate(session, "ghost", "wrong", "10.0.0.1") is None  # unknown: same path, same cost
    assert session.scalar(select(func.count()).select_from(LoginFailure)) == 2
    user = authenticate(session, "amy", PASSWORD, "10.0.0.1")
    assert user is not None and user.last_login_ip == "10.0.0.1"
    assert session.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.username == "amy")) == 0


def test_old_failures_are_swept(session):
    _fail(session, "amy", "10.0.0.1", 3, at=datetime(2020, 1, 1))
    authenticate(session, "amy", "wrong", "10.0.0.1")
    assert session.scalar(select(func.count()).select_from(LoginFailure)) == 1


def test_inactive_users_cannot_authenticate(session):
    make_user("amy", active=False)
    assert authenticate(session, "amy", PASSWORD, "10.0.0.1") is None


@pytest.mark.parametrize("password,ok", [("short1", False), ("onlyletters", False), ("12345678", False),
                                         ("abcd1234", True), ("amy", False)])
def test_password_rule(session, password, ok):
    user = make_user("amy12345", staff_no="S1")
    assert (password_problem(password, user) is None) is ok
    assert password_problem("amy12345", user) is not None  # not the username


def test_password_change_and_logout_invalidate_old_cookies(session):
    user = make_user("amy", must_change_password=True)
    before = user.get_id()
    change_password(session, user, hash_password("Brand5new"))
    assert user.get_id() != before and not user.must_change_password and user.check_password("Brand5new")
    after = user.get_id()
    end_all_sessions(session, user, "logout")
    assert user.get_id() != after


ROLE_CASES = {
    "users.manage": {"admin"},
    "audit.view": {"admin", "secretary", "supervisor"},
    "catalogue.manage": {"admin"},
    "catalogue.compliance": {"admin", "secretary", "principal"},
    "disclosure.export": {"admin", "secretary", "principal"},
}


@pytest.mark.parametrize("action,allowed", ROLE_CASES.items())
def test_role_actions(session, action, allowed):
    from tests.conftest import ROLES

    users = {role: make_user(role, {role}) for role in ROLES}
    assert {role for role, u in users.items() if can(u, action)} == allowed
    assert not can(None, action)


def test_every_action_is_a_function_of_user_and_object():
    assert all(callable(check) for check in RULES.values())


def test_readable_audiences(session):
    staff = make_user("amy")
    member = make_user("bob", is_party_member=True)
    assert readable_audiences(None) == {"public"}
    assert readable_audiences(staff) == {"public", "staff"}
    assert readable_audiences(member) == {"public", "staff", "party"}


# --- nobody can lock a colleague out: the owner's browser holds a device cookie -------------

SECRET = "test-secret-key"
NAT = "10.0.0.99"  # the staff room: everyone in the school behind one address


def _device(session, username, token, now=NOW, throttle=T):
    return trusted_device(session, username, token, SECRET, throttle, now)


def _fail_with_device(session, username, device, n, address=NAT, at=NOW):
    for i in range(n):
        session.add(LoginFailure(username=username, address=address, device=device, at=at - timedelta(seconds=i)))
    session.flush()


def test_teacher8_gets_in_with_the_device_cookie_after_a_colleagues_guesses_from_the_same_address(session):
    teacher8 = make_user("teacher8")
    device = _device(session, "teacher8", issue_device_token(SECRET, teacher8))
    assert device is not None
    _fail(session, "teacher8", NAT, 5)  # a colleague's five wrong guesses
    assert "失败次数过多" in login_block_reason(session, "teacher8", NAT, T, NOW)  # the colleague is stopped
    assert login_block_reason(session, "teacher8", NAT, T, NOW, device=device) is None
    for i in range(40):  # and forty more, against everyone in the staff room
        _fail(session, f"user{i}", NAT, 1)
    _fail(session, "teacher8", "192.0.2.1", 10)  # and the account from outside
    assert "此地址" in login_block_reason(session, "someone", NAT, T, NOW)
    assert "锁定" in login_block_reason(session, "teacher8", "192.0.2.2", T, NOW)
    assert login_block_reason(session, "teacher8", NAT, T, NOW, device=device) is None


def test_a_device_cookie_names_one_account_and_cannot_be_forged(session):
    amy, bob = make_user("amy"), make_user("bob")
    token = issue_device_token(SECRET, amy)
    assert _device(session, "amy", token) is not None
    assert _device(session, "bob", token) is None  # amy's cookie says nothing about bob
    assert _device(session, "ghost", token) is None
    assert _device(session, "bob", issue_device_token("another-secret", bob)) is None  # signed with another key
    assert _device(session, "bob", URLSafeTimedSerializer(SECRET).dumps([bob.id, "x"])) is None  # another purpose
    bobs_payload = URLSafeTimedSerializer("guessed", salt=DEVICE_SALT).dumps([bob.id, "x"]).split(".")[0]
    assert _device(session, "bob", bobs_payload + token[token.index("."):]) is None  # amy's signature on bob's id
    for junk in (None, "", "garbage", token[:-2] + "xx", token + "x"):
        assert _device(session, "amy", junk) is None


def test_a_device_cookie_expires_after_a_year(session, monkeypatch):
    amy = make_user("amy")
    issued = time.time() - DEVICE_LIFETIME.total_seconds() - 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(issued))
    token = issue_device_token(SECRET, amy)
    monkeypatch.undo()
    assert _device(session, "amy", token) is None


def test_a_device_that_guessed_wrong_too_often_is_untrusted_for_a_while(session):
    amy = make_user("amy")
    token = issue_device_token(SECRET, amy)
    device = _device(session, "amy", token)
    _fail_with_device(session, "amy", device, 4)
    assert _device(session, "amy", token) == device
    _fail_with_device(session, "amy", device, 1)
    assert _device(session, "amy", token) is None  # now judged like any browser without a cookie
    assert login_block_reason(session, "amy", NAT, T, NOW) is None  # its own failures do not lock the account
    _fail(session, "amy", NAT, 5)
    assert "失败次数过多" in login_block_reason(session, "amy", NAT, T, NOW, device=_device(session, "amy", token))
    assert _device(session, "amy", token, now=NOW + timedelta(minutes=16)) == device  # trusted again


def test_authenticate_counts_a_devices_failures_against_that_device_only(session):
    amy = make_user("amy")
    device = _device(session, "amy", issue_device_token(SECRET, amy))
    _fail(session, "amy", NAT, 2, at=utcnow())  # a colleague's, without the cookie (and not swept as old)
    for _ in range(5):
        assert authenticate(session, "amy", "wrong", NAT, device=device) is None
    untrusted = select(func.count()).select_from(LoginFailure).where(LoginFailure.device.is_(None))
    assert session.scalar(untrusted) == 2
    assert session.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.device == device)) == 5
    assert login_block_reason(session, "amy", NAT, T) is None  # not counted against the pair or the account
    assert authenticate(session, "amy", PASSWORD, NAT, device=device) is not None
    assert session.scalar(select(func.count()).select_from(LoginFailure)) == 2  # the colleague's are not forgiven
