"""Writing spreadsheets that are safe to open: user text never becomes a formula.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return is taken by
Excel and LibreOffice as a formula (``=HYPERLINK(...)`` leaking data, ``=cmd|...`` running
a program). Every export appends its rows through :func:`append_row`, which stores such text
as a plain string cell.
"""
from __future__ import annotations

import io
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def append_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """Append ``values`` as the next row; text that could be read as a formula stays text."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True  # and shown as text when someone edits the cell


def save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
