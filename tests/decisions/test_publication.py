"""Issue 20.5: a Party-meeting decision reaches 党务公开 in one action by the secretary, through
the disclosure workflow, linked both ways, never with stances or votes; the 随时 item that
receives decisions is checked for timeliness (within N working days)."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest

from portal.decisions.models import Resolution
from portal.decisions.rules import DecisionError
from portal.decisions.rules.publication import PARTY_DECISION, publish_decision
from portal.disclosure.models import CatalogItem, Notice
from portal.disclosure.queries import catalogue_status, late_events
from portal.disclosure.rules import publish
from portal.extensions import db
from portal.timeutil import local_to_utc
from tests.conftest import login_as
from tests.decisions import factories as f


def _item(session) -> CatalogItem:
    item = CatalogItem(channel="party", name="党组织会议决定事项", cadence="event", receives=PARTY_DECISION,
                       event_days=5)
    session.add(item)
    session.flush()
    return item


def test_late_events_worked_dates():
    # decided Tuesday 10 March 2026: 5 working days from the next day end Tuesday 17 March
    events = [("甲", date(2026, 3, 10), local_to_utc(date(2026, 3, 17), time(9))),
              ("乙", date(2026, 3, 10), local_to_utc(date(2026, 3, 18), time(9))),
              ("丙", date(2026, 3, 10), None)]
    assert late_events(events, 5, local_to_utc(date(2026, 3, 17), time(20))) == [("乙", date(2026, 3, 17))]
    assert late_events(events, 5, local_to_utc(date(2026, 3, 18), time(9))) == [
        ("乙", date(2026, 3, 17)), ("丙", date(2026, 3, 17))]


def test_publish_in_one_action_through_the_workflow(session, people):
    school = f.school(session)
    item = _item(session)
    res = f.resolution(session, visibility="staff")
    when = local_to_utc(date(2026, 3, 11), time(9))
    notice = publish_decision(session, school["secretary"], res, item, "党委会", now=when)
    assert notice.status == "submitted" and notice.channel == "party" and notice.audience == "staff"
    assert res.notice_id == notice.id and notice.author_id == school["secretary"].id
    assert "2026年3月10日，党委会研究决定：" in notice.body_md and "按决议执行" in notice.body_md
    assert "举手" not in notice.body_md and "同意" not in notice.body_md  # no votes, no stances
    with pytest.raises(DecisionError, match="已提交党务公开"):
        publish_decision(session, school["secretary"], res, item, "党委会")
    status = {r.item.id: r for r in catalogue_status(session, local_to_utc(date(2026, 3, 30), time(9)))}[item.id]
    assert status.events == 1 and status.overdue  # submitted, never approved: not published in time
    publish(session, school["principal"], notice, now=local_to_utc(date(2026, 3, 12), time(9)))  # 副书记 approves
    status = {r.item.id: r for r in catalogue_status(session, local_to_utc(date(2026, 3, 30), time(9)))}[item.id]
    assert not status.overdue and status.late == ()


def test_internal_and_office_decisions_are_refused(session, people):
    school = f.school(session)
    item = _item(session)
    internal = f.resolution(session, visibility="internal")
    with pytest.raises(DecisionError, match="校内公开或社会公开"):
        publish_decision(session, school["secretary"], internal, item, "党委会")
    assert internal.notice_id is None and session.query(Notice).count() == 0


def test_linked_both_ways_over_http(app, client, people):
    with app.app_context():
        s = db.session
        f.school(s)
        item = _item(s)
        res = f.resolution(s, visibility="public", title="续签食堂承包合同PUBDEC")
        s.commit()
        ids = {"res": res.id, "item": item.id}
    login_as(client, app, "principal")  # not the secretary
    assert client.post(f"/resolutions/{ids['res']}/disclose", data={"catalog_item_id": ids["item"]}).status_code == 403
    login_as(client, app, "secretary")
    page = client.get(f"/resolutions/{ids['res']}").get_data(as_text=True)
    assert 'id="disclose-form"' in page
    resp = client.post(f"/resolutions/{ids['res']}/disclose", data={"catalog_item_id": ids["item"]})
    assert resp.status_code == 303
    with app.app_context():
        notice_id = db.session.get(Resolution, ids["res"]).notice_id
        notice = db.session.get(Notice, notice_id)
        publish(db.session, f.user(db.session, "principal"), notice)
        db.session.commit()
    page = client.get(f"/resolutions/{ids['res']}").get_data(as_text=True)
    assert f"/notices/{notice_id}" in page
    client.post("/logout")
    shown = client.get(f"/notices/{notice_id}").get_data(as_text=True)
    assert "PUBDEC" in shown and f"/resolutions/{ids['res']}" in shown and "党组织会议决议" in shown


def test_the_admin_chooses_which_item_receives_party_decisions(app, client, people):
    """The catalogue's admin page sets which 党务公开 item receives the Party meeting's
    decisions (and its working days); one item at a time, a 随时 item of the Party channel."""
    from sqlalchemy import select

    with app.app_context():
        s = db.session
        old = _item(s)
        new = CatalogItem(channel="party", name="党委会决议公开", cadence="event")
        school = CatalogItem(channel="school", name="校务会议决定", cadence="event")
        monthly = CatalogItem(channel="party", name="党费收缴", cadence="monthly")
        s.add_all([new, school, monthly])
        s.commit()
        ids = {"old": old.id, "new": new.id, "school": school.id, "monthly": monthly.id}
    login_as(client, app, "admin")
    form = client.get(f"/disclosure/catalogue/{ids['new']}").get_data(as_text=True)
    assert 'name="receives"' in form and "党组织会议的决定事项" in form

    def post(key: str, cadence: str, **extra):
        data = {"name": {"new": "党委会决议公开", "school": "校务会议决定", "monthly": "党费收缴"}[key],
                "cadence": cadence, "default_audience": "staff", "active": "y", "receives": PARTY_DECISION, **extra}
        return client.post(f"/disclosure/catalogue/{ids[key]}", data=data)

    refused = post("school", "event")
    assert refused.status_code == 422 and "只能由“党务公开”类别的目录项接收" in refused.get_data(as_text=True)
    refused = post("monthly", "monthly")
    assert refused.status_code == 422 and "只有“随时”公开的目录项可以接收事项" in refused.get_data(as_text=True)
    assert post("new", "event", event_days="31").status_code == 200  # the form refuses more than 30 days
    assert post("new", "event", event_days="3").status_code == 303
    with app.app_context():
        rows = dict(db.session.execute(select(CatalogItem.id, CatalogItem.receives)).tuples().all())
        assert rows[ids["new"]] == PARTY_DECISION and rows[ids["old"]] == ""  # one item at a time
        assert db.session.get(CatalogItem, ids["new"]).event_days == 3
        from portal.decisions.queries import party_catalogue_items

        assert party_catalogue_items(db.session)[0].id == ids["new"]  # offered first when publishing
    # and back to none
    client.post(f"/disclosure/catalogue/{ids['new']}", data={"name": "党委会决议公开", "cadence": "event",
                                                               "default_audience": "staff", "active": "y",
                                                               "receives": ""})
    with app.app_context():
        assert db.session.get(CatalogItem, ids["new"]).receives == ""
