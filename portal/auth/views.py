"""Signing in and out, changing one's password, choosing the language."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, make_response, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.auth import permissions
from portal.auth.forms import ChangePasswordForm, LanguageForm, LoginForm
from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.auth.rules import (
    DEVICE_LIFETIME,
    Throttle,
    record_login,
    verify_password,
    change_password as apply_password,
    end_all_sessions,
    issue_device_token,
    login_block_reason,
    set_locale,
    trusted_device,
)
from portal.extensions import db
from portal.org.rules import inspector_refusal
from portal.timeutil import to_local, utcnow
from portal.web import (
    begin_write, client_address, explain, redirect, redirect_to, render, safe_next, start_session, writes_late,
)

bp = Blueprint("auth", __name__)


DEVICE_COOKIE = "portal_device"


def _throttle() -> Throttle:
    from datetime import timedelta

    c = current_app.config
    return Throttle(
        window=timedelta(minutes=c["LOGIN_WINDOW_MINUTES"]),
        max_per_pair=c["LOGIN_MAX_PER_PAIR"],
        max_per_address=c["LOGIN_MAX_PER_ADDRESS"],
        max_per_account=c["LOGIN_MAX_PER_ACCOUNT"],
        max_per_device=c["LOGIN_MAX_PER_DEVICE"],
    )


@bp.route("/login", methods=["GET", "POST"])
@writes_late
def login() -> Response:
    """Show the login form; on POST check throttling and the password, then start a session
    and give this browser the account's device cookie."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    error = None
    if form.validate_on_submit():
        username, address, throttle = form.username.data or "", client_address(), _throttle()
        device = trusted_device(db.session, username, request.cookies.get(DEVICE_COOKIE),
                                current_app.config["SECRET_KEY"], throttle)
        blocked = login_block_reason(db.session, username, address, throttle, device=device)
        error = explain(blocked) if blocked else None
        if error is None:
            user_id = verify_password(db.session, username, form.password.data or "")
            # an inspector's account signs in only on the days of its term (told after the right password)
            refusal = inspector_refusal(db.session, user_id, to_local(utcnow()).date()) if user_id else None
            if refusal is not None:
                return render("auth/login.html", block="login_form", form=form, error=explain(refusal))
            begin_write()  # the half second of scrypt above held no write lock
            user = record_login(db.session, username, user_id, address, device=device)
            db.session.commit()
            if user is not None:
                start_session(user)
                if user.must_change_password:
                    flash(_("首次登录，请先设置新密码。"), "info")
                    return _remember_device(redirect_to(url_for("auth.change_password")), user)
                return _remember_device(redirect_to(safe_next(form.next.data, url_for("home.index"))), user)
            error = _("用户名或密码错误。")
    return render("auth/login.html", block="login_form", form=form, error=error)


def _remember_device(resp: Response, user: User) -> Response:
    """Set a fresh device cookie: a year long, sent only to the login page, and not a session
    (logout leaves it, so the owner's browser stays recognised)."""
    resp.set_cookie(
        DEVICE_COOKIE, issue_device_token(current_app.config["SECRET_KEY"], user),
        max_age=int(DEVICE_LIFETIME.total_seconds()), path=url_for("auth.login"), httponly=True, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure,
    )
    return resp


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
@writes_late
def change_password() -> Response:
    """Change one's own password; required on first login for admin-created accounts. Both
    scrypt runs (checking the old password, hashing the new) happen before the write lock."""
    permissions.require("account.manage")
    user = current_user._get_current_object()
    form = ChangePasswordForm(user)
    if form.validate_on_submit():
        new_hash = hash_password(form.new_password.data or "")
        begin_write()
        apply_password(db.session, user, new_hash)
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
        set_locale(db.session, current_user, lang)
        db.session.commit()
    resp = make_response(redirect(safe_next(form.next.data, url_for("home.index"))))
    resp.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                    secure=current_app.config["SESSION_COOKIE_SECURE"])
    return resp
