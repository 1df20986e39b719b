"""The outbox over HTTP: the reader's settings page, the admin's delivery and robot pages
(full page and fragment, bad input answered in Chinese), and the request that causes a
message: it never touches the network, and costs the same with a channel down."""
from __future__ import annotations

import re
import sys
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.notify import rules
from portal.notify.models import Delivery, ReaderSetting, Robot
from tests.conftest import login_as
from tests.decisions import factories as f
from tests.notify.servers import RobotServer, Robots, SMTPServer, Mailbox, channels_config, free_port

# Every Python-level network attempt in this process (smtplib, urllib, http.client all end in
# socket.connect / getaddrinfo); PostgreSQL's driver (libpq) and SQLite use no Python sockets.
_NETWORK: list[list[str]] = []


def _audit(event_name: str, args: tuple) -> None:
    if _NETWORK and event_name in ("socket.connect", "socket.getaddrinfo"):
        _NETWORK[-1].append(f"{event_name} {args[1:] if event_name == 'socket.connect' else args[:2]}")


sys.addaudithook(_audit)


@contextmanager
def watching():
    """Collect network attempts and SQL statements made inside the block."""
    seen: list[str] = []
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    _NETWORK.append(seen)
    try:
        yield seen, statements
    finally:
        _NETWORK.pop()
        event.remove(db.engine, "before_cursor_execute", count)


def _settings_form(**changes) -> dict:
    data = {"email": "staff@school.test", "urging": "now", "vote": "now", "task": "digest", "update": "digest",
            "digest_hour": "7", "quiet_start": "22", "quiet_end": "7"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_settings_page_full_and_fragment_and_saving(app, client, people):
    login_as(client, app, "staff")
    page = client.get("/inbox/settings")
    assert page.status_code == 200 and "通知设置" in page.get_data(as_text=True)
    body = page.get_data(as_text=True)
    checked = set(re.findall(r'<input checked[^>]*name="(\w+)" type="radio" value="(\w+)"', body))
    assert checked == {("urging", "now"), ("vote", "now"), ("task", "digest"), ("update", "digest")}  # the defaults
    fragment = client.hx("/inbox/settings")
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    saved = client.hx("/inbox/settings", method="POST", data=_settings_form(digest_only="y", task="off"))
    assert "已保存" in saved.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(ReaderSetting, people["staff"])
        assert (row.email, row.digest_only, row.choices["task"], row.quiet_start) == ("staff@school.test", True, "off", 22)
    again = client.get("/inbox/settings").get_data(as_text=True)
    assert 'value="staff@school.test"' in again


@pytest.mark.parametrize("changes,message", [
    ({"email": "not an address"}, "请填写有效的邮箱地址"),
    ({"email": "a@b.c\r\nBcc: x@evil.test"}, "请填写有效的邮箱地址"),
    ({"quiet_start": "22", "quiet_end": ""}, "免打扰时段须同时填写"),
])
def test_bad_settings_are_refused_in_chinese_and_nothing_changes(app, client, people, changes, message):
    login_as(client, app, "staff")
    answer = client.hx("/inbox/settings", method="POST", data=_settings_form(**changes))
    assert answer.status_code == 200 and message in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ReaderSetting, people["staff"]) is None


def test_the_admin_sees_deliveries_and_queues_a_test_message(app, client, people):
    app.config.update(MAIL_SERVER="127.0.0.1", WECOM_ROBOT_URL="http://127.0.0.1:9/cgi-bin/webhook/send?key=k")
    login_as(client, app, "admin")
    page = client.get("/admin/deliveries")
    assert page.status_code == 200 and "发送测试消息" in page.get_data(as_text=True)
    assert "<html" not in client.hx("/admin/deliveries?channel=email&state=failed").get_data(as_text=True)
    refused = client.hx("/admin/deliveries/test", method="POST", data={"channel": "email"})
    assert "请先在“通知设置”中填写您自己的邮箱" in refused.get_data(as_text=True)
    client.post("/inbox/settings", data=_settings_form(email="admin@school.test"))
    done = client.hx("/admin/deliveries/test", method="POST", data={"channel": "email"})
    assert "测试消息已排队" in done.get_data(as_text=True)
    client.hx("/admin/deliveries/test", method="POST", data={"channel": "wecom"})
    with app.app_context():
        rows = db.session.scalars(select(Delivery).order_by(Delivery.id)).all()
        assert [(d.channel, d.kind, d.recipient_id) for d in rows] == [("email", "test", people["admin"]),
                                                                       ("wecom", "test", None)]
    login_as(client, app, "staff")
    assert client.get("/admin/deliveries").status_code == 403
    assert client.post("/admin/deliveries/test", data={"channel": "email"}).status_code == 403


