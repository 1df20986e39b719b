"""Configuration: safe defaults, overridden by the environment and ``instance/config.py``."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from portal.i18n import N_


def _secret_key(instance_path: Path) -> tuple[str, str | None]:
    """SECRET_KEY from the environment, else one generated once into ``instance/``; and the
    path that could not be written, if any (the app then starts only to say so, with a key
    of its own that nothing outlives)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"], None
    key_file = instance_path / "secret_key"
    try:
        if not key_file.exists():
            instance_path.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        return key_file.read_text().strip(), None
    except OSError:
        return secrets.token_hex(32), str(instance_path)


def defaults(instance_path: Path) -> dict:
    env = os.environ
    secret_key, unwritable = _secret_key(instance_path)
    return {
        "SECRET_KEY": secret_key,
        "INSTANCE_UNWRITABLE": unwritable,
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'portal.sqlite3'}",
        "UPLOAD_DIR": str(instance_path / "uploads"),
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "SCHOOL_NAME": env.get("SCHOOL_NAME", N_("阳光实验学校")),
        # Where readers reach the portal: every absolute URL (feeds, QR codes) is built on it,
        # never on the request's Host header, which anyone can set.
        "PUBLIC_URL": env.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Sessions: HttpOnly and SameSite=Lax always; Secure when served over HTTPS.
        "SESSION_COOKIE_NAME": "portal_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "0") == "1",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "SESSION_IDLE_MINUTES": int(env.get("SESSION_IDLE_MINUTES", "120")),
        "SESSION_ABSOLUTE_HOURS": int(env.get("SESSION_ABSOLUTE_HOURS", "12")),
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        # CSRF tokens live as long as a working day; an expired one keeps the user's text.
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "WTF_CSRF_SSL_STRICT": env.get("SESSION_COOKIE_SECURE", "0") == "1",
        # Behind a reverse proxy, how many proxies to trust for X-Forwarded-For/-Proto; login
        # throttling counts per client address, so this must be right in production.
        "PROXY_COUNT": int(env.get("PROXY_COUNT", "0")),
        # gzip text responses above a kilobyte (portal.delivery); 0 when the reverse proxy does it.
        "COMPRESS_RESPONSES": env.get("COMPRESS_RESPONSES", "1") == "1",
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh_CN", "en"],
        # Login throttling: failures within the window, per account+address, per address and
        # per account (made without the account's device cookie), and per device cookie.
        "LOGIN_WINDOW_MINUTES": 15,
        "LOGIN_MAX_PER_PAIR": 5,
        "LOGIN_MAX_PER_ADDRESS": 30,
        "LOGIN_MAX_PER_ACCOUNT": 10,
        "LOGIN_MAX_PER_DEVICE": 5,
        # How often a notice board screen asks for news (seconds); tests make it short.
        "BOARD_POLL_SECONDS": int(env.get("BOARD_POLL_SECONDS", "30")),
        # How often a worker writes the screens' reports it holds (seconds; tests: every poll).
        "BOARD_HEARTBEAT_SECONDS": int(env.get("BOARD_HEARTBEAT_SECONDS", "60")),
        # How many other representatives must co-sign (附议) a proposal before review.
        "PROPOSAL_MIN_COSIGNERS": int(env.get("PROPOSAL_MIN_COSIGNERS", "2")),
        **_delivery(env),
    }


def _delivery(env: os._Environ[str]) -> dict:
    """Mail and the leadership group's robots (portal.notify): unset, the channel is off and
    nothing is queued for it; ``flask deliver`` sends what is queued."""
    return {
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "0") == "1",  # STARTTLS (port 587)
        "MAIL_USE_SSL": env.get("MAIL_USE_SSL", "0") == "1",  # implicit TLS (port 465)
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", ""),
        "WECOM_ROBOT_URL": env.get("WECOM_ROBOT_URL", ""),
        "DINGTALK_ROBOT_URL": env.get("DINGTALK_ROBOT_URL", ""),
        "DINGTALK_ROBOT_SECRET": env.get("DINGTALK_ROBOT_SECRET", ""),
        "DELIVERY_MAX_ATTEMPTS": int(env.get("DELIVERY_MAX_ATTEMPTS", "5")),
        "DELIVERY_RETRY_SECONDS": int(env.get("DELIVERY_RETRY_SECONDS", "60")),
        "DELIVERY_LEASE_SECONDS": int(env.get("DELIVERY_LEASE_SECONDS", "300")),
    }
