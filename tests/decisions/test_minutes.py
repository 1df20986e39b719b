"""Issue 20.6: the recorder (记录员) writes the 会议记录 — each item's discussion and the 列席
remarks beside what the portal records — saves drafts, signs; the supervisor (监督员) signs the
same text; then it is read-only with its hash."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.decisions.models import Meeting
from portal.decisions.queries import minutes_text, names_for
from portal.decisions.rules import DecisionError
from portal.decisions.rules import meetings as meeting_rules
from portal.decisions.rules import resolutions as res_rules
from portal.extensions import db
from tests.conftest import login_as
from tests.decisions import factories as f
from tests.decisions.factories import user


@pytest.fixture
def school(session, people):
    seated = f.school(session)
    session.commit()
    return seated


def _text(session, m):
    return minutes_text(m, names_for(session, m))


def test_the_recorder_writes_drafts_then_both_sign(session, school):
    m, it = f.passed_item(session)
    meeting_rules.close_meeting(session, school["secretary"], m)
    rec, sup = user(session, "recorder"), user(session, "supervisor")
    with pytest.raises(DecisionError, match="只有本次会议的记录员"):
        meeting_rules.save_minutes(session, sup, m, {it.id: "x"}, "")
    with pytest.raises(DecisionError, match="讨论情况"):  # nothing written yet
        meeting_rules.sign_minutes(session, rec, m, _text(session, m))
    meeting_rules.save_minutes(session, rec, m, {it.id: "草稿一"}, "")
    meeting_rules.save_minutes(session, rec, m, {it.id: "总务处介绍合同条款，委员们就价格公示提出意见。"},
                               "列席的工会主席建议公开招标。")
    text = _text(session, m)
    assert "讨论情况：总务处介绍合同条款" in text and "列席人员发言及其他事项：列席的工会主席建议公开招标。" in text
    assert "记录员：" in text and "监督员：" in text and "记录人" not in text
    with pytest.raises(DecisionError, match="请待记录员签署"):
        meeting_rules.sign_minutes(session, sup, m, text)
    meeting_rules.sign_minutes(session, rec, m, text)
    assert m.state == "closed" and m.minutes_hash == meeting_rules.minutes_digest(text) and m.minutes_text == text
    with pytest.raises(DecisionError, match="先撤回签署"):
        meeting_rules.save_minutes(session, rec, m, {it.id: "改"}, "")
    with pytest.raises(DecisionError, match="不能再形成决议"):
        res_rules.add_resolution(session, rec, it, title="x", text="", owner=school["principal"], deadline=None)
    meeting_rules.sign_minutes(session, sup, m, text)
    assert m.state == "signed" and m.supervisor_signed_at is not None
    with pytest.raises(DecisionError, match="只读"):
        meeting_rules.save_minutes(session, rec, m, {it.id: "改"}, "")
    with pytest.raises(DecisionError, match="不能撤回"):
        meeting_rules.withdraw_recorder_signature(session, rec, m)
    signed = session.scalars(select(AuditEvent).where(AuditEvent.action == "meeting.minutes_signed")
                             .order_by(AuditEvent.seq)).all()
    assert len(signed) == 2 and all(m.minutes_hash in e.summary for e in signed)


def test_the_recorder_withdraws_to_correct_before_the_supervisor_signs(session, school):
    m, it = f.passed_item(session)
    meeting_rules.close_meeting(session, school["secretary"], m)
    rec, sup = user(session, "recorder"), user(session, "supervisor")
    f.write_minutes(session, m)
    meeting_rules.sign_minutes(session, rec, m, _text(session, m))
    meeting_rules.withdraw_recorder_signature(session, rec, m)
    assert m.recorder_signed_at is None and m.minutes_hash == ""
    meeting_rules.save_minutes(session, rec, m, {it.id: "更正后的讨论情况。"}, "")
    text = _text(session, m)
    meeting_rules.sign_minutes(session, rec, m, text)
    meeting_rules.sign_minutes(session, sup, m, text)
    assert m.state == "signed" and "更正后的讨论情况。" in m.minutes_text


def test_drafts_may_be_written_while_the_meeting_sits(session, school):
    it = f.item(session)
    m = f.settled(session, items=[it])
    meeting_rules.save_minutes(session, user(session, "recorder"), m, {it.id: "会中记录"}, "")
    assert it.discussion == "会中记录" and m.minutes_saved_at is not None


def test_the_write_page(app, client, people):
    with app.app_context():
        f.school(db.session)
        m, it = f.passed_item(db.session)
        from portal.decisions.rules import meetings as mr

        mr.close_meeting(db.session, f.user(db.session, "secretary"), m)
        db.session.commit()
        ids = (m.id, it.id)
    login_as(client, app, "supervisor")
    assert client.get(f"/decisions/meetings/{ids[0]}/minutes/write").status_code == 403
    login_as(client, app, "recorder")
    page = client.get(f"/decisions/meetings/{ids[0]}/minutes/write")
    assert page.status_code == 200 and f'name="discussion-{ids[1]}"' in page.get_data(as_text=True)
    frag = client.hx(f"/decisions/meetings/{ids[0]}/minutes/write")
    assert frag.status_code == 200 and "<html" not in frag.get_data(as_text=True)
    resp = client.post(f"/decisions/meetings/{ids[0]}/minutes/write",
                       data={f"discussion-{ids[1]}": "与会成员逐条讨论了合同条款。", "remarks": "无"})
    assert resp.status_code == 303
    assert client.post(f"/decisions/meetings/{ids[0]}/sign").status_code == 303
    login_as(client, app, "supervisor")
    assert client.post(f"/decisions/meetings/{ids[0]}/sign").status_code == 303
    with app.app_context():
        signed = db.session.get(Meeting, ids[0])
        assert signed.state == "signed" and "与会成员逐条讨论了合同条款。" in signed.minutes_text
    html = client.get(f"/decisions/meetings/{ids[0]}/minutes").get_data(as_text=True)
    assert "会议记录" in html and "与会成员逐条讨论了合同条款。" in html and "纪要" not in html
