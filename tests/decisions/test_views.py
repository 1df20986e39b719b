"""Decisions over HTTP: every page as a full page and as an htmx fragment, bad input
re-rendered with its message, visibility of staff and internal resolutions everywhere a
resolution surfaces, exports, printing, and the tracker's query count and plan."""
from __future__ import annotations

import io
import json
import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, insert, select

from portal.decisions.models import Item, Meeting, Report, Resolution, Stance, Urging
from portal.decisions.rules import resolutions as res_rules
from portal.extensions import db
from tests.conftest import ON_POSTGRES, login_as
from tests.decisions import factories as f

PUBLIC_T, STAFF_T, INTERNAL_T = "公开决议PUBSENT", "校内决议STAFFSENT", "内部决议INTSENT"


@pytest.fixture
def world(app, people):
    """A committee, a settled Party meeting with an item under discussion, and three
    resolutions touching staff interests: public, staff-only and internal."""
    with app.app_context():
        s = db.session
        f.school(s)
        ids = {}
        for vis, title in (("public", PUBLIC_T), ("staff", STAFF_T), ("internal", INTERNAL_T)):
            m, it = f.passed_item(s, title, on=date(2026, 2, 10))
            it.staff_interest = True
            res = res_rules.add_resolution(s, f.user(s, "recorder"), it, title=title, text="内容", owner=f.user(
                s, "principal"), deadline=date(2026, 12, 31), visibility=vis)
            ids[vis] = res.id
        item = f.item(s, "party", "教师培训经费")
        meeting = f.settled(s, "party", [item])
        ids.update(meeting=meeting.id, item=item.id)
        s.commit()
        return ids


def _pages(world):
    return [
        ("/decisions", "secretary"), ("/decisions/procedure/party", "secretary"), ("/decisions/items/new", "leader"),
        (f"/decisions/items/{world['item']}", "secretary"), ("/decisions/meetings/new", "secretary"),
        (f"/decisions/meetings/{world['meeting']}", "recorder"), (f"/decisions/meetings/{world['meeting']}/minutes", "supervisor"),
        ("/tracker", None), ("/tracker", "staff"), (f"/resolutions/{world['public']}", None),
        (f"/resolutions/{world['staff']}/reconsider", "principal"), ("/decisions/congress-report", "union"),
        ("/decisions/self-check?year=2025", "supervisor"),
    ]


def test_every_page_full_and_fragment(app, client, world):
    for path, who in _pages(world):
        if who:
            login_as(client, app, who)
        else:
            client.post("/logout")
        full = client.get(path)
        assert full.status_code == 200, (path, who, full.status_code)
        assert b"<html" in full.data
        frag = client.hx(path)
        assert frag.status_code == 200, (path, who)
        assert "Vary" in frag.headers


def test_meeting_page_states_the_rule_with_figures(app, client, world):
    login_as(client, app, "recorder")
    html = client.get(f"/decisions/meetings/{world['meeting']}").get_data(as_text=True)
    assert "应到 7 人，实到 7 人" in html and "至少 4 票赞成方可通过" in html
    assert "校长倒数第二、书记最后表态" in html


def test_stance_out_of_order_is_refused_on_the_page(app, client, world):
    login_as(client, app, "recorder")
    with app.app_context():
        secretary = f.user(db.session, "secretary").id
    resp = client.hx(f"/decisions/meetings/{world['meeting']}/stance", "POST",
                     data={"user_id": secretary, "stance": "agree", "reason": "同意"})
    assert resp.status_code == 422 and "末位表态" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Stance)) == 3 * 7  # only the three earlier items'


