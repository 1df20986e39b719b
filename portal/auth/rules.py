"""Login, throttling and password rules: plain functions over a session."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth import passwords
from portal.auth.models import LoginFailure, User
from portal.errors import Message
from portal.i18n import N_
from portal.timeutil import utcnow

# A hash to check against when the account does not exist, so both paths take as long.
_DUMMY_HASH = None


@dataclass(frozen=True)
class Throttle:
    window: timedelta = timedelta(minutes=15)
    max_per_pair: int = 5  # one account from one address, without the account's device cookie
    max_per_address: int = 30  # any accounts from one address, without their device cookies
    max_per_account: int = 10  # one account from anywhere, without its device cookie
    max_per_device: int = 5  # one account from a browser holding its device cookie


# A device cookie names the account a browser signed in as (OWASP, "Slow Down Online Guessing
# Attacks with Device Cookies"): signed with the app's secret, so nobody can make one, and
# carrying the account's id, so one account's cookie says nothing about another's.
DEVICE_SALT = "portal.auth.device"
DEVICE_LIFETIME = timedelta(days=365)


def issue_device_token(secret_key: str, user: User) -> str:
    """A new device cookie value for the browser that has just signed in as ``user``."""
    return URLSafeTimedSerializer(secret_key, salt=DEVICE_SALT).dumps([user.id, secrets.token_urlsafe(16)])


def trusted_device(
    session: Session, username: str, token: str | None, secret_key: str, throttle: Throttle,
    now: datetime | None = None,
) -> str | None:
    """The device (the cookie's nonce) when ``token`` is a device cookie this app issued, within
    ``DEVICE_LIFETIME``, to the account named ``username``, and fewer than ``max_per_device``
    wrong passwords were typed with it in the window; else ``None``.

    A device that guessed wrong too often is untrusted until its failures age out: judged like
    any browser without a cookie (which its holder could always become by dropping it).
    """
    if not token:
        return None
    try:
        user_id, nonce = URLSafeTimedSerializer(secret_key, salt=DEVICE_SALT).loads(
            token, max_age=int(DEVICE_LIFETIME.total_seconds()))
    except (BadData, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or not isinstance(nonce, str) or not 0 < len(nonce) <= 32:
        return None
    if session.scalar(select(User.id).where(User.username == username)) != user_id:
        return None
    since = (now or utcnow()) - throttle.window
    failures = session.scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.device == nonce, LoginFailure.at >= since)
    ) or 0
    return nonce if failures < throttle.max_per_device else None


def login_block_reason(
    session: Session, username: str, address: str, throttle: Throttle, now: datetime | None = None,
    device: str | None = None,
) -> Message | None:
    """Return a Chinese message when this login attempt must be refused, else ``None``.

    Guessing is throttled, but nobody can keep an account's owner out. A browser holding the
    account's trusted device cookie (``device``, from ``trusted_device``) is never refused:
    its own failures are counted against it alone. Every other attempt is judged by the
    failures made without a trusted device: five of the account from this address, thirty
    from the address, or ten against the account refuse it for the window. Those failures
    never reach the owner's browser, so a colleague behind the same NAT cannot lock it out.
    """
    if device is not None:
        return None
    now = now or utcnow()
    untrusted = select(func.count()).select_from(LoginFailure).where(
        LoginFailure.at >= now - throttle.window, LoginFailure.device.is_(None))
    minutes = int(throttle.window.total_seconds() // 60)
    pair = session.scalar(untrusted.where(LoginFailure.username == username, LoginFailure.address == address)) or 0
    if pair >= throttle.max_per_pair:
        return Message(N_("该账号登录失败次数过多，请 %(minutes)d 分钟后再试。"), minutes=minutes)
    per_address = session.scalar(untrusted.where(LoginFailure.address == address)) or 0
    if per_address >= throttle.max_per_address:
        return Message(N_("此地址登录失败次数过多，请 %(minutes)d 分钟后再试。"), minutes=minutes)
    per_account = session.scalar(untrusted.where(LoginFailure.username == username)) or 0
    if per_account >= throttle.max_per_account:
        return Message(N_("该账号登录失败次数过多，已暂时锁定，请 %(minutes)d 分钟后再试或联系管理员。"), minutes=minutes)
    return None


def verify_password(session: Session, username: str, password: str) -> int | None:
    """The id of the active account that ``password`` opens, or None. Reads only and does the
    slow part (scrypt, half a second), so a view calls it before its write begins; an unknown
    name costs the same as a wrong password."""
    global _DUMMY_HASH
    user = session.scalar(User.by_username(username))
    if user is None or not user.active:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = passwords.hash_password("not-a-password")
        passwords.check_password(_DUMMY_HASH, password)
        return None
    return user.id if user.check_password(password) else None


def record_login(session: Session, username: str, user_id: int | None, address: str,
                 device: str | None = None) -> User | None:
    """Record what :func:`verify_password` found, under the write lock: a failure (against
    ``device``, the trusted device from ``trusted_device``, when there is one), or a success,
    stamped and audited. The account is read again: one deactivated meanwhile is a failure."""
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.active:
        now = utcnow()
        session.add(LoginFailure(username=username[:40], address=address[:45], device=device, at=now))
        # Keep the table small: only recent failures matter to any throttle (indexed on at).
        session.execute(delete(LoginFailure).where(LoginFailure.at < now - timedelta(days=1)))
        session.flush()
        return None
    user.last_login_ip = address[:45]
    # A success forgives only the failures made the same way: the browser's own, or (without a
    # device cookie) those of this account from this address.
    if device is not None:
        session.execute(delete(LoginFailure).where(LoginFailure.device == device))
    else:
        session.execute(delete(LoginFailure).where(
            LoginFailure.username == username, LoginFailure.address == address, LoginFailure.device.is_(None)))
    record(session, user, "auth.login", user, address=address)
    return user


def authenticate(
    session: Session, username: str, password: str, address: str, device: str | None = None
) -> User | None:
    """Check the password and record the outcome, in one go (for callers that hold no lock
    worth sparing; the login view calls the two halves around ``begin_write``)."""
    return record_login(session, username, verify_password(session, username, password), address, device)


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


def set_locale(session: Session, user: User, locale: str) -> None:
    """Remember the account's interface language. Recorded like every change to an account:
    a worker's copy of the signed-in user (``web.load_user``) follows the audit chain."""
    user.locale = locale
    record(session, user, "auth.locale_set", user, locale=locale)


def change_password(session: Session, user: User, new_password_hash: str) -> None:
    """Set a new password (hashed by the caller with ``passwords.hash_password`` before its
    write began: scrypt takes half a second), end all other sessions and clear the
    first-login flag."""
    user.password_hash = new_password_hash
    user.must_change_password = False
    user.session_version += 1
    record(session, user, "auth.password_changed", user)
