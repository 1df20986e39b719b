"""The hall display: a full-screen page for the projector, reached by the session's display
address (an unguessable token the union sees and can rotate), needing no sign-in and no
interaction. A token rather than a public page because the display shows the rotating
sign-in code: on a public page anyone at home could read it. It shows only what the whole
hall may see: present / roster, quorum, the current poll with ballots cast against those
eligible (never a secret split before close), the result once closed.

It polls itself with htmx; the ETag makes an unchanged state cost a 304. With the page cache
on, each worker keeps the rendered state (and its ETag) until anything is recorded in the audit
chain (a sign-in, a ballot: a secret one records who voted, never how) or the sign-in code's
window turns, so a poll costs one query.
"""
from __future__ import annotations

import io
from datetime import datetime

import segno
from flask import Response, abort, current_app, make_response, request, send_file
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.congress import queries
from portal.congress.forms import LABELS, OPTION_LABELS
from portal.congress.models import CongressSession
from portal.congress.rules.sessions import HALL_CODE_SECONDS, code_window
from portal.congress.views import bp
from portal.extensions import db
from portal.pagecache import versioned
from portal.timeutil import utcnow
from portal.web import absolute_url, is_partial, render

POLL_SECONDS = 3


def _by_token(token: str) -> CongressSession:
    if not 16 <= len(token) <= 64:
        abort(404)
    return queries.session_by_display_token(db.session, token) or abort(404)


def _state_and_page(token: str, partial: bool, now: datetime, etag_only: str = "") -> tuple[str, bytes]:
    """The display's ETag and its page (or state block); no page when ``etag_only`` matches."""
    cs = _by_token(token)
    state = queries.hall_state(db.session, cs, current_app.secret_key or b"", now, _)
    etag = state.etag(str(get_locale()) + ("p" if partial else "f"))
    if etag_only == etag:
        return etag, b""
    sign_in_url = absolute_url("congress.sign_in", session_id=cs.id, code=state.code) if state.code else ""
    page = render("congress/hall.html", block="hall_state", state=state, token=token, labels=LABELS,
                  option_labels=OPTION_LABELS, sign_in_url=sign_in_url, poll_seconds=POLL_SECONDS,
                  code_seconds=HALL_CODE_SECONDS)
    return etag, page.get_data()


@bp.get("/hall/<token>")
def hall(token: str) -> Response:
    """The display (full page), or its state block when htmx polls; 304 when unchanged."""
    if not 16 <= len(token) <= 64:
        abort(404)
    partial = is_partial()
    now = utcnow()
    if current_app.config["PAGE_CACHE"]:
        etag, page = versioned(f"hall:{token}:{get_locale()}:{int(partial)}:{code_window(now)}",
                               lambda: _state_and_page(token, partial, now))
    else:
        held = request.if_none_match
        etag, page = _state_and_page(token, partial, now, next(iter(held), "") if len(held) == 1 else "")
    if request.if_none_match.contains(etag):
        resp = make_response("", 304)
    else:
        resp = make_response(page)
        resp.content_type = "text/html; charset=utf-8"
    resp.set_etag(etag)
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["X-Robots-Tag"] = "noindex"
    resp.vary.add("HX-Request")
    return resp


@bp.get("/hall/<token>/code.png")
def hall_code_png(token: str) -> Response:
    """The QR code of the sign-in address with this window's code (only while one is needed)."""
    cs = _by_token(token)
    state = queries.hall_state(db.session, cs, current_app.secret_key or b"", utcnow(), _)
    if state.code is None:
        abort(404)
    buf = io.BytesIO()
    segno.make(absolute_url("congress.sign_in", session_id=cs.id, code=state.code), error="m").save(
        buf, kind="png", scale=8, border=2)
    buf.seek(0)
    resp = send_file(buf, mimetype="image/png", max_age=0)
    resp.headers["Cache-Control"] = "no-store"
    return resp
