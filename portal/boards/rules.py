"""Boards: created, changed, given a new address and removed by the admin (each audited);
the screen's heartbeat; and the plain questions a board's settings answer (quiet now?
offline?). No Flask."""
from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, or_, update
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.boards.models import ALL_SLIDES, Board, Orientation
from portal.db import refused_on_conflict
from portal.errors import DomainError
from portal.i18n import N_
from portal.timeutil import to_local

# A board that has not reported for this long, outside its quiet hours, is offline.
OFFLINE_AFTER = timedelta(minutes=5)
# When a dark board should be on the admin's to-do list: school days, in school time.
SCHOOL_HOURS = (time(7, 0), time(18, 0))
NAME_MAX = 60
PLACE_MAX = 100


class BoardError(DomainError):
    pass


def new_board_token() -> str:
    """The unguessable part of a board's address (as the hall display's)."""
    return secrets.token_urlsafe(24)


def _clean(session: Session, name: str, place: str, orientation: str, slides: list[str], dwell_seconds: int,
           quiet_start: time | None, quiet_end: time | None) -> dict[str, Any]:
    name, place = name.strip(), place.strip()
    if not name:
        raise BoardError(N_("请填写公开栏名称。"))
    if len(name) > NAME_MAX or len(place) > PLACE_MAX:
        raise BoardError(N_("名称不超过 %(n)d 个字，位置不超过 %(m)d 个字。"), n=NAME_MAX, m=PLACE_MAX)
    if orientation not in (o.value for o in Orientation):
        raise BoardError(N_("请选择横屏或竖屏。"))
    chosen = [s for s in ALL_SLIDES if s in slides]  # the board's own order, never the form's
    if not chosen:
        raise BoardError(N_("请至少选择一类展示内容。"))
    if not 5 <= dwell_seconds <= 600:
        raise BoardError(N_("每页停留时间应在 5 到 600 秒之间。"))
    if (quiet_start is None) != (quiet_end is None) or (quiet_start is not None and quiet_start == quiet_end):
        raise BoardError(N_("静默时段需同时填写不同的开始和结束时间，或都不填。"))
    return {"name": name, "place": place, "orientation": orientation, "slides": ",".join(chosen),
            "dwell_seconds": dwell_seconds, "quiet_start": quiet_start, "quiet_end": quiet_end}


def create_board(session: Session, actor: Any | None, name: str, *, place: str = "",
                 orientation: str = Orientation.LANDSCAPE.value, slides: list[str] | None = None,
                 dwell_seconds: int = 15, quiet_start: time | None = None, quiet_end: time | None = None,
                 quiet_weekends: bool = False) -> Board:
    """A new board with its own address. ``actor`` None: the command line (the system)."""
    fields = _clean(session, name, place, orientation, list(ALL_SLIDES) if slides is None else slides,
                    dwell_seconds, quiet_start, quiet_end)
    board = Board(token=new_board_token(), quiet_weekends=quiet_weekends, **fields)
    with refused_on_conflict(session, BoardError(N_("已有同名的公开栏。"))):
        session.add(board)
        session.flush()
    record(session, actor, "board.created", board, name=board.name)
    return board


def update_board(session: Session, actor: Any, board: Board, name: str, *, place: str, orientation: str,
                 slides: list[str], dwell_seconds: int, quiet_start: time | None, quiet_end: time | None,
                 quiet_weekends: bool) -> None:
    """Change a board's settings; the screen shows them at its next poll."""
    fields = _clean(session, name, place, orientation, slides, dwell_seconds, quiet_start, quiet_end)
    with refused_on_conflict(session, BoardError(N_("已有同名的公开栏。"))):
        for key, value in fields.items():
            setattr(board, key, value)
        board.quiet_weekends = quiet_weekends
        session.flush()
    record(session, actor, "board.updated", board, name=board.name)


def rotate_board_token(session: Session, actor: Any | None, board: Board) -> None:
    """A new address; the old one stops working at once (as the hall display's)."""
    board.token = new_board_token()
    session.flush()
    record(session, actor, "board.address_rotated", board)


def delete_board(session: Session, actor: Any, board: Board) -> None:
    record(session, actor, "board.deleted", board, name=board.name)
    session.delete(board)
    session.flush()


# --- the screen's heartbeat ---------------------------------------------------------------

Report = tuple[int, datetime, str]  # board id, when, the slide shown


def record_seen(session: Session, reports: list[Report]) -> None:
    """The screens' reports: when each last polled and which slide it showed, in one
    statement (a worker keeps its screens' reports and writes them together: see
    ``views.screen``). A report never moves a board's time backwards (another worker may
    have written a newer one). Telemetry, not a state change anyone made, so no audit event:
    it would add events to the chain all day and move the data version every cached page
    and every board's ETag is keyed on."""
    rows = [{"board_id": board_id, "at": at, "shown": shown if shown in ALL_SLIDES or shown == "idle" else ""}
            for board_id, at, shown in reports]
    if rows:
        table = cast(Table, Board.__table__)
        session.execute(  # a Core statement: one executemany, not an ORM bulk update
            update(table).where(table.c.id == bindparam("board_id"),
                                or_(table.c.last_seen_at.is_(None), table.c.last_seen_at < bindparam("at")))
            .values(last_seen_at=bindparam("at"), last_shown=bindparam("shown")),
            rows)


# --- what the settings say -------------------------------------------------------------------

def is_quiet(quiet_start: time | None, quiet_end: time | None, quiet_weekends: bool, local: datetime) -> bool:
    """Whether the screen should be black at ``local`` (school time). A window may cross
    midnight (22:00–06:30)."""
    if quiet_weekends and local.weekday() >= 5:
        return True
    if quiet_start is None or quiet_end is None:
        return False
    at = local.time().replace(tzinfo=None)
    if quiet_start < quiet_end:
        return quiet_start <= at < quiet_end
    return at >= quiet_start or at < quiet_end


def board_quiet(board: Board, now: datetime) -> bool:
    """``is_quiet`` for a board at ``now`` (naive UTC)."""
    return is_quiet(board.quiet_start, board.quiet_end, board.quiet_weekends, to_local(now))


def is_offline(board: Board, now: datetime) -> bool:
    """No report for five minutes, none of which fell in quiet hours (a screen switched off
    for the night is not offline until five minutes after its quiet hours end)."""
    if board.last_seen_at is not None and now - board.last_seen_at < OFFLINE_AFTER:
        return False
    step = timedelta(minutes=1)
    moment = now - OFFLINE_AFTER
    while moment <= now:
        if board_quiet(board, moment):
            return False
        moment += step
    return True


def in_school_hours(now: datetime) -> bool:
    local = to_local(now)
    return local.weekday() < 5 and SCHOOL_HOURS[0] <= local.time().replace(tzinfo=None) < SCHOOL_HOURS[1]
