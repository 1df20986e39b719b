"""Real receivers on loopback for the delivery tests: an SMTP server (aiosmtpd) that keeps
what it accepts, and an HTTP server standing in for the 企业微信 and 钉钉 robot webhooks that
checks each payload's format and the 钉钉 signature as the platforms document them."""
from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- SMTP -----------------------------------------------------------------------------

@dataclass
class Mailbox:
    """What the SMTP server accepted, parsed; ``on_data`` may hold a message back (return an
    SMTP reply to give instead of 250) and runs in a worker thread."""

    accepted: list[EmailMessage] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    on_data: Callable[[EmailMessage, int], str | None] | None = None
    on_ehlo: Callable[[int], None] | None = None
    seen: int = 0
    connections: int = 0

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> list[str]:
        self.connections += 1
        if self.on_ehlo is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.on_ehlo, self.connections)
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.seen += 1
        if self.on_data is not None:
            reply = await asyncio.get_running_loop().run_in_executor(None, self.on_data, message, self.seen)
            if reply:
                return reply
        self.accepted.append(message)
        return "250 OK"

    def by_recipient(self, address: str) -> list[EmailMessage]:
        return [m for m in self.accepted if m["To"] == address]


class SMTPServer:
    def __init__(self, mailbox: Mailbox, login: tuple[str, str] | None = None, *, starttls: Any = None,
                 implicit_tls: Any = None) -> None:
        """``starttls`` / ``implicit_tls``: a server-side ``ssl.SSLContext`` the server then
        requires (STARTTLS before anything else, or TLS from the first byte)."""
        self.mailbox = mailbox
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if starttls is not None:
            kwargs.update(tls_context=starttls, require_starttls=True)
        if implicit_tls is not None:
            kwargs.update(ssl_context=implicit_tls)
        if login is not None:
            def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
                ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == login
                if ok:
                    mailbox.logins.append((data.login.decode(), data.password.decode()))
                return AuthResult(success=ok, handled=False)
            kwargs.update(authenticator=check, auth_require_tls=starttls is not None, auth_required=True)
        self._kwargs = kwargs
        self.controller = Controller(mailbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> SMTPServer:
        # The SQLite and PostgreSQL runs go at the same time: another process may take the
        # port between free_port() and the bind; then try another.
        for attempt in range(5):
            try:
                self.controller.start()
                return self
            except (OSError, RuntimeError, TimeoutError):
                if attempt == 4:
                    raise
                self.port = free_port()
                self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **self._kwargs)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()


def text_part(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def html_part(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


# --- the robots ---------------------------------------------------------------------------

WECOM_KEY = "wecom-test-key"
DING_TOKEN = "ding-test-token"
DING_SECRET = "SECtest0123456789abcdef"


@dataclass
class Robots:
    """Every request the fake webhooks got: (platform, payload, problem or None)."""

    received: list[tuple[str, dict[str, Any], str | None]] = field(default_factory=list)
    accepted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # answered errcode 0
    fail_with: str | None = None  # "500", "errcode": answer so, to test retries
    # Called (in the request's thread) with the request's number before answering; True:
    # answer 503 without taking the message (the test kills the sender meanwhile).
    on_request: Callable[[int], bool] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, platform: str) -> list[dict[str, Any]]:
        return [p for plat, p in self.accepted if plat == platform]

    def problems(self) -> list[str]:
        return [problem for _p, _payload, problem in self.received if problem]


def _check_wecom(query: dict[str, list[str]], payload: Any) -> str | None:
    if query.get("key") != [WECOM_KEY]:
        return "wrong key"
    if not isinstance(payload, dict) or payload.get("msgtype") != "markdown":
        return "msgtype must be markdown"
    content = payload.get("markdown", {}).get("content")
    if not isinstance(content, str) or not content:
        return "markdown.content missing"
    if len(content.encode("utf-8")) > 4096:
        return "markdown.content exceed max length 4096"
    return None


def _check_dingtalk(query: dict[str, list[str]], payload: Any) -> str | None:
    if query.get("access_token") != [DING_TOKEN]:
        return "wrong token"
    timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
    if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
        return "timestamp missing or more than an hour off"
    # The platform's documented check, written out here independently of portal's code:
    # base64(HMAC-SHA256(key=secret, msg=timestamp + "\n" + secret)); parse_qs has undone the URL-encoding.
    expected = base64.b64encode(hmac.new(DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    if not hmac.compare_digest(sign, expected):
        return "sign not match"
    if not isinstance(payload, dict) or payload.get("msgtype") != "markdown":
        return "msgtype must be markdown"
    md = payload.get("markdown", {})
    if not isinstance(md.get("title"), str) or not md.get("title") or not isinstance(md.get("text"), str) or not md.get("text"):
        return "markdown.title and markdown.text are required"
    return None


class RobotServer:
    """``/cgi-bin/webhook/send?key=`` answers as 企业微信 does, ``/robot/send?access_token=``
    as 钉钉 does (``errcode`` 0, or the error)."""

    def __init__(self, robots: Robots) -> None:
        self.robots = robots
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    payload = json.loads(body.decode("utf-8"))
                except ValueError:
                    payload = None
                query = parse_qs(parts.query)
                if parts.path == "/cgi-bin/webhook/send":
                    platform, problem = "wecom", _check_wecom(query, payload)
                elif parts.path == "/robot/send":
                    platform, problem = "dingtalk", _check_dingtalk(query, payload)
                else:
                    platform, problem = "?", "no such path"
                if not self.headers.get("Content-Type", "").startswith("application/json"):
                    problem = problem or "Content-Type must be application/json"
                with outer.robots.lock:
                    outer.robots.received.append((platform, payload, problem))
                    number = len(outer.robots.received)
                hold = outer.robots.on_request
                if hold is not None and hold(number):
                    self.send_response(503)
                    self.end_headers()
                    return
                fail = outer.robots.fail_with
                if fail == "500":
                    self.send_response(500)
                    self.end_headers()
                    return
                answer = ({"errcode": 0, "errmsg": "ok"} if problem is None and fail is None
                          else {"errcode": 310000 if problem else 45009, "errmsg": problem or "api freq out of limit"})
                if answer["errcode"] == 0:
                    with outer.robots.lock:
                        outer.robots.accepted.append((platform, payload))
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    @property
    def wecom_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key={WECOM_KEY}"

    @property
    def dingtalk_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/robot/send?access_token={DING_TOKEN}"

    def __enter__(self) -> RobotServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def channels_config(smtp_port: int, robots: RobotServer | None) -> dict[str, Any]:
    """App settings that point every channel at the local receivers."""
    config: dict[str, Any] = {
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port, "MAIL_USE_TLS": False, "MAIL_USE_SSL": False,
        "MAIL_USERNAME": "", "MAIL_PASSWORD": "", "MAIL_DEFAULT_SENDER": "xiaowu@school.test",
        "PUBLIC_URL": "https://xiaowu.school.test",
    }
    if robots is not None:
        config.update(WECOM_ROBOT_URL=robots.wecom_url, DINGTALK_ROBOT_URL=robots.dingtalk_url,
                      DINGTALK_ROBOT_SECRET=DING_SECRET)
    return config
