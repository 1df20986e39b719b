"""XLSX exports: a term's proposal register, and the committee's report on handling."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from portal.i18n import N_
from portal.proposals.forms import LABELS
from portal.proposals.models import Proposal
from portal.proposals.queries import Report
from portal.xlsx import append_row, save


def _sheet(wb: Workbook, title: str, header: list[str], first: bool = False) -> Worksheet:
    ws = wb.active if first else wb.create_sheet()
    assert isinstance(ws, Worksheet)
    ws.title = title
    append_row(ws, header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    return ws


def _label(kind: str, code: str | None) -> str:
    return str(LABELS[kind][code]) if code else ""


def _rows(ws: Worksheet, rows: list[Proposal], today: date) -> None:
    for p in rows:
        append_row(ws, [
            p.id, p.title, p.proposer.name, _label("category", p.category), _label("status", p.status),
            p.lead_department.name if p.lead_department else "", p.deadline.isoformat() if p.deadline else "",
            _("是") if p.is_overdue(today) else "", _label("answer", p.answer_class), _label("rating", p.rating),
            p.merged_into_id or "",
        ])


HEADER = [N_("编号"), N_("标题"), N_("提案人"), N_("类别"), N_("状态"), N_("承办部门"), N_("办理期限"), N_("逾期"),
          N_("答复类别"), N_("评价"), N_("并入")]


def _header() -> list[str]:
    return [_(h) for h in HEADER]


def register_workbook(term_name: str, rows: list[Proposal], today: date) -> bytes:
    wb = Workbook()
    ws = _sheet(wb, _("提案登记"), _header(), first=True)
    _rows(ws, rows, today)
    append_row(ws, [])
    append_row(ws, [term_name])
    return save(wb)


def report_workbook(term_name: str, report: Report, today: date) -> bytes:
    wb = Workbook()
    add_report_sheets(wb, term_name, report, today, first=True)
    return save(wb)


def add_report_sheets(wb: Workbook, term_name: str, report: Report, today: date, first: bool = False) -> None:
    """The committee's report as three sheets of ``wb`` (also part of the principal's report
    to the congress)."""
    ws = _sheet(wb, _("统计"), [term_name, _("件数")], first=first)
    append_row(ws, [_("提案总数"), report.total])
    for code, n in report.by_status.items():
        append_row(ws, [_label("status", code), n])
    for code, n in report.by_answer.items():
        append_row(ws, [_label("answer", code), n])
    for code, n in report.by_rating.items():
        append_row(ws, [_label("rating", code), n])
    ws = _sheet(wb, _("承办部门"), [_("承办部门"), _("交办"), _("已答复"), _("逾期")])
    for row in report.by_department:
        append_row(ws, list(row))
    ws = _sheet(wb, _("提案清单"), _header())
    _rows(ws, report.rows, today)
