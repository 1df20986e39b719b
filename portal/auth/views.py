"""Signing in and out, changing one's password, choosing the language."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, make_response, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.auth import permissions
from portal.auth.forms import ChangePasswordForm, LanguageForm, LoginForm
from portal.auth.rules import Throttle, authenticate, change_password as apply_password, end_all_sessions, login_block_reason
from portal.extensions import db
from portal.web import client_address, explain, redirect, redirect_to, render, safe_next, start_session

bp = Blueprint("auth", __name__)


def _throttle() -> Throttle:
    from datetime import timedelta

    c = current_app.config
    return Throttle(
        window=timedelta(minutes=c["LOGIN_WINDOW_MINUTES"]),
        max_per_pair=c["LOGIN_MAX_PER_PAIR"],
        max_per_address=c["LOGIN_MAX_PER_ADDRESS"],
        max_per_account=c["LOGIN_MAX_PER_ACCOUNT"],
        slow=timedelta(seconds=c["LOGIN_SLOW_SECONDS"]),
        trusted_networks=tuple(c["LOGIN_TRUSTED_NETWORKS"]),
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """Show the login form; on POST check throttling and the password, then start a session."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    error = None
    if form.validate_on_submit():
        address = client_address()
        blocked = login_block_reason(db.session, form.username.data or "", address, _throttle())
        error = explain(blocked) if blocked else None
        if error is None:
            user = authenticate(db.session, form.username.data or "", form.password.data or "", address)
            db.session.commit()
            if user is not None:
                start_session(user)
                if user.must_change_password:
                    flash(_("首次登录，请先设置新密码。"), "info")
                    return redirect_to(url_for("auth.change_password"))
                return redirect_to(safe_next(form.next.data, url_for("home.index")))
            error = _("用户名或密码错误。")
    return render("auth/login.html", block="login_form", form=form, error=error)


@bp.post("/logout")
def logout() -> Response:
    """End this session and every copy of its cookie."""
    if current_user.is_authenticated:
        end_all_sessions(db.session, current_user._get_current_object(), "logout")
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("您已安全退出。"), "success")
    return redirect(url_for("home.index"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> Response:
    """Change one's own password; required on first login for admin-created accounts."""
    permissions.require("account.manage")
    user = current_user._get_current_object()
    form = ChangePasswordForm(user)
    if form.validate_on_submit():
        apply_password(db.session, user, form.new_password.data or "")
        db.session.commit()
        start_session(user)  # this browser stays signed in; every other copy is dead
        flash(_("密码已修改。其他设备上的登录已失效。"), "success")
        return redirect_to(url_for("home.index"))
    return render("auth/password.html", block="password_form", form=form)


@bp.post("/language")
def set_language() -> Response:
    """Remember the chosen interface language (cookie, and the account when signed in)."""
    form = LanguageForm()
    if not form.validate_on_submit():
        return redirect(url_for("home.index"))
    lang = form.lang.data
    if current_user.is_authenticated:
        current_user.locale = lang
        db.session.commit()
    resp = make_response(redirect(safe_next(form.next.data, url_for("home.index"))))
    resp.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                    secure=current_app.config["SESSION_COOKIE_SECURE"])
    return resp
