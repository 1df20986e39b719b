"""Boards' rules without HTTP: settings, addresses, quiet hours, offline, the charts' geometry,
the QR path, the poster's shortening."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import segno
from sqlalchemy import func, select

from portal import charts
from portal.audit.models import AuditEvent
from portal.boards import rules
from portal.boards.models import Board
from portal.timeutil import SCHOOL_TZ, UTC


def local(y, mo, d, h, mi=0) -> datetime:
    """A school-time moment as stored (naive UTC)."""
    return datetime(y, mo, d, h, mi, tzinfo=SCHOOL_TZ).astimezone(UTC).replace(tzinfo=None)


def events(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent))


def test_create_and_rotate_are_audited_and_change_the_address(session):
    board = rules.create_board(session, None, "  校门口  ", place="校门口")
    assert board.name == "校门口" and len(board.token) >= 32 and board.slide_codes == list(rules.ALL_SLIDES)
    old, before = board.token, events(session)
    rules.rotate_board_token(session, None, board)
    assert board.token != old and events(session) == before + 1
    assert session.scalar(select(Board).where(Board.token == old)) is None


@pytest.mark.parametrize("kwargs, message", [
    ({"name": " "}, "请填写公开栏名称。"),
    ({"name": "x", "slides": []}, "请至少选择一类展示内容。"),
    ({"name": "x", "slides": ["nonsense"]}, "请至少选择一类展示内容。"),
    ({"name": "x", "dwell_seconds": 2}, "每页停留时间应在 5 到 600 秒之间。"),
    ({"name": "x", "orientation": "sideways"}, "请选择横屏或竖屏。"),
    ({"name": "x", "quiet_start": time(22)}, "静默时段需同时填写不同的开始和结束时间，或都不填。"),
    ({"name": "x", "quiet_start": time(22), "quiet_end": time(22)}, "静默时段需同时填写不同的开始和结束时间，或都不填。"),
])
def test_bad_settings_are_refused_with_a_message(session, kwargs, message):
    name = kwargs.pop("name")
    with pytest.raises(rules.BoardError) as found:
        rules.create_board(session, None, name, **kwargs)
    assert str(found.value) == message
    assert session.scalar(select(func.count()).select_from(Board)) == 0


def test_a_second_board_of_the_same_name_is_refused(session):
    rules.create_board(session, None, "大厅")
    with pytest.raises(rules.BoardError, match="同名"):
        rules.create_board(session, None, "大厅")


def test_slides_keep_the_boards_own_order(session):
    board = rules.create_board(session, None, "x", slides=["chain", "gongshi"])
    assert board.slide_codes == ["gongshi", "chain"]


def test_quiet_hours_cross_midnight_and_weekends():
    night = (time(22, 0), time(6, 30), False)
    assert rules.is_quiet(*night, datetime(2026, 12, 7, 23, 0))
    assert rules.is_quiet(*night, datetime(2026, 12, 8, 6, 29))
    assert not rules.is_quiet(*night, datetime(2026, 12, 8, 6, 30))
    assert not rules.is_quiet(*night, datetime(2026, 12, 8, 12, 0))
    lunch = (time(12, 0), time(13, 0), False)
    assert rules.is_quiet(*lunch, datetime(2026, 12, 8, 12, 30)) and not rules.is_quiet(*lunch, datetime(2026, 12, 8, 13, 0))
    assert not rules.is_quiet(None, None, False, datetime(2026, 12, 12, 3, 0))
    assert rules.is_quiet(None, None, True, datetime(2026, 12, 12, 12, 0))  # a Saturday
    assert not rules.is_quiet(None, None, True, datetime(2026, 12, 11, 12, 0))  # a Friday


def test_offline_after_five_minutes_but_not_in_quiet_hours(session):
    board = rules.create_board(session, None, "x", quiet_start=time(22), quiet_end=time(6, 30))
    noon = local(2026, 12, 8, 12)
    assert rules.is_offline(board, noon)  # never seen
    rules.record_seen(session, [(board.id, noon, "gongshi")])
    session.refresh(board)
    assert board.last_shown == "gongshi"
    assert not rules.is_offline(board, noon + timedelta(minutes=4, seconds=59))
    assert rules.is_offline(board, noon + timedelta(minutes=5))
    # switched off for the night: quiet, not offline; and not until five minutes after 06:30
    assert not rules.is_offline(board, local(2026, 12, 8, 23))
    assert not rules.is_offline(board, local(2026, 12, 9, 6, 33))
    assert rules.is_offline(board, local(2026, 12, 9, 6, 36))


def test_a_report_names_only_known_slides_and_never_moves_time_back(session):
    board = rules.create_board(session, None, "x")
    other = rules.create_board(session, None, "y")
    noon = local(2026, 12, 8, 12)
    rules.record_seen(session, [(board.id, noon, "<script>"), (other.id, noon, "chain")])
    rules.record_seen(session, [(other.id, noon - timedelta(minutes=1), "notices")])  # an older report, late
    session.refresh(board)
    session.refresh(other)
    assert board.last_shown == "" and board.last_seen_at == noon
    assert other.last_shown == "chain" and other.last_seen_at == noon


def test_school_hours_are_weekdays_seven_to_six():
    assert rules.in_school_hours(local(2026, 12, 8, 9))  # Tuesday
    assert not rules.in_school_hours(local(2026, 12, 8, 19))
    assert not rules.in_school_hours(local(2026, 12, 12, 9))  # Saturday


# --- charts ------------------------------------------------------------------------------

def test_a_chart_with_no_data_is_empty_and_draws_nothing():
    months = charts.columns("t", [(f"{m}月", 0, 0) for m in range(1, 13)])
    assert months.empty and all(b.size == 0 and b.text == "—" for b in months.bars)
    assert charts.bars("t", []).empty and charts.bars("t", [("a", 0)]).empty
    assert charts.shares("t", [("甲", 0, 0)]).empty
    assert not charts.shares("t", [("甲", 0, 3)]).empty  # none on time is a figure, not missing data


def test_a_year_of_data_gives_every_month_its_column_and_figure():
    data = [(f"{m}月", m % 4, 3) for m in range(1, 13)]
    chart = charts.columns("t", data)
    assert not chart.empty and len(chart.bars) == 12
    for bar, (_label, ok, due) in zip(chart.bars, data):
        assert bar.text == f"{ok / due * 100:.0f}%" and 0 <= bar.size <= 100
    assert max(b.size for b in chart.bars) == 100 and min(b.size for b in chart.bars) == 0
    bars = charts.bars("t", [("a", 3), ("b", 6)])
    assert [b.size for b in bars.bars] == [50, 100] and bars.rows == [("a", "3"), ("b", "6")]
    owners = charts.shares("t", [("甲", 1, 3), ("乙", 0, 0)])
    assert owners.rows == [("甲", "33% (1/3)"), ("乙", "—")] and owners.bars[0].size == pytest.approx(33.3)


def test_the_qr_path_draws_exactly_the_dark_modules():
    url = "http://127.0.0.1:5000/notices/7"
    code = charts.qr(url)
    matrix = segno.make(url, error="m").matrix
    assert code.size == len(matrix) + 4
    drawn = sum(int(part.split("h")[1].split("v")[0]) for part in code.d.split("M")[1:])
    assert drawn == sum(sum(1 for m in row if m) for row in matrix)
