"""Consultation pages: full page and fragment, the thread by htmx, bad input re-rendered
with a Chinese message (200), and nothing of a staff-only consultation for visitors."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.consultations.models import Comment
from portal.extensions import db
from portal.timeutil import to_local, utcnow
from tests.conftest import login_as
from tests.consultations.factories import after, opened


def _make(app, **kw):
    with app.app_context():
        c = opened(db.session, **kw)
        db.session.commit()
        return c.id


def test_list_and_page_full_and_fragment(app, client, people):
    cid = _make(app)
    login_as(client, app, "staff")
    for url in ("/consultations", f"/consultations/{cid}"):
        full = client.get(url)
        assert full.status_code == 200 and "绩效工资分配方案" in full.text and "<html" in full.text
        part = client.hx(url)
        assert part.status_code == 200
    assert "<html" not in client.hx("/consultations").text


def test_comment_by_htmx_and_empty_comment(app, client, people):
    cid = _make(app)
    login_as(client, app, "staff")
    resp = client.hx(f"/consultations/{cid}/comments", "POST", data={"body": "建议分档更细。"})
    assert resp.status_code == 200 and "意见已提交" in resp.text and 'id="thread"' in resp.text
    resp = client.hx(f"/consultations/{cid}/comments", "POST", data={"body": "  "})
    assert resp.status_code == 422 and "请填写意见内容" in resp.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


def test_anonymous_name_for_nobody_organisers_included(app, client, people):
    cid = _make(app)
    login_as(client, app, "rep")
    page = client.get(f"/consultations/{cid}").text
    assert "组织者和工会也看不到您的姓名" in page  # the form says what anonymous means
    client.hx(f"/consultations/{cid}/comments", "POST", data={"body": "匿名的意见", "anonymous": "y"})
    for who in ("staff", "admin", "secretary", "rep", "union"):
        login_as(client, app, who)
        page = client.get(f"/consultations/{cid}").text
        assert "匿名的意见" in page
        assert "提出人：" not in page and "代表rep" not in page, who


def test_staff_consultation_never_reaches_visitors(app, client, people):
    cid = _make(app, title="保密的征求意见稿SENTINEL")
    for url in ("/", "/consultations", f"/consultations/{cid}", "/notices/search?q=%E4%BF%9D%E5%AF%86", "/notices/school"):
        resp = client.get(url)
        assert "SENTINEL" not in resp.text, url
    assert client.get(f"/consultations/{cid}").status_code == 302


def test_mark_and_summary_refused_then_published(app, client, people):
    cid = _make(app)
    login_as(client, app, "staff")
    client.hx(f"/consultations/{cid}/comments", "POST", data={"body": "意见一"})
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
        from portal.consultations.models import Consultation
        c = db.session.get(Consultation, cid)
        c.closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    login_as(client, app, "union")
    resp = client.hx(f"/consultations/{cid}/summary", "POST", data={"summary_md": ""})
    assert resp.status_code == 422 and "还有 1 条意见未标注" in resp.text
    resp = client.hx(f"/consultations/comments/{comment_id}/mark", "POST",
                     data={f"m{comment_id}-adoption": "adopted", f"m{comment_id}-reason": "已采纳"})
    assert resp.status_code == 200 and "采纳" in resp.text
    resp = client.hx(f"/consultations/{cid}/summary", "POST", data={"summary_md": "谢谢"})
    assert resp.status_code == 204 and resp.headers["HX-Redirect"] == f"/consultations/{cid}"
    page = client.get(f"/consultations/{cid}").text
    assert "采纳情况" in page and "已采纳" in page


def test_staff_consultation_text_in_no_anonymous_response(app, people):
    """Every GET route of the app (with the access matrix's sample objects), as a visitor,
    full page and fragment: the staff-only consultation's title and body appear nowhere."""
    from tests.test_access_matrix import sample_args

    with app.app_context():
        from portal.consultations import rules
        from tests.disclosure.factories import user

        c = opened(db.session, title="仅限教职工SENTINEL标题")
        c.body_md, c.body_html = "正文SENTINEL2", "<p>正文SENTINEL2</p>"
        rules.comment(db.session, user(db.session, "staff"), c, "意见SENTINEL3", False)
        db.session.commit()
    args = sample_args(app, people)
    args["consultation_id"] = c.id
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **{k: args[k] for k in rule.arguments})
        for headers in ({}, {"HX-Request": "true"}):
            resp = client.get(url, headers=headers)
            assert resp.status_code < 500, url
            assert b"SENTINEL" not in resp.data, url
            checked += 1
    assert checked > 40


