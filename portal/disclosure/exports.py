"""XLSX exports: the disclosure register and an acknowledgement list."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, joinedload

from portal.disclosure.forms import AUDIENCE_LABELS, CHANNEL_LABELS, STATUS_LABELS
from portal.disclosure.models import Notice
from portal.disclosure.queries import AckGroup
from portal.timeutil import day_end_utc, day_start_utc, to_local
from portal.xlsx import append_row, save


def _fmt(moment: datetime | None) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def register_workbook(session: Session, start: date, end: date, visible: ColumnElement[bool]) -> bytes:
    """Every version published between ``start`` and ``end`` (school dates, inclusive) that
    ``visible`` (the reader's ``permissions.visible_notices``) lets the reader see."""
    rows = session.scalars(
        select(Notice)
        .options(joinedload(Notice.catalog_item), joinedload(Notice.author), joinedload(Notice.approver))
        .where(Notice.published_at >= day_start_utc(start), Notice.published_at <= day_end_utc(end), visible)
        .order_by(Notice.published_at)
    ).all()
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook's one sheet
    ws.title = _("公开登记簿")
    header = [_("序号"), _("公开类别"), _("公开目录"), _("标题"), _("版本"), _("公开范围"), _("起草人"), _("审批人"),
              _("发布时间"), _("公示截止"), _("状态"), _("撤回原因")]
    append_row(ws, header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for n, notice in enumerate(rows, start=1):
        status = str(STATUS_LABELS[notice.status]) + (_("（已被更正）") if not notice.is_current and notice.is_published else "")
        append_row(ws, [
            n, str(CHANNEL_LABELS[notice.channel]), notice.catalog_item.name, notice.title, notice.version,
            str(AUDIENCE_LABELS[notice.audience]), notice.author.name, notice.approver.name if notice.approver else "",
            _fmt(notice.published_at), _fmt(notice.gongshi_end), status, notice.withdraw_reason,
        ])
    for col, width in zip("ABCDEFGHIJKL", (6, 10, 24, 48, 6, 16, 10, 10, 18, 18, 14, 30)):
        ws.column_dimensions[col].width = width
    return save(wb)


def ack_workbook(notice: Notice, groups: list[AckGroup]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook's one sheet
    ws.title = _("阅读确认")
    append_row(ws, [notice.title])
    append_row(ws, [_("部门"), _("工号"), _("姓名"), _("是否确认"), _("确认时间")])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for group in groups:
        for user, at in group.done:
            append_row(ws, [_(group.department), user.staff_no, user.name, _("已确认"), _fmt(at)])
        for user in group.missing:
            append_row(ws, [_(group.department), user.staff_no, user.name, _("未确认"), ""])
    return save(wb)
