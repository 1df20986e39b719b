"""What an audit reader sees on /audit/."""
from __future__ import annotations

import re

import pytest
from datetime import timedelta

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.rules import flush_anonymous, record, verify_chain
from portal.extensions import db
from portal.timeutil import to_local, utcnow
from tests.conftest import PASSWORD, login_as
from tests.disclosure.factories import published, user


def _rows(html: str) -> list[list[str]]:
    """The audit table as a reader sees it: per row [seq, time, actor, action, sentence] (the
    actor and the action from the raw record beside the sentence)."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        if len(cells) < 3:
            continue
        raw = re.search(r"操作人：(.*?) · (\S+) ·", cells[2])
        rows.append([cells[0], cells[1], raw.group(1) if raw else "", raw.group(2) if raw else "", cells[2]])
    return rows


def test_an_anonymous_objection_cannot_be_linked_to_its_authors_login(app, people):
    with app.app_context():
        notice_id = published(db.session, gongshi=5).id
        db.session.commit()
    rep = app.test_client()
    r = rep.post("/login", data={"username": "rep", "password": PASSWORD})
    assert r.status_code == 303
    r = rep.post(f"/notices/{notice_id}/objections", data={"body": "评选程序不透明", "anonymous": "y"})
    assert r.status_code in (200, 303)

    # The day goes on: others sign in after her.
    for other in ("staff", "leader"):
        assert app.test_client().post("/login", data={"username": other, "password": PASSWORD}).status_code == 303

    reader = app.test_client()
    login_as(reader, app, "supervisor")
    # The same day: the log shows the login, and nothing that follows it for the objection.
    rows = _rows(reader.get("/audit/").get_data(as_text=True))
    assert [r for r in rows if r[3] == "auth.login" and r[2] == "rep"]
    assert not [r for r in rows if r[3] == "objection.lodged"]

    # A later day: the first append (by someone else) brings the waiting act into the chain.
    with app.app_context():
        tomorrow = to_local(utcnow()).date() + timedelta(days=1)
        assert flush_anonymous(db.session, today=tomorrow) == 1
        record(db.session, user(db.session, "admin"), "test.next_day")
        db.session.commit()
        assert verify_chain(db.session).ok
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        login = next(e for e in events if e.action == "auth.login" and e.actor_name == "rep")
        lodged = next(e for e in events if e.action == "objection.lodged")
        # Not next to the login in the chain, no actor, and stamped only with the day.
        assert lodged.seq > login.seq + 1
        assert lodged.actor_id is None and "rep" not in lodged.actor_name + lodged.summary
        assert to_local(lodged.at).time().isoformat() == "00:00:00"
        # It comes after the whole day's events, so its neighbours are the day's end, not her.
        assert events[lodged.seq - 2].actor_name != "rep" and events[lodged.seq - 2].seq > login.seq
    html = reader.get("/audit/").get_data(as_text=True)
    rows = _rows(html)
    lodged_row = next(r for r in rows if r[3] == "objection.lodged")
    login_row = next(r for r in rows if r[3] == "auth.login" and r[2] == "rep")
    assert lodged_row[1].endswith("00:00:00") and lodged_row[2] != "rep"
    assert lodged_row[1] != login_row[1]
    # The notice page gives an anonymous objection's day, not its minute.
    page = reader.get(f"/notices/{notice_id}").get_data(as_text=True)
    meta = page.split("objection-body")[0].rsplit('<p class="meta">', 1)[1]
    assert re.search(r"\d{4}-\d{2}-\d{2}", meta) and not re.search(r"\d{2}:\d{2}", meta)


@pytest.mark.parametrize("query", ["since=0001-01-01", "until=0001-01-01", "since=9999-12-31&until=9999-12-31"])
def test_dates_out_of_range_get_a_message_not_a_500(app, client, people, query):
    login_as(client, app, "supervisor")
    r = client.get(f"/audit/?{query}")
    assert r.status_code == 200 and "日期超出范围" in r.get_data(as_text=True)


def test_signed_objections_around_an_anonymous_one_do_not_bracket_it(app, people):
    """Objection ids are sequential: the anonymous act must not carry its id into the log,
    and the notice page must not place it between signed objections with their times."""
    with app.app_context():
        notice_id = published(db.session, gongshi=5).id
        db.session.commit()
    said = {}
    # not "leader": the factory's notice is leader's own, and its author may not object to it
    for who, anonymous in (("staff", False), ("rep", True), ("union", False)):
        c = app.test_client()
        login_as(c, app, who)
        c.post(f"/notices/{notice_id}/objections", data={"body": f"{who} 的异议", **({"anonymous": "y"} if anonymous else {})})
        said[who] = anonymous
    with app.app_context():
        flush_anonymous(db.session, today=to_local(utcnow()).date() + timedelta(days=1))
        db.session.commit()
        lodged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "objection.lodged")
                                    .order_by(AuditEvent.seq)).all()
        signed_ids = {e.object_id for e in lodged if e.actor_id is not None}
        anonymous_events = [e for e in lodged if e.actor_id is None]
        assert len(signed_ids) == 2 and len(anonymous_events) == 1
        assert anonymous_events[0].object_id == "" and anonymous_events[0].object_type == "Objection"
    reader = app.test_client()
    login_as(reader, app, "supervisor")
    page = reader.get(f"/notices/{notice_id}").get_data(as_text=True)
    order = [who for who in ("staff", "rep", "union") if f"{who} 的异议" in page]
    assert sorted(order, key=page.index) == ["staff", "union", "rep"]
