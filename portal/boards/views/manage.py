"""The admin's boards page: every board with its address, online or offline, when it was
last seen and what it showed; create, change, give a new address, remove. And the admin's
to-do when a board is dark during school hours."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.auth.models import User
from portal.auth.permissions import Context, can
from portal.boards import queries, rules
from portal.boards.forms import LABELS, BoardForm
from portal.boards.models import Board
from portal.boards.views import bp
from portal.errors import DomainError
from portal.extensions import db
from portal.formutil import required
from portal.registry import Todo
from portal.timeutil import utcnow
from portal.web import absolute_url, explain, redirect_to, render


def _rows(now: Any) -> list[dict[str, Any]]:
    return [{"board": b, "url": absolute_url("boards.screen", token=b.token), "offline": rules.is_offline(b, now),
             "quiet": rules.board_quiet(b, now)} for b in queries.boards_listing(db.session)]


def _settings(form: BoardForm) -> dict[str, Any]:
    return {"place": form.place.data or "", "orientation": form.orientation.data or "",
            "slides": form.slides.data or [], "dwell_seconds": required(form.dwell_seconds.data),
            "quiet_start": form.quiet_start.data, "quiet_end": form.quiet_end.data,
            "quiet_weekends": bool(form.quiet_weekends.data)}


@bp.route("/admin/boards", methods=["GET", "POST"])
def boards() -> Response:
    """Every board with its state; the form that adds one (the admin)."""
    permissions.require("board.manage")
    form = BoardForm()
    error = None
    if form.validate_on_submit():
        try:
            board = rules.create_board(db.session, current_user, form.name.data or "", **_settings(form))
        except DomainError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
            flash(_("已添加公开栏“%(name)s”。", name=board.name), "success")
            return redirect_to(url_for("boards.boards"))
    return render("boards/admin.html", block="board_form", form=form, error=error, rows=_rows(utcnow()),
                  labels=LABELS, board=None)


def _load(board_id: int) -> Board:
    permissions.require("board.manage")
    return db.session.get(Board, board_id) or abort(404)


@bp.route("/admin/boards/<int:board_id>", methods=["GET", "POST"])
def edit(board_id: int) -> Response:
    """Change a board's name, place, orientation, slides, timing and quiet hours."""
    board = _load(board_id)
    form = BoardForm(obj=board)
    if not form.is_submitted():
        form.slides.data = board.slide_codes
    error = None
    if form.validate_on_submit():
        try:
            rules.update_board(db.session, current_user, board, form.name.data or "", **_settings(form))
        except DomainError as exc:
            db.session.rollback()
            error = explain(exc)
        else:
            db.session.commit()
            flash(_("已保存公开栏“%(name)s”。", name=board.name), "success")
            return redirect_to(url_for("boards.boards"))
    return render("boards/edit.html", block="board_form", form=form, error=error, board=board, labels=LABELS)


@bp.post("/admin/boards/<int:board_id>/address")
def rotate(board_id: int) -> Response:
    """A new address for the board; the old one stops working at once."""
    board = _load(board_id)
    if request.form.get("confirm") != "yes":  # the button carries it: a bare post changes nothing
        flash(_("请点击“更换地址”按钮确认。"), "error")
        return redirect_to(url_for("boards.boards"))
    rules.rotate_board_token(db.session, current_user, board)
    db.session.commit()
    flash(_("已为“%(name)s”生成新地址，旧地址已失效。请在屏幕上打开新地址。", name=board.name), "success")
    return redirect_to(url_for("boards.boards"))


@bp.post("/admin/boards/<int:board_id>/delete")
def delete(board_id: int) -> Response:
    """Remove a board; its address stops working."""
    board = _load(board_id)
    if request.form.get("confirm") != "yes":
        flash(_("请点击“删除”按钮确认。"), "error")
        return redirect_to(url_for("boards.boards"))
    name = board.name
    rules.delete_board(db.session, current_user, board)
    db.session.commit()
    flash(_("已删除公开栏“%(name)s”。", name=name), "success")
    return redirect_to(url_for("boards.boards"))


def dark_board_todos(user: User, ctx: Context) -> list[Todo]:
    """For the admin: boards offline during school hours (a dark screen in a corridor)."""
    if not can(user, "board.manage") or not rules.in_school_hours(ctx.now):
        return []
    dark = [b for b in queries.boards_listing(db.session) if rules.is_offline(b, ctx.now)]
    if not dark:
        return []
    names = _("、").join(b.name for b in dark[:3]) + ("…" if len(dark) > 3 else "")
    return [Todo(_("公开栏离线：%(names)s", names=names), url_for("boards.boards"), len(dark), warn=True)]