def test_bad_input_rerenders_with_messages(app, client, world):
    login_as(client, app, "leader")
    resp = client.hx("/decisions/items/new", "POST", data={"body": "", "title": ""})
    assert resp.status_code == 200 and "请填写议题名称" in resp.get_data(as_text=True)
    login_as(client, app, "principal")
    resp = client.post(f"/resolutions/{world['staff']}/report", data={"text": "进展", "percent": "150"})
    assert resp.status_code == 200 and "0 到 100 之间" in resp.get_data(as_text=True)
    login_as(client, app, "secretary")
    resp = client.post(f"/resolutions/{world['staff']}/confirm")
    assert resp.status_code == 422 and "最终报告" in resp.get_data(as_text=True)
    resp = client.post(f"/decisions/meetings/{world['meeting']}/vote", data={"method": "hands", "yes": "7"})
    assert resp.status_code == 422 and "尚未全部表态" in resp.get_data(as_text=True)
    resp = client.post("/decisions/procedure/party", data={"adopted_on": "0001-01-01", "cadence_days": "0"})
    assert resp.status_code == 200 and "日期超出范围" in resp.get_data(as_text=True)


def test_report_filed_then_urged_shows_on_the_resolution(app, client, world):
    login_as(client, app, "principal")
    resp = client.post(f"/resolutions/{world['staff']}/report", data={"text": "合同已签订", "percent": "40"})
    assert resp.status_code == 303
    login_as(client, app, "secretary")
    assert client.post(f"/resolutions/{world['staff']}/urge", data={"note": "请按月报告"}).status_code == 303
    html = client.get(f"/resolutions/{world['staff']}").get_data(as_text=True)
    assert "合同已签订" in html and "请按月报告" in html and "催报 1 次" in html


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def test_visibility_everywhere_a_resolution_surfaces(app, client, world):
    client.post("/logout")
    anon = _text(client.get("/tracker")) + _text(client.hx("/tracker"))
    assert PUBLIC_T in anon and STAFF_T not in anon and INTERNAL_T not in anon
    assert client.get(f"/resolutions/{world['staff']}").status_code == 302
    xlsx = load_workbook(io.BytesIO(client.get("/tracker.xlsx").data))
    cells = " ".join(str(c.value) for row in xlsx.active.iter_rows() for c in row)
    assert PUBLIC_T in cells and STAFF_T not in cells and INTERNAL_T not in cells

    login_as(client, app, "staff")
    staff = _text(client.get("/tracker")) + _text(client.hx("/tracker?status=on_track"))
    assert PUBLIC_T in staff and STAFF_T in staff and INTERNAL_T not in staff
    assert client.get(f"/resolutions/{world['internal']}").status_code == 403
    assert client.hx(f"/resolutions/{world['internal']}").status_code == 403
    cells = " ".join(str(c.value) for row in load_workbook(io.BytesIO(client.get("/tracker.xlsx").data)).active.iter_rows()
                     for c in row)
    assert STAFF_T in cells and INTERNAL_T not in cells

    login_as(client, app, "leader")
    assert INTERNAL_T in _text(client.get("/tracker"))
    login_as(client, app, "secretary")  # the congress report never carries internal resolutions
    report = _text(client.get("/decisions/congress-report?since=2026-01-01"))
    assert PUBLIC_T in report and STAFF_T in report and INTERNAL_T not in report
    cells = " ".join(str(c.value) for row in load_workbook(io.BytesIO(
        client.get("/decisions/congress-report.xlsx?since=2026-01-01").data)).active.iter_rows() for c in row)
    assert STAFF_T in cells and INTERNAL_T not in cells


