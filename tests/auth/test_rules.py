"""Login throttling, passwords, sessions and the permission table, without HTTP."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.auth.models import LoginFailure, User
from portal.auth.permissions import RULES, can
from portal.disclosure.permissions import readable_audiences
from portal.auth.rules import (
    Throttle,
    authenticate,
    change_password,
    end_all_sessions,
    login_block_reason,
    password_problem,
)
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


def test_account_limit_spares_the_owners_known_address(session):
    make_user("amy", last_login_ip="10.0.0.50")
    for i in range(10):
        _fail(session, "amy", f"192.0.2.{i}", 1)
    assert "锁定" in login_block_reason(session, "amy", "192.0.2.200", T, NOW)
    assert login_block_reason(session, "amy", "10.0.0.50", T, NOW) is None


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
    change_password(session, user, "Brand5new")
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


# --- nobody can lock a colleague out ---------------------------------------------------------

def test_a_new_account_attacked_from_two_addresses_still_gets_in_from_the_school_network(session):
    make_user("teacher7")  # never signed in
    _fail(session, "teacher7", "203.0.113.1", 5)
    _fail(session, "teacher7", "203.0.113.2", 5)
    school = Throttle(trusted_networks=("10.20.0.0/16",))
    assert login_block_reason(session, "teacher7", "10.20.3.4", school, NOW) is None
    assert "锁定" in login_block_reason(session, "teacher7", "198.51.100.1", school, NOW)  # still guarded elsewhere


def test_failures_behind_a_shared_address_do_not_block_colleagues_who_signed_in_there(session):
    make_user("bob")
    assert authenticate(session, "bob", PASSWORD, "10.0.0.99") is not None  # bob used the staff-room NAT before
    authenticate(session, "bob", PASSWORD, "192.0.2.7")  # and then from home: the NAT is no longer his last address
    for i in range(30):
        _fail(session, f"guess{i}", "10.0.0.99", 1)
    assert login_block_reason(session, "bob", "10.0.0.99", T, NOW) is None
    assert "此地址" in login_block_reason(session, "stranger", "10.0.0.99", T, NOW)


def test_guesses_from_a_known_address_are_slowed_not_locked(session):
    make_user("amy", last_login_ip="10.0.0.50")
    _fail(session, "amy", "10.0.0.50", 5)
    for i in range(12):
        _fail(session, "amy", f"192.0.2.{i}", 1)
    reason = login_block_reason(session, "amy", "10.0.0.50", T, NOW + timedelta(seconds=10))
    assert reason is not None and "秒后再试" in reason
    assert login_block_reason(session, "amy", "10.0.0.50", T, NOW + timedelta(seconds=61)) is None


def test_a_mistyped_trusted_network_trusts_nothing(session):
    _fail(session, "amy", "10.0.0.1", 5)
    assert login_block_reason(session, "amy", "10.0.0.1", Throttle(trusted_networks=("not-a-net",)), NOW)
