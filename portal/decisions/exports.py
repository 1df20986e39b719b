"""Spreadsheets of the tracker and of the report to the congress, through ``portal/xlsx.py``
(user text never becomes a formula)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask_babel import gettext as _
from openpyxl import Workbook

from portal.decisions.queries import TrackerRow
from portal.proposals.queries import Report
from portal.xlsx import append_row, save

Translate = Callable[[str], str]


def tracker_xlsx(rows: list[TrackerRow], headers: list[str], status_label: Callable[[str], str],
                 body_label: Callable[[str], str]) -> bytes:
    wb = Workbook()
    _resolutions(wb, rows, headers, status_label, body_label)
    return save(wb)


def congress_report_xlsx(rows: list[TrackerRow], headers: list[str], status_label: Callable[[str], str],
                         body_label: Callable[[str], str], proposals: tuple[str, Report, date] | None) -> bytes:
    """The report to the congress: the resolutions, then the handling of proposals (term
    name, the committee's report, the day) as the committee's own sheets."""
    wb = Workbook()
    _resolutions(wb, rows, headers, status_label, body_label)
    if proposals is not None:
        from portal.proposals.exports import add_report_sheets

        add_report_sheets(wb, *proposals)
    return save(wb)


def _resolutions(wb: Workbook, rows: list[TrackerRow], headers: list[str], status_label: Callable[[str], str],
                 body_label: Callable[[str], str]) -> None:
    ws = wb.active
    assert ws is not None
    ws.title = _("决议督办")  # every sheet is named in Chinese, never openpyxl's "Sheet"
    append_row(ws, headers)
    for r in rows:
        res = r.resolution
        append_row(ws, [
            res.id, res.title, body_label(res.body), r.meeting_title, r.owner_name, res.decided_on.isoformat(),
            res.deadline.isoformat() if res.deadline else "", status_label(r.status.value),
            r.last_report.isoformat() if r.last_report else "", r.next_due.isoformat() if r.next_due else "",
            r.reports, r.urgings,
        ])


def archive_zip(year: int, minutes: list[tuple[str, str]], resolutions_xlsx: bytes, reports: list[tuple[str, str]],
                chain: tuple[int, str]) -> bytes:
    """The school year's archive bundle: each meeting's minutes (as signed, or as assembled),
    the resolutions spreadsheet and every progress report, with a manifest of SHA-256 digests
    and the audit-chain head, as one ZIP file."""
    import hashlib
    import io
    import zipfile

    files: list[tuple[str, bytes]] = [(name, text.encode("utf-8")) for name, text in minutes]
    files.append(("resolutions.xlsx", resolutions_xlsx))
    files += [(name, text.encode("utf-8")) for name, text in reports]
    manifest = [f"school-year {year}-{year + 1}", f"audit-chain #{chain[0]} {chain[1]}", ""]
    manifest += [f"{hashlib.sha256(data).hexdigest()}  {name}" for name, data in files]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(name, data)
        zf.writestr("SHA256SUMS.txt", "\n".join(manifest) + "\n")
    return buf.getvalue()
