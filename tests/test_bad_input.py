"""Bad input everywhere: random text in every field of the main forms never makes a 500,
and a refused submission changes nothing. Each junk request must still reach its form (not a
refusal of the sign-in or the CSRF token), and each test ends with a valid submission from the
same client whose effect is in the database."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.auth.models import Department, User
from portal.disclosure.models import Notice, Objection
from portal.disclosure.rules import lodge_objection
from portal.extensions import db
from portal.web import REFUSED
from tests.conftest import login_as
from tests.disclosure.factories import catalog, published, user

junk = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "NaN", "<script>alert(1)</script>",
                     "{{7*7}}", "' OR 1=1 --", "\x00", "长" * 5000, "2026-13-45", "hx-get=/x"]),
)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def signed_in(app, people):
    client = app.test_client()
    login_as(client, app, "leader")
    with app.app_context():
        item_id = catalog(db.session).id
        notice_id = published(db.session, gongshi=5).id
        db.session.commit()
    return client, item_id, notice_id


def test_notice_form(app, signed_in):
    client, item_id, _ = signed_in

    @SETTINGS
    @given(title=junk, body=junk, days=junk, audience=junk, item=st.one_of(junk, st.just(str(item_id))))
    def run(title, body, days, audience, item):
        r = client.post("/notices/new", data={"catalog_item_id": item, "audience": audience, "title": title,
                                              "body_md": body, "gongshi_days": days})
        assert r.status_code == 200 and b'id="notice_form"' in r.data or _saved_draft(r), r.status_code

    run()
    # the control: the same client's valid form is taken (sign-in and CSRF token work)
    r = client.post("/notices/new", data={"catalog_item_id": item_id, "audience": "staff", "title": "有效的公告",
                                          "body_md": "正文", "gongshi_days": "5"})
    assert _saved_draft(r)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notice).where(Notice.title == "有效的公告")) == 1


def _saved_draft(r) -> bool:
    return r.status_code == 303 and re.fullmatch(r"/notices/\d+/edit", r.headers["Location"]) is not None


def test_objection_and_answer_forms(app, signed_in):
    """Staff object during the 公示 period; the author ("leader", signed in) answers."""
    author, _, notice_id = signed_in
    objector = app.test_client()
    login_as(objector, app, "staff")
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        answered_id = lodge_objection(db.session, user(db.session, "rep"), notice, "先有的异议", False).id
        db.session.commit()

    @SETTINGS
    @given(body=junk, anonymous=junk, answer=junk)
    def run(body, anonymous, answer):
        r = objector.hx(f"/notices/{notice_id}/objections", method="POST", data={"body": body, "anonymous": anonymous})
        assert r.status_code in (200, REFUSED) and b'id="objections"' in r.data, r.status_code
        r = author.hx(f"/objections/{answered_id}/answer", method="POST", data={f"a{answered_id}-answer": answer})
        assert r.status_code in (200, REFUSED) and b'id="objections"' in r.data, r.status_code

    run()
    # the controls: a valid objection and a valid answer from the same clients are stored
    r = objector.hx(f"/notices/{notice_id}/objections", method="POST", data={"body": "请核实第三名的加分依据。"})
    assert r.status_code == 200
    with app.app_context():
        lodged = db.session.scalar(select(Objection).where(Objection.body == "请核实第三名的加分依据。"))
        assert lodged is not None and lodged.author_id == user(db.session, "staff").id
        lodged_id = lodged.id
    r = author.hx(f"/objections/{lodged_id}/answer", method="POST", data={f"a{lodged_id}-answer": "加分依据见附件。"})
    assert r.status_code == 200
    with app.app_context():
        lodged = db.session.get(Objection, lodged_id)
        assert lodged.answer == "加分依据见附件。" and lodged.answered_by_id == user(db.session, "leader").id


def test_user_and_filter_forms(app, people):
    client = app.test_client()
    login_as(client, app, "admin")

    @SETTINGS
    @given(username=junk, staff_no=junk, name=junk, dept=junk, q=junk, page=junk)
    def run(username, staff_no, name, dept, q, page):
        r = client.post("/admin/users/new", data={"username": username, "staff_no": staff_no, "name": name,
                                                  "department_id": dept, "roles": [dept]})
        assert r.status_code == 200, r.status_code  # the form again, or the new account's password
        for url in ("/admin/users", "/audit/", "/notices/school", "/notices/search"):
            r = client.get(url, query_string={"q": q, "page": page, "item": q, "year": page, "since": q,
                                              "status": q, "role": q})
            assert r.status_code == 200, (url, r.status_code)

    run()
    # the control: the same client creates a valid user, and the filters answer a valid query
    with app.app_context():
        dept = db.session.scalar(select(Department.id).limit(1))
    r = client.post("/admin/users/new", data={"username": "newteacher", "staff_no": "T9001", "name": "新教师",
                                              "department_id": str(dept)})
    assert r.status_code == 200 and "newteacher".encode() in r.data
    with app.app_context():
        assert db.session.scalar(select(User.name).where(User.username == "newteacher")) == "新教师"
    assert b"newteacher" in client.get("/admin/users", query_string={"q": "newteacher"}).data
    assert b"user.created" in client.get("/audit/", query_string={"action": "user.created"}).data


def test_refused_notice_changes_nothing(app, signed_in):
    client, item_id, _ = signed_in
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Notice))
    client.post("/notices/new", data={"catalog_item_id": item_id, "audience": "nobody", "title": "x"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notice)) == before
    # the control: with a real audience the same post is a new draft
    assert _saved_draft(client.post("/notices/new", data={"catalog_item_id": item_id, "audience": "staff", "title": "x"}))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notice)) == before + 1
