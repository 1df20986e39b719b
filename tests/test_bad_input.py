"""Bad input everywhere: random text in every field of the main forms never makes a 500,
and a refused submission changes nothing."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.disclosure.models import Notice
from portal.extensions import db
from tests.conftest import login_as
from tests.disclosure.factories import catalog, published

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
        assert r.status_code < 500

    run()


def test_objection_and_answer_forms(app, signed_in):
    client, _, notice_id = signed_in

    @SETTINGS
    @given(body=junk, anonymous=junk)
    def run(body, anonymous):
        r = client.hx(f"/notices/{notice_id}/objections", method="POST", data={"body": body, "anonymous": anonymous})
        assert r.status_code < 500

    run()


def test_user_and_filter_forms(app, people):
    client = app.test_client()
    login_as(client, app, "admin")

    @SETTINGS
    @given(username=junk, staff_no=junk, name=junk, dept=junk, q=junk, page=junk)
    def run(username, staff_no, name, dept, q, page):
        r = client.post("/admin/users/new", data={"username": username, "staff_no": staff_no, "name": name,
                                                  "department_id": dept, "roles": [dept]})
        assert r.status_code < 500
        for url in ("/admin/users", "/audit/", "/notices/school", "/notices/search"):
            r = client.get(url, query_string={"q": q, "page": page, "item": q, "year": page, "since": q,
                                              "status": q, "role": q})
            assert r.status_code < 500, url

    run()


def test_refused_notice_changes_nothing(app, signed_in):
    client, item_id, _ = signed_in
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Notice))
    client.post("/notices/new", data={"catalog_item_id": item_id, "audience": "nobody", "title": "x"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notice)) == before
