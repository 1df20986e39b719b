"""What the fault tests share: a hall of signed-in representatives with an open poll, the real
app under gunicorn in its own process group (so one signal reaches master and workers), and
plain HTTP clients that know only what the server answered.

Everything here talks to the app from outside (HTTP, the ``flask`` command, the database),
except the seeding, which uses the models and rule functions directly like ``vote_burst.py``.
"""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, insert, select
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COOKIE = "portal_session"
PLACE = "故障演练礼堂"  # the session's place: the session page shows it


@dataclass(frozen=True)
class Voter:
    user_id: int
    username: str
    cookie: str  # a signed-in session, as the login view writes it
    csrf: str


@dataclass(frozen=True)
class Hall:
    session_id: int
    poll_id: int
    voters: list[Voter]


def seed_hall(app: Flask, voters: int, *, secret: bool) -> Hall:
    """A congress term of ``voters`` representatives (one password hash, computed once), an
    open session they are all present at, one open motion, and a session cookie with a CSRF
    token for each, so no request of the test pays for scrypt."""
    from portal.auth.models import Department, User
    from portal.congress.models import Attendance, CongressTerm, Representative
    from portal.congress.rules import polls, sessions
    from portal.extensions import db
    from portal.timeutil import utcnow
    from tests.conftest import password_hash

    with app.app_context():
        hashed = password_hash()
        dept = Department(name="故障演练组", kind="office")
        union = User(username="fault-union", staff_no="F0", name="工会", department=dept, password_hash=hashed,
                     must_change_password=False)
        union.set_roles({"union"})
        db.session.add_all([dept, union])
        term = CongressTerm(number=1, name="第一届教职工代表大会", starts_on=date(2020, 1, 1),
                            ends_on=date(2099, 12, 31), is_current=True)
        db.session.add(term)
        db.session.flush()
        people = [User(username=f"rep{i:04d}", staff_no=f"F{i:04d}", name=f"代表{i}", department=dept,
                       password_hash=hashed, must_change_password=False) for i in range(voters)]
        db.session.add_all(people)
        db.session.flush()
        db.session.add_all(Representative(term_id=term.id, user_id=u.id, joined_on=term.starts_on) for u in people)
        db.session.flush()
        cs = sessions.create_session(db.session, union, term, date(2026, 3, 1), PLACE, work_report_required=False)
        sessions.open_session(db.session, union, cs)
        # Signed in as the union's paper list would have it, in one statement (the sign-in
        # rule writes a presence event and an audit event per person: seconds for 1,000).
        db.session.execute(insert(Attendance), [
            {"session_id": cs.id, "user_id": u.id, "present": True, "first_in_at": utcnow()} for u in people])
        poll = polls.create_poll(db.session, union, cs, polls.PollSpec(title="故障演练表决", secret=secret))
        polls.open_poll(db.session, union, poll)
        db.session.commit()
        ids = [(u.id, u.username, u.get_id()) for u in people]
        session_id, poll_id = cs.id, poll.id
        db.engine.dispose()

    client = app.test_client()
    signer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    now = utcnow().timestamp()
    made = []
    for user_id, username, token in ids:
        raw = os.urandom(20).hex()
        with client.session_transaction() as s:
            s.clear()
            s.update({"_user_id": token, "_fresh": True, "login_at": now, "seen_at": now, "csrf_token": raw})
        cookie = client.get_cookie(COOKIE)
        assert cookie is not None
        made.append(Voter(user_id, username, f"{COOKIE}={cookie.value}", signer.dumps(raw)))
    return Hall(session_id, poll_id, made)


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def server_env(database_url: str, secret_key: str) -> dict[str, str]:
    """The environment of every server and ``flask`` command of a test: its database, the
    key that signed the test's cookies, no page cache."""
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret_key, "PAGE_CACHE": "0"}


class Gunicorn:
    """``gunicorn wsgi:app`` with sync workers on a free loopback port, master and workers in
    a process group of their own. Use as a context manager: the group is gone on exit, also
    when the test failed."""

    def __init__(self, database_url: str, secret_key: str, log: Path, workers: int = 3,
                 ready_status: int = 200, port: int | None = None) -> None:
        self.port = port or free_port()  # a port of its own; a restarted server is given the old one
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "sync", "--timeout", "60",
                 "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "wsgi:app"],
                cwd=str(ROOT), env=server_env(database_url, secret_key), stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pgid = self.proc.pid
        try:
            self._wait_ready(ready_status)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, status: int, seconds: float = 60) -> None:
        """Until ``/healthz`` answers ``status`` (503: a server started to say what is wrong)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if request(self.port, "GET", "/healthz", timeout=5)[0] == status:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text(errors='replace')[-3000:]}")

    def kill9(self) -> None:
        """SIGKILL to master and workers at once, as the OOM killer or ``kill -9`` would."""
        self._signal(signal.SIGKILL)
        wait_group_gone(self.pgid)
        self.proc.wait()

    def stop(self) -> None:
        """SIGTERM (finish the requests in hand), then SIGKILL after ten seconds."""
        self._signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self._signal(signal.SIGKILL)
        wait_group_gone(self.pgid)
        self.proc.wait()

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self.pgid, sig)
        except ProcessLookupError:
            pass

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_group_gone(pgid: int, seconds: float = 15) -> None:
    """Wait until no live (non-zombie) process is left in the group: only then has every
    write the server will ever make reached the file."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, pgrp, ...
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(entry)
        if not alive:
            return
        time.sleep(0.05)
    raise RuntimeError(f"process group {pgid} still alive: {alive}")


