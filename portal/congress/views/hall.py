"""The hall display: a full-screen page for the projector, reached by the session's display
address (an unguessable token the union sees and can rotate), needing no sign-in and no
interaction. A token rather than a public page because the display shows the rotating
sign-in code: on a public page anyone at home could read it. It shows only what the whole
hall may see: present / roster, quorum, the current poll with ballots cast against those
eligible (never a secret split before close), the result once closed.

It polls itself with htmx; the ETag makes an unchanged state cost a 304.
"""
from __future__ import annotations

import io

import segno
from flask import Response, abort, current_app, make_response, request, send_file
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.congress import queries
from portal.congress.forms import LABELS, OPTION_LABELS
from portal.congress.models import CongressSession
from portal.congress.rules.sessions import HALL_CODE_SECONDS
from portal.congress.views import bp
from portal.extensions import db
from portal.timeutil import utcnow
from portal.web import absolute_url, render

POLL_SECONDS = 3


def _by_token(token: str) -> CongressSession:
    if not 16 <= len(token) <= 64:
        abort(404)
    return queries.session_by_display_token(db.session, token) or abort(404)


@bp.get("/hall/<token>")
def hall(token: str) -> Response:
    """The display (full page), or its state block when htmx polls; 304 when unchanged."""
    cs = _by_token(token)
    now = utcnow()
    state = queries.hall_state(db.session, cs, current_app.secret_key or b"", now, _)
    etag = state.etag(str(get_locale()) + ("p" if request.headers.get("HX-Request") else "f"))
    if request.if_none_match.contains(etag):
        resp = make_response("", 304)
    else:
        sign_in_url = absolute_url("congress.sign_in", session_id=cs.id, code=state.code) if state.code else ""
        resp = render("congress/hall.html", block="hall_state", state=state, token=token, labels=LABELS,
                      option_labels=OPTION_LABELS, sign_in_url=sign_in_url, poll_seconds=POLL_SECONDS,
                      code_seconds=HALL_CODE_SECONDS)
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
