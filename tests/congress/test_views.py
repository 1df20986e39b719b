"""Congress pages: every page as a full page and as an htmx fragment, bad input answered in
Chinese (never a 500), the hall display's ETag, and votes over HTTP."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.congress.models import Participation, Poll
from portal.congress.rules import polls, sessions
from portal.extensions import db
from tests.congress import factories as f
from tests.conftest import ON_POSTGRES, login_as


@pytest.fixture
def setup(app, people):
    """An open session (hall code off) with rep + r1..r3 signed in, an open named motion,
    an open-able secret draft, and the display token."""
    with app.app_context():
        union = f.user(db.session, "union")
        extra = f.reps(db.session, 3)
        cs = f.open_session(db.session, union)
        f.sign_in_all(db.session, cs, [f.user(db.session, "rep"), *extra])
        named = f.poll(db.session, union, cs)
        secret = f.poll(db.session, union, cs, secret=True, opened=False)
        db.session.commit()
        return {"cs": cs.id, "named": named.id, "secret": secret.id, "token": cs.display_token}


def test_pages_full_and_fragment(app, client, setup):
    login_as(client, app, "union")
    for url, block in [("/congress/", None), (f"/congress/sessions/{setup['cs']}", None),
                       (f"/congress/sessions/{setup['cs']}?block=presence", 'id="presence"'),
                       (f"/congress/polls/{setup['named']}", None), (f"/congress/polls/{setup['secret']}", None),
                       (f"/congress/sessions/{setup['cs']}/sign-in", 'id="sign-in"'),
                       ("/congress/results", None), (f"/congress/hall/{setup['token']}", 'id="hall-state"')]:
        full = client.get(url)
        assert full.status_code == 200 and b"<html" in full.data, url
        part = client.hx(url)
        assert part.status_code == 200, url
        if block:
            assert block.encode() in part.data and b"<html" not in part.data, url


def test_vote_over_http_then_again_says_already_voted(app, client, setup):
    login_as(client, app, "union")
    client.post(f"/congress/polls/{setup['named']}/close")
    client.post(f"/congress/polls/{setup['secret']}/open")
    login_as(client, app, "rep")
    url = f"/congress/polls/{setup['secret']}/vote"
    first = client.hx(url, "POST", data={"choice": "yes"})
    assert first.status_code == 200 and "投票成功".encode() in first.data
    again = client.hx(url, "POST", data={"choice": "no"})
    assert again.status_code == 422 and "您已投票".encode() in again.data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participation)
                                 .where(Participation.poll_id == setup["secret"])) == 1


def test_a_vote_after_the_close_gets_the_reason_and_the_closed_page(app, client, setup):
    """Issue 21.2: the union closes the poll while a representative is about to vote. The vote
    reaches the rule (not a bare 403), changes nothing, and the answer is the whole poll as it
    now is, for the page's main region, with the rule's message."""
    url = f"/congress/polls/{setup['named']}/vote"
    login_as(client, app, "rep")
    ballot = client.get(f"/congress/polls/{setup['named']}")
    assert url.encode() in ballot.data  # the ballot is on the phone
    login_as(client, app, "union")
    client.post(f"/congress/polls/{setup['named']}/close")
    login_as(client, app, "rep")
    late = client.hx(url, "POST", data={"choice": "yes"})
    text = late.get_data(as_text=True)
    assert late.status_code == 422 and "表决已经结束，不能再投票。" in text
    assert late.headers["HX-Retarget"] == "#main" and late.headers["HX-Reswap"] == "innerHTML"
    assert "<html" not in text and "已结束" in text and 'class="page-head"' in text and url not in text
    plain = client.post(url, data={"choice": "yes"})  # without htmx: the whole page, same message
    assert plain.status_code == 422 and "<html" in plain.get_data(as_text=True)
    assert "表决已经结束，不能再投票。" in plain.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participation)
                                 .where(Participation.poll_id == setup["named"])) == 0
    login_as(client, app, "staff")  # not a representative: still refused by the permission
    assert client.hx(url, "POST", data={"choice": "yes"}).status_code == 403


def test_bad_votes_are_answered_in_chinese(app, client, setup):
    login_as(client, app, "rep")
    url = f"/congress/polls/{setup['named']}/vote"
    for data in ({}, {"choice": "maybe"}, {"choice": ["yes", "no"]}, {"choice": "x" * 500}):
        resp = client.hx(url, "POST", data=data)
        assert resp.status_code == 422 and 'class="error"'.encode() in resp.data, data
    login_as(client, app, "staff")  # not a representative: refused before any form
    assert client.hx(url, "POST", data={"choice": "yes"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participation)) == 0


def test_named_vote_changes_over_http(app, client, setup):
    login_as(client, app, "rep")
    url = f"/congress/polls/{setup['named']}/vote"
    assert "投票成功".encode() in client.hx(url, "POST", data={"choice": "yes"}).data
    assert "已修改".encode() in client.hx(url, "POST", data={"choice": "abstain"}).data


def test_sign_in_over_http_with_stale_and_fresh_hall_code(app, client, people):
    with app.app_context():
        union = f.user(db.session, "union")
        cs = f.open_session(db.session, union, requires_hall_code=True)
        db.session.commit()
        cs_id = cs.id
        fresh = sessions.current_hall_code(app.secret_key, cs_id)
    login_as(client, app, "rep")
    url = f"/congress/sessions/{cs_id}/sign-in"
    page = client.get(url + f"?code={fresh}")  # from the QR code: shows the form, signs nobody in
    assert page.status_code == 200 and fresh.encode() in page.data
    with app.app_context():
        assert not sessions.is_present(db.session, db.session.get(type(cs), cs_id), people["rep"])
    wrong = "000000" if fresh != "000000" else "111111"
    stale = client.hx(url, "POST", data={"code": wrong})
    assert stale.status_code == 422 and "签到码不正确".encode() in stale.data
    ok = client.hx(url, "POST", data={"code": fresh})  # the whole page again: presence changed too
    assert ok.status_code == 204 and ok.headers["HX-Redirect"] == f"/congress/sessions/{cs_id}"
    assert "您已签到".encode() in client.get(f"/congress/sessions/{cs_id}").data
    again = client.hx(url, "POST", data={"code": fresh})
    assert again.status_code == 422 and "您已签到".encode() in again.data


def test_union_records_paper_sign_in_and_bad_input(app, client, setup, people):
    login_as(client, app, "union")
    url = f"/congress/sessions/{setup['cs']}/presence"
    bad = client.hx(url, "POST", data={"user_id": "", "entry": "in"})
    assert bad.status_code == 422 and "请选择代表".encode() in bad.data
    twice = client.hx(url, "POST", data={"user_id": people["rep"], "entry": "in", "note": "纸质"})
    assert twice.status_code == 422 and "已签到".encode() in twice.data
    out = client.hx(url, "POST", data={"user_id": people["rep"], "entry": "out"})
    assert "已登记".encode() in out.data


def test_poll_forms_bad_input(app, client, setup):
    login_as(client, app, "union")
    resp = client.post(f"/congress/sessions/{setup['cs']}/polls", data={"title": "", "kind": "motion"},
                       follow_redirects=True)
    assert resp.status_code == 200 and "请填写表决事项".encode() in resp.data
    resp = client.post(f"/congress/sessions/{setup['cs']}/polls", follow_redirects=True, data={
        "title": "选举", "kind": "election", "seats": "3", "candidates": "甲\n乙", "rule": "default"})
    assert "应选人数须在 1 到候选人数".encode() in resp.data
    edit = client.hx(f"/congress/polls/{setup['named']}/edit", "POST", data={"title": "新", "kind": "motion",
                                                                          "rule": "default"})
    assert edit.status_code == 422 and "不能再修改".encode() in edit.data
    twice = client.post(f"/congress/polls/{setup['named']}/close", follow_redirects=True)
    again = client.post(f"/congress/polls/{setup['named']}/close", follow_redirects=True)
    assert twice.status_code == 200 and "不能重复结束".encode() in again.data


def test_paper_counts_over_http(app, client, setup):
    with app.app_context():
        union = f.user(db.session, "union")
        cs = db.session.get(Poll, setup["named"]).session
        p = f.poll(db.session, union, cs, paper=True, opened=False)
        polls.close_poll(db.session, union, db.session.get(Poll, setup["named"]))
        polls.open_poll(db.session, union, p)
        db.session.commit()
        pid = p.id
    login_as(client, app, "union")
    url = f"/congress/polls/{pid}/paper"
    too_many = client.hx(url, "POST", data={"n_yes": "4", "n_no": "1", "n_abstain": "0"})
    assert too_many.status_code == 422 and "超过在场人数 4 人".encode() in too_many.data
    assert "请填写票数".encode() in client.hx(url, "POST", data={"n_yes": "x"}).data
    done = client.hx(url, "POST", data={"n_yes": "3", "n_no": "1", "n_abstain": "0"})
    assert done.status_code == 204 and done.headers["HX-Redirect"].endswith(f"/congress/polls/{pid}")
    page = client.get(f"/congress/polls/{pid}")
    assert "应到 4 人，实到 4 人".encode() in page.data and "通过".encode() in page.data


def test_hall_display_etag_gives_304_when_unchanged(app, client, setup):
    url = f"/congress/hall/{setup['token']}"
    first = client.hx(url)
    etag = first.headers["ETag"]
    again = client.hx(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    with app.app_context():  # someone votes: the count on the display changes
        polls.cast_vote(db.session, f.user(db.session, "rep"), db.session.get(Poll, setup["named"]), "yes")
        db.session.commit()
    changed = client.hx(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_hall_display_unknown_token_is_404_and_rotation_kills_the_old(app, client, setup):
    assert client.get("/congress/hall/" + "x" * 32).status_code == 404
    login_as(client, app, "union")
    client.post(f"/congress/sessions/{setup['cs']}/display")
    assert client.get(f"/congress/hall/{setup['token']}").status_code == 404


def _qr_png(app, session_id: int, code: str) -> bytes:
    """The QR code the display should show: the sign-in address with ``code``, as segno draws it."""
    import io

    import segno

    buf = io.BytesIO()
    url = f"{app.config['PUBLIC_URL']}/congress/sessions/{session_id}/sign-in?code={code}"
    segno.make(url, error="m").save(buf, kind="png", scale=8, border=2)
    return buf.getvalue()


def test_hall_code_png_only_when_required(app, client, setup):
    from portal.timeutil import utcnow

    assert client.get(f"/congress/hall/{setup['token']}/code.png").status_code == 404  # no code needed
    with app.app_context():
        union = f.user(db.session, "union")
        cs = f.open_session(db.session, union, requires_hall_code=True, term_number=2)
        db.session.commit()
        cs_id, token = cs.id, cs.display_token
    assert 'code.png'.encode() in client.get(f"/congress/hall/{token}").data  # the display shows it
    windows = {sessions.code_window(utcnow())}
    png = client.get(f"/congress/hall/{token}/code.png")
    windows.add(sessions.code_window(utcnow()))  # the code may have turned meanwhile
    assert png.status_code == 200 and png.mimetype == "image/png" and png.headers["Cache-Control"] == "no-store"
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n")
    # this session's code of this window, and no other session's
    assert png.data in {_qr_png(app, cs_id, sessions.hall_code(app.secret_key, cs_id, w)) for w in windows}
    assert png.data not in {_qr_png(app, setup["cs"], sessions.hall_code(app.secret_key, setup["cs"], w))
                            for w in windows}
    # only through the display's current address, and only while the session is open
    assert client.get("/congress/hall/" + "x" * 32 + "/code.png").status_code == 404
    login_as(client, app, "union")
    client.post(f"/congress/sessions/{cs_id}/display")
    assert client.get(f"/congress/hall/{token}/code.png").status_code == 404
    with app.app_context():
        cs = db.session.get(type(cs), cs_id)
        token = cs.display_token
        assert client.get(f"/congress/hall/{token}/code.png").status_code == 200
        sessions.close_session(db.session, f.user(db.session, "union"), cs)
        db.session.commit()
    assert client.get(f"/congress/hall/{token}/code.png").status_code == 404


def test_results_public_only_when_marked(app, client, setup):
    with app.app_context():
        polls.close_poll(db.session, f.user(db.session, "union"), db.session.get(Poll, setup["named"]))
        db.session.commit()
    anon = app.test_client()
    assert anon.get(f"/congress/polls/{setup['named']}").status_code == 302
    login_as(client, app, "union")
    client.post(f"/congress/polls/{setup['named']}/publish", data={"public": "y"})
    assert anon.get(f"/congress/polls/{setup['named']}").status_code == 200
    assert "关于绩效工资分配方案的表决".encode() in anon.get("/congress/results").data


def test_roster_page_enrol_and_leave(app, client, setup, people):
    from portal.congress.models import Representative
    from tests.conftest import make_user

    with app.app_context():
        newcomer = make_user("newcomer", name="新代表").id
        db.session.commit()
        term_id = db.session.get(Poll, setup["named"]).session.term_id
        rep_id = db.session.scalar(select(Representative.id).where(Representative.user_id == people["rep"]))
    login_as(client, app, "union")
    url = f"/congress/terms/{term_id}/roster"
    assert client.get(url).status_code == 200 and client.hx(url).status_code == 200
    bad = client.post(f"/congress/representatives/{rep_id}/leave", data={"left_on": "1999-01-01"}, follow_redirects=True)
    assert "离任日期应在".encode() in bad.data
    ok = client.post(f"/congress/representatives/{rep_id}/leave", data={"left_on": "2026-01-31"}, follow_redirects=True)
    assert "已登记".encode() in ok.data
    added = client.post(url, data={"user_id": newcomer, "delegation_id": "0", "joined_on": "2026-02-01"},
                        follow_redirects=True)
    assert "已列入代表名单".encode() in added.data
    empty = client.post(url, data={}, follow_redirects=True)
    assert "请选择教职工".encode() in empty.data
    login_as(client, app, "staff")
    assert client.get(url).status_code == 200
    assert client.post(url, data={"user_id": newcomer}).status_code == 403


def test_union_creates_an_assembly_term(app, client, people):
    login_as(client, app, "union")
    resp = client.post("/congress/terms", follow_redirects=True, data={
        "number": "9", "name": "2027年教职工大会", "kind": "assembly", "starts_on": "2027-01-01", "ends_on": "2027-12-31"})
    assert resp.status_code == 200 and "已创建2027年教职工大会".encode() in resp.data
    bad = client.post("/congress/terms", follow_redirects=True, data={"number": "x"})
    assert bad.status_code == 200 and "请填写名称".encode() in bad.data
    with app.app_context():
        from portal.congress.models import CongressTerm
        term = db.session.scalar(select(CongressTerm).where(CongressTerm.number == 9))
        assert term.is_assembly
    assert "在职教职工均为应到人员".encode() in client.get(f"/congress/terms/{term.id}/roster").data


def test_roster_import_is_all_or_nothing_with_row_errors(app, client, people):
    import io

    from portal.congress.models import Representative
    from tests.conftest import make_user

    with app.app_context():
        for i in range(3):
            make_user(f"imp{i}", staff_no=f"IMP{i}", name=f"导入{i}")
        make_user("impgone", staff_no="IMPX", active=False)
        db.session.commit()
        term_id = f.term(db.session).id

    def upload(text: str):
        data = {"file": (io.BytesIO(text.encode("utf-8")), "reps.csv")}
        return client.hx(f"/congress/terms/{term_id}/roster/import", "POST", data=data,
                         content_type="multipart/form-data")

    def count() -> int:
        with app.app_context():
            return len(db.session.scalars(select(Representative).where(Representative.term_id == term_id)).all())

    login_as(client, app, "union")
    before = count()
    bad = upload("工号,代表团,加入日期\nIMP0,第一代表团,2026-09-01\nNOPE,,\nIMPX,,\nIMP0,,\nIMP1,,2026/9/1\nTrep,,\n")
    body = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "没有导入任何代表" in body
    for text in ("第 3 行", "不在教职工名册中", "已停用", "与第 2 行重复", "应写作 2026-09-01", "已是本届代表"):
        assert text in body, text
    assert count() == before  # nothing half-imported
    assert "缺少列" in upload("姓名\n张三\n").get_data(as_text=True)
    ok = upload("工号,代表团,加入日期\nIMP0,第一代表团,2026-09-01\nIMP1,第一代表团,\nIMP2,,\n")
    assert "已导入 3 名代表" in ok.get_data(as_text=True) and count() == before + 3


def test_session_papers_are_uploaded_by_the_union_and_read_by_staff(app, client, people):
    import io

    from portal.extensions import db
    from tests.congress import factories as f

    with app.app_context():
        cs = f.open_session(db.session, f.user(db.session, "union"))
        db.session.commit()
        sid = cs.id
    login_as(client, app, "union")
    resp = client.post(f"/congress/sessions/{sid}/documents",
                       data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "校长工作报告.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 303
    page = client.get(f"/congress/sessions/{sid}").get_data(as_text=True)
    assert "校长工作报告.pdf" in page and "会议文件已上传。" in page
    refused = client.post(f"/congress/sessions/{sid}/documents",
                          data={"file": (io.BytesIO(b"<svg onload=alert(1)>"), "x.pdf")},
                          content_type="multipart/form-data")
    after = client.get(f"/congress/sessions/{sid}").get_data(as_text=True)
    assert refused.status_code == 303 and "不支持该文件类型" in after and "x.pdf" not in after
    login_as(client, app, "staff")
    import re

    (href,) = re.findall(r'href="(/congress/documents/\d+)"', client.get(f"/congress/sessions/{sid}").get_data(as_text=True))
    got = client.get(href)
    assert got.status_code == 200 and got.data.startswith(b"%PDF") and "attachment" in got.headers["Content-Disposition"]
    anonymous = app.test_client().get(href)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")


# --- the session page, its presence poll and a poll's page: statements pinned (issue 23) -------

# As a representative who is signed in (the presence poll renders its block from a small
# context: the figures and the quorum); SQLite also counts its BEGIN.
CONGRESS_STATEMENTS = {"session": 14, "presence": 6, "poll": 10}


@pytest.mark.parametrize("page", ["session", "presence", "poll"])
def test_congress_pages_cost_the_same_at_two_sizes(app, client, setup, page):
    from tests.disclosure.test_scaling import statements

    path = {"session": f"/congress/sessions/{setup['cs']}", "presence": f"/congress/sessions/{setup['cs']}?block=presence",
            "poll": f"/congress/polls/{setup['named']}"}[page]
    headers = {"HX-Request": "true"} if page == "presence" else {}
    login_as(client, app, "rep")
    counts = []
    for grow in ("s", "t"):  # thirty more representatives each time, twenty of them in the hall
        with app.app_context():
            s = db.session
            more = f.reps(s, 30, prefix=grow)
            cs = s.get(type(s.get(Poll, setup["named"]).session), setup["cs"])
            f.sign_in_all(s, cs, more[:20])
            s.commit()
        client.get(path, headers=headers)
        with statements(app) as seen:
            assert client.get(path, headers=headers).status_code == 200
        counts.append(len(seen))
    pinned = CONGRESS_STATEMENTS[page] - (1 if ON_POSTGRES else 0)
    assert counts[0] == counts[1] == pinned, counts
