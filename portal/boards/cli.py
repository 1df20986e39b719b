"""``flask --app portal board create|rotate|list``: boards from the command line, printing
each board's full address (built on ``PUBLIC_URL``)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from portal.boards import rules
from portal.boards.models import Board, Orientation
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import N_

board_cli = AppGroup("board", help=N_("公开栏：新建、更换地址、列出。"))


def _url(board: Board) -> str:
    from portal.web import absolute_url

    with current_app.test_request_context():
        return absolute_url("boards.screen", token=board.token)


def _named(name: str) -> Board:
    board = db.session.scalar(select(Board).where(Board.name == name.strip()))
    if board is None:
        raise click.ClickException(N_("没有名为“%(name)s”的公开栏。") % {"name": name})
    return board


@board_cli.command("create")
@click.option("--name", required=True, help=N_("公开栏名称"))
@click.option("--place", default="", help=N_("位置，如：校门口"))
@click.option("--portrait", is_flag=True, help=N_("竖屏 1080×1920（默认横屏 1920×1080）"))
def create(name: str, place: str, portrait: bool) -> None:
    """Create a board showing every slide; print its address."""
    orientation = Orientation.PORTRAIT.value if portrait else Orientation.LANDSCAPE.value
    try:
        board = rules.create_board(db.session, None, name, place=place, orientation=orientation)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(_url(board))


@board_cli.command("rotate")
@click.option("--name", required=True, help=N_("公开栏名称"))
def rotate(name: str) -> None:
    """Give a board a new address (the old one stops working); print it."""
    board = _named(name)
    rules.rotate_board_token(db.session, None, board)
    db.session.commit()
    click.echo(_url(board))


@board_cli.command("list")
def list_boards() -> None:
    """Every board with its address."""
    for board in db.session.scalars(select(Board).order_by(Board.name)):
        click.echo(f"{board.name}\t{board.orientation}\t{_url(board)}")
