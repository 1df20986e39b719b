"""Issue 20.7: meeting papers are files (checked as other uploads) sent to the attendees in
advance; each attendee sees them in the inbox and marks them read; the meeting shows who has;
a late sending is flagged on the meeting and in the self-check."""
from __future__ import annotations

import io
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from portal.decisions.models import Meeting, PaperReceipt
from portal.decisions.rules import DecisionError
from portal.decisions.rules import meetings as meeting_rules
from portal.decisions.rules import papers
from portal.extensions import db
from portal.files import store
from portal.notify.models import Notification
from portal.timeutil import local_to_utc
from tests.conftest import login_as
from tests.decisions import factories as f
from tests.decisions.factories import DAY, ms

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n"


def test_papers_sent_read_and_late(app, session, people):
    school = f.school(session)
    it = f.item(session)
    m = f.meeting(session)
    from portal.decisions.rules import items as item_rules

    item_rules.schedule_item(session, school["secretary"], ms(session), it, m)
    paper = papers.add_paper(session, school["secretary"], m, store(app.config["UPLOAD_DIR"], "方案.pdf", PDF), it)
    assert paper.item_id == it.id and m.papers == [paper]
    meeting_rules.settle_agenda(session, school["secretary"], m)
    with pytest.raises(DecisionError, match="尚未送达"):
        papers.mark_read(session, school["leader"], m)
    late = meeting_rules.send_papers(session, school["secretary"], m, now=local_to_utc(DAY, time(9)))  # the same day
    assert late and meeting_rules.papers_late(m, m.procedure.lead_days)
    with pytest.raises(DecisionError, match="已送达"):
        papers.add_paper(session, school["secretary"], m, store(app.config["UPLOAD_DIR"], "补充.pdf", PDF))
    inbox = session.scalars(select(Notification.recipient_id).where(Notification.subject_kind == "meeting",
                                                               Notification.subject_id == m.id)).all()
    assert set(inbox) == set(papers.recipients(m)) - {school["secretary"].id} and len(inbox) == 6  # not the sender
    papers.mark_read(session, school["leader"], m)
    papers.mark_read(session, school["leader"], m)  # twice: one receipt
    assert session.scalar(select(PaperReceipt.user_id).where(PaperReceipt.meeting_id == m.id)) == school["leader"].id
    assert school["leader"].id not in papers.unread(m) and len(papers.unread(m)) == 6
    with pytest.raises(DecisionError, match="只有参会人员"):
        papers.mark_read(session, f.user(session, "staff"), m)


def test_upload_read_and_receipts_over_http(app, client, people):
    with app.app_context():
        s = db.session
        f.school(s)
        it = f.item(s)
        m = f.meeting(s)
        from portal.decisions.rules import items as item_rules

        item_rules.schedule_item(s, f.user(s, "secretary"), ms(s), it, m)
        meeting_rules.settle_agenda(s, f.user(s, "secretary"), m)
        s.commit()
        mid, iid = m.id, it.id
    login_as(client, app, "secretary")
    refused = client.post(f"/decisions/meetings/{mid}/papers/add",
                          data={"file": (io.BytesIO(b"<svg onload=alert(1)>"), "x.svg"), "item_id": str(iid)},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and 'role="alert"' in refused.get_data(as_text=True)
    ok = client.post(f"/decisions/meetings/{mid}/papers/add",
                     data={"file": (io.BytesIO(PDF), "议题方案.pdf"), "item_id": str(iid)},
                     content_type="multipart/form-data")
    assert ok.status_code == 303
    assert client.post(f"/decisions/meetings/{mid}/papers").status_code == 303  # sent
    login_as(client, app, "leader")
    page = client.get(f"/decisions/meetings/{mid}").get_data(as_text=True)
    assert "议题方案.pdf" in page and "我已阅读会议材料" in page
    with app.app_context():
        paper_id = db.session.get(Meeting, mid).papers[0].id
    download = client.get(f"/decisions/meetings/{mid}/papers/{paper_id}")
    assert download.status_code == 200 and download.data == PDF and "attachment" in download.headers["Content-Disposition"]
    assert client.post(f"/decisions/meetings/{mid}/papers/read").status_code == 303
    login_as(client, app, "secretary")
    page = client.get(f"/decisions/meetings/{mid}").get_data(as_text=True)
    section = page.split('id="mt-papers"', 1)[1].split("</section>", 1)[0]
    leader = "leader"
    with app.app_context():
        leader = f.user(db.session, "leader").name
    assert leader in section.split("已阅读：", 1)[1].split("</p>", 1)[0]
    assert "尚未阅读：" in section
