"""Login, throttling and password rules: plain functions over a session."""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth import passwords
from portal.auth.models import LoginAddress, LoginFailure, User
from portal.errors import Message
from portal.i18n import N_
from portal.timeutil import utcnow

# A hash to check against when the account does not exist, so both paths take as long.
_DUMMY_HASH = None


@dataclass(frozen=True)
class Throttle:
    window: timedelta = timedelta(minutes=15)
    max_per_pair: int = 5  # one account from one address
    max_per_address: int = 30  # any accounts from one address
    max_per_account: int = 10  # one account from addresses it never signed in from
    slow: timedelta = timedelta(seconds=60)  # one try per this, past the pair limit, from a known address
    trusted_networks: tuple[str, ...] = ()  # the school's own network: known to every account
    remember: timedelta = timedelta(days=365)  # how long a successful address stays known


def login_block_reason(
    session: Session, username: str, address: str, throttle: Throttle, now: datetime | None = None
) -> Message | None:
    """Return a Chinese message when this login attempt must be refused, else ``None``.

    Guessing is throttled, but nobody can lock an account's owner out. From an address the
    account has signed in from before (or the school's own network), only the failures of
    this account from this address count, and past the limit they slow the next try to one
    a minute instead of locking. From any other address: five failures of the pair, thirty
    from the address, or ten against the account lock that route for the window.
    """
    now = now or utcnow()
    since = now - throttle.window
    recent = select(func.count()).select_from(LoginFailure).where(LoginFailure.at >= since)
    minutes = int(throttle.window.total_seconds() // 60)
    pair_filter = (LoginFailure.username == username, LoginFailure.address == address)

    if is_known_address(session, username, address, throttle, now):
        if (session.scalar(recent.where(*pair_filter)) or 0) < throttle.max_per_pair:
            return None
        last = session.scalar(select(func.max(LoginFailure.at)).where(*pair_filter))
        wait = int((last + throttle.slow - now).total_seconds()) + 1 if last else 0
        if wait > 0:
            return Message(N_("该账号登录失败次数过多，请 %(seconds)d 秒后再试。"), seconds=wait)
        return None

    pair = session.scalar(recent.where(*pair_filter)) or 0
    if pair >= throttle.max_per_pair:
        return Message(N_("该账号登录失败次数过多，请 %(minutes)d 分钟后再试。"), minutes=minutes)
    per_address = session.scalar(recent.where(LoginFailure.address == address)) or 0
    if per_address >= throttle.max_per_address:
        return Message(N_("此地址登录失败次数过多，请 %(minutes)d 分钟后再试。"), minutes=minutes)
    per_account = session.scalar(recent.where(LoginFailure.username == username)) or 0
    if per_account >= throttle.max_per_account:
        return Message(N_("该账号登录失败次数过多，已暂时锁定，请 %(minutes)d 分钟后再试或联系管理员。"), minutes=minutes)
    return None


def is_known_address(session: Session, username: str, address: str, throttle: Throttle, now: datetime) -> bool:
    """Whether ``username`` has signed in from ``address`` (or it is in the school's network)."""
    if _in_networks(address, throttle.trusted_networks):
        return True
    user = session.execute(select(User.id, User.last_login_ip).where(User.username == username)).first()
    if user is None:
        return False
    if user.last_login_ip == address:
        return True
    return session.scalar(
        select(LoginAddress.id).where(
            LoginAddress.user_id == user.id, LoginAddress.address == address,
            LoginAddress.last_at >= now - throttle.remember,
        )
    ) is not None


def _in_networks(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for net in networks:
        try:
            if ip in ipaddress.ip_network(net, strict=False):
                return True
        except ValueError:  # a mistyped network in the configuration trusts nothing
            continue
    return False


def authenticate(session: Session, username: str, password: str, address: str) -> User | None:
    """Check the password; record a failure, or stamp and audit a success."""
    global _DUMMY_HASH
    user = session.scalar(User.by_username(username))
    if user is None or not user.active:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = passwords.hash_password("not-a-password")
        passwords.check_password(_DUMMY_HASH, password)
        ok = False
    else:
        ok = user.check_password(password)
    if not ok:
        now = utcnow()
        session.add(LoginFailure(username=username[:40], address=address[:45], at=now))
        # Keep the table small: only recent failures matter to any throttle (indexed on at).
        session.execute(delete(LoginFailure).where(LoginFailure.at < now - timedelta(days=1)))
        session.flush()
        return None
    assert user is not None
    user.last_login_ip = address[:45]
    known = session.scalar(
        select(LoginAddress).where(LoginAddress.user_id == user.id, LoginAddress.address == address[:45])
    )
    if known is None:
        session.add(LoginAddress(user_id=user.id, address=address[:45], last_at=utcnow()))
    else:
        known.last_at = utcnow()
    session.execute(
        delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.address == address)
    )
    record(session, user, "auth.login", user, address=address)
    return user


def end_all_sessions(session: Session, user: User, reason: str) -> None:
    """Invalidate every cookie of this user (logout, deactivation, password change)."""
    user.session_version += 1
    record(session, user, "auth.sessions_ended", user, reason=reason)


USERNAME_PATTERN = r"[A-Za-z0-9_.-]+"  # the whole name (re.fullmatch): no trailing newline slips through
USERNAME_RULE = Message(N_("用户名只能包含字母、数字、点、下划线和连字符"))


def username_problem(username: str) -> Message | None:
    """A Chinese message if ``username`` breaks the account rules, else ``None``."""
    if len(username) > 40:
        return Message(N_("用户名超过 40 个字符"))
    if not re.fullmatch(USERNAME_PATTERN, username):
        return USERNAME_RULE
    return None


PASSWORD_RULE = Message(N_("密码至少 8 位，且须同时包含字母和数字。"))


def password_problem(password: str, user: User | None = None) -> Message | None:
    """A Chinese message if the new password is too weak, else ``None``."""
    if len(password) < 8 or not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        return PASSWORD_RULE
    if user is not None and password in (user.username, user.staff_no):
        return Message(N_("密码不能与用户名或工号相同。"))
    return None


def change_password(session: Session, user: User, new_password: str) -> None:
    """Set a new password, end all other sessions and clear the first-login flag."""
    user.set_password(new_password)
    user.must_change_password = False
    user.session_version += 1
    record(session, user, "auth.password_changed", user)
