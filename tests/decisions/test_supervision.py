"""Issue 20.12 (first part): the supervisor (监督员) records a supervision opinion on a meeting,
an item or a resolution; the secretary answers it on record."""
from __future__ import annotations

import pytest

from portal.decisions.models import SupervisionOpinion
from portal.decisions.rules import DecisionError
from portal.decisions.rules import supervision as rules
from portal.extensions import db
from tests.conftest import login_as
from tests.decisions import factories as f
from tests.decisions.factories import ms, user


def test_opinion_then_answer_on_record(session, people):
    school = f.school(session)
    res = f.resolution(session)
    sup = user(session, "supervisor")
    with pytest.raises(DecisionError, match="只有监督员"):
        rules.add_opinion(session, school["leader"], ms(session), "resolution", res.id, res.title, "意见")
    with pytest.raises(DecisionError, match="请填写监督意见"):
        rules.add_opinion(session, sup, ms(session), "resolution", res.id, res.title, "  ")
    opinion = rules.add_opinion(session, sup, ms(session), "resolution", res.id, res.title, "请公开菜品价格。")
    with pytest.raises(DecisionError, match="由书记答复"):
        rules.answer_opinion(session, school["principal"], ms(session), opinion, "已公开", res.title)
    rules.answer_opinion(session, school["secretary"], ms(session), opinion, "已在食堂公示栏每周公开。", res.title)
    assert opinion.answered_by_id == school["secretary"].id and opinion.answered_at is not None
    with pytest.raises(DecisionError, match="已经答复"):
        rules.answer_opinion(session, school["secretary"], ms(session), opinion, "再答", res.title)


def test_over_http_on_the_meeting_page(app, client, people):
    with app.app_context():
        f.school(db.session)
        m, _it = f.passed_item(db.session)
        db.session.commit()
        mid = m.id
    login_as(client, app, "supervisor")
    assert client.post(f"/decisions/opinions/meeting/{mid}", data={"text": "材料送达偏晚。"}).status_code == 303
    login_as(client, app, "leader")
    assert client.post(f"/decisions/opinions/meeting/{mid}", data={"text": "x"}).status_code == 403
    login_as(client, app, "secretary")
    page = client.get(f"/decisions/meetings/{mid}").get_data(as_text=True)
    assert "材料送达偏晚。" in page and "答复监督意见" in page
    with app.app_context():
        opinion_id = db.session.query(SupervisionOpinion.id).scalar()
    assert client.post(f"/decisions/opinions/{opinion_id}/answer", data={"answer": "下次提前三天送达。"}).status_code == 303
    assert "下次提前三天送达。" in client.get(f"/decisions/meetings/{mid}").get_data(as_text=True)
