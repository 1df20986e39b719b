"""The board screen: a full-screen page at the board's address, needing no sign-in, showing
only public content. It polls itself (htmx, every ``BOARD_POLL_SECONDS``, 30 by default) with
the ETag it was last given, so an unchanged board costs a 304 with nothing rendered; each poll says which slide is showing
(``?shown=``), and that report is kept at most once a minute (``rules.record_seen``).

A few lines of script (``static/js/board.js``) turn the slides, keep the last good content
with a "重新连接中" mark while the server cannot be reached, and reload the page once a day
(only after checking the server answers with a board); a small service worker
(``static/js/board-sw.js``) serves the last good page when the screen starts while the server
is down.
"""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from flask import Flask, Response, abort, current_app, make_response, request
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.auth.permissions import Context
from portal.boards import queries, rules
from portal.boards.forms import LABELS
from portal.boards.models import Board
from portal.boards.views import bp
from portal.boards.views.charts import build_charts
from portal.charts import qr
from portal.disclosure.forms import CHANNEL_LABELS
from portal.extensions import db
from portal.pagecache import data_version, versioned
from portal.timeutil import to_local, utcnow
from portal.web import absolute_url, begin_write, is_partial, render

def board_by_token(token: str) -> queries.BoardKey:
    """The board at this address; 404 for any other (an old address after a new one).

    Kept per worker until the data version moves: every change of a board (settings, a new
    address, removal) is a rule with an audit event, so an unchanged board's poll costs one
    query, the audit head's."""
    if not 16 <= len(token) <= 64:
        abort(404)
    return versioned(board_memo(token), lambda: queries.board_key(db.session, token)) or abort(404)


def board_memo(token: str) -> str:
    """The name the board's settings are kept under per worker (``pagecache.versioned``);
    the poll shortcut (``views.shortcut``) reads the same entry."""
    return f"board:{token}"


def bounds_memo(now: datetime) -> tuple[str, datetime]:
    """The name the 公示 openings and closings are kept under, and the hour they start from.
    Kept per hour as well as per data version, so that every worker holding the same data
    version counts the same boundaries (and gives the same ETag) within an hour."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    return f"board:gongshi:{hour:%Y-%m-%d %H}", hour


def deck_etag(board: queries.BoardKey, version: int, now: datetime, bounds: queries.Boundaries,
              variant: str = "zh_CN:p") -> tuple[str, bool]:
    """The ETag of the board's deck (``zh_CN:p``; the whole page's is ``zh_CN:f``) and
    whether the board is in its quiet hours."""
    quiet = rules.is_quiet(board.quiet_start, board.quiet_end, board.quiet_weekends, to_local(now))
    return queries.etag(board, version, now, quiet, variant, queries.boundaries_passed(bounds, now)), quiet


@bp.get("/boards/<token>")
def screen(token: str) -> Response:
    """The board (full page), or its deck when htmx polls; 304 when nothing changed. An
    unchanged poll is usually answered before Flask by ``views.shortcut``; this view answers
    the rest (the first poll after a change, the page, an old address)."""
    board = board_by_token(token)
    now = utcnow()
    if request.args.get("shown"):
        due = keep_report(current_app, board.id, request.args.get("shown", ""), now)
        if due:
            begin_write()
            rules.record_seen(db.session, due)
            db.session.commit()
    name, hour = bounds_memo(now)
    bounds = versioned(name, lambda: queries.gongshi_boundaries(db.session, hour))
    # A board is read by passers-by, not by the kiosk browser's owner: always in Chinese.
    # The deck's own tag is what the script sends back; the whole page has another (its body differs).
    deck_tag, quiet = deck_etag(board, data_version(), now, bounds)
    tag = deck_tag if is_partial() else deck_etag(board, data_version(), now, bounds, "zh_CN:f")[0]
    if request.if_none_match.contains(tag):
        resp = make_response("", 304)
    else:
        with force_locale("zh_CN"):
            resp = _render(db.session.get(Board, board.id) or abort(404), token, now, quiet, deck_tag)
    resp.set_etag(tag)
    # The screen's script holds the ETag itself (If-None-Match), so nothing may be kept by a cache.
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Robots-Tag"] = "noindex"
    resp.headers["X-Board"] = "1"  # the script swaps in only answers that carry this: never a login or error page
    resp.vary.add("HX-Request")
    return resp


_reports_lock = threading.Lock()


def keep_report(app: Flask, board_id: int, shown: str, now: datetime) -> list[rules.Report]:
    """Keep a screen's report in this worker; every ``BOARD_HEARTBEAT_SECONDS`` (60) hand back
    all the worker holds, for the caller to write in one statement. 500 screens polling every
    30 s then cost each worker one write a minute, not one per poll; a report lost with a
    worker is a minute of "last seen", well inside the five minutes that make a board offline."""
    state = app.extensions.setdefault("board_reports", {"pending": {}, "written": None})
    with _reports_lock:
        state["pending"][board_id] = (now, shown[:16])
        written = state["written"]
        # (a clock set back since the last write writes at once rather than wait for it)
        if written is not None and 0 <= (now - written).total_seconds() < app.config["BOARD_HEARTBEAT_SECONDS"]:
            return []
        reports = [(board, at, what) for board, (at, what) in state["pending"].items()]
        state["pending"].clear()
        state["written"] = now
    return reports


def _render(board: Board, token: str, now: datetime, quiet: bool, tag: str) -> Response:
    ctx = Context.for_session(db.session, now)
    deck = None if quiet else queries.deck(db.session, board, ctx, absolute_url, _)
    return render("boards/screen.html", block="board_deck", board=board, deck=deck, quiet=quiet, token=token,
                  now=now, local_now=to_local(now), poll_seconds=current_app.config["BOARD_POLL_SECONDS"], labels=LABELS, qr=qr,
                  etag=tag, public_home=absolute_url("home.index"), channel_labels=CHANNEL_LABELS,
                  charts=build_charts, epoch=int(now.replace(tzinfo=timezone.utc).timestamp()))


@bp.get("/boards/<token>/alive")
def alive(token: str) -> Response:
    """What the screen asks before its daily reload: 204 while its address works."""
    board_by_token(token)
    resp = make_response("", 204)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Board"] = "1"
    return resp




@bp.get("/boards/sw.js")
def service_worker() -> Response:
    """The screens' service worker (``static/js/board-sw.js``), served here so that its scope
    is ``/boards/``: it keeps each board's last good page and serves it when the server cannot
    be reached, so a screen started while the server is down shows its last content."""
    resp = current_app.send_static_file("js/board-sw.js")
    resp.headers["Cache-Control"] = "no-cache"
    return resp
