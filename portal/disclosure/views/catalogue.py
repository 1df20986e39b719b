"""The disclosure catalogue (公开目录): admin editing and the cadence compliance view."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import workdays
from portal.auth import permissions
from portal.auth.models import User
from portal.auth.permissions import Context
from portal.disclosure import rules
from portal.disclosure.forms import CADENCE_LABELS, CHANNEL_LABELS, CatalogItemForm, RegisterExportForm
from portal.disclosure.models import CatalogItem
from portal.disclosure.queries import catalogue_status, overdue_count
from portal.disclosure.views import bp
from portal.extensions import db
from portal.registry import Todo
from portal.timeutil import utcnow
from portal.web import Attempt, attempt, redirect_to, render


def compliance_page(export_form: RegisterExportForm | None = None, status: int = 200) -> Response:
    today = date.today()
    form = export_form or RegisterExportForm(data={"start": date(today.year, 1, 1), "end": today}, meta={"csrf": False})
    rows = catalogue_status(db.session, utcnow())
    # 公示 windows starting in the next two months must know their holidays.
    gaps = workdays.uncovered_years(today, today + timedelta(days=60))
    return render("disclosure/compliance.html", rows=rows, export_form=form, status=status, calendar_gaps=gaps,
                  cadence_labels=CADENCE_LABELS, channel_labels=CHANNEL_LABELS,
                  overdue=sum(1 for r in rows if r.overdue), can_manage=permissions.can)


@bp.get("/disclosure/compliance")
def compliance() -> Response:
    """Each catalogue item, its last publication and whether it is overdue for its cadence."""
    permissions.require("catalogue.compliance")
    return compliance_page()


@bp.route("/disclosure/catalogue/new", methods=["GET", "POST"])
def new_item() -> Response:
    """Add an item to the disclosure catalogue."""
    permissions.require("catalogue.manage")
    form = CatalogItemForm()
    done = Attempt()
    if form.validate_on_submit():
        with attempt() as done:
            item = rules.add_catalog_item(db.session, current_user, **form.data)
        if done:
            flash(_("已添加目录项“%(name)s”。", name=item.name), "success")
            return redirect_to(url_for("disclosure.compliance"))
        form.name.errors = [done.error or ""]
    return render("disclosure/catalogue_item.html", block="item_form", status=done.status, form=form, item=None)


@bp.route("/disclosure/catalogue/<int:item_id>", methods=["GET", "POST"])
def edit_item(item_id: int) -> Response:
    """Edit a catalogue item; its channel stays (notices under it belong to that channel)."""
    permissions.require("catalogue.manage")
    item = db.session.get(CatalogItem, item_id) or abort(404)
    form = CatalogItemForm(obj=item)
    del form.channel  # notices under the item belong to its channel; it never moves
    done = Attempt()
    if form.validate_on_submit():
        with attempt() as done:
            rules.change_catalog_item(db.session, current_user, item, **form.data)
        if done:
            flash(_("已保存目录项“%(name)s”。", name=item.name), "success")
            return redirect_to(url_for("disclosure.compliance"))
        form.name.errors = [done.error or ""]
    return render("disclosure/catalogue_item.html", block="item_form", status=done.status, form=form, item=item)


def overdue_todos(user: User, ctx: Context) -> list[Todo]:
    """Catalogue items overdue for their cadence, for those who answer for the catalogue."""
    if not permissions.can(user, "catalogue.compliance", ctx=ctx):
        return []
    count = overdue_count(db.session, ctx.now)
    if not count:
        return []
    return [Todo(_("%(n)s 个公开目录项逾期未公开", n=count), url_for("disclosure.compliance"), count, warn=True)]
