"""What leaves the portal in bulk: Atom feeds of public notices and the register export."""
from __future__ import annotations

import io

from flask import Response, current_app, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.disclosure import queries
from portal.disclosure.forms import CHANNEL_LABELS, RegisterExportForm
from portal.disclosure.views import bp
from portal.extensions import db
from portal.formutil import required
from portal.pagecache import public_page
from portal.timeutil import to_local, utcnow
from portal.web import absolute_url


@bp.get("/feeds/<any(party, school):channel>.atom")
@public_page(everyone=True)
def feed(channel: str) -> Response:
    """Atom feed of public notices only, whoever asks (feeds are read without a session)."""
    from feedgen.feed import FeedGenerator

    permissions.require("notice.list")
    rows = db.session.scalars(queries.notice_list(None, channel, with_body_html=True).limit(50)).all()
    school_name = current_app.config["SCHOOL_NAME"]
    fg = FeedGenerator()
    fg.id(absolute_url("disclosure.feed", channel=channel))
    fg.title(f"{school_name} {CHANNEL_LABELS[channel]}")
    fg.subtitle(_("%(school)s%(channel)s信息", school=school_name, channel=CHANNEL_LABELS[channel]))
    fg.link(href=absolute_url("disclosure.feed", channel=channel), rel="self")
    fg.link(href=absolute_url(f"disclosure.{channel}"), rel="alternate")
    fg.language("zh-CN")
    fg.author({"name": school_name})
    newest = rows[0].published_at if rows else None
    fg.updated(to_local(newest or utcnow()))
    for notice in reversed(rows):
        published = notice.published_at
        assert published is not None  # the list holds published notices only
        entry = fg.add_entry()
        link = absolute_url("disclosure.show", notice_id=notice.id)
        entry.id(link)
        entry.title(notice.title)
        entry.link(href=link)
        entry.published(to_local(published))
        entry.updated(to_local(published))
        entry.category(term=notice.catalog_item.name)
        entry.content(notice.body_html, type="html")
    resp = Response(fg.atom_str(pretty=True), mimetype="application/atom+xml")
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


@bp.get("/disclosure/register.xlsx")
def export_register() -> Response:
    """The disclosure register (公开登记簿) for a date range, as XLSX."""
    permissions.require("disclosure.export")
    form = RegisterExportForm(request.args, meta={"csrf": False})
    if not form.validate():
        from portal.disclosure.views.catalogue import compliance_page

        return compliance_page(export_form=form, status=400)
    from portal.disclosure.exports import register_workbook

    from portal.disclosure.permissions import visible_notices

    start, end = required(form.start.data), required(form.end.data)
    visible = visible_notices(permissions.viewer(current_user), permissions.current_context())
    data = register_workbook(db.session, start, end, visible)
    name = _("公开登记簿_%(start)s_%(end)s.xlsx", start=start, end=end)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