def test_the_admin_adds_a_robot_whose_webhook_is_never_shown_again(app, client, people):
    login_as(client, app, "admin")
    with app.app_context():
        from portal.org.models import Body

        body_id = db.session.scalar(select(Body.id).limit(1))
    bad = client.hx("/admin/robots", method="POST", data={"platform": "wecom", "name": "代表群", "url": "ftp://x",
                                                         "scope": "", "topics": ["proposals"]})
    assert "Webhook 地址" in bad.get_data(as_text=True)
    url = "https://qyapi.example.test/cgi-bin/webhook/send?key=SECRETKEY123"
    ok = client.hx("/admin/robots", method="POST", data={"platform": "dingtalk", "name": "代表群", "url": url,
                                                        "secret": "SECabc", "scope": f"b{body_id}" if body_id else "",
                                                        "topics": ["proposals", "congress"]})
    body = ok.get_data(as_text=True)
    assert "已添加群机器人“代表群”" in body and "SECRETKEY123" not in body and "SECabc" not in body
    assert "SECRETKEY123" not in client.get("/admin/robots").get_data(as_text=True)
    with app.app_context():
        robot = db.session.scalar(select(Robot))
        assert (robot.topic_set, robot.secret, robot.body_id) == ({"proposals", "congress"}, "SECabc", body_id)
        from portal.audit.models import AuditEvent

        trail = " ".join(e.summary for e in db.session.scalars(select(AuditEvent)))
        assert "SECRETKEY123" not in trail and "SECabc" not in trail and "notify.robot_added" in " ".join(
            e.action for e in db.session.scalars(select(AuditEvent)))
    client.hx(f"/admin/robots/{robot.id}/active", method="POST", data={"active": "0"})
    with app.app_context():
        assert db.session.get(Robot, robot.id).active is False


@pytest.fixture
def urged_world(app, people):
    with app.app_context():
        s = db.session
        f.school(s)
        res = f.resolution(s)
        rules.save_settings(s, f.user(s, "principal"), email="principal@school.test", choices={}, digest_only=False,
                            digest_hour=7, quiet_start=None, quiet_end=None)
        s.commit()
        return res.id


def _urge(app, client, resolution_id: int) -> tuple[list[str], int, int]:
    login_as(client, app, "secretary")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Delivery))
        with watching() as (network, statements):
            answer = client.post(f"/resolutions/{resolution_id}/urge", data={"note": "请报告"})
        assert answer.status_code == 303
        after = db.session.scalar(select(func.count()).select_from(Delivery))
    return network, len(statements), after - before


def test_the_request_that_causes_a_message_makes_no_network_call_and_costs_the_same_with_a_channel_down(
        app, client, urged_world):
    """Channels up (live receivers on loopback) and down (nothing listening): the urging
    request makes no network attempt in either, runs the same statements and queues the same
    deliveries; only ``flask deliver`` meets the network (and there the failure)."""
    box = Mailbox()
    with SMTPServer(box) as smtp, RobotServer(Robots()) as robots:
        app.config.update(channels_config(smtp.port, robots))
        up = _urge(app, client, urged_world)
    dead = free_port()
    app.config.update(MAIL_PORT=dead, WECOM_ROBOT_URL=f"http://127.0.0.1:{dead}/cgi-bin/webhook/send?key=k",
                      DINGTALK_ROBOT_URL=f"http://127.0.0.1:{dead}/robot/send?access_token=t")
    down = _urge(app, client, urged_world)
    assert up[0] == [] and down[0] == []  # no network inside the request, channel up or down
    assert up[1] == down[1] and up[2] == down[2] == 3  # the same statements; mail + two groups queued
    with app.app_context():
        from portal.notify.sender import deliver_once

        with watching() as (network, _statements):
            counts = deliver_once()
        assert network and counts["retry"] == 6  # the sender, not the request, met the dead channels


def test_junk_in_the_settings_and_robot_forms_never_makes_a_500_and_changes_nothing(app, people):
    """Random text in every field: the form comes back (200) with nothing stored; then the
    same client's valid submission is taken (its sign-in and token work)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    junk = st.one_of(st.text(max_size=200), st.sampled_from(
        ["", " ", "-1", "24", "99999999999999999999", "now", "b1", "d999999999999", "a@b", "<script>", "\x00",
         "x" * 600, "https://", "http://127.0.0.1:1/?key=k\r\nX: y"]))
    client = app.test_client()
    login_as(client, app, "admin")

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(email=junk, mode=junk, hour=junk, start=junk, url=junk, platform=junk, scope=junk, topic=junk)
    def run(email, mode, hour, start, url, platform, scope, topic):
        r = client.post("/inbox/settings", data={"email": email, "urging": mode, "vote": "now", "task": "digest",
                                                 "update": "digest", "digest_hour": hour, "quiet_start": start,
                                                 "quiet_end": ""})
        assert r.status_code == 200 and b'id="settings_form"' in r.data
        r = client.post("/admin/robots", data={"platform": platform, "name": email, "url": url, "secret": mode,
                                               "scope": scope, "topics": [topic]})
        assert r.status_code == 200 and b'id="robot_form"' in r.data

    run()
    with app.app_context():
        # a junk settings post may be valid by chance only if every field happens to be valid
        assert db.session.scalar(select(func.count()).select_from(Robot)) == 0
    assert "已保存" in client.post("/inbox/settings", data=_settings_form(email="admin@school.test")).get_data(as_text=True)
