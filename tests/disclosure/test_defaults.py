"""A catalogue item's defaults (audience, 公示 period) fill in only what the author has not
chosen (issue 21 item 14): the audience posted is the audience stored and read, whatever
the item's default; the htmx defaults fragment never replaces a setting named in
``touched``; and who will read a notice is said in plain words where it is approved."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.disclosure import rules
from portal.disclosure.models import Notice
from portal.extensions import db
from tests.conftest import login_as
from tests.disclosure.factories import catalog, draft, user

HX = {"HX-Request": "true"}


def _item(app, audience: str, gongshi: int = 0, name: str | None = None) -> int:
    with app.app_context():
        item = catalog(db.session, name=name or f"默认{audience}{gongshi}", audience=audience, gongshi=gongshi)
        db.session.commit()
        return item.id


def _selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
    assert select, name
    chosen = re.search(r'<option selected value="([^"]*)"', select.group(0))
    return chosen.group(1) if chosen else None


def _value(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


# --- the rules store what they are given ---------------------------------------------------

@pytest.mark.parametrize("default,chosen", [("public", "staff"), ("staff", "public"), ("public", "party")])
def test_a_draft_keeps_the_audience_it_was_given_whatever_the_default(session, people, default, chosen):
    item = catalog(session, name="目录", audience=default, gongshi=5)
    notice = rules.create_draft(session, user(session, "leader"), item=item, audience=chosen, title="标题",
                                body_md="正文", requires_ack=False, gongshi_days=0)
    rules.submit(session, user(session, "leader"), notice)
    rules.publish(session, user(session, "principal"), notice)
    assert (notice.audience, notice.gongshi_days) == (chosen, 0)


# --- the posted audience is the one stored and read --------------------------------------------

@pytest.mark.parametrize("default,chosen", [("public", "staff"), ("staff", "public")])
def test_the_posted_audience_is_stored_and_decides_who_reads_it(app, client, people, default, chosen):
    item_id = _item(app, default, gongshi=5)
    title = f"章程修订 AUDIENCE{chosen.upper()}"
    login_as(client, app, "leader")
    r = client.post("/notices/new", data={"catalog_item_id": item_id, "audience": chosen, "title": title,
                                          "body_md": "正文", "gongshi_days": "0", "touched": ""})
    assert r.status_code == 303
    with app.app_context():
        notice = db.session.scalar(select(Notice).where(Notice.title == title))
        assert (notice.audience, notice.gongshi_days) == (chosen, 0)
        notice_id = notice.id
    client.post(f"/notices/{notice_id}/submit")
    login_as(client, app, "principal")
    client.post(f"/notices/{notice_id}/publish")
    with app.app_context():
        assert db.session.get(Notice, notice_id).audience == chosen
    with client.session_transaction() as s:
        s.clear()
    public = chosen == "public"
    for url in ("/", "/notices/school", "/notices/search?q=章程修订"):
        assert (title in client.get(url).get_data(as_text=True)) is public, url


def test_editing_a_draft_keeps_the_audience_posted(app, client, people):
    item_id = _item(app, "public")
    with app.app_context():
        notice_id = draft(db.session, audience="public", title="旧标题").id
        db.session.commit()
    login_as(client, app, "leader")
    r = client.post(f"/notices/{notice_id}/edit", data={"catalog_item_id": item_id, "audience": "staff",
                                                         "title": "新标题", "body_md": "正文", "gongshi_days": "0"})
    assert r.status_code == 303
    with app.app_context():
        assert db.session.get(Notice, notice_id).audience == "staff"


# --- the htmx defaults fragment ------------------------------------------------------------------

def test_an_untouched_form_takes_the_items_defaults_and_says_so(app, client, people):
    item_id = _item(app, "staff", gongshi=5, name="干部任免")
    login_as(client, app, "leader")
    r = client.get("/notices/new", headers=HX, query_string={
        "catalog_item_id": item_id, "audience": "public", "gongshi_days": "0", "touched": ""})
    html = r.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="notice_settings">')
    assert _selected(html, "audience") == "staff" and _value(html, "gongshi_days") == "5"
    assert "已按“干部任免”的默认设置：公开范围改为“校内公开（教职工）”，公示期改为 5 个工作日。" in html
    assert "保留了您已选的设置" not in html


def test_a_chosen_audience_is_kept_and_the_untouched_period_filled(app, client, people):
    item_id = _item(app, "public", gongshi=5, name="章程与规章制度")
    login_as(client, app, "leader")
    r = client.get("/notices/new", headers=HX, query_string={
        "catalog_item_id": item_id, "audience": "staff", "gongshi_days": "0", "touched": "audience"})
    html = r.get_data(as_text=True)
    assert _selected(html, "audience") == "staff"
    assert _value(html, "gongshi_days") == "5"
    assert _value(html, "touched") == "audience"  # carried on to the next request
    assert "已按“章程与规章制度”的默认设置：公示期改为 5 个工作日。" in html
    assert "保留了您已选的设置，未按“章程与规章制度”的默认改动：公开范围“校内公开（教职工）”（默认为“社会公开”）。" in html
    assert "公开范围改为" not in html


def test_a_chosen_public_audience_and_period_are_both_kept(app, client, people):
    item_id = _item(app, "staff", gongshi=5, name="评优评先")
    login_as(client, app, "leader")
    r = client.get("/notices/new", headers=HX, query_string={
        "catalog_item_id": item_id, "audience": "public", "gongshi_days": "0", "touched": "gongshi_days audience"})
    html = r.get_data(as_text=True)
    assert _selected(html, "audience") == "public" and _value(html, "gongshi_days") == "0"
    assert "已按" not in html
    assert "公开范围“社会公开”（默认为“校内公开（教职工）”），公示期：不公示（默认：5 个工作日）" in html


def test_unknown_names_in_touched_are_ignored(app, client, people):
    item_id = _item(app, "staff", gongshi=0)
    login_as(client, app, "leader")
    r = client.get("/notices/new", headers=HX, query_string={
        "catalog_item_id": item_id, "audience": "public", "gongshi_days": "0", "touched": "title <b> audiencex"})
    html = r.get_data(as_text=True)
    assert _selected(html, "audience") == "staff"
    assert "<b>" not in html


def test_a_link_to_an_item_fills_the_defaults_of_a_new_form(app, client, people):
    item_id = _item(app, "staff", gongshi=5)
    login_as(client, app, "leader")
    html = client.get(f"/notices/new?item={item_id}").get_data(as_text=True)
    assert _selected(html, "audience") == "staff" and _value(html, "gongshi_days") == "5"
    assert _value(html, "touched") == ""


def test_a_saved_draft_keeps_its_settings_when_the_item_changes(app, client, people):
    item_id = _item(app, "staff", gongshi=5, name="干部任免")
    with app.app_context():
        notice_id = draft(db.session, audience="public", gongshi=0).id
        db.session.commit()
    login_as(client, app, "leader")
    page = client.get(f"/notices/{notice_id}/edit").get_data(as_text=True)
    assert _value(page, "touched") == "audience gongshi_days"
    r = client.get(f"/notices/{notice_id}/edit", headers=HX, query_string={
        "catalog_item_id": item_id, "audience": "public", "gongshi_days": "0", "touched": "audience gongshi_days"})
    html = r.get_data(as_text=True)
    assert _selected(html, "audience") == "public" and _value(html, "gongshi_days") == "0"
    assert "未按“干部任免”的默认改动" in html


def test_the_catalogue_select_drops_a_stale_answer_and_carries_what_was_touched(app, client, people):
    _item(app, "staff")
    login_as(client, app, "leader")
    html = client.get("/notices/new").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="catalog_item_id"[^>]*>', html).group(0)
    assert 'hx-include="#audience, #gongshi_days, #touched"' in select
    assert "data-drop-if-changed" in select and 'hx-sync="this:replace"' in select
    assert re.search(r'<input[^>]*data-touched="audience gongshi_days"[^>]*name="touched"', html)


# --- where it is approved --------------------------------------------------------------------------

@pytest.mark.parametrize("audience,words", [
    ("public", "发布后任何人都能看到，包括未登录的校外访客"),
    ("staff", "发布后仅本校教职工登录后可见，不对校外公开。"),
    ("party", "发布后仅党员登录后可见。"),
])
def test_the_approver_reads_who_will_see_it_next_to_the_approve_button(app, client, people, audience, words):
    with app.app_context():
        channel = "party" if audience == "party" else "school"
        notice = draft(db.session, channel=channel, audience=audience, title="待审的公告")
        rules.submit(db.session, user(db.session, "leader"), notice)
        db.session.commit()
        notice_id = notice.id
    login_as(client, app, "secretary" if channel == "party" else "principal")
    html = client.get(f"/notices/{notice_id}").get_data(as_text=True)
    actions = html[html.index('class="card actions-card"'):]
    callout = re.search(r'<div class="audience-callout audience-(\w+)" role="note">(.*?)</div>', actions, re.S)
    assert callout and callout.group(1) == audience and words in callout.group(2)
    assert actions.index("audience-callout") < actions.index("审批通过并发布")
    workspace = client.get("/notices/workspace").get_data(as_text=True)
    waiting = workspace[workspace.index("待我审批"):workspace.index("我的草稿与待审")]
    assert f'<span class="tag audience-{audience}">' in waiting


def test_a_reader_is_not_shown_the_callout(app, client, people):
    with app.app_context():
        notice_id = draft(db.session, audience="staff").id
        rules.submit(db.session, user(db.session, "leader"), db.session.get(Notice, notice_id))
        rules.publish(db.session, user(db.session, "principal"), db.session.get(Notice, notice_id))
        db.session.commit()
    login_as(client, app, "staff")
    assert "audience-callout" not in client.get(f"/notices/{notice_id}").get_data(as_text=True)


def test_a_new_notice_has_no_audience_until_someone_chooses_one(app, client, people):
    """A form that opened on 社会公开 published whatever nobody chose (JavaScript off, or the
    author accepting what was shown): the audience starts empty and must be chosen."""
    item_id = _item(app, "public", gongshi=0)
    login_as(client, app, "leader")
    page = client.get("/notices/new").get_data(as_text=True)
    menu = re.search(r'<select[^>]*name="audience".*?</select>', page, re.S).group(0)
    assert menu.index('<option value="">') < menu.index("社会公开") and "selected" not in menu, menu
    r = client.post("/notices/new", data={"catalog_item_id": item_id, "title": "无人选择范围", "body_md": "正文",
                                          "gongshi_days": "0", "touched": ""})
    assert r.status_code == 200 and "请选择公开范围。" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Notice.id).where(Notice.title == "无人选择范围")) is None
