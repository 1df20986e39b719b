"""Posters for the paper board (公开栏): a public notice (with its 公示 window) or the current
tracker on one A4 or A3 page, with a QR code to the online original and its hash. Only
public content: a notice that is not public, published and current is 404 here."""
from __future__ import annotations

import html as html_module

import nh3
from flask import Response, abort, request
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.auth import permissions
from portal.auth.permissions import current_context
from portal.boards import queries
from portal.boards.forms import LABELS
from portal.boards.views import bp
from portal.boards.views.charts import build_charts
from portal.charts import qr
from portal.disclosure import queries as nq
from portal.disclosure.forms import CHANNEL_LABELS
from portal.disclosure.models import Notice
from portal.disclosure.rules import content_digest, gongshi_state
from portal.extensions import db
from portal.pagecache import data_head
from portal.timeutil import to_local
from portal.web import absolute_url, render

# Characters of a notice's text on a poster before 扫码查看全文 (one page at both sizes: the
# A3 layout is the A4 one scaled up).
TEXT_MAX = 420
PARAGRAPHS_MAX = 8


def _size() -> str:
    return "a3" if request.args.get("size") == "a3" else "a4"


def plain_paragraphs(html: str, limit: int = TEXT_MAX) -> tuple[list[str], bool]:
    """The sanitised body as plain paragraphs, cut at ``limit`` characters (and eight
    paragraphs); and whether anything was left out."""
    text = nh3.clean(html.replace("</p>", "</p>\n").replace("<br>", "\n").replace("</li>", "</li>\n"), tags=set())
    paragraphs = [" ".join(p.split()) for p in html_module.unescape(text).split("\n")]
    paragraphs = [p for p in paragraphs if p]
    kept: list[str] = []
    used = 0
    for p in paragraphs:
        if len(kept) == PARAGRAPHS_MAX or used >= limit:
            return kept, True
        room = limit - used
        if len(p) > room:
            kept.append(p[:room - 1] + "…")
            return kept, True
        kept.append(p)
        used += len(p)
    return kept, False


@bp.get("/posters/notices/<int:notice_id>")
def notice_poster(notice_id: int) -> Response:
    """A public notice as a poster (A4, or A3 with ``?size=a3``)."""
    permissions.require("poster.print")
    ctx = current_context()
    notice = db.session.scalar(
        select(Notice).options(joinedload(Notice.catalog_item), joinedload(Notice.author))
        .where(Notice.id == notice_id, nq.visible(None, ctx=ctx))
    ) or abort(404)
    paragraphs, cut = plain_paragraphs(notice.body_html)
    url = absolute_url("disclosure.show", notice_id=notice.id)
    with force_locale("zh_CN"):  # the paper board is read by passers-by: in Chinese
        return render("boards/poster_notice.html", notice=notice, paragraphs=paragraphs, cut=cut, url=url, qr=qr,
                      digest=content_digest(notice), gongshi=gongshi_state(notice, ctx.now), size=_size(),
                      channel_labels=CHANNEL_LABELS, to_local=to_local,
                      unit=notice.author.department.name if notice.author.department else "")


@bp.get("/posters/tracker")
def tracker_poster() -> Response:
    """The public resolution tracker's figures, latest reports and charts as a poster."""
    permissions.require("poster.print")
    ctx = current_context()
    today = to_local(ctx.now).date()
    tracker, rows = queries.tracker_figures(db.session, ctx, today, absolute_url)
    series = queries.series(db.session, ctx, today, rows)
    seq, head = data_head()
    with force_locale("zh_CN"):
        return render("boards/poster_tracker.html", tracker=tracker, rows=rows[:8], charts=build_charts(series), qr=qr,
                      url=absolute_url("decisions.tracker"), seq=seq, head=head, size=_size(), labels=LABELS,
                      printed=to_local(ctx.now).strftime("%Y-%m-%d %H:%M"))