def test_exports_write_formula_text_as_text(app, client, world):
    with app.app_context():
        db.session.get(Resolution, world["public"]).title = "=HYPERLINK(\"http://x\")"
        db.session.commit()
    wb = load_workbook(io.BytesIO(client.get("/tracker.xlsx").data))
    cell = next(c for row in wb.active.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"


def test_signed_minutes_are_read_only(app, client, world):
    with app.app_context():
        s = db.session
        m = s.get(Meeting, world["meeting"])
        from portal.decisions.rules import meetings as mr, outcomes

        it = s.get(Item, world["item"])
        f.stances_in_order(s, m, it)
        outcomes.vote(s, f.user(s, "secretary"), f.ms(s), m, it, "oral", yes=7, no=0, abstain=0)
        mr.close_meeting(s, f.user(s, "secretary"), m)
        f.write_minutes(s, m)
        s.commit()
    for who in ("recorder", "supervisor"):
        login_as(client, app, who)
        assert client.post(f"/decisions/meetings/{world['meeting']}/sign").status_code == 303
    login_as(client, app, "recorder")
    resp = client.post(f"/decisions/meetings/{world['meeting']}/sign")
    assert "会议记录已签署" in _text(resp)
    html = _text(client.get(f"/decisions/meetings/{world['meeting']}/minutes"))
    assert "SHA-256" in html and "口头表决" in html


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


def _many(app, n: int, urgings: bool = False) -> None:
    """``n`` more resolutions with two reports each (and an urging each if asked), inserted in bulk."""
    with app.app_context():
        s = db.session
        owner = f.user(s, "principal").id
        start = s.scalar(select(func.max(Resolution.id))) or 0
        s.execute(insert(Resolution), [dict(
            id=start + i + 1, kind="resolution", body="party", title=f"决议{i}", text="", owner_id=owner,
            visibility=("public", "staff", "internal")[i % 3], staff_interest=bool(i % 2), cadence="monthly",
            state="open", decided_on=date(2025, 1, 1) + timedelta(days=i % 600), starts_on=date(2025, 1, 1),
            deadline=date(2027, 1, 1)) for i in range(n)])
        s.execute(insert(Report), [dict(resolution_id=start + i + 1, author_id=owner, text="进展", percent=10 * k,
                                        is_final=False, filed_on=date(2026, 1, 1) + timedelta(days=k),
                                        on_time=bool(k), due_on=date(2026, 1, 1))
                                   for i in range(n) for k in (1, 2)])
        if urgings:
            by = f.user(s, "secretary").id
            s.execute(insert(Urging), [dict(resolution_id=start + i + 1, kind="urge", by_id=by, note="请按时报告",
                                            at=datetime(2026, 3, 1)) for i in range(n)])
        s.commit()


def _plan_nodes(node: dict):
    """Every node of a PostgreSQL JSON plan, subplans included."""
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


INDEXED = {"dec_report": "ix_dec_report_resolution_filed", "dec_urging": "ix_dec_urging_resolution_id"}


def test_tracker_plan_at_500_resolutions_uses_the_report_and_urging_indexes(app, people):
    """The tracker's last report, report count and urging count are correlated subqueries run
    once per resolution: each must reach its rows through its index, never a scan."""
    _many(app, 500, urgings=True)
    from portal.auth.permissions import Context
    from portal.decisions.permissions import visible_resolutions
    from portal.decisions.queries import Filters, tracker_rows

    with app.app_context():
        s = db.session
        seen: list[tuple[str, object]] = []

        def before(conn, cursor, statement, params, *args):
            seen.append((statement, params))

        event.listen(db.engine, "before_cursor_execute", before)
        rows = tracker_rows(s, visible_resolutions(None, Context.for_session(s)), date(2026, 6, 1), Filters())
        event.remove(db.engine, "before_cursor_execute", before)
        assert len(rows) == 167 and sum(r.urgings for r in rows) == 167
        sql, params = seen[-1]
        conn = s.connection()
        if ON_POSTGRES:
            # The planner chooses by statistics: gather them for the rows just written, as
            # autovacuum would on a live table, so the plan is the one the tracker gets.
            for table in ("dec_resolution", *INDEXED):
                conn.exec_driver_sql(f"ANALYZE {table}")
            found = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql, params).scalar()
            plan = json.loads(found) if isinstance(found, str) else found
            nodes = list(_plan_nodes(plan[0]["Plan"]))
            summary = [(n["Node Type"], n.get("Relation Name"), n.get("Index Name")) for n in nodes]
            assert not [n for n in summary if n[0] == "Seq Scan" and n[1] in INDEXED], summary
            assert set(INDEXED.values()) <= {n[2] for n in summary}, summary
            return
        plan = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()]
        assert not [p for p in plan if re.match(r"SCAN (dec_report|dec_urging)\b", p)], plan
        for table, index in INDEXED.items():  # by name: an AUTOMATIC index is what SQLite builds without one
            uses = [p for p in plan if p.startswith(f"SEARCH {table} ")]
            assert uses and all(index in p for p in uses), plan


