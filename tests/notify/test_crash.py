"""The sender killed (SIGKILL) after the action's commit, before and while sending: nothing is
lost and nothing is doubled. The real command (``flask --app portal deliver``) runs as its
own process against the test database and the real SMTP server on loopback; the server holds
a message back so the test can kill the sender at that moment."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.notify import rules
from portal.notify.models import Delivery
from tests.notify.servers import Mailbox, RobotServer, Robots, SMTPServer

ROOT = Path(__file__).resolve().parents[2]
URGE = "书记催报：请报告决议“%(title)s”的执行情况。%(note)s"
LEASE = 1  # seconds: a dead sender's claim is taken over after this


def _sender(app, port: int, **extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "test-secret-key",
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port), "MAIL_DEFAULT_SENDER": "xiaowu@school.test",
           "PUBLIC_URL": "https://xiaowu.school.test", "DELIVERY_LEASE_SECONDS": str(LEASE),
           "WECOM_ROBOT_URL": "", "DINGTALK_ROBOT_URL": "", **extra}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "portal", "deliver"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _three_urgings(app, people) -> list[int]:
    """Three readers with mail, each urged (the action commits; nothing is sent yet)."""
    app.config.update(MAIL_SERVER="127.0.0.1", WECOM_ROBOT_URL="", DINGTALK_ROBOT_URL="")
    with app.app_context():
        s = db.session
        ids = []
        for name in ("staff", "rep", "union"):
            from portal.auth.models import User

            user = s.get(User, people[name])
            rules.save_settings(s, user, email=f"{name}@school.test", choices={}, digest_only=False, digest_hour=7,
                                quiet_start=None, quiet_end=None)
            (note,) = rules.notify(s, [user.id], URGE, subject=("resolution", len(ids) + 1), title=name, note="")
            ids.append(note.id)
        s.commit()
        return ids


def _final(app) -> dict[str, str]:
    with app.app_context():
        return {d.idem_key: d.state for d in db.session.scalars(select(Delivery))}


def _kill_when(box: Mailbox, stage: str, at: int) -> tuple[threading.Event, threading.Event, list]:
    """Hold the ``at``-th EHLO or DATA until the test has killed the sender."""
    reached, killed = threading.Event(), threading.Event()

    def hold(*args) -> str | None:
        n = args[-1]
        if n != at:
            return None
        reached.set()
        killed.wait(30)
        return "451 4.3.0 connection lost before the reply" if stage == "data" else None

    if stage == "ehlo":
        box.on_ehlo = hold
    else:
        box.on_data = hold
    return reached, killed, []


def _run_killed(app, box: Mailbox, port: int, stage: str, at: int) -> None:
    reached, killed, _ = _kill_when(box, stage, at)
    sender = _sender(app, port)
    try:
        assert reached.wait(20), sender.communicate(timeout=5)
        sender.send_signal(signal.SIGKILL)
        sender.wait(10)
    finally:
        killed.set()
        if sender.poll() is None:
            sender.kill()
    box.on_ehlo = box.on_data = None


def _run_to_the_end(app, port: int, **extra: str) -> str:
    time.sleep(LEASE + 0.2)  # the dead sender's lease ends
    done = _sender(app, port, **extra)
    out, err = done.communicate(timeout=60)
    assert done.returncode == 0, err.decode()
    return out.decode()


# ehlo 2: killed after the first mail, while connecting for the second; data 3: killed while
# the server held the third (transmitted, not accepted).
@pytest.mark.parametrize("stage,at", [("ehlo", 2), ("data", 3)])
def test_a_sender_killed_before_or_while_sending_loses_and_doubles_nothing(app, people, stage, at):
    """Killed while connecting (nothing handed over yet) or while the server still holds the
    message (not accepted): the next run sends exactly what was missing."""
    box = Mailbox()
    with SMTPServer(box) as server:
        _three_urgings(app, people)
        _run_killed(app, box, server.port, stage, at)
        before = [m["Message-ID"] for m in box.accepted]
        assert len(before) == at - 1  # what was accepted before the kill
        out = _run_to_the_end(app, server.port)
    ids = [m["Message-ID"] for m in box.accepted]
    assert sorted(m["To"] for m in box.accepted) == ["rep@school.test", "staff@school.test", "union@school.test"]
    assert len(set(ids)) == len(ids) == 3, out  # nothing lost, nothing doubled
    assert set(_final(app).values()) == {"sent"}


def test_a_sender_killed_after_the_server_accepted_sends_the_same_message_again(app, people):
    """The one window no sender can close: the server took the mail and the sender died
    before recording it. The mail comes again as the same message (same Message-ID, which
    mail clients show once), and the outbox records it sent once."""
    box = Mailbox()
    with SMTPServer(box) as server:
        _three_urgings(app, people)
        reached, killed = threading.Event(), threading.Event()

        def accept_then_die(message, n: int) -> str | None:
            if n == 2:
                box.accepted.append(message)  # the server has it
                reached.set()
                killed.wait(30)  # the sender dies before it hears "250"
                return "421 4.4.2 gone"
            return None

        box.on_data = accept_then_die
        sender = _sender(app, server.port)
        try:
            assert reached.wait(20)
            sender.send_signal(signal.SIGKILL)
            sender.wait(10)
        finally:
            killed.set()
        box.on_data = None
        _run_to_the_end(app, server.port)
    ids = [m["Message-ID"] for m in box.accepted]
    assert len(ids) == 4 and len(set(ids)) == 3
    assert ids.count(ids[1]) == 2  # the second mail again, under its own Message-ID
    assert list(_final(app).values()) == ["sent"] * 3


def test_an_action_committed_with_no_sender_running_is_sent_later(app, people):
    """The sender was not running at all when the action committed (it crashed earlier)."""
    box = Mailbox()
    with SMTPServer(box) as server:
        _three_urgings(app, people)
        assert box.accepted == []
        out = _run_to_the_end(app, server.port)
    assert len({m["Message-ID"] for m in box.accepted}) == len(box.accepted) == 3
    assert "已发送 3 条" in out


def test_a_sender_killed_while_a_robot_holds_its_message_sends_the_batch_once(app, people):
    """The group side: the 企业微信 robot holds the batch (three urgings in one message) while
    the sender is killed, and does not take it; the next run sends that batch once."""
    robots = Robots()
    box = Mailbox()
    with SMTPServer(box) as smtp, RobotServer(robots) as server:
        app.config.update(WECOM_ROBOT_URL=server.wecom_url)
        _three_urgings(app, people)
        app.config.update(WECOM_ROBOT_URL=server.wecom_url)  # _three_urgings switched the robots off
        with app.app_context():
            from portal.auth.models import User

            for n in range(3):  # the group lines, queued by actions with the robot configured
                rules.notify(db.session, [db.session.get(User, people["staff"]).id], URGE,
                             subject=("resolution", 10 + n), title="x", note="")
            db.session.commit()
        reached, killed = threading.Event(), threading.Event()

        def hold(n: int) -> bool:
            if n == 1:
                reached.set()
                killed.wait(30)
                return True
            return False

        robots.on_request = hold
        sender = _sender(app, smtp.port, WECOM_ROBOT_URL=server.wecom_url)
        try:
            assert reached.wait(20)
            sender.send_signal(signal.SIGKILL)
            sender.wait(10)
        finally:
            killed.set()
        robots.on_request = None
        assert robots.accepted == []
        _run_to_the_end(app, smtp.port, WECOM_ROBOT_URL=server.wecom_url)
    (payload,) = robots.ok("wecom")
    assert payload["markdown"]["content"].count("已催报") == 3 and robots.problems() == []
    assert set(_final(app).values()) == {"sent"}