def test_draft_form_errors_and_publication(app, client, people):
    login_as(client, app, "leader")
    assert client.get("/consultations/new").status_code == 200
    resp = client.hx("/consultations/new", "POST", data={"title": "", "body_md": "", "audience": "staff",
                                                         "closes_on": "2001-01-01"})
    assert resp.status_code == 422 and "请填写标题" in resp.text and "<html" not in resp.text
    resp = client.post("/consultations/new", data={"title": "校服采购方案", "body_md": "正文", "audience": "staff",
                                                   "closes_on": "2001-01-01"})
    assert resp.status_code == 422 and "截止日期不能早于今天" in resp.text
    today = to_local(utcnow()).date().isoformat()
    resp = client.post("/consultations/new", data={"title": "校服采购方案", "body_md": "正文", "audience": "staff",
                                                   "closes_on": today})
    assert resp.status_code == 303
    cid = int(resp.headers["Location"].removesuffix("/edit").rsplit("/", 1)[-1])
    login_as(client, app, "staff")
    assert client.get(f"/consultations/{cid}").status_code == 403  # a draft is the organiser's own
    login_as(client, app, "leader")
    assert client.post(f"/consultations/{cid}/publish").status_code == 303
    login_as(client, app, "staff")
    assert "校服采购方案" in client.get(f"/consultations/{cid}").text


def test_matter_link_over_http(app, client, people):
    cid = _make(app)
    login_as(client, app, "union")
    resp = client.hx(f"/consultations/{cid}/matter", "POST", data={"matter_kind": "", "matter_id": ""})
    assert resp.status_code == 422 and "请选择所征求意见的事项类别" in resp.text
    resp = client.hx(f"/consultations/{cid}/matter", "POST", data={"matter_kind": "agenda_item", "matter_id": "7"})
    assert resp.status_code == 200 and "已保存" in resp.text
    with app.app_context():
        from portal.consultations.models import Consultation
        c = db.session.get(Consultation, cid)
        assert (c.matter_kind, c.matter_id) == ("agenda_item", 7)


def test_end_early_and_extend_over_htmx(app, client, people):
    cid = _make(app)
    login_as(client, app, "union")
    resp = client.hx(f"/consultations/{cid}/end", "POST", data={"end-reason": ""})
    assert resp.status_code == 422 and "请写明理由" in resp.text and 'id="organiser"' in resp.text
    later = (to_local(utcnow()).date() + timedelta(days=20)).isoformat()
    resp = client.hx(f"/consultations/{cid}/extend", "POST", data={"extend-closes_on": later,
                                                                   "extend-reason": "部分教师外出培训"})
    assert resp.status_code == 204 and resp.headers["HX-Redirect"].endswith(f"/consultations/{cid}")
    page = client.get(f"/consultations/{cid}").text
    assert f"延长至 {later}。理由：部分教师外出培训" in page
    resp = client.hx(f"/consultations/{cid}/end", "POST", data={"end-reason": "方案需提前上会"})
    assert resp.status_code == 204
    page = client.get(f"/consultations/{cid}").text
    assert "提前结束征求意见（原定" in page and "理由：方案需提前上会" in page and "采纳情况" in page
    login_as(client, app, "staff")
    assert client.hx(f"/consultations/{cid}/extend", "POST", data={"extend-closes_on": later,
                                                                  "extend-reason": "x"}).status_code == 403
