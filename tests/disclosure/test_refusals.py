"""A refused workflow step explains itself in the reader's language."""
from __future__ import annotations

from portal.disclosure import rules
from portal.extensions import db
from tests.conftest import login_as
from tests.disclosure.factories import published, user


def test_a_refused_step_explains_itself_in_english(app, client, people):
    with app.app_context():
        s = db.session
        notice = published(s, "leader")
        rules.start_correction(s, user(s, "principal"), notice)  # the approver is correcting it already
        s.commit()
        notice_id = notice.id
    login_as(client, app, "leader")
    client.post("/language", data={"lang": "en"})
    html = client.post(f"/notices/{notice_id}/correct", follow_redirects=True).get_data(as_text=True)
    assert "principal is already correcting this notice; wait until it is submitted." in html
    assert "已在更正" not in html


def test_submitting_with_no_approver_names_the_office_in_english(app, client, people):
    from sqlalchemy import delete

    from portal.org.models import BodyMember
    from tests.disclosure.factories import draft

    with app.app_context():
        db.session.execute(delete(BodyMember))
        notice = draft(db.session, "leader")
        db.session.commit()
        notice_id = notice.id
    login_as(client, app, "leader")
    client.post("/language", data={"lang": "en"})
    html = client.post(f"/notices/{notice_id}/submit", follow_redirects=True).get_data(as_text=True)
    assert "the administrator must first fill the office of Principal、Party secretary" in html