def wait_backends_gone(database_url: str, seconds: float = 15) -> float:
    """PostgreSQL: wait until no other client is connected to the database (a killed app
    server's backends end when they notice their client is gone, rolling back whatever was
    not committed). Returns the seconds it took."""
    from sqlalchemy import create_engine, text

    from portal.db import normalise_url

    engine = create_engine(normalise_url(database_url), poolclass=NullPool)
    started = time.monotonic()
    try:
        while True:
            with engine.connect() as conn:
                others = conn.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"))
            if not others:
                return time.monotonic() - started
            if time.monotonic() - started > seconds:
                raise RuntimeError(f"{others} connections of the killed server still open after {seconds} s")
            time.sleep(0.05)
    finally:
        engine.dispose()


def request(port: int, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None,
            timeout: float = 60) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def vote(port: int, poll_id: int, voter: Voter, choice: str) -> tuple[int, str]:
    """One ballot posted as htmx posts it. Status 0 when the server never answered."""
    headers = {"Cookie": voter.cookie, "X-CSRFToken": voter.csrf, "HX-Request": "true",
               "Content-Type": "application/x-www-form-urlencoded"}
    try:
        return request(port, "POST", f"/congress/polls/{poll_id}/vote", f"choice={choice}", headers)
    except (OSError, http.client.HTTPException) as exc:
        return 0, repr(exc)


def acknowledged(status: int, text: str) -> bool:
    """The server told the voter their ballot is in."""
    return status == 200 and "投票成功" in text


def sign_in_and_get(port: int, username: str, password: str, path: str) -> tuple[int, str, str]:
    """Log in through the login form as a person would (fetch it, post it with its CSRF
    token, follow the redirect), then fetch ``path``. Returns (status, final URL, page)."""
    base = f"http://127.0.0.1:{port}"
    opener = build_opener(HTTPCookieProcessor(CookieJar()))
    form = opener.open(f"{base}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert token, "no CSRF token on the login form"
    body = urlencode({"csrf_token": token.group(1), "username": username, "password": password}).encode()
    landed = opener.open(Request(f"{base}/login", data=body, method="POST"), timeout=30)
    assert landed.url.rstrip("/") != f"{base}/login", landed.read().decode()[-2000:]
    page = opener.open(f"{base}{path}", timeout=30)
    return page.status, page.url, page.read().decode()


def flask_command(database_url: str, secret_key: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``flask --app portal ARGS`` in a process of its own, as an operator runs it (killed and
    ``TimeoutExpired`` raised after ``timeout`` seconds)."""
    return subprocess.run([str(BIN / "flask"), "--app", "portal", *args], cwd=str(ROOT),
                          env=server_env(database_url, secret_key), capture_output=True, text=True, timeout=timeout)


def verify_chain_at(database_url: str, secret_key: str) -> str:
    """What ``flask audit verify`` says about the chain in ``database_url``: "ok (N events)"
    or the first broken row (in process: a ``flask`` command costs seconds of imports)."""
    from portal import create_app
    from portal.audit.rules import verify_chain
    from portal.extensions import db

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": secret_key})
    with app.app_context():
        try:
            report = verify_chain(db.session)
        finally:
            db.session.close()
            db.engine.dispose()
    return f"ok ({report.count} events)" if report.ok else f"broken at {report.broken_seq}: {report.reason}"


@dataclass(frozen=True)
class Box:
    """What the database holds for one poll: who voted, the ballots, the audit events."""

    voted: set[int]  # participation rows
    named: dict[int, str]  # named votes: user id -> choice (empty for a secret poll)
    secret_ballots: int
    voted_events: dict[int, int]  # audit "congress.voted" events of this poll: actor id -> how many


def read_box(database_url: str, poll_id: int) -> Box:
    """Read the poll's rows from ``database_url`` through a new engine (the app's models
    name the tables; nothing else of the app is used)."""
    from sqlalchemy import create_engine

    from portal.audit.models import AuditEvent
    from portal.congress.models import NamedVote, Participation, SecretBallot
    from portal.db import normalise_url

    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as conn:
            voted = set(conn.scalars(select(Participation.user_id).where(Participation.poll_id == poll_id)))
            named = {u: c for u, c in conn.execute(
                select(NamedVote.user_id, NamedVote.choice).where(NamedVote.poll_id == poll_id))}
            secret = conn.scalar(select(func.count()).select_from(SecretBallot)
                                 .where(SecretBallot.poll_id == poll_id)) or 0
            events = {actor: n for actor, n in conn.execute(
                select(AuditEvent.actor_id, func.count()).where(
                    AuditEvent.action == "congress.voted", AuditEvent.object_type == "Poll",
                    AuditEvent.object_id == str(poll_id)).group_by(AuditEvent.actor_id))}
    finally:
        engine.dispose()
    return Box(voted, named, secret, events)


def sqlite_checks(path: str) -> tuple[str, int]:
    """``PRAGMA integrity_check`` and the number of ``foreign_key_check`` violations, on a
    connection of its own (the first open after a crash also replays the WAL)."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        integrity = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
        orphans = len(conn.execute("PRAGMA foreign_key_check").fetchall())
    finally:
        conn.close()
    return integrity, orphans
