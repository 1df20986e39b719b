"""Anonymous comments cannot be tied to their author by anyone, organisers and the union
included (DOMAIN.md: anonymous to everyone but the system): not on the page (name, time,
order), not in the fragments, not through the audit log. An organiser may hide a comment
with a reason everyone sees; the author alone still reads the text and is told."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.rules import flush_anonymous
from portal.consultations import rules
from portal.consultations.models import Comment
from portal.extensions import db
from portal.timeutil import to_local, utcnow
from tests.conftest import ROLES, login_as, make_user
from tests.consultations.factories import opened
from tests.disclosure.factories import user

SECRET_NAME = "司马匿名者"


def _setup(app):
    with app.app_context():
        s = db.session
        c = opened(s)
        author = make_user("whistle", name=SECRET_NAME)
        rules.comment(s, user(s, "staff"), c, "署名意见一", False)
        rules.comment(s, author, c, "匿名的意见内容", True)
        rules.comment(s, user(s, "rep"), c, "署名意见二", False)
        s.commit()
        return c.id, author.id


def test_page_and_fragment_hide_the_author_from_everyone_organisers_included(app, people):
    cid, _author = _setup(app)
    for role in ROLES:
        client = app.test_client()
        login_as(client, app, role)
        for resp in (client.get(f"/consultations/{cid}"), client.hx(f"/consultations/{cid}"),
                     client.get("/consultations"), client.get("/")):
            assert SECRET_NAME not in resp.text, (role, resp.request.path)
            assert "仅组织者可见" not in resp.text and "提出人：" not in resp.text
    # the anonymous comment comes after the day's signed ones, with its day only
    client = app.test_client()
    login_as(client, app, "staff")
    page = client.get(f"/consultations/{cid}").text
    assert page.index("署名意见一") < page.index("署名意见二") < page.index("匿名的意见内容")
    day = to_local(utcnow()).strftime("%Y-%m-%d")
    anon_block = page[page.index("匿名 ·"):page.index("匿名的意见内容")]
    assert day in anon_block and ":" not in anon_block


def test_the_audit_log_keeps_no_link(app, people):
    cid, author_id = _setup(app)
    with app.app_context():
        s = db.session
        comment = s.scalar(select(Comment).where(Comment.anonymous.is_(True)))
        assert to_local(comment.created_at).time().isoformat() == "00:00:00"
        tomorrow = to_local(utcnow()).date() + timedelta(days=1)
        flush_anonymous(s, today=tomorrow)
        s.commit()
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "consultation.commented")).all()
        anon = [e for e in events if e.actor_id is None]
        assert len(anon) == 1 and anon[0].object_id == "" and anon[0].actor_name == "匿名"
        assert to_local(anon[0].at).time().isoformat() == "00:00:00"
        assert str(author_id) not in anon[0].summary and comment.id not in anon[0].summary
        assert all(e.actor_id != author_id for e in s.scalars(select(AuditEvent)))
    for role in ("admin", "secretary", "supervisor"):
        client = app.test_client()
        login_as(client, app, role)
        resp = client.get("/audit/")
        assert resp.status_code == 200 and "consultation.commented" in resp.text, role
        assert SECRET_NAME not in resp.text, role


def test_an_organiser_hides_a_comment_with_a_reason_the_author_sees(app, people):
    from portal.notify.models import Notification

    cid, author_id = _setup(app)
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id).where(Comment.anonymous.is_(True)))
    union = app.test_client()
    login_as(union, app, "union")
    resp = union.hx(f"/consultations/comments/{comment_id}/hide", "POST", data={f"h{comment_id}-reason": " "})
    assert resp.status_code == 422 and "请写明隐藏的理由" in resp.text
    resp = union.hx(f"/consultations/comments/{comment_id}/hide", "POST",
                    data={f"h{comment_id}-reason": "含有对同事的人身攻击"})
    assert resp.status_code == 200 and "组织者已隐藏这条意见。理由：含有对同事的人身攻击" in resp.text
    assert "匿名的意见内容" not in resp.text and SECRET_NAME not in resp.text
    staff = app.test_client()
    login_as(staff, app, "staff")
    page = staff.get(f"/consultations/{cid}").text
    assert "理由：含有对同事的人身攻击" in page and "匿名的意见内容" not in page
    author = app.test_client()
    login_as(author, app, "whistle")
    page = author.get(f"/consultations/{cid}").text
    assert "理由：含有对同事的人身攻击" in page and "匿名的意见内容" in page
    with app.app_context():
        s = db.session
        told = s.scalars(select(Notification).where(Notification.recipient_id == author_id)).all()
        assert any("隐藏" in n.message for n in told)
        c = s.get(Comment, comment_id)
        assert c.hidden_reason == "含有对同事的人身攻击"
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "consultation.comment_hidden"))
        assert event is not None and "含有对同事的人身攻击" in event.summary
        assert event.actor_id != author_id and "whistle" not in event.summary
    # hidden again: refused; the others need marks, the hidden one does not
    resp = union.hx(f"/consultations/comments/{comment_id}/hide", "POST",
                    data={f"h{comment_id}-reason": "再次隐藏"})
    assert "这条意见已经隐藏" in resp.text
    with app.app_context():
        from portal.consultations.models import Consultation
        assert rules.unmarked_count(db.session, db.session.get(Consultation, cid)) == 2
