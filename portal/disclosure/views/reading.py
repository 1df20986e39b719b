"""Reading disclosures: channel lists, a notice, search, QR codes and attachments."""
from __future__ import annotations

import io

from typing import Any

import segno
from flask import Response, abort, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.auth.models import User
from portal.auth.permissions import Context
from portal.disclosure import queries
from portal.disclosure.forms import CHANNEL_LABELS, LABELS, NoticeFilterForm, SearchForm
from portal.disclosure.models import Attachment, CatalogItem, Channel, Notice, Status
from portal.disclosure.rules import content_digest, gongshi_state, versions
from portal.disclosure.views import bp
from portal.extensions import db
from portal.formutil import options
from portal.pagecache import public_page, reader_page
from portal import registry
from portal.registry import Section
from portal.timeutil import utcnow
from portal.web import absolute_url, explain, paginate, render, send_stored

PAGE_SIZE = 20


def load_notice(notice_id: int, action: str = "notice.view") -> Notice:
    """The notice with what its page shows, after asking permissions; 404 when missing."""
    notice = queries.notice_for_page(db.session, notice_id)
    if notice is None:
        abort(404)
    permissions.require(action, notice)
    return notice


def notice_context(notice: Notice, **extra: Any) -> dict[str, Any]:
    """Everything the notice page and its fragments (objections, acknowledgement) need."""
    user = current_user if current_user.is_authenticated else None
    objections = queries.objections_of(db.session, notice) if notice.gongshi_days else []
    acknowledged = bool(user and notice.requires_ack and queries.has_acknowledged(db.session, notice, user.id))
    return {
        "notice": notice,
        "versions": versions(db.session, notice) if notice.series_id else [],
        "objections": objections,
        "acknowledged": acknowledged,
        "gongshi": gongshi_state(notice),
        "digest": content_digest(notice),
        "now": utcnow(),
        "labels": LABELS,
        # only an item that receives another feature's events has notices made from them
        "origins": [(explain(label), url_for(endpoint, **values)) for label, endpoint, values in
                    registry.origins(db.session, "notice", notice.series_id or notice.id)]
        if notice.catalog_item.receives else [],
        **extra,
    }


def _channel_list(channel: str) -> Response:
    permissions.require("notice.list")
    items = db.session.scalars(CatalogItem.ordered(channel)).all()
    form = NoticeFilterForm(request.args, meta={"csrf": False})
    form.item.choices = options([(0, _("全部"))] + [(i.id, i.name) for i in items])
    this_year = utcnow().year
    form.year.choices = options([(0, _("全部"))] + [(y, str(y)) for y in range(this_year, this_year - 6, -1)])
    filters: dict[str, Any] = {"item_id": None, "year": None, "withdrawn": False}
    if form.validate():
        filters = {"item_id": form.item.data or None, "year": form.year.data or None,
                   "withdrawn": form.status.data == Status.WITHDRAWN.value}
    return render(
        "disclosure/list.html", block="notice_list", channel=channel, channel_label=CHANNEL_LABELS[channel],
        form=form, **paginate(queries.notice_lines(current_user, channel, **filters), PAGE_SIZE, queries.NoticeLine),
    )


@bp.get("/notices/party")
@public_page()
@reader_page()
def party() -> Response:
    """Party-affairs notices (党务公开) this reader may see, with filters and paging."""
    return _channel_list("party")


@bp.get("/notices/school")
@public_page()
@reader_page()
def school() -> Response:
    """School-affairs notices (校务公开) this reader may see, with filters and paging."""
    return _channel_list("school")


@bp.get("/notices/search")
@public_page()
def search() -> Response:
    """Search titles and bodies (Chinese substrings); the results fragment swaps as one types."""
    permissions.require("notice.list")
    form = SearchForm(request.args, meta={"csrf": False})
    q = (form.q.data or "").strip() if form.validate() else ""
    results = paginate(queries.search(current_user, q, db.engine.dialect.name), PAGE_SIZE) if q else \
        {"rows": [], "total": 0, "page": 1, "pages": 1}
    return render("disclosure/search.html", block="search_results", form=form, q=q,
                  channel_labels=CHANNEL_LABELS, **results)


@bp.get("/notices/<int:notice_id>")
@reader_page()
def show(notice_id: int) -> Response:
    """One notice: body, attachments, 公示 countdown, objections and answers, versions."""
    notice = load_notice(notice_id)
    return render("disclosure/notice.html", **notice_context(notice))


@bp.get("/notices/<int:notice_id>/qr.png")
def qr(notice_id: int) -> Response:
    """A QR code that links to the notice page, for screens and paper copies."""
    notice = load_notice(notice_id)
    buf = io.BytesIO()
    segno.make(absolute_url("disclosure.show", notice_id=notice.id), error="m").save(
        buf, kind="png", scale=5, border=2)
    buf.seek(0)
    resp = send_file(buf, mimetype="image/png", max_age=3600)
    return resp


@bp.get("/attachments/<int:attachment_id>")
def download(attachment_id: int) -> Response:
    """Download an attachment as a file (never inline), after the notice's own access check."""
    att = db.session.get(Attachment, attachment_id) or abort(404)
    notice = load_notice(att.notice_id, "notice.read_body")
    return send_stored(att.filename, att.stored_name, att.content_type, public=notice.audience == "public")


# --- what disclosure shows on the home page --------------------------------------------------

def home_sections(user: User | None, ctx: Context) -> list[Section]:
    """Notices in their 公示 window, and the latest of each channel, as this reader may see."""
    in_gongshi = db.session.scalars(queries.in_gongshi(user, ctx)).all()
    latest = {c.value: db.session.scalars(queries.notice_list(user, c.value).limit(6)).all() for c in Channel}
    return [Section("disclosure/_home.html", 10, {"in_gongshi": in_gongshi, "latest": latest,
                                                   "channel_labels": CHANNEL_LABELS})]
