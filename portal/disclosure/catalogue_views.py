"""The disclosure catalogue (公开目录): admin editing and the cadence compliance view."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.audit.rules import record
from portal.auth import permissions
from portal.disclosure.compliance import catalogue_status
from portal.disclosure.forms import CatalogItemForm, RegisterExportForm
from portal.disclosure.models import CADENCE_LABELS, CHANNEL_LABELS, CatalogItem
from portal.disclosure.views import bp
from portal.extensions import db
from portal.timeutil import utcnow
from portal.web import redirect_to, render

_FIELDS = ("channel", "name", "description", "default_audience", "default_gongshi_days", "cadence", "active")


def compliance_page(export_form: RegisterExportForm | None = None, status: int = 200) -> Response:
    today = date.today()
    form = export_form or RegisterExportForm(data={"start": date(today.year, 1, 1), "end": today}, meta={"csrf": False})
    rows = catalogue_status(db.session, utcnow())
    return render("disclosure/compliance.html", rows=rows, export_form=form, status=status,
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
    if form.validate_on_submit():
        if db.session.scalar(select(CatalogItem.id).where(
                CatalogItem.channel == form.channel.data, CatalogItem.name == form.name.data)):
            form.name.errors = [_("该公开类别下已有同名目录项。")]
        else:
            item = CatalogItem()
            form.populate_obj(item)
            item.default_gongshi_days = item.default_gongshi_days or 0
            item.position = (db.session.scalar(select(func.max(CatalogItem.position))) or 0) + 1
            db.session.add(item)
            db.session.flush()
            record(db.session, current_user, "catalogue.item_added", item, name=item.name)
            db.session.commit()
            flash(_("已添加目录项“%(name)s”。", name=item.name), "success")
            return redirect_to(url_for("disclosure.compliance"))
    return render("disclosure/catalogue_item.html", block="item_form", form=form, item=None)


@bp.route("/disclosure/catalogue/<int:item_id>", methods=["GET", "POST"])
def edit_item(item_id: int) -> Response:
    """Edit a catalogue item; its channel stays (notices under it belong to that channel)."""
    permissions.require("catalogue.manage")
    item = db.session.get(CatalogItem, item_id) or abort(404)
    form = CatalogItemForm(obj=item)
    del form.channel  # notices under the item belong to its channel; it never moves
    if form.validate_on_submit():
        before = {f: getattr(item, f) for f in _FIELDS}
        form.populate_obj(item)
        item.default_gongshi_days = item.default_gongshi_days or 0
        record(db.session, current_user, "catalogue.item_changed", item,
               before=before, after={f: getattr(item, f) for f in _FIELDS})
        db.session.commit()
        flash(_("已保存目录项“%(name)s”。", name=item.name), "success")
        return redirect_to(url_for("disclosure.compliance"))
    return render("disclosure/catalogue_item.html", block="item_form", form=form, item=item)
