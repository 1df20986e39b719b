"""Random text in every field of the proposal and consultation forms (and the register's
filters) never makes a 500. Each junk request must reach its step (the proposal's page again,
or the form re-rendered; never a refused sign-in or CSRF token), and each test ends with valid
submissions from the same clients whose effects are in the database."""
from __future__ import annotations

import re
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.consultations.models import Comment, Consultation
from portal.extensions import db
from portal.proposals import rules as proposal_rules
from portal.proposals.models import Cosign, Proposal
from portal.timeutil import to_local, utcnow
from tests.conftest import login_as, make_user
from tests.consultations.factories import opened
from tests.disclosure.factories import user
from tests.proposals.factories import answered, assigned, department, drafted, submitted
from tests.test_bad_input import SETTINGS, junk


def _client(app, who):
    client = app.test_client()
    login_as(client, app, who)
    return client


def _back_to(r, pid: int) -> bool:
    """A workflow step's answer, taken or refused: back to the proposal's page."""
    return r.status_code == 303 and r.headers["Location"] == f"/proposals/{pid}"


def _new_proposal(r) -> bool:
    return r.status_code == 303 and re.fullmatch(r"/proposals/\d+", r.headers["Location"]) is not None


def test_proposal_forms(app, people):
    with app.app_context():
        s = db.session
        ids = {"submitted": submitted(s).id, "assigned": assigned(s, title="乙").id, "answered": answered(s, title="丙").id}
        accepted = submitted(s, title="丁")
        proposal_rules.accept(s, user(s, "union"), accepted)
        ids["accepted"] = accepted.id
        ids["draft"] = drafted(s, title="戊").id
        s.commit()
    rep, union, handler = _client(app, "rep"), _client(app, "union"), _client(app, "handler")

    @SETTINGS
    @given(a=junk, b=junk, c=junk, d=junk)
    def run(a, b, c, d):
        r = rep.post("/proposals/new", data={"title": a, "reason": b, "measures": c, "category": d})
        assert r.status_code == 200 and b'id="proposal_form"' in r.data or _new_proposal(r), r.status_code
        steps = [
            (rep, "draft", "invite", {"user_id": a}),
            (union, "submitted", "review", {"decision": a, "target_id": b, "reason": c}),
            (union, "accepted", "assign", {"lead_id": a, "cohandler_ids": [b], "deadline": c}),
            (handler, "assigned", "answer", {"answer_class": a, "explanation": b}),
            (rep, "answered", "rate", {"rating": a, "comment": b}),
        ]
        for client, which, step, data in steps:
            r = client.post(f"/proposals/{ids[which]}/{step}", data=data)
            assert _back_to(r, ids[which]), (step, r.status_code, r.headers.get("Location"))
        for url in ("/proposals", "/proposals/register.xlsx", "/proposals/report", "/proposals/similar"):
            r = rep.get(url, query_string={"term": a, "status": b, "department": c, "rating": d, "answer_class": a,
                                           "category": b, "overdue": c, "page": d, "title": a, "reason": b})
            assert r.status_code == 200, (url, r.status_code)

    run()

    # the controls: each form, filled in properly by the same client, takes its step
    r = rep.post("/proposals/new", data={"title": "关于延长图书馆开放时间的建议", "reason": "晚自习后无法借书。",
                                         "measures": "开放到晚上九点。", "category": "teaching"})
    assert _new_proposal(r)
    with app.app_context():
        s = db.session
        assert s.scalar(select(func.count()).select_from(Proposal).where(Proposal.title == "关于延长图书馆开放时间的建议")) == 1
        invitee = make_user("rep_invitee", {"rep"}).id
        lead = department(s).id
        s.commit()
    deadline = (to_local(utcnow()).date() + timedelta(days=20)).isoformat()
    controls = [
        (rep, "draft", "invite", {"user_id": str(invitee)}),
        (union, "submitted", "review", {"decision": "accept"}),
        (union, "accepted", "assign", {"lead_id": str(lead), "deadline": deadline}),
        (handler, "assigned", "answer", {"answer_class": "solved", "explanation": "已于本月完成。"}),
        (rep, "answered", "rate", {"rating": "satisfied", "comment": ""}),
    ]
    for client, which, step, data in controls:
        assert _back_to(client.post(f"/proposals/{ids[which]}/{step}", data=data), ids[which]), step
    with app.app_context():
        s = db.session
        got = {which: s.get(Proposal, pid) for which, pid in ids.items()}
        assert s.scalar(select(Cosign.status).where(Cosign.proposal_id == ids["draft"], Cosign.user_id == invitee)) == "invited"
        assert got["submitted"].status == "accepted"
        assert got["accepted"].status == "assigned" and got["accepted"].lead_department_id == lead
        assert got["assigned"].status == "answered" and got["assigned"].answer_class == "solved"
        assert got["answered"].status == "closed" and got["answered"].rating == "satisfied"


def test_consultation_forms(app, people):
    with app.app_context():
        cid = opened(db.session).id
        long_ago = utcnow() - timedelta(days=30)
        closed = [opened(db.session, title=f"已截止的征求意见{i}", days=3, now=long_ago).id for i in (1, 2)]
        db.session.commit()
    union, staff = _client(app, "union"), _client(app, "staff")

    @SETTINGS
    @given(a=junk, b=junk, c=junk, d=junk)
    def run(a, b, c, d):
        r = union.post("/consultations/new", data={"title": a, "body_md": b, "audience": c, "closes_on": d})
        assert r.status_code == 422 and b'id="consultation_form"' in r.data, r.status_code
        r = staff.post(f"/consultations/{cid}/comments", data={"body": a, "anonymous": b})
        assert r.status_code in (200, 422) and b'id="thread"' in r.data, r.status_code
        r = union.post(f"/consultations/{closed[0]}/summary", data={"summary_md": a})  # taken once, then refused
        assert r.status_code in (200, 422) and b'id="organiser"' in r.data or (
            r.status_code == 303 and r.headers["Location"] == f"/consultations/{closed[0]}"), r.status_code
        r = union.post(f"/consultations/{cid}/matter", data={"matter_kind": a, "matter_id": b})
        assert r.status_code in (200, 422) and b'id="organiser"' in r.data, r.status_code
        assert staff.get("/consultations", query_string={"page": c}).status_code == 200

    run()

    # the controls: valid submissions by the same clients are stored
    closes_on = (to_local(utcnow()).date() + timedelta(days=10)).isoformat()
    r = union.post("/consultations/new", data={"title": "教师考勤办法（征求意见稿）", "body_md": "## 办法\n\n正文",
                                                "audience": "staff", "closes_on": closes_on})
    assert r.status_code == 303 and re.fullmatch(r"/consultations/\d+/edit", r.headers["Location"])
    assert staff.post(f"/consultations/{cid}/comments", data={"body": "建议弹性上班。"}).status_code == 200
    r = union.post(f"/consultations/{closed[1]}/summary", data={"summary_md": "无意见。"})
    assert r.status_code == 303 and r.headers["Location"] == f"/consultations/{closed[1]}"
    assert union.post(f"/consultations/{cid}/matter", data={"matter_kind": "policy"}).status_code == 200
    with app.app_context():
        s = db.session
        assert s.scalar(select(func.count()).select_from(Consultation)
                        .where(Consultation.title == "教师考勤办法（征求意见稿）")) == 1
        assert s.scalar(select(Comment.author_id).where(Comment.body == "建议弹性上班。")) == user(s, "staff").id
        assert s.get(Consultation, closed[1]).summary_md == "无意见。"
        assert s.get(Consultation, cid).matter_kind == "policy"
