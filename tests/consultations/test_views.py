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
    assert resp.status_code == 200 and "请填写意见内容" in resp.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


def test_anonymous_name_only_for_organisers(app, client, people):
    cid = _make(app)
    login_as(client, app, "rep")
    client.hx(f"/consultations/{cid}/comments", "POST", data={"body": "匿名的意见", "anonymous": "y"})
    for who, sees in (("staff", False), ("admin", False), ("secretary", False), ("rep", False), ("union", True)):
        login_as(client, app, who)
        page = client.get(f"/consultations/{cid}").text
        assert "匿名的意见" in page
        assert ("提出人：rep" in page) is sees, who


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
    assert resp.status_code == 200 and "还有 1 条意见未标注" in resp.text
    resp = client.hx(f"/consultations/comments/{comment_id}/mark", "POST",
                     data={f"m{comment_id}-adoption": "adopted", f"m{comment_id}-reason": "已采纳"})
    assert resp.status_code == 200 and "采纳" in resp.text
    resp = client.hx(f"/consultations/{cid}/summary", "POST", data={"summary_md": "谢谢"})
    assert resp.status_code == 204 and resp.headers["HX-Redirect"] == f"/consultations/{cid}"
    page = client.get(f"/consultations/{cid}").text
    assert "采纳情况" in page and "已采纳" in page
