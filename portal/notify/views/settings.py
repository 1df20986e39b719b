"""The reader's notification settings: which kinds by mail, when, and to which address."""
from __future__ import annotations

from flask import Response, current_app, request
from flask_login import current_user

from portal.auth.permissions import require
from portal.extensions import db
from portal.notify import rules
from portal.notify.forms import SettingsForm
from portal.notify.kinds import Kind, mode_for
from portal.notify.views import bp
from portal.web import explain, render


@bp.route("/inbox/settings", methods=["GET", "POST"])
def settings() -> Response:
    """Show and save the reader's choices (kinds × mail: at once, in the daily digest or not
    at all; the digest's hour; quiet hours; the address). A refused value keeps the rest."""
    require("notify.settings")
    saved = False
    if request.method == "POST":
        form = SettingsForm()
        if form.validate_on_submit():
            try:
                rules.save_settings(
                    db.session, current_user, email=form.email.data or "", choices=form.choices_data(),
                    digest_only=bool(form.digest_only.data), digest_hour=int(form.digest_hour.data or 0),
                    quiet_start=_hour(form.quiet_start.data), quiet_end=_hour(form.quiet_end.data))
            except rules.NotifyError as exc:
                db.session.rollback()
                form.email.errors = [*form.email.errors, explain(exc)]
            else:
                db.session.commit()
                saved = True
    else:
        mine = rules.settings_of(db.session, current_user.id)
        data = {k.value: mode_for(mine.choices, k, False).value for k in Kind}
        form = SettingsForm(data=dict(
            email=mine.email or "", digest_only=mine.digest_only, digest_hour=mine.digest_hour,
            quiet_start="" if mine.quiet_start is None else str(mine.quiet_start),
            quiet_end="" if mine.quiet_end is None else str(mine.quiet_end), **data))
    return render("notify/settings.html", block="settings_form", form=form, saved=saved,
                  mail_on=bool(current_app.config.get("MAIL_SERVER")))


def _hour(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
