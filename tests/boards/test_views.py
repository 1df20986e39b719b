"""The board screen, its fragment, the posters and the charts over HTTP: public content only,
the ETag path, quiet hours, old addresses, the heartbeat and the admin's view of it."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, time, timedelta

import pytest
from flask import template_rendered
from sqlalchemy import select

from portal.auth.permissions import Context
from portal.boards import rules
from portal.boards.models import Board
from portal.extensions import db
from portal.timeutil import to_local, utcnow
from tests.boards import factories as f
from tests.conftest import login_as
from tests.disclosure import factories as nf


def _board(app, **kwargs) -> tuple[int, str]:
    with app.app_context():
        board = rules.create_board(db.session, None, kwargs.pop("name", "校门口"), **kwargs)
        db.session.commit()
        return board.id, board.token


@pytest.fixture
def world(app, people):
    with app.app_context():
        ids = f.world(db.session)
        db.session.commit()
    return ids


def _texts(client, token: str) -> list[str]:
    page = client.get(f"/boards/{token}")
    fragment = client.hx(f"/boards/{token}?shown=notices")
    assert page.status_code == fragment.status_code == 200
    return [page.get_data(as_text=True), fragment.get_data(as_text=True)]


def test_every_slide_shows_public_content_and_nothing_else(app, client, world):
    _id, token = _board(app)
    for html in _texts(client, token):
        for slide in ("gongshi", "notices", "tracker", "congress", "charts", "chain"):
            assert f'data-slide="{slide}"' in html
        for public in f.PUBLIC:
            assert public in html
        for sentinel in f.SENTINELS:
            assert sentinel not in html, sentinel
        assert "扫码查看" in html and 'class="qr"' in html


def test_posters_and_charts_show_only_public_content(app, client, world):
    with app.app_context():
        public_ids = [f.notice_id("PUBLIC-NOTICE"), f.notice_id("PUBLIC-GONGSHI")]
        hidden_ids = [f.notice_id(s) for s in ("STAFFONLY-NOTICE", "PARTYONLY-NOTICE", "STAFF-GONGSHI")]
    pages = []
    for size in ("a4", "a3"):
        for notice_id in public_ids:
            resp = client.get(f"/posters/notices/{notice_id}?size={size}")
            assert resp.status_code == 200
            pages.append(resp.get_data(as_text=True))
        pages.append(client.get(f"/posters/tracker?size={size}").get_data(as_text=True))
    pages.append(client.get("/tracker/charts").get_data(as_text=True))
    pages.append(client.hx("/tracker/charts").get_data(as_text=True))
    for html in pages:
        for sentinel in f.SENTINELS:
            assert sentinel not in html, sentinel
    assert "PUBLIC-RESOLUTION" in pages[2] and "公示期" in pages[1]
    for notice_id in hidden_ids:  # a staff-only or Party notice has no poster, for anyone
        assert client.get(f"/posters/notices/{notice_id}").status_code == 404
    login_as(client, app, "admin")
    for notice_id in hidden_ids:
        assert client.get(f"/posters/notices/{notice_id}").status_code == 404


def test_the_poster_carries_the_originals_hash_and_a_qr_code(app, client, people):
    with app.app_context():
        notice = nf.published(db.session, audience="public", title="招生简章", body="第一段\n\n" + "很长的正文" * 200)
        db.session.commit()
        digest = hashlib.sha256(f"{notice.title}\n\n{notice.body_md}".encode()).hexdigest()
        notice_id = notice.id
    html = client.get(f"/posters/notices/{notice_id}").get_data(as_text=True)
    assert digest[:32] in html and digest[32:] in html and 'class="qr"' in html
    assert "扫码查看全文" in html and "很长的正文" * 100 not in html
    assert f"http://127.0.0.1:5000/notices/{notice_id}" in html  # on PUBLIC_URL
    assert digest in client.get(f"/notices/{notice_id}").get_data(as_text=True)  # the same hash online


def test_an_unchanged_board_costs_a_304_and_no_rendering_and_a_change_shows_at_the_next_poll(app, client, people):
    _id, token = _board(app)
    first = client.hx(f"/boards/{token}?shown=idle")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "no-store" in first.headers["Cache-Control"]
    rendered = []
    template_rendered.connect(lambda sender, template, context, **kw: rendered.append(template.name), app)
    again = client.hx(f"/boards/{token}?shown=idle", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and rendered == []
    with app.app_context():
        nf.published(db.session, audience="public", title="新发布的公开事项")
        db.session.commit()
    changed = client.hx(f"/boards/{token}?shown=idle", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "新发布的公开事项" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != etag
    with app.app_context():  # a staff-only publication changes the data version, never the content shown
        nf.published(db.session, audience="staff", title="STAFFONLY-NOTICE 又一条")
        db.session.commit()
    assert "STAFFONLY-NOTICE" not in client.hx(f"/boards/{token}").get_data(as_text=True)


def test_a_board_with_nothing_to_show_shows_the_school_and_the_time(app, client, people):
    _id, token = _board(app, slides=["gongshi", "notices"])
    html = client.get(f"/boards/{token}").get_data(as_text=True)
    assert 'data-slide="idle"' in html and "阳光实验学校" in html and 'class="clock"' in html


def test_quiet_hours_are_black(app, client, world):
    local = to_local(utcnow())
    start = (local - timedelta(hours=1)).time().replace(second=0, microsecond=0, tzinfo=None)
    end = (local + timedelta(hours=1)).time().replace(second=0, microsecond=0, tzinfo=None)
    _id, token = _board(app, quiet_start=start, quiet_end=end)
    for html in _texts(client, token):
        assert 'class="deck quiet"' in html and "data-slide" not in html
        for public in f.PUBLIC:
            assert public not in html
    _id2, awake = _board(app, name="大厅", quiet_start=end, quiet_end=start)
    assert "PUBLIC-NOTICE" in client.get(f"/boards/{awake}").get_data(as_text=True)


def test_an_old_address_is_refused_after_a_new_one(app, client, people):
    board_id, token = _board(app)
    login_as(client, app, "admin")
    assert client.post(f"/admin/boards/{board_id}/address").status_code in (302, 303)  # no confirm: unchanged
    assert client.get(f"/boards/{token}").status_code == 200
    client.post(f"/admin/boards/{board_id}/address", data={"confirm": "yes"})
    with app.app_context():
        new = db.session.get(Board, board_id).token
    assert new != token
    for open_ in (client.get, client.hx):
        assert open_(f"/boards/{token}").status_code == 404
        assert open_(f"/boards/{token}/alive").status_code == 404
    assert client.get(f"/boards/{new}").status_code == 200
    assert client.get(f"/boards/{new}/alive").status_code == 204


def test_the_board_needs_no_sign_in_and_sets_no_cookie(app, client, people):
    _id, token = _board(app)
    for resp in (client.get(f"/boards/{token}"), client.hx(f"/boards/{token}?shown=chain")):
        assert resp.status_code == 200 and "Set-Cookie" not in resp.headers and resp.headers["X-Board"] == "1"
        assert "登录" not in resp.get_data(as_text=True)
    assert client.get("/boards/" + "x" * 32).status_code == 404


def test_each_poll_reports_what_it_showed_and_the_admin_sees_online_and_offline(app, client, people):
    board_id, token = _board(app)
    client.get(f"/boards/{token}")  # opening the page is not a report from the screen
    with app.app_context():
        assert db.session.get(Board, board_id).last_seen_at is None
    client.hx(f"/boards/{token}?shown=tracker")
    with app.app_context():
        board = db.session.get(Board, board_id)
        assert board.last_shown == "tracker" and utcnow() - board.last_seen_at < timedelta(seconds=30)
    admin = app.test_client()
    login_as(admin, app, "admin")
    page = admin.get("/admin/boards").get_data(as_text=True)
    assert "在线" in page and "决议督办" in page and token in page
    with app.app_context():
        board = db.session.get(Board, board_id)
        board.last_seen_at = utcnow() - timedelta(minutes=6)
        db.session.commit()
    assert "离线" in admin.get("/admin/boards").get_data(as_text=True)


def test_a_dark_board_in_school_hours_is_on_the_admins_to_do_list(app, people):
    from portal.boards.views.manage import dark_board_todos

    board_id, _token = _board(app, quiet_start=time(22), quiet_end=time(6, 30))
    tuesday_ten = datetime(2026, 12, 8, 2, 0)  # 10:00 in school time
    with app.test_request_context():
        admin = db.session.get(__import__("portal.auth.models", fromlist=["User"]).User, people["admin"])
        staff = db.session.get(type(admin), people["staff"])
        ctx = Context.for_session(db.session, tuesday_ten)
        todos = dark_board_todos(admin, ctx)
        assert len(todos) == 1 and "校门口" in todos[0].text and todos[0].warn
        assert dark_board_todos(staff, ctx) == []
        night = Context.for_session(db.session, datetime(2026, 12, 8, 15, 0))  # 23:00: quiet, and after school
        assert dark_board_todos(admin, night) == []
        board = db.session.get(Board, board_id)
        board.last_seen_at = tuesday_ten - timedelta(minutes=1)
        assert dark_board_todos(admin, ctx) == []


def test_the_admin_creates_and_changes_a_board_on_the_page(app, client, people):
    login_as(client, app, "admin")
    bad = client.hx("/admin/boards", method="POST", data={"name": "大厅", "orientation": "portrait",
                                                          "slides": ["gongshi"], "dwell_seconds": "2"})
    assert bad.status_code == 200 and "每页停留时间应在 5 到 600 秒之间。" in bad.get_data(as_text=True)
    ok = client.post("/admin/boards", data={"name": "大厅", "orientation": "portrait", "slides": ["gongshi", "chain"],
                                            "dwell_seconds": "20", "quiet_start": "22:00", "quiet_end": "06:30"})
    assert ok.status_code in (302, 303)
    with app.app_context():
        board = db.session.scalar(select(Board).where(Board.name == "大厅"))
        assert board.portrait and board.slide_codes == ["gongshi", "chain"] and board.quiet_start == time(22)
        board_id = board.id
    form = client.get(f"/admin/boards/{board_id}").get_data(as_text=True)
    assert 'value="大厅"' in form
    client.post(f"/admin/boards/{board_id}", data={"name": "大厅屏", "orientation": "landscape", "slides": ["notices"],
                                                   "dwell_seconds": "15", "quiet_start": "", "quiet_end": ""})
    with app.app_context():
        board = db.session.get(Board, board_id)
        assert board.name == "大厅屏" and board.slide_codes == ["notices"] and board.quiet_start is None


def test_the_command_prints_the_full_address_on_public_url(app, people):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["board", "create", "--name", "走廊", "--portrait"])
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    with app.app_context():
        board = db.session.scalar(select(Board).where(Board.name == "走廊"))
        assert board.portrait and url == f"{app.config['PUBLIC_URL']}/boards/{board.token}"
        old = board.token
    again = runner.invoke(args=["board", "create", "--name", "走廊"])
    assert again.exit_code != 0 and "同名" in again.output
    rotated = runner.invoke(args=["board", "rotate", "--name", "走廊"])
    assert rotated.exit_code == 0 and old not in rotated.output
    assert app.test_client().get(f"/boards/{old}").status_code == 404


def test_leadership_sees_the_charts_on_the_dashboard(app, client, world):
    login_as(client, app, "leader")
    html = client.get("/").get_data(as_text=True)
    assert "督办与提案图表" in html and "<svg" in html and "按时报告率" in html
    login_as(client, app, "staff")
    assert "督办与提案图表" not in client.get("/").get_data(as_text=True)


def test_the_tracker_charts_render_with_no_data(app, client, people):
    html = client.get("/tracker/charts").get_data(as_text=True)
    assert "暂无数据" in html


def test_a_worker_writes_its_screens_reports_together_at_most_once_a_minute(private_app):
    app = private_app
    app.config["BOARD_HEARTBEAT_SECONDS"] = 60
    with app.app_context():
        ids = [rules.create_board(db.session, None, name).id for name in ("甲", "乙")]
        db.session.commit()
        tokens = [db.session.get(Board, i).token for i in ids]
    client = app.test_client()
    client.hx(f"/boards/{tokens[0]}?shown=chain")  # the worker's first report is written at once
    client.hx(f"/boards/{tokens[1]}?shown=notices")  # kept in the worker for now
    with app.app_context():
        first, second = (db.session.get(Board, i) for i in ids)
        assert first.last_shown == "chain" and second.last_seen_at is None
    app.extensions["board_reports"]["written"] -= timedelta(seconds=61)
    client.hx(f"/boards/{tokens[0]}?shown=tracker")  # a minute on: both written, in one statement
    with app.app_context():
        first, second = (db.session.get(Board, i) for i in ids)
        assert first.last_shown == "tracker" and second.last_shown == "notices" and second.last_seen_at


def test_bad_input_in_the_board_form_is_refused_with_the_form_and_changes_nothing(app, client, people):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from sqlalchemy import func

    junk = st.one_of(st.text(max_size=80), st.sampled_from(
        ["", " ", "0", "-1", "99999999999999999999", "NaN", "<script>alert(1)</script>", "{{7*7}}", "\x00",
         "长" * 5000, "2026-13-45", "25:61", "hx-get=/x"]))
    login_as(client, app, "admin")

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(name=junk, orientation=junk, slides=st.lists(junk, max_size=3), dwell=junk, start=junk, end=junk)
    def run(name, orientation, slides, dwell, start, end):
        r = client.post("/admin/boards", data={"name": name, "orientation": orientation, "slides": slides,
                                               "dwell_seconds": dwell, "quiet_start": start, "quiet_end": end})
        assert r.status_code in (200, 303), r.status_code
        assert r.status_code == 303 or b'id="board_form"' in r.data

    run()
    with app.app_context():  # whatever got through was a whole, valid board
        for board in db.session.scalars(select(Board)):
            assert board.slide_codes and 5 <= board.dwell_seconds <= 600 and board.name.strip()
        before = db.session.scalar(select(func.count()).select_from(Board))
    r = client.post("/admin/boards", data={"name": "有效的公开栏", "orientation": "landscape", "slides": ["chain"],
                                           "dwell_seconds": "15", "quiet_start": "", "quiet_end": ""})
    assert r.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Board)) == before + 1


def test_the_pages_are_valid_html(app, client, world, tmp_path):
    """The Nu Html Checker on the board (full page), the posters, the charts and the admin's
    pages (the accessibility crawl reaches the linked ones too, but never a board's address)."""
    from tests.e2e.nu import check

    _id, token = _board(app)
    with app.app_context():
        notice_id = f.notice_id("PUBLIC-GONGSHI")
    docs = [("board", client.get(f"/boards/{token}").get_data(as_text=True)),
            ("poster-a4", client.get(f"/posters/notices/{notice_id}").get_data(as_text=True)),
            ("poster-a3", client.get(f"/posters/notices/{notice_id}?size=a3").get_data(as_text=True)),
            ("tracker-poster", client.get("/posters/tracker").get_data(as_text=True)),
            ("charts", client.get("/tracker/charts").get_data(as_text=True))]
    login_as(client, app, "admin")
    docs += [("admin", client.get("/admin/boards").get_data(as_text=True)),
             ("edit", client.get(f"/admin/boards/{_id}").get_data(as_text=True))]
    login_as(client, app, "leader")
    docs.append(("dashboard", client.get("/").get_data(as_text=True)))
    report = check(docs, tmp_path / "nu")
    assert [m.line_text() for m in report.errors] == []


def test_the_page_hands_the_screen_its_decks_etag_so_the_first_poll_is_a_304(app, client, people):
    _id, token = _board(app)
    page = client.get(f"/boards/{token}").get_data(as_text=True)
    held = re.search(r'data-etag="([0-9a-f]+)"', page).group(1)
    assert client.hx(f"/boards/{token}?shown=idle", headers={"If-None-Match": f'"{held}"'}).status_code == 304


def test_the_charts_draw_each_owners_months_and_the_figures_as_text(app, client, world):
    html = client.get("/tracker/charts").get_data(as_text=True)
    with app.app_context():
        from portal.auth.models import User

        owner = db.session.scalar(select(User.name).where(User.username == "principal"))
    assert "各责任人按时报告率（近 12 个月，按月）" in html and f'<figcaption id="tc-owner-1-cap">{owner}</figcaption>' in html
    this_month = f"{to_local(utcnow()).month}月"
    # the report filed this month (late or on time) has its figure in the table for screen readers
    assert re.search(f'<tr><th scope="row">{this_month}</th><td>(0|100)%</td></tr>', html)
    assert 'class="visually-hidden"' in html and 'aria-hidden="true"' in html
