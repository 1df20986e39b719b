"""Delivery end to end on loopback: the real SMTP server (aiosmtpd) receives the mail and the
test reads it; a local HTTP server stands in for the 企业微信 and 钉钉 robots and checks each
payload and signature; retries and failure; the digest; the robots' minute; and a sentinel
check that no group message carries anything personal or secret."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.i18n import N_
from portal.notify import rules
from portal.notify.kinds import GROUP, Topic
from portal.notify.models import Delivery, Notification
from portal.notify.sender import deliver_once
from portal.timeutil import utcnow
from tests.conftest import login_as, make_user
from tests.decisions import factories as f
from tests.notify.servers import Mailbox, RobotServer, Robots, SMTPServer, channels_config, html_part, text_part

URGE = "书记催报：请报告决议“%(title)s”的执行情况。%(note)s"


@pytest.fixture
def smtp():
    box = Mailbox()
    with SMTPServer(box) as server:
        yield server


@pytest.fixture
def robots():
    with RobotServer(Robots()) as server:
        yield server


@pytest.fixture
def wired(app, smtp, robots):
    """The app with mail and both leadership robots pointed at the local receivers."""
    app.config.update(channels_config(smtp.port, robots))
    return app


def _with_mail(session, username: str, address: str, **choices) -> None:
    from portal.auth.models import User

    user = session.scalar(select(User).where(User.username == username))
    rules.save_settings(session, user, email=address, choices=choices.pop("choices", {}),
                        digest_only=choices.pop("digest_only", False), digest_hour=choices.pop("digest_hour", 7),
                        quiet_start=choices.pop("quiet_start", None), quiet_end=choices.pop("quiet_end", None))


def _states(session) -> list[tuple[str, str]]:
    session.expire_all()
    return [(d.channel, d.state) for d in session.scalars(select(Delivery).order_by(Delivery.id))]


def test_an_urging_reaches_the_owners_mail_and_the_leadership_groups(wired, smtp, robots, people):
    with wired.app_context():
        s = db.session
        f.school(s)
        _with_mail(s, "principal", "principal@school.test")
        res = f.resolution(s)  # tells the owner (a task: in the digest) and the groups (a new resolution)
        from portal.decisions.rules import resolutions as res_rules

        res_rules.urge(s, f.user(s, "secretary"), res, "请本周内报告")
        s.commit()
        counts = deliver_once()
        assert not counts["failed"] and not counts["retry"]
        sent = [(d.channel, d.message) for d in s.scalars(select(Delivery).where(Delivery.state == "sent"))]
        assert counts["sent"] == len(sent) and sent.count(("email", "")) == 1
        assert sum(1 for c, m in sent if c == "wecom" and "已催报" in m) == 1

    (mail,) = smtp.mailbox.accepted  # the urging at once; the new-resolution task waits for the digest
    assert mail["To"] == "principal@school.test" and "xiaowu@school.test" in mail["From"]
    assert "书记催报" in mail["Subject"] and "食堂承包合同签订并执行" in mail["Subject"]
    link = f"https://xiaowu.school.test/resolutions/{res.id}"
    settings_url = "https://xiaowu.school.test/inbox/settings"
    text, html = text_part(mail), html_part(mail)
    assert "请本周内报告" in text and link in text and settings_url in text
    assert f'href="{link}"' in html and f'href="{settings_url}"' in html
    assert mail["List-Unsubscribe"] == f"<{settings_url}>"
    assert re.fullmatch(r"<mail-n\d+@xiaowu\.school\.test>", mail["Message-ID"])

    assert robots.robots.problems() == []
    (wecom,) = robots.robots.ok("wecom")  # the two group items went as one message
    (ding,) = robots.robots.ok("dingtalk")
    content = wecom["markdown"]["content"]
    assert f"决议（编号 {res.id}）已催报执行情况，请责任人及时报告。" in content
    assert f"新决议（编号 {res.id}）已交付落实。" in content and f"[查看]({link})" in content
    assert f"决议（编号 {res.id}）已催报执行情况" in ding["markdown"]["text"] and ding["markdown"]["title"]
    for payload in (content, ding["markdown"]["text"]):  # no title, no note, no name
        assert "食堂" not in payload and "请本周内报告" not in payload and "principal" not in payload


def test_nothing_is_sent_twice_and_the_states_are_kept(wired, smtp, robots, people):
    wired.config.update(WECOM_ROBOT_URL="", DINGTALK_ROBOT_URL="")
    with wired.app_context():
        s = db.session
        _with_mail(s, "staff", "staff@school.test")
        rules.notify(s, [people["staff"]], URGE, subject=("resolution", 1), title="x", note="")
        s.commit()
        assert deliver_once()["sent"] == 1
        assert deliver_once() == {}  # sent is sent
        assert _states(s) == [("email", "sent")]
    assert len(smtp.mailbox.accepted) == 1


def test_the_daily_digest_is_one_mail(wired, smtp, people):
    wired.config.update(WECOM_ROBOT_URL="", DINGTALK_ROBOT_URL="")
    with wired.app_context():
        s = db.session
        _with_mail(s, "staff", "staff@school.test", digest_only=True, digest_hour=17)
        for i in range(3):
            rules.notify(s, [people["staff"]], N_("公开事项“%(title)s”等待您审批。"), subject=("notice", i + 1),
                         title=f"通知{i}")
        rules.notify(s, [people["staff"]], URGE, subject=("resolution", 9), title="决议", note="")
        s.commit()
        assert deliver_once() == {} and smtp.mailbox.accepted == []  # all wait for 17:00
        due = max(d.due_at for d in s.scalars(select(Delivery)))
        assert deliver_once(now=due)["sent"] == 4
        assert deliver_once(now=due + timedelta(days=1)) == {}
    (mail,) = smtp.mailbox.accepted
    assert "每日消息汇总：4 条" in mail["Subject"]
    body = text_part(mail)
    assert all(f"通知{i}" in body for i in range(3)) and "书记催报" in body
    assert re.fullmatch(r"<digest-u\d+-\d+@xiaowu\.school\.test>", mail["Message-ID"])


def test_mail_off_and_no_address_queue_nothing(wired, people):
    with wired.app_context():
        s = db.session
        _with_mail(s, "staff", "staff@school.test", choices={"urging": "off"})
        rules.notify(s, [people["staff"], people["rep"]], URGE, subject=("resolution", 1), title="x", note="")
        assert s.scalars(select(Delivery).where(Delivery.channel == "email")).all() == []


def test_quiet_hours_hold_a_mail_until_they_end(wired, people):
    from portal.notify.outbox import after_quiet_hours, next_digest

    night = datetime(2026, 3, 9, 15, 30)  # 23:30 in school time
    assert after_quiet_hours(night, 22, 7) == datetime(2026, 3, 9, 23, 0)  # 07:00 next morning
    assert after_quiet_hours(datetime(2026, 3, 9, 20, 0), 22, 7) == datetime(2026, 3, 9, 23, 0)  # 04:00
    assert after_quiet_hours(datetime(2026, 3, 10, 2, 0), 22, 7) == datetime(2026, 3, 10, 2, 0)  # 10:00: free
    assert after_quiet_hours(datetime(2026, 3, 10, 5, 0), 12, 14) == datetime(2026, 3, 10, 6, 0)  # 13:00 -> 14:00
    assert after_quiet_hours(night, None, None) == night
    assert next_digest(datetime(2026, 3, 10, 2, 0), 17) == datetime(2026, 3, 10, 9, 0)
    assert next_digest(datetime(2026, 3, 10, 10, 0), 17) == datetime(2026, 3, 11, 9, 0)
    with wired.app_context():
        s = db.session
        _with_mail(s, "staff", "staff@school.test", quiet_start=22, quiet_end=7)
        (note,) = rules.notify(s, [people["staff"]], URGE, subject=("resolution", 1), title="x", note="",
                               now=night)
        (d,) = s.scalars(select(Delivery).where(Delivery.notification_id == note.id))
        assert d.due_at == datetime(2026, 3, 9, 23, 0) and not d.digest


def test_a_failing_robot_is_retried_with_back_off_then_marked_failed(wired, smtp, robots, people, client):
    wired.config.update(DELIVERY_MAX_ATTEMPTS=3, DELIVERY_RETRY_SECONDS=60)
    robots.robots.fail_with = "500"
    with wired.app_context():
        s = db.session
        rules.notify(s, [people["staff"]], URGE, subject=("resolution", 4), title="x", note="")
        s.commit()
        start = utcnow()
        assert deliver_once(now=start)["retry"] == 2  # both robots down
        rows = list(s.scalars(select(Delivery)))
        assert {d.state for d in rows} == {"pending"} and {d.last_error for d in rows} == {"HTTP 500"}
        assert {d.due_at for d in rows} == {start + timedelta(seconds=60)}
        assert deliver_once(now=start + timedelta(seconds=30)) == {}  # not due yet
        assert deliver_once(now=start + timedelta(seconds=61))["retry"] == 2
        s.expire_all()
        assert {d.due_at for d in s.scalars(select(Delivery))} == {start + timedelta(seconds=61 + 240)}
        assert deliver_once(now=start + timedelta(seconds=61 + 240))["failed"] == 2
        s.expire_all()
        assert {(d.state, d.attempts, d.last_error) for d in s.scalars(select(Delivery))} == {("failed", 3, "HTTP 500")}
        assert deliver_once(now=start + timedelta(days=1)) == {}
    assert len(robots.robots.received) == 6  # three tries on each robot, no more
    login_as(client, wired, "admin")
    page = client.get("/admin/deliveries?state=failed").get_data(as_text=True)
    assert "HTTP 500" in page and page.count("失败") >= 2


def test_a_robot_that_answers_an_error_code_shows_it(wired, robots, people):
    wired.config.update(DELIVERY_MAX_ATTEMPTS=1)
    robots.robots.fail_with = "errcode"
    with wired.app_context():
        s = db.session
        rules.notify(s, [people["staff"]], URGE, subject=("resolution", 4), title="x", note="")
        s.commit()
        assert deliver_once()["failed"] == 2
        assert {d.last_error for d in s.scalars(select(Delivery))} == {"errcode 45009: api freq out of limit"}


def test_a_robot_hears_at_most_twenty_messages_a_minute(wired, robots, people):
    wired.config.update(WECOM_ROBOT_URL="", DINGTALK_ROBOT_URL="", ROBOT_BATCH=1)
    with wired.app_context():
        s = db.session
        rules.add_robot(s, f.user(s, "admin"), platform="wecom", name="代表群", url=robots.wecom_url, secret="",
                        body_id=None, department_id=None, topics=[Topic.URGINGS.value])
        for i in range(25):
            rules.notify(s, [people["staff"]], URGE, subject=("resolution", i + 1), title="x", note="")
        s.commit()
        start = utcnow()
        assert deliver_once(now=start)["sent"] == 20
        assert deliver_once(now=start + timedelta(seconds=30)) == {}
        assert deliver_once(now=start + timedelta(seconds=61))["sent"] == 5
    assert len(robots.robots.ok("wecom")) == 25


def test_robot_batches_keep_to_the_limit_of_one_message(wired, robots, people):
    wired.config.update(DINGTALK_ROBOT_URL="")
    with wired.app_context():
        s = db.session
        for i in range(25):
            rules.notify(s, [people["staff"]], URGE, subject=("resolution", i + 1), title="x", note="")
        s.commit()
        assert deliver_once()["sent"] == 25
    assert [p["markdown"]["content"].count("已催报") for p in robots.robots.ok("wecom")] == [10, 10, 5]


def test_smtp_login_is_used_when_configured(app, robots, people):
    box = Mailbox()
    with SMTPServer(box, login=("xiaowu", "mail-pass")) as server:
        app.config.update(channels_config(server.port, None), MAIL_USERNAME="xiaowu", MAIL_PASSWORD="mail-pass")
        with app.app_context():
            s = db.session
            _with_mail(s, "staff", "staff@school.test")
            rules.notify(s, [people["staff"]], URGE, subject=("resolution", 1), title="x", note="")
            s.commit()
            assert deliver_once()["sent"] == 1
            app.config.update(MAIL_PASSWORD="wrong")
            rules.notify(s, [people["staff"]], URGE, subject=("resolution", 2), title="y", note="")
            s.commit()
            assert deliver_once()["retry"] == 1
            assert "login refused" in s.scalars(select(Delivery).order_by(Delivery.id.desc())).first().last_error
    assert box.logins == [("xiaowu", "mail-pass")] and len(box.accepted) == 1


def test_a_refused_address_fails_at_once(wired, smtp, people):
    wired.config.update(WECOM_ROBOT_URL="", DINGTALK_ROBOT_URL="")
    smtp.mailbox.on_data = lambda message, n: "550 5.1.1 no such mailbox"
    with wired.app_context():
        s = db.session
        _with_mail(s, "staff", "staff@school.test")
        rules.notify(s, [people["staff"]], URGE, subject=("resolution", 1), title="x", note="")
        s.commit()
        assert deliver_once()["failed"] == 1
        (d,) = s.scalars(select(Delivery).where(Delivery.channel == "email"))
        assert d.state == "failed" and d.attempts == 1 and "550" in d.last_error


# --- nothing personal or secret in a group ---------------------------------------------

SENTINEL = "SENTINEL私密"


def _param_names(msgid: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)", msgid))


def test_no_group_message_carries_personal_or_secret_content(wired, robots, people):
    """Every message a group can hear of, with every parameter, the recipient's name and the
    subject's own text set to a sentinel: no robot payload carries it."""
    with wired.app_context():
        s = db.session
        rules.add_robot(s, f.user(s, "admin"), platform="dingtalk", name="全校群", url=robots.dingtalk_url,
                        secret="SECtest0123456789abcdef", body_id=None, department_id=None, topics=[t.value for t in Topic])
        target = make_user("target", name=SENTINEL + "张老师")
        for n, msgid in enumerate(GROUP):
            params = {name: (7 if name in ("number", "id", "into") else SENTINEL) for name in _param_names(msgid)}
            rules.notify(s, [target.id], msgid, subject=("proposal", 100 + n), **params)
        s.commit()
        deliver_once()
    sent = robots.robots.received
    assert robots.robots.problems() == [] and len(sent) >= 3
    every = " ".join(str(p) for _plat, p, _x in sent)
    assert SENTINEL not in every and "张老师" not in every
    assert len(re.findall(r"编号 \d+|第 \d+ 号", every)) >= len(GROUP) * 2  # each text named its subject's number


