"""Issue 20.11: the audit log reads as Chinese sentences ("王晓东 在 党委会第12次 第3项 表态：同意"),
not codes and JSON; the raw record stays one click away."""
from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.sentences import describe
from portal.extensions import db
from tests.conftest import login_as
from tests.decisions import factories as f


def test_decision_events_read_as_sentences(app, people):
    with app.app_context():
        s = db.session
        f.school(s)
        m, it = f.passed_item(s, "食堂承包合同")
        s.commit()
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        said = {e.action: str(describe(s, [e])[e.id]) for e in events}
        stances = [str(m) for e, m in describe(s, events).items()
                   if s.get(AuditEvent, e).action == "item.stance"]
        secretary = f.user(s, "secretary").name
    assert f"{secretary} 在 党委会 第 1 项“食堂承包合同” 表态：同意（" in " ".join(stances)
    assert all("{" not in x and "item.stance" not in x for x in stances)
    assert said["item.voted"].endswith("举手表决，赞成 7、反对 0、弃权 0，通过")
    assert "安排会议“党委会”" in said["meeting.created"]


def test_every_action_reads_without_codes_or_json(app, people):
    from tests.conftest import make_user  # noqa: F401  (people made the users and logins)

    with app.app_context():
        s = db.session
        f.school(s)
        f.resolution(s)
        s.commit()
        events = s.scalars(select(AuditEvent)).all()
        for event_id, sentence in describe(s, events).items():
            assert "{" not in sentence and '"' not in sentence.replace("“", "").replace("”", ""), sentence


def test_the_page_shows_sentences_and_the_raw_record(app, client, people):
    with app.app_context():
        f.school(db.session)
        f.passed_item(db.session)
        db.session.commit()
    login_as(client, app, "supervisor")
    html = client.get("/audit/?action=item.stance").get_data(as_text=True)
    assert "表态：同意" in html and "<details class=\"raw\">" in html and "item.stance" in html
    frag = client.hx("/audit/?action=item.stance")
    assert frag.status_code == 200 and "表态：同意" in frag.get_data(as_text=True)