def test_self_check_counts_the_year(app, client, world):
    from portal.decisions.rules import meetings as mr, outcomes

    with app.app_context():
        s = db.session
        for m in s.scalars(select(Meeting).where(Meeting.held_on == date(2026, 2, 10))):
            mr.close_meeting(s, f.user(s, "secretary"), m)
        s.commit()
    login_as(client, app, "supervisor")
    html = client.get("/decisions/self-check?year=2025").get_data(as_text=True)
    assert "2025—2026" in html and PUBLIC_T in html and INTERNAL_T in html
    assert re.search(r'党组织会议</th>\s*<td><a href="#sc-party-meetings">3</a></td>', html), html[:3000]


def test_archive_bundle_lists_every_file_with_its_digest(app, client, world):
    import hashlib
    import zipfile

    login_as(client, app, "secretary")
    with app.app_context():
        s = db.session
        res_rules.file_report(s, f.user(s, "principal"), s.get(Resolution, world["internal"]), "进展", 20, date(2026, 3, 1))
        s.commit()
    resp = client.get("/decisions/self-check/archive.zip?year=2025")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    sums = zf.read("SHA256SUMS.txt").decode()
    names = [n for n in zf.namelist() if n != "SHA256SUMS.txt"]
    assert "resolutions.xlsx" in names and any(n.startswith("reports/") for n in names)
    for name in names:
        assert f"{hashlib.sha256(zf.read(name)).hexdigest()}  {name}" in sums
    assert "审计链头：第 " in zf.read("MANIFEST.txt").decode()


