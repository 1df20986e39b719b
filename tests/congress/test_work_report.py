"""The principal's work report to a session (issue 10, "Reporting to the congress"): rules
without HTTP, then the pages, bad input and refusals over HTTP."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.congress.models import CongressSession, SessionDocument, WorkReport, WorkReportOpinion
from portal.congress.rules import CongressError, sessions
from portal.congress.rules import work_report as rules
from portal.extensions import db
from portal.notify.models import Notification
from tests.congress import factories as f
from tests.conftest import login_as


@pytest.fixture
def union(session, people):
    return f.user(session, "union")


def _planned(session, union, **kw) -> CongressSession:
    return sessions.create_session(session, union, f.term(session), date(2026, 3, 1), "礼堂", **kw)


def _notes(session, user_id: int) -> list[str]:
    return list(session.scalars(select(Notification.message).where(Notification.recipient_id == user_id)))


def test_a_session_does_not_open_without_the_work_report(session, union, people) -> None:
    cs = _planned(session, union)
    assert any("需要校长工作报告" in m for m in _notes(session, people["principal"]))  # the office is told
    with pytest.raises(CongressError, match="必备议程"):
        sessions.open_session(session, union, cs)
    assert cs.status == "planned"
    f.file_report(session, cs)
    sessions.open_session(session, union, cs)
    assert cs.status == "open"


def test_an_extraordinary_session_opens_without_it_and_asks_nobody(session, union, people) -> None:
    cs = _planned(session, union, work_report_required=False)
    assert not any("需要校长工作报告" in m for m in _notes(session, people["principal"]))
    sessions.open_session(session, union, cs)
    assert cs.status == "open"


def test_the_report_is_revised_while_planned_and_fixed_once_open(session, union, people) -> None:
    principal, rep = f.user(session, "principal"), f.user(session, "rep")
    cs = _planned(session, union)
    first = rules.file_report(session, principal, cs, rules.prepare("校长工作报告", "一、回顾"))
    assert "已提交" in _notes(session, rep.id)[0]  # representatives are told to read it
    again = rules.file_report(session, principal, cs, rules.prepare("校长工作报告（修订）", "一、回顾\n\n二、计划"))
    assert again.id == first.id and again.revision == 2 and "<p>二、计划</p>" in again.body_html
    assert len(_notes(session, rep.id)) == 1  # a revision is not a second message
    sessions.open_session(session, union, cs)
    with pytest.raises(CongressError, match="不能再提交或修改"):
        rules.file_report(session, principal, cs, rules.prepare("改", "改"))
    assert session.get(WorkReport, first.id).title == "校长工作报告（修订）"
    events = session.scalars(select(AuditEvent.action).where(AuditEvent.action == "congress.work_report_filed")).all()
    assert len(events) == 2  # each version's hash is on record


@pytest.mark.parametrize("title, body, message", [
    ("", "正文", "标题"), ("题" * 121, "正文", "不能超过"), ("报告", "  ", "正文"), ("报告", "字" * 50_001, "不能超过"),
])
def test_bad_report_text_is_refused(title, body, message) -> None:
    with pytest.raises(CongressError, match=message):
        rules.prepare(title, body)


def test_markup_in_the_report_is_inert() -> None:
    draft = rules.prepare("报告", '<script>alert(1)</script>\n\n[点我](javascript:alert(1)) <img src=x onerror=1>')
    assert "<script" not in draft.html and "javascript:" not in draft.html and "onerror" not in draft.html


def test_reading_opinions_and_answers(session, union, people) -> None:
    cs = f.open_session(session, union)
    report = rules.report_of(session, cs)
    rep, staff, principal = f.user(session, "rep"), f.user(session, "staff"), f.user(session, "principal")
    rules.mark_read(session, rep, report)
    with pytest.raises(CongressError, match="已标记"):
        rules.mark_read(session, rep, report)
    with pytest.raises(CongressError, match="不是"):
        rules.mark_read(session, staff, report)  # not a representative
    with pytest.raises(CongressError, match="不是"):
        rules.leave_opinion(session, staff, report, "意见")
    with pytest.raises(CongressError, match="请填写意见"):
        rules.leave_opinion(session, rep, report, "   ")
    opinion = rules.leave_opinion(session, rep, report, "建议增加青年教师培养的措施。")
    assert any("提出了意见" in m for m in _notes(session, principal.id))
    assert rules.standing(session, cs) == rules.Standing(True, 1, 1, 1)
    missing, unanswered, where = rules.office_backlog(session)
    assert missing == [] and unanswered == 1 and where == cs.id

    with pytest.raises(CongressError, match="请填写答复"):
        rules.answer_opinion(session, principal, opinion, "")
    rules.answer_opinion(session, principal, opinion, "已采纳，下学期出台培养计划。")
    with pytest.raises(CongressError, match="不能修改"):
        rules.answer_opinion(session, principal, opinion, "改口")
    assert session.get(WorkReportOpinion, opinion.id).answer == "已采纳，下学期出台培养计划。"
    assert any("得到答复" in m for m in _notes(session, rep.id))
    assert rules.office_backlog(session)[1] == 0

    sessions.close_session(session, union, cs)
    with pytest.raises(CongressError, match="闭会"):
        rules.leave_opinion(session, rep, report, "闭会后的意见")


def test_the_office_backlog_names_each_session_missing_its_report(session, union, people) -> None:
    first, second = _planned(session, union), _planned(session, union)
    _planned(session, union, work_report_required=False)
    missing, unanswered, where = rules.office_backlog(session)
    assert [m.session_id for m in missing] == [first.id, second.id] and unanswered == 0 and where is None
    f.file_report(session, first)
    assert [m.session_id for m in rules.office_backlog(session)[0]] == [second.id]


def test_a_compiled_report_is_frozen_and_refused_after_close(session, union, people, app) -> None:
    from portal.files import store

    cs = f.open_session(session, union)
    doc = sessions.attach_document(session, union, cs, store(app.config["UPLOAD_DIR"], "a.pdf", b"%PDF-1.4\n%%EOF\n"))
    report = rules.attach_compiled(session, union, cs, "决议执行情况报告", "<p>决议 3 项</p>", doc)
    assert rules.compiled_for(session, cs) == [report] and len(report.sha256) == 64
    sessions.close_session(session, union, cs)
    with pytest.raises(CongressError, match="闭会"):
        rules.attach_compiled(session, union, cs, "再附", "<p></p>", doc)


# --- over HTTP ----------------------------------------------------------------------------

@pytest.fixture
def planned(app, people):
    with app.app_context():
        cs = _planned(db.session, f.user(db.session, "union"))
        db.session.commit()
        return cs.id


def test_the_office_files_the_report_with_a_paper(app, client, planned) -> None:
    login_as(client, app, "principal")
    page = client.get(f"/congress/sessions/{planned}/work-report")
    assert page.status_code == 200 and "尚未提交" in page.get_data(as_text=True)
    resp = client.post(f"/congress/sessions/{planned}/work-report", data={
        "title": "关于学校工作的报告", "body": "## 一、回顾\n\n工作顺利。",
        "file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "校长工作报告.pdf")}, content_type="multipart/form-data")
    assert resp.status_code == 303
    page = client.get(f"/congress/sessions/{planned}/work-report").get_data(as_text=True)
    assert "<h2>一、回顾</h2>" in page and "下载报告文件：校长工作报告.pdf" in page
    assert "校长工作报告" in client.get(f"/congress/sessions/{planned}").get_data(as_text=True)


def test_a_refused_file_explains_and_files_nothing(app, client, planned) -> None:
    login_as(client, app, "principal")
    resp = client.hx(f"/congress/sessions/{planned}/work-report", method="POST", data={
        "title": "报告", "body": "正文", "file": (io.BytesIO(b"<svg onload=alert(1)>"), "报告.svg")},
        content_type="multipart/form-data")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "SVG" in body and 'id="file-form"' in body and "<html" not in body
    assert 'value="报告"' in body  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WorkReport)) == 0
        assert db.session.scalar(select(func.count()).select_from(SessionDocument)) == 0


def test_an_empty_opinion_is_explained_in_the_form(app, client, people) -> None:
    with app.app_context():
        cs = f.open_session(db.session, f.user(db.session, "union"))
        db.session.commit()
        cs_id = cs.id
    login_as(client, app, "rep")
    resp = client.hx(f"/congress/sessions/{cs_id}/work-report/opinions", method="POST", data={"body": ""})
    assert resp.status_code == 422 and "请填写意见" in resp.get_data(as_text=True)
    resp = client.post(f"/congress/sessions/{cs_id}/work-report/opinions", data={"body": "建议公开食堂账目。"})
    assert resp.status_code == 303
    assert "建议公开食堂账目。" in client.get(f"/congress/sessions/{cs_id}/work-report").get_data(as_text=True)


def test_hidden_forms_are_refused_by_the_routes(app, client, people) -> None:
    """Staff see the report but neither the opinion form nor the answer form; posting anyway
    is refused, and a representative cannot answer."""
    with app.app_context():
        cs = f.open_session(db.session, f.user(db.session, "union"))
        report = rules.report_of(db.session, cs)
        opinion = rules.leave_opinion(db.session, f.user(db.session, "rep"), report, "意见")
        db.session.commit()
        cs_id, opinion_id = cs.id, opinion.id
    login_as(client, app, "staff")
    page = client.get(f"/congress/sessions/{cs_id}/work-report").get_data(as_text=True)
    assert "提交意见" not in page and "发布答复" not in page
    assert client.post(f"/congress/sessions/{cs_id}/work-report/opinions", data={"body": "x"}).status_code == 403
    login_as(client, app, "rep")
    assert client.post(f"/congress/work-report-opinions/{opinion_id}/answer",
                       data={f"a{opinion_id}-answer": "x"}).status_code == 403
    login_as(client, app, "principal")
    assert "发布答复" in client.get(f"/congress/sessions/{cs_id}/work-report").get_data(as_text=True)
    resp = client.post(f"/congress/work-report-opinions/{opinion_id}/answer", data={f"a{opinion_id}-answer": "已落实。"})
    assert resp.status_code == 303
    with app.app_context():
        assert db.session.get(WorkReportOpinion, opinion_id).answer == "已落实。"
