"""The inbox: the reader's notifications, the unread badge, marking read."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import registry
from portal.auth.permissions import require
from portal.extensions import db
from portal.notify import queries, rules
from portal.notify.models import Notification
from portal.notify.views import bp
from portal.web import attempt, paginate, redirect_to, render

PER_PAGE = 30


@bp.get("/inbox")
def inbox() -> Response:
    """The reader's notifications, newest first, each linking to what it is about."""
    require("inbox.view")
    unread, _newest = queries.unread_state(db.session, current_user.id)
    return render("notify/inbox.html", block="inbox", **_inbox_page(unread))


@bp.get("/inbox/badge")
def badge() -> Response:
    """The navigation's unread count, polled by htmx; 304 when nothing changed."""
    require("inbox.view")
    unread, newest = queries.unread_state(db.session, current_user.id)
    etag = queries.badge_etag(current_user.id, unread, newest)
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = render("notify/_badge.html", unread=unread)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/inbox/<int:notification_id>/open")
def open_notification(notification_id: int) -> Response:
    """Mark the notification read and go to what it is about (or back to the inbox)."""
    notification = db.session.get(Notification, notification_id) or abort(404)
    require("notification.read", notification)
    with attempt() as done:
        rules.mark_read(db.session, current_user, notification)
    done.flash()
    return redirect_to(registry.subject_url(notification.subject_kind, notification.subject_id)
                       or url_for("notify.inbox"))


@bp.post("/inbox/read-all")
def read_all() -> Response:
    """Mark every notification read."""
    require("inbox.view")
    count = rules.mark_all_read(db.session, current_user)
    db.session.commit()
    return render("notify/inbox.html", block="inbox", done=_("已将 %(n)d 条消息标为已读。", n=count),
                  **_inbox_page(0))


def _inbox_page(unread: int) -> dict[str, Any]:
    """One page of the inbox with each entry's link (page and fragment share it)."""
    page = paginate(queries.inbox(current_user.id), PER_PAGE)
    links = {n.id: registry.subject_url(n.subject_kind, n.subject_id) for n in page["rows"]}
    texts = {n.id: _(n.message, **n.params) for n in page["rows"]}
    return dict(links=links, texts=texts, unread=unread, **page)