def test_the_report_is_compiled_for_a_session_and_attached_frozen(app, client, world):
    """Since the previous session, staff and public resolutions only, printable and as XLSX
    (with the proposals' sheets), kept as it was when attached."""
    from portal.congress.models import SessionDocument, SessionReport
    from portal.congress.rules import sessions
    from tests.congress import factories as cf

    with app.app_context():
        union = cf.user(db.session, "union")
        term = cf.term(db.session)
        sessions.create_session(db.session, union, term, date(2026, 1, 5), "礼堂")
        cs = sessions.create_session(db.session, union, term, date(2026, 6, 1), "礼堂")
        db.session.commit()
        cs_id = cs.id
    login_as(client, app, "staff")  # the form is not shown, and the route refuses
    assert client.post("/decisions/congress-report/attach", data={"session_id": cs_id}).status_code == 403
    login_as(client, app, "principal")
    page = _text(client.get("/decisions/congress-report"))
    assert "汇编并附到会议" in page
    resp = client.post("/decisions/congress-report/attach", data={"session_id": "999999"})
    assert resp.status_code == 303  # not a choice: explained, nothing attached
    resp = client.post("/decisions/congress-report/attach", data={"session_id": cs_id})
    assert resp.status_code == 303
    with app.app_context():
        report = db.session.scalars(select(SessionReport)).one()
        sheet = db.session.get(SessionDocument, report.document_id)
        assert report.session_id == cs_id and sheet.session_id == cs_id and sheet.filename.endswith(".xlsx")
        report_id = report.id
        db.session.get(Resolution, world["public"]).title = "改过的标题"
        db.session.commit()
    login_as(client, app, "staff")
    frozen = _text(client.get(f"/congress/session-reports/{report_id}"))
    assert PUBLIC_T in frozen and STAFF_T in frozen and INTERNAL_T not in frozen and "改过的标题" not in frozen
    assert "2026-01-05" in frozen  # counted from the previous session
    assert "决议执行情况报告" in _text(client.get(f"/congress/sessions/{cs_id}")) or \
        "决议执行情况的报告" in _text(client.get(f"/congress/sessions/{cs_id}"))
    xlsx = client.get(f"/congress/documents/{sheet.id}")
    wb = load_workbook(io.BytesIO(xlsx.data))
    cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    assert STAFF_T in cells and INTERNAL_T not in cells and len(wb.worksheets) == 4


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _downloaded_as_a_file(resp, name: str) -> None:
    assert resp.status_code == 200 and resp.data == PDF
    assert resp.headers["Content-Type"] == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("attachment;") and name in resp.headers["Content-Disposition"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in resp.headers["Cache-Control"]


def test_evidence_file_is_checked_stored_and_downloaded_as_a_file(app, client, world):
    with app.app_context():
        item_id = f.item(db.session, "party", "食堂承包方案").id
        db.session.commit()
    login_as(client, app, "secretary")
    fields = {"kind": "hearing", "held_on": "2026-03-02", "reference": "", "who": "", "conclusion": ""}
    refused = client.post(f"/decisions/items/{item_id}/evidence",
                          data={**fields, "file": (io.BytesIO(b"<svg onload=alert(1)>"), "x.pdf")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "不支持该文件类型" in _text(refused)
    resp = client.post(f"/decisions/items/{item_id}/evidence",
                       data={**fields, "file": (io.BytesIO(PDF), "座谈会纪要.pdf")}, content_type="multipart/form-data")
    assert resp.status_code == 303
    (href,) = re.findall(r'href="(/decisions/evidence/\d+/file)"', _text(client.get(f"/decisions/items/{item_id}")))
    _downloaded_as_a_file(client.get(href), "filename*=UTF-8''%E5%BA%A7%E8%B0%88")
    client.post("/logout")
    assert client.get(href).status_code == 302


def test_report_file_downloads_and_a_lost_file_is_404(app, client, world):
    login_as(client, app, "principal")
    resp = client.post(f"/resolutions/{world['staff']}/report",
                       data={"text": "合同已签订", "percent": "40", "file": (io.BytesIO(PDF), "合同.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 303
    with app.app_context():
        report = db.session.scalar(select(Report).where(Report.resolution_id == world["staff"]))
        assert report is not None and report.attachment_name == "合同.pdf" and len(report.attachment_sha256) == 64
        report_id, stored = report.id, report.attachment_stored
    login_as(client, app, "staff")
    _downloaded_as_a_file(client.get(f"/resolutions/reports/{report_id}/file"), "filename*=UTF-8''%E5%90%88%E5%90%8C.pdf")
    from pathlib import Path

    (Path(app.config["UPLOAD_DIR"]) / stored).unlink()
    assert client.get(f"/resolutions/reports/{report_id}/file").status_code == 404


def test_report_without_a_file_has_no_download(app, client, world):
    login_as(client, app, "principal")
    assert client.post(f"/resolutions/{world['staff']}/report", data={"text": "进展", "percent": "10"}).status_code == 303
    with app.app_context():
        report_id = db.session.scalar(select(Report.id).where(Report.resolution_id == world["staff"]))
    assert client.get(f"/resolutions/reports/{report_id}/file").status_code == 404


def test_the_tracker_pages_fifty_rows_and_counts_them_all(app, client, world):
    """The headline figures and the count cover every visible row; the page shows fifty, the
    next page the rest with the filters kept; the print view shows all."""
    _many(app, 120)  # 40 public, 40 staff, 40 internal
    login_as(client, app, "staff")
    first = _text(client.get("/tracker?year=2025"))
    rows = first.count('href="/resolutions/')
    assert rows == 50 and "决议（80 项）" in first and "第 1 / 2 页" in first
    assert 'href="/tracker?year=2025&amp;page=2"' in first
    second = client.hx("/tracker?year=2025&page=2")
    assert second.status_code == 200 and _text(second).count('href="/resolutions/') == 30
    assert _text(client.get("/tracker?year=2025&page=999")).count('href="/resolutions/') == 30  # the last page
    assert _text(client.get("/tracker?year=2025&print=1")).count('href="/resolutions/') == 80
