"""Spreadsheets of the tracker and of the report to the congress, through ``portal/xlsx.py``
(user text never becomes a formula)."""
from __future__ import annotations

from collections.abc import Callable

from openpyxl import Workbook

from portal.decisions.queries import TrackerRow
from portal.xlsx import append_row, save

Translate = Callable[[str], str]


def tracker_xlsx(rows: list[TrackerRow], headers: list[str], status_label: Callable[[str], str],
                 body_label: Callable[[str], str]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    append_row(ws, headers)
    for r in rows:
        res = r.resolution
        append_row(ws, [
            res.id, res.title, body_label(res.body), r.meeting_title, r.owner_name, res.decided_on.isoformat(),
            res.deadline.isoformat() if res.deadline else "", status_label(r.status.value),
            r.last_report.isoformat() if r.last_report else "", r.next_due.isoformat() if r.next_due else "",
            r.reports, r.urgings,
        ])
    return save(wb)