def test_an_urging_workflow_with_secrets_everywhere_tells_the_group_only_the_number(wired, robots, people):
    """The real workflow: the resolution's title, the owner's name and the secretary's note
    all carry the sentinel; the owner's mail has them, the groups do not."""
    from portal.decisions.rules import resolutions as res_rules

    with wired.app_context():
        s = db.session
        f.school(s)
        f.user(s, "principal").name = SENTINEL + "校长"
        _with_mail(s, "principal", "principal@school.test")
        res = f.resolution(s, title=SENTINEL + "人事调整")
        res_rules.urge(s, f.user(s, "secretary"), res, SENTINEL + "请说明")
        s.commit()
        deliver_once()
    every = " ".join(str(p) for _plat, p, _x in robots.robots.received)
    assert f"决议（编号 {res.id}）已催报" in every and SENTINEL not in every


def test_every_classified_message_is_still_sent_by_a_workflow():
    """The kinds and group texts are keyed by the workflows' msgids: a renamed one must be
    renamed there too, or it would silently lose its kind and its group text."""
    from pathlib import Path

    from portal.notify.kinds import KIND_OF

    portal = Path(__file__).resolve().parents[2] / "portal"
    source = "".join(p.read_text() for p in portal.rglob("*.py") if "notify" not in p.parts)
    missing = [m for m in {*KIND_OF, *GROUP} if m not in source]
    assert missing == []


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1, trusted by the sender through SSL_CERT_FILE
    (which the standard library's default context reads)."""
    import shutil
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_mail_goes_over_starttls_or_implicit_tls_with_a_login(app, people, certificate, monkeypatch, mode):
    import ssl

    cert, key = certificate
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(str(cert), str(key))
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    box = Mailbox()
    tls = {"starttls": server_side} if mode == "starttls" else {"implicit_tls": server_side}
    with SMTPServer(box, login=("xiaowu", "mail-pass"), **tls) as server:
        app.config.update(channels_config(server.port, None), MAIL_USERNAME="xiaowu", MAIL_PASSWORD="mail-pass",
                          MAIL_USE_TLS=mode == "starttls", MAIL_USE_SSL=mode == "ssl")
        with app.app_context():
            s = db.session
            _with_mail(s, "staff", "staff@school.test")
            rules.notify(s, [people["staff"]], URGE, subject=("resolution", 1), title="加密", note="")
            s.commit()
            assert deliver_once()["sent"] == 1
            if mode == "starttls":  # without STARTTLS the server refuses to go on
                app.config.update(MAIL_USE_TLS=False)
                rules.notify(s, [people["staff"]], URGE, subject=("resolution", 2), title="明文", note="")
                s.commit()
                assert deliver_once()["retry"] == 1
    assert box.logins == [("xiaowu", "mail-pass")] and [m["Subject"].count("加密") for m in box.accepted] == [1]
