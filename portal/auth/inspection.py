"""An outside inspector's account (督导 / 巡察), confined and watched.

Two request hooks, for inspector accounts only (``User.is_inspector_account``):

- :func:`confine_inspector` (before the view): outside the term's dates the session ends and
  the browser goes to the sign-in page; the home page leads to the self-check; every endpoint
  outside ``permissions.INSPECTOR_ENDPOINTS`` is refused with 403 and a Chinese sentence that
  says what the account may open, and so is every write (the features' own checks never get
  to decide for this account).
- :func:`record_inspection_view` (after the view): every request the inspector makes,
  refused ones too, becomes one audit event (who, which page, when, with what answer).

Why after the view, in a transaction of its own: the view's request is a read (no write lock
on SQLite, none on PostgreSQL), and rendering a page or zipping the archive happens there.
Only once the answer is built does the hook end that read and take the write lock for one
short append to the chain (a select of the head, an insert, a commit): writers wait for that
and nothing else. Inspectors are few and read at a person's pace, so one short write per
page costs less than a batch would risk (a batch kept in memory is lost with the worker,
and the log would lag what was seen). If the append fails, the page is withheld: an
inspector never sees a page the log does not show.
"""
from __future__ import annotations

import logging
from types import SimpleNamespace

from flask import Response, flash, g, make_response, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy.exc import SQLAlchemyError

from portal import readiness
from portal.audit.rules import record
from portal.auth import permissions
from portal.extensions import db, write_intent
from portal.web import SAFE_METHODS, error_page, hx, redirect

log = logging.getLogger(__name__)

# What an inspector's account may do besides reading: its own session, language and password.
OWN_ACCOUNT = frozenset({"auth.login", "auth.logout", "auth.set_language", "auth.change_password"})


def confine_inspector() -> Response | None:
    """Keep an inspector's account on its pages, on the days of its term, reading only."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    if not user.is_inspector_account:
        return None
    if not permissions.inspects(user, permissions.current_context()):
        logout_user()
        session.clear()
        flash(_("督导账号不在有效期内，已退出登录。如需继续查看，请联系系统管理员延长有效期。"), "warning")
        login = url_for("auth.login")
        if hx():
            resp = make_response("", 401)
            resp.headers["HX-Redirect"] = login
            return resp
        return redirect(login)
    g.inspector = SimpleNamespace(id=user.id, name=user.name)  # every request from here on is recorded
    if request.endpoint == "home.index":
        return redirect(url_for("decisions.self_check"))
    if request.endpoint not in permissions.INSPECTOR_ENDPOINTS:
        return error_page(403, _("督导账号无权访问此页面"), _(
            "督导账号只能查看自查、决策归档包、会议记录、决议和审计日志，其他页面不向督导账号开放。"))
    if request.method not in SAFE_METHODS and request.endpoint not in OWN_ACCOUNT:
        return error_page(403, _("督导账号只能查看"), _("督导账号不能提交或修改任何内容。"))
    return None


def record_inspection_view(resp: Response) -> Response:
    """One audit event for each request of an inspector's account, in a short write of its own."""
    inspector = g.pop("inspector", None)
    if inspector is None:
        return resp
    page = request.full_path.rstrip("?")
    try:
        db.session.rollback()  # the view's read ends here; nothing of it is written
        write_intent.set(True)  # the next statement takes the write lock
        outcome = "shown" if resp.status_code < 400 else "refused" if resp.status_code == 403 else "failed"
        record(db.session, inspector, "inspection.viewed", None, page=page[:500], status=resp.status_code,
               outcome=outcome)
        db.session.commit()
    except (SQLAlchemyError, readiness.NotReady):
        log.exception("an inspector's page view could not be recorded; the page is withheld")
        db.session.rollback()
        return error_page(503, _("暂时无法查看"), _("本次查看未能记入审计日志，页面没有显示。请稍后再试。"))
    return resp
