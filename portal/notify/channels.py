"""The network side of delivery: SMTP and the two group-robot webhooks, with the standard
library only. Called by the sender with no database transaction open; never by a request.

Formats as the platforms document them:

* 企业微信群机器人: ``POST`` JSON ``{"msgtype": "markdown", "markdown": {"content": …}}`` to the
  webhook (``…/cgi-bin/webhook/send?key=…``); content at most 4096 bytes; answer
  ``{"errcode": 0, "errmsg": "ok"}``; at most 20 messages a minute per robot.
* 钉钉自定义机器人: ``POST`` JSON ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``;
  in the signed mode (加签) the URL gets ``&timestamp=<ms>&sign=<s>`` where ``s`` is the
  URL-encoded base64 of HMAC-SHA256 over ``timestamp + "\\n" + secret`` keyed with the secret;
  the same ``errcode`` answer; 20 messages a minute, or the robot is throttled for ten.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

TIMEOUT = 20  # seconds for one connection; the sender runs outside requests, but must not hang
WECOM_MAX_BYTES = 4096


class SendError(Exception):
    """The receiver did not take the message. ``permanent``: trying again cannot help (the
    address was refused, the webhook's key is wrong)."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:300]
        self.permanent = permanent


def send_mail(config: Mapping[str, Any], message: EmailMessage) -> None:
    """Hand one message to the configured SMTP server: implicit TLS (``MAIL_USE_SSL``, port
    465) or STARTTLS (``MAIL_USE_TLS``, 587), with a login when ``MAIL_USERNAME`` is set."""
    host, port = str(config["MAIL_SERVER"]), int(config.get("MAIL_PORT") or 25)
    context = ssl.create_default_context()
    try:
        smtp: smtplib.SMTP
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
        with smtp:
            if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                smtp.starttls(context=context)
            if config.get("MAIL_USERNAME"):
                smtp.login(str(config["MAIL_USERNAME"]), str(config.get("MAIL_PASSWORD") or ""))
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _msg in error.recipients.values()]
        raise SendError(f"SMTP: recipient refused {codes}", permanent=all(500 <= c < 600 for c in codes)) from None
    except smtplib.SMTPAuthenticationError as error:
        raise SendError(f"SMTP: login refused ({error.smtp_code})") from None
    except smtplib.SMTPResponseException as error:
        detail = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        raise SendError(f"SMTP {error.smtp_code}: {detail}", permanent=500 <= error.smtp_code < 600) from None
    except (smtplib.SMTPException, OSError) as error:
        raise SendError(f"SMTP: {type(error).__name__}: {error}") from None


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉's signature: HMAC-SHA256 of ``timestamp + "\\n" + secret`` keyed with the secret,
    base64, URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The webhook with ``&timestamp=&sign=`` appended (the signed mode); unchanged without a secret."""
    if not secret:
        return url
    ts = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    return f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={dingtalk_sign(secret, ts)}"


def wecom_payload(markdown: str) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": clip_bytes(markdown, WECOM_MAX_BYTES)}}


def dingtalk_payload(title: str, markdown: str) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}


def clip_bytes(text: str, limit: int) -> str:
    """``text`` cut at a line end so that its UTF-8 form fits ``limit`` bytes."""
    if len(text.encode("utf-8")) <= limit:
        return text
    kept: list[str] = []
    size = 0
    for line in text.split("\n"):
        size += len(line.encode("utf-8")) + 1
        if size > limit - 8:
            break
        kept.append(line)
    return "\n".join(kept + ["……"])


def post_robot(url: str, payload: dict[str, Any]) -> None:
    """POST the JSON payload to a robot's webhook; raise :class:`SendError` unless it answers
    ``errcode`` 0."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - the admin's webhook
            answer = response.read(64 * 1024)
    except urllib.error.HTTPError as error:
        raise SendError(f"HTTP {error.code}", permanent=error.code in (400, 401, 403, 404)) from None
    except (urllib.error.URLError, socket.timeout, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SendError(f"{type(error).__name__}: {reason}") from None
    try:
        result = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SendError("the robot did not answer with JSON") from None
    if not isinstance(result, dict) or result.get("errcode") != 0:
        code = result.get("errcode") if isinstance(result, dict) else None
        message = str(result.get("errmsg", "")) if isinstance(result, dict) else ""
        raise SendError(f"errcode {code}: {message}"[:300])
