"""Proposal pages: every page as full page and as fragment, the steps over HTTP with their
Chinese refusals (nothing changed), exports with no formula cells, and nothing for visitors."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.proposals.models import Proposal
from tests.conftest import login_as
from tests.proposals.factories import answered, drafted, reps, submitted


def _make(app, factory, **kw) -> int:
    with app.app_context():
        p = factory(db.session, **kw)
        db.session.commit()
        return p.id


def test_pages_full_and_fragment(app, client, people):
    pid = _make(app, answered)
    login_as(client, app, "staff")
    for url in ("/proposals", "/proposals?status=answered", f"/proposals/{pid}", f"/proposals/{pid}/print",
                "/proposals/report"):
        full = client.get(url)
        assert full.status_code == 200 and "<html" in full.text and "增设教师午休室" in full.text, url
        assert client.hx(url).status_code == 200
    part = client.hx("/proposals?status=answered")
    assert "<html" not in part.text and 'id="register_table"' in part.text
    assert "增设教师午休室" not in client.get("/proposals?status=closed").text


def test_create_with_bad_input_rerenders_with_messages(app, client, people):
    login_as(client, app, "rep")
    assert client.get("/proposals/new").status_code == 200
    resp = client.hx("/proposals/new", "POST", data={"title": "", "reason": "", "measures": "", "category": ""})
    assert resp.status_code == 200 and "请填写提案标题" in resp.text and "请选择提案类别" in resp.text
    resp = client.post("/proposals/new", data={"title": "关于延长图书馆开放时间的建议", "reason": "晚自习后无法借书。",
                                               "measures": "开放到晚上九点。", "category": "teaching"})
    assert resp.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 1


def test_staff_may_not_propose(app, client, people):
    login_as(client, app, "staff")
    assert client.get("/proposals/new").status_code == 403


def test_steps_over_http_refused_with_a_message(app, client, people):
    with app.app_context():
        proposer, a = reps(db.session, 2)
        p = drafted(db.session, proposer)
        db.session.commit()
        pid = p.id
    login_as(client, app, "rep")
    resp = client.post(f"/proposals/{pid}/submit")
    assert resp.status_code == 303
    page = client.get(f"/proposals/{pid}").text
    assert "至少需要 2 位代表附议" in page
    resp = client.post(f"/proposals/{pid}/cosign")
    assert "不能附议自己的提案" in client.get(f"/proposals/{pid}").text
    with app.app_context():
        assert db.session.get(Proposal, pid).status == "draft"


def test_review_merge_into_itself_over_http(app, client, people):
    pid = _make(app, submitted)
    login_as(client, app, "union")
    client.post(f"/proposals/{pid}/review", data={"decision": "merge", "target_id": str(pid)})
    assert "不能把提案并入它自己" in client.get(f"/proposals/{pid}").text
    client.post(f"/proposals/{pid}/review", data={"decision": ""})
    assert "请选择审查意见" in client.get(f"/proposals/{pid}").text
    client.post(f"/proposals/{pid}/review", data={"decision": "accept"})
    assert "已立案" in client.get(f"/proposals/{pid}").text


def test_exports_are_spreadsheets_without_formulas(app, client, people):
    with app.app_context():
        submitted(db.session, title="=HYPERLINK(\"http://evil\")")
        db.session.commit()
    login_as(client, app, "staff")
    for url in ("/proposals/register.xlsx", "/proposals/report.xlsx"):
        resp = client.get(url)
        assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
        wb = load_workbook(io.BytesIO(resp.data))
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        hostile = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
        assert hostile and all(c.data_type == "s" for c in hostile)


def test_visitors_see_nothing(app, client, people):
    pid = _make(app, submitted, title="SENTINEL提案")
    for url in ("/", "/proposals", f"/proposals/{pid}", "/proposals/report", "/proposals/register.xlsx"):
        resp = client.get(url)
        assert "SENTINEL" not in resp.text
        assert resp.status_code in (200, 302)
