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


def test_dashboard_todos_for_each_step(app, client, people):
    from datetime import timedelta

    from portal.proposals.models import Proposal as P

    pid = _make(app, submitted)
    login_as(client, app, "union")
    assert "1 件提案待审查" in client.get("/todos").text
    client.post(f"/proposals/{pid}/review", data={"decision": "accept"})
    assert "1 件已立案提案待交办" in client.get("/todos").text
    with app.app_context():
        from tests.proposals.factories import department
        department(db.session)
        db.session.commit()
    with app.app_context():
        from portal.auth.models import Department
        dept = db.session.scalar(select(Department.id).where(Department.name == "总务处"))
    from portal.timeutil import to_local, utcnow
    deadline = (to_local(utcnow()).date() + timedelta(days=3)).isoformat()
    client.post(f"/proposals/{pid}/assign", data={"lead_id": str(dept), "deadline": deadline})
    login_as(client, app, "handler")
    assert "请答复提案：关于增设教师午休室的建议" in client.get("/todos").text
    with app.app_context():  # time passes: the deadline is behind us
        from portal.audit.rules import record
        db.session.get(P, pid).deadline = to_local(utcnow()).date() - timedelta(days=1)
        record(db.session, None, "test.clock", None)  # the data version moves, as with any change
        db.session.commit()
    assert "逾期未答复：关于增设教师午休室的建议" in client.get("/todos").text
    assert "逾期" in client.get("/proposals?overdue=y").text
    login_as(client, app, "union")
    assert "1 件提案逾期未答复" in client.get("/todos").text


def test_pages_in_english(app, client, people):
    pid = _make(app, answered)
    with app.app_context():
        from tests.consultations.factories import opened
        cid = opened(db.session).id
        db.session.commit()
    login_as(client, app, "rep")
    client.post("/language", data={"lang": "en"})
    for url in ("/proposals", f"/proposals/{pid}", f"/proposals/{pid}/print", "/proposals/report", "/proposals/new",
                "/proposals/similar?title=%E6%95%99%E5%B8%88%E5%8D%88%E4%BC%91%E5%AE%A4", "/consultations",
                f"/consultations/{cid}", "/todos", "/inbox"):
        resp = client.get(url)
        assert resp.status_code == 200, url
    text = client.get(f"/proposals/{pid}").text
    assert "Being solved or planned" in text and "Rate the answer" in text
    assert "similarity" in client.get("/proposals/similar?title=%E6%95%99%E5%B8%88%E5%8D%88%E4%BC%91%E5%AE%A4").text
    assert "Please rate the answer to your proposal" in client.get("/todos").text


def test_my_proposals_from_the_proposals_page_and_the_dashboard(app, client, people):
    """A draft is found again from the proposals page and on the dashboard (issue 21.5); a
    co-signer finds the proposals they co-signed; others do not see them listed as theirs."""
    with app.app_context():
        drafted(db.session, title="我的草稿：教师午休")
        submitted(db.session, title="已提交的食堂提案")
        db.session.commit()
    login_as(client, app, "rep")
    assert '/proposals/mine"' in client.get("/proposals").text
    page = client.get("/proposals/mine")
    assert page.status_code == 200 and "我的草稿：教师午休" in page.text and "已提交的食堂提案" in page.text
    assert "提案人" in page.text and client.hx("/proposals/mine").status_code == 200
    home = client.get("/").text
    assert "我的提案" in home and "我的草稿：教师午休" in home
    login_as(client, app, "rep_a")  # co-signed the submitted one
    page = client.get("/proposals/mine").text
    assert "已提交的食堂提案" in page and "附议人" in page and "我的草稿：教师午休" not in page
    login_as(client, app, "staff")
    assert "我的草稿" not in client.get("/proposals/mine").text
    assert "我的草稿" not in client.get("/").text


def test_closed_dissatisfied_after_two_rounds_is_flagged_for_the_committee(app, client, people):
    """不满意 twice: the union's to-do, the committee's report and the message say so, not
    only 办结 (issue 21.7); a satisfied closing is not flagged."""
    from portal.notify.models import Notification
    from portal.proposals import rules
    from tests.disclosure.factories import user

    with app.app_context():
        s = db.session
        p = answered(s, title="两轮仍不满意的提案")
        rep, handler = user(s, "rep"), user(s, "handler")
        rules.rate(s, rep, p, "dissatisfied")
        rules.answer(s, handler, p, "cannot", "经费不足，暂不能解决。")
        rules.rate(s, rep, p, "dissatisfied")
        q = answered(s, title="满意办结的提案")
        rules.rate(s, rep, q, "satisfied")
        s.commit()
        union_id = user(s, "union").id
        told = s.scalars(select(Notification.message).where(Notification.recipient_id == union_id)).all()
        assert any("提案人仍不满意" in m for m in told)
    login_as(client, app, "union")
    todos = client.get("/todos").text
    assert "1 件提案两轮答复后提案人仍不满意，请提案工作委员会研究" in todos
    report = client.get("/proposals/report").text
    flagged = report[report.index("两轮答复后仍不满意的提案"):report.index("按承办部门")]
    assert "两轮仍不满意的提案" in flagged and "满意办结的提案" not in flagged
    listed = client.get("/proposals?status=closed&rating=dissatisfied").text
    assert "两轮仍不满意的提案" in listed and "满意办结的提案" not in listed
