"""A board's poll: the unchanged board's 304 answered before Flask (``views.shortcut``) with
the view's own headers, still counted as the screen's report and never for an old address;
and a 公示 window opened or closed by the clock alone reaching the board at the next poll."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import request_started

from portal.boards import rules
from portal.boards.models import Board
from portal.boards.views import screen
from portal.extensions import db
from tests.conftest import login_as
from tests.disclosure import factories as nf


def _board(app, **kwargs) -> tuple[int, str]:
    with app.app_context():
        board = rules.create_board(db.session, None, kwargs.pop("name", "校门口"), **kwargs)
        db.session.commit()
        return board.id, board.token


@pytest.fixture
def dispatched(app) -> list[str]:
    """The paths Flask itself handled (the shortcut's answers never reach it); the shortcut
    starts the test not knowing the view's headers (one app serves every test)."""
    seen: list[str] = []
    app.wsgi_app.headers = None

    def note(sender, **kw):
        from flask import request

        seen.append(request.path)

    request_started.connect(note, app)
    yield seen
    request_started.disconnect(note, app)


def test_an_unchanged_poll_is_answered_before_flask_with_the_views_headers_and_counts_as_a_report(
        app, client, people, dispatched):
    board_id, token = _board(app)
    first = client.hx(f"/boards/{token}?shown=idle")
    etag = first.headers["ETag"]
    by_view = client.hx(f"/boards/{token}?shown=idle", headers={"If-None-Match": etag})
    assert by_view.status_code == 304 and len(dispatched) == 2  # the view answers first, the shortcut learns
    with app.app_context():  # the screen's report is written (every poll under TESTING)
        board = db.session.get(Board, board_id)
        board.last_shown, board.last_seen_at = "", None
        db.session.commit()
    shortcut = client.hx(f"/boards/{token}?shown=chain", headers={"If-None-Match": etag})
    assert shortcut.status_code == 304 and shortcut.get_data() == b"" and len(dispatched) == 2
    assert shortcut.headers["ETag"] == etag
    view_headers = {k: v for k, v in by_view.headers.items() if k != "ETag"}
    assert {k: v for k, v in shortcut.headers.items() if k != "ETag"} == view_headers
    assert shortcut.headers["X-Board"] == "1" and shortcut.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in shortcut.headers and "Set-Cookie" not in shortcut.headers
    with app.app_context():
        board = db.session.get(Board, board_id)
        assert board.last_shown == "chain" and board.last_seen_at is not None
    # anything but a plain unchanged poll goes to Flask: another ETag, the page, a boosted request
    assert client.hx(f"/boards/{token}?shown=chain", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(f"/boards/{token}", headers={"If-None-Match": etag}).status_code == 200
    assert client.hx(f"/boards/{token}", headers={"If-None-Match": etag, "HX-Boosted": "true"}).status_code == 200
    assert len(dispatched) == 5


def test_the_shortcut_never_answers_for_an_old_address(app, client, people, dispatched):
    board_id, token = _board(app)
    etag = client.hx(f"/boards/{token}?shown=idle").headers["ETag"]
    assert client.hx(f"/boards/{token}?shown=idle", headers={"If-None-Match": etag}).status_code == 304
    assert client.hx(f"/boards/{token}?shown=idle", headers={"If-None-Match": etag}).status_code == 304
    admin = app.test_client()
    login_as(admin, app, "admin")
    admin.post(f"/admin/boards/{board_id}/address", data={"confirm": "yes"})
    with app.app_context():
        assert db.session.get(Board, board_id).token != token
    before = len(dispatched)
    assert client.hx(f"/boards/{token}?shown=idle", headers={"If-None-Match": etag}).status_code == 404
    assert len(dispatched) == before + 1  # the data version moved: Flask answered, and refused


def test_a_poll_with_a_cookie_or_an_unready_app_goes_to_flask(app, client, people, dispatched):
    _id, token = _board(app)
    etag = client.hx(f"/boards/{token}?shown=idle").headers["ETag"]
    client.hx(f"/boards/{token}?shown=idle", headers={"If-None-Match": etag})
    before = len(dispatched)
    client.set_cookie("x", "1")
    assert client.hx(f"/boards/{token}", headers={"If-None-Match": etag}).status_code == 304
    assert len(dispatched) == before + 1
    client.delete_cookie("x")
    app.extensions["ready"] = False
    try:
        client.hx(f"/boards/{token}", headers={"If-None-Match": etag})
        assert len(dispatched) == before + 2
    finally:
        app.extensions["ready"] = True


def test_a_gongshi_opening_or_closing_by_the_clock_alone_reaches_the_board_at_the_next_poll(
        app, client, people, monkeypatch):
    """With a fixed clock inside one hour (so the hour in the ETag stays put): a public 公示
    window that opens at 10:20 and closes at 10:40 school time, with nothing else changing."""
    _id, token = _board(app, slides=["gongshi"])
    base = datetime(2026, 12, 8, 2, 5)  # a Tuesday, 10:05 in school time
    with app.app_context():
        notice = nf.published(db.session, audience="public", title="按时开始的公示", now=base - timedelta(days=1))
        notice.gongshi_start, notice.gongshi_end = base + timedelta(minutes=15), base + timedelta(minutes=35)
        db.session.commit()
    clock = {"now": base + timedelta(minutes=5)}
    monkeypatch.setattr(screen, "utcnow", lambda: clock["now"])

    def poll(etag: str | None = None):
        return client.hx(f"/boards/{token}?shown=idle", headers={"If-None-Match": etag} if etag else {})

    before = poll()
    assert before.status_code == 200 and 'data-slide="idle"' in before.get_data(as_text=True)
    clock["now"] = base + timedelta(minutes=9)
    assert poll(before.headers["ETag"]).status_code == 304  # nothing opened yet
    assert poll(before.headers["ETag"]).status_code == 304  # (the shortcut's answer, too)
    clock["now"] = base + timedelta(minutes=16)
    opened = poll(before.headers["ETag"])
    assert opened.status_code == 200 and "按时开始的公示" in opened.get_data(as_text=True)
    assert poll(opened.headers["ETag"]).status_code == 304
    clock["now"] = base + timedelta(minutes=35)  # the last moment of the window: still shown
    assert poll(opened.headers["ETag"]).status_code == 304
    clock["now"] = base + timedelta(minutes=36)
    closed = poll(opened.headers["ETag"])
    assert closed.status_code == 200 and 'data-slide="idle"' in closed.get_data(as_text=True)
    assert "按时开始的公示" not in closed.get_data(as_text=True)
