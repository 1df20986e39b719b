"""Random text in every field of the proposal and consultation forms (and the register's
filters) never makes a 500."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from portal.extensions import db
from tests.conftest import login_as
from tests.consultations.factories import opened
from tests.proposals.factories import answered, assigned, submitted
from tests.test_bad_input import SETTINGS, junk


def _client(app, who):
    client = app.test_client()
    login_as(client, app, who)
    return client


def test_proposal_forms(app, people):
    with app.app_context():
        s = db.session
        ids = {"submitted": submitted(s).id, "assigned": assigned(s, title="乙").id, "answered": answered(s, title="丙").id}
        s.commit()
    rep, union, handler = _client(app, "rep"), _client(app, "union"), _client(app, "handler")

    @SETTINGS
    @given(a=junk, b=junk, c=junk, d=junk)
    def run(a, b, c, d):
        posts = [
            (rep, "/proposals/new", {"title": a, "reason": b, "measures": c, "category": d}),
            (rep, f"/proposals/{ids['submitted']}/invite", {"user_id": a}),
            (union, f"/proposals/{ids['submitted']}/review", {"decision": a, "target_id": b, "reason": c}),
            (union, f"/proposals/{ids['submitted']}/assign", {"lead_id": a, "cohandler_ids": [b], "deadline": c}),
            (handler, f"/proposals/{ids['assigned']}/answer", {"answer_class": a, "explanation": b}),
            (rep, f"/proposals/{ids['answered']}/rate", {"rating": a, "comment": b}),
        ]
        for client, url, data in posts:
            assert client.post(url, data=data).status_code < 500, url
        for url in ("/proposals", "/proposals/register.xlsx", "/proposals/report", "/proposals/similar"):
            r = rep.get(url, query_string={"term": a, "status": b, "department": c, "rating": d, "answer_class": a,
                                           "category": b, "overdue": c, "page": d, "title": a, "reason": b})
            assert r.status_code < 500, url

    run()


def test_consultation_forms(app, people):
    with app.app_context():
        cid = opened(db.session).id
        db.session.commit()
    union, staff = _client(app, "union"), _client(app, "staff")

    @SETTINGS
    @given(a=junk, b=junk, c=junk, d=junk)
    def run(a, b, c, d):
        assert union.post("/consultations/new", data={"title": a, "body_md": b, "audience": c,
                                                      "closes_on": d}).status_code < 500
        assert staff.post(f"/consultations/{cid}/comments", data={"body": a, "anonymous": b}).status_code < 500
        assert union.post(f"/consultations/{cid}/summary", data={"summary_md": a}).status_code < 500
        assert union.post(f"/consultations/{cid}/matter", data={"matter_kind": a, "matter_id": b}).status_code < 500
        assert staff.get("/consultations", query_string={"page": c}).status_code < 500

    run()
