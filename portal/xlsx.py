"""Spreadsheets in and out: exports that are safe to open, and uploaded tables read within bounds.

Out: a cell whose text starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return is taken by
Excel and LibreOffice as a formula (``=HYPERLINK(...)`` leaking data, ``=cmd|...`` running
a program). Every export appends its rows through :func:`append_row`, which stores such text
as a plain string cell.

In: an XLSX file is a zip of XML parts, and openpyxl reads the whole shared-string table, the
styles and the workbook part before it yields the first row, whatever row cap the caller sets
(an 84 KB roster holding two million shared strings kept it busy for most of a minute).
:func:`read_table` therefore measures the package first (:func:`check_xlsx`: the zip directory,
the declared sizes, then one streaming count over every XML part that stops at the first cap
passed), and only then lets openpyxl read it. A CSV file is read row by row, each row within
:data:`MAX_ROW_CHARS`. Both are slow work: views call them before taking the write lock.
"""
from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from datetime import datetime
from typing import Any, Iterable, Iterator

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from portal.errors import DomainError
from portal.i18n import N_
from portal.textclean import strip_controls

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


# --- reading uploaded tables ---------------------------------------------------------------

class TableRefused(DomainError):
    """An uploaded table that is not read: the wrong type, unreadable, or too large or too
    strangely built to parse safely. Raised before anything is written."""


UNREADABLE_XLSX = N_("无法读取该 Excel 文件，请确认是 .xlsx 格式。")

# Caps for an uploaded workbook. A school roster (a few thousand rows of about ten columns) is
# some 50,000 cells, 1-2 MB of XML in a dozen parts, far below every cap. A file at the caps is
# checked in well under a second (the counting runs in C over the bytes); openpyxl then reads
# it in a few seconds at most, with no lock held.
MAX_MEMBERS = 200  # parts in the zip
MAX_UNPACKED_BYTES = 32 * 1024 * 1024  # all parts together, uncompressed
MAX_RATIO = 100  # uncompressed / compressed, for any part over RATIO_FROM_BYTES
RATIO_FROM_BYTES = 1024 * 1024
MAX_SHARED_STRINGS = 50_000
MAX_CELLS = 200_000  # written in the whole workbook, and declared by any one sheet's dimension
MAX_ELEMENTS = 400_000  # XML elements in all parts together
# Elements other than rows, cells and plain strings: styles, names, merged ranges, rich text,
# relationships. openpyxl builds an object for each, some 50 microseconds apiece (500,000 cell
# formats in a 1.5 MB file kept it busy for 28 seconds); a roster has a few hundred.
MAX_OTHER_ELEMENTS = 20_000
_PLAIN = (b"row", b"c", b"v", b"f", b"is", b"t", b"si")
MAX_ROW_CHARS = 4096  # one CSV row (with its continuation lines, for quoted line breaks)

_CENTRAL_ENTRY = b"PK\x01\x02"  # how every entry of a zip's central directory starts
_CHUNK = 64 * 1024
# The local name of every start tag, whatever its prefix. The part is in an ASCII-compatible
# encoding (see _scan), and without a DTD no entity can add markup, so every element is
# matched; text in comments or CDATA that looks like a tag is counted too, which errs safe.
_NAME = rb"<(?:[^\s<>/:!?]+:)?"
_START = re.compile(_NAME + rb"([^\s<>/:!?]+)")
_DECLARING = re.compile(_NAME + rb"(sst|dimension)\s([^<>]*)")
_ATTRIBUTE = re.compile(rb"\b(uniqueCount|count|ref)\s*=\s*[\"']([^\"']*)[\"']")
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,9})")
_EBCDIC_XML = b"\x4c\x6f\xa7\x94"  # "<?xm": libxml2 (openpyxl's other parser) detects it


def check_xlsx(data: bytes) -> None:
    """Refuse (:class:`TableRefused`) a workbook that would take openpyxl long or much memory:
    too many parts, a part that inflates too far, too much XML once unpacked, or more shared
    strings, cells or elements than the caps above. Nothing is inflated beyond the sizes the
    zip declares (``zipfile`` stops there, and a lying size fails its CRC check)."""
    # zipfile parses its whole central directory on opening: 250,000 empty entries (20 MB)
    # take it two seconds. Each entry starts with this signature, so count them first.
    if data.count(_CENTRAL_ENTRY) > MAX_MEMBERS:
        raise TableRefused(N_("表格过大或结构异常：压缩包内的部件超过 %(max)d 个，请检查文件。"), max=MAX_MEMBERS)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            for member in members:
                if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    # Excel and WPS write only these two; bzip2 and LZMA inflate unbounded chunks.
                    raise TableRefused(UNREADABLE_XLSX)
                if member.file_size > RATIO_FROM_BYTES and member.file_size > MAX_RATIO * member.compress_size:
                    raise TableRefused(N_("表格过大或结构异常：有部件的压缩比超过 %(max)d 倍，请检查文件。"),
                                       max=MAX_RATIO)
            if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                raise TableRefused(N_("表格过大或结构异常：解压后超过 %(mb)d MB，请检查文件。"),
                                   mb=MAX_UNPACKED_BYTES // (1024 * 1024))
            census = _Census()
            for member in members:
                _scan(archive, member, census)
    except TableRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken zip fails in many ways (BadZipFile, zlib.error, EOFError...)
        raise TableRefused(UNREADABLE_XLSX) from exc


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo, census: _Census) -> None:
    """Count one part into ``census``, 64 KB at a time, each piece cut after its last ``>`` so
    no tag is split between two. Binary parts (pictures) are skipped: no XML parser takes a
    part that does not start with ``<``. XML in a wide encoding (NUL bytes) is refused, as no
    roster needs it and the counting reads bytes."""
    with archive.open(member) as part:
        chunk = part.read(_CHUNK)
        if chunk.startswith(_EBCDIC_XML):
            raise TableRefused(UNREADABLE_XLSX)
        if not chunk.lstrip(b"\xef\xbb\xbf\xfe\xff\x00 \t\r\n").startswith(b"<"):
            return
        pending = b""
        while chunk:
            text = pending + chunk
            cut = text.rfind(b">") + 1
            if cut == 0 and len(text) > _CHUNK:  # a long run without a tag: nothing to keep for
                cut = len(text)
            census.count(text[:cut])
            pending = text[cut:]
            chunk = part.read(_CHUNK)
        census.count(pending)


class _Census:
    """Running counts over every XML part, raising :class:`TableRefused` as soon as a piece
    takes one past its cap, so a bomb is read no further than that."""

    def __init__(self) -> None:
        self.elements = self.other = self.strings = self.cells = 0

    def count(self, text: bytes) -> None:
        if b"\x00" in text:
            raise TableRefused(UNREADABLE_XLSX)
        if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
            # Office never writes a DTD; one here could only be there to declare entities.
            raise TableRefused(N_("表格过大或结构异常：含有 DTD 声明，请检查文件。"))
        names = _START.findall(text)
        plain = [names.count(name) for name in _PLAIN]
        self.elements += len(names)
        self.other += len(names) - sum(plain)
        self.cells += plain[_PLAIN.index(b"c")]
        self.strings += plain[_PLAIN.index(b"si")]
        for name, attributes in _DECLARING.findall(text):
            declared = dict(_ATTRIBUTE.findall(attributes))
            if name == b"sst":  # the table's own figures; its <si> elements are counted all the same
                if _number(declared.get(b"uniqueCount")) > MAX_SHARED_STRINGS:
                    raise _too_many_strings()
                if _number(declared.get(b"count")) > MAX_CELLS:  # cells that use a shared string
                    raise _too_many_cells()
            elif _declared_cells(declared.get(b"ref", b"").decode("ascii", "replace")) > MAX_CELLS:
                raise _too_many_cells()
        if self.strings > MAX_SHARED_STRINGS:
            raise _too_many_strings()
        if self.cells > MAX_CELLS:
            raise _too_many_cells()
        if self.elements > MAX_ELEMENTS:
            raise TableRefused(N_("表格过大或结构异常：XML 元素超过 %(max)d 个，请检查文件。"), max=MAX_ELEMENTS)
        if self.other > MAX_OTHER_ELEMENTS:
            raise TableRefused(N_("表格过大或结构异常：样式、名称等附加内容超过 %(max)d 项，"
                                  "请把名册复制到新建的工作簿后再上传。"), max=MAX_OTHER_ELEMENTS)


def _too_many_strings() -> TableRefused:
    return TableRefused(N_("表格过大或结构异常：共享字符串超过 %(max)d 条，请检查文件。"), max=MAX_SHARED_STRINGS)


def _too_many_cells() -> TableRefused:
    return TableRefused(N_("表格过大或结构异常：单元格超过 %(max)d 个，请检查文件。"), max=MAX_CELLS)


def _number(value: bytes | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _declared_cells(ref: str) -> int:
    """How many cells a range such as ``A1:XFD1600`` spans (0 when it is not one)."""
    corners = [_CELL_REF.fullmatch(part.strip()) for part in ref.split(":")]
    if len(corners) != 2 or not all(corners):
        return 0
    (c1, r1), (c2, r2) = ((_column(m[1]), int(m[2])) for m in corners if m)
    return (abs(c2 - c1) + 1) * (abs(r2 - r1) + 1)


def _column(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def read_table(filename: str, data: bytes, *, max_rows: int, max_columns: int) -> list[list[Any]]:
    """The first ``max_rows`` rows, at most ``max_columns`` cells each, of an uploaded XLSX
    (its first sheet) or CSV file. Raises :class:`TableRefused` when the file cannot or should
    not be read: a file the caps refuse is refused before anything unbounded is parsed."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return _xlsx_rows(data, max_rows, max_columns)
    if filename.lower().endswith(".csv"):
        return _csv_rows(data, max_rows, max_columns)
    raise TableRefused(N_("只支持 .xlsx 或 .csv 格式的名册文件。"))


def _xlsx_rows(data: bytes, max_rows: int, max_columns: int) -> list[list[Any]]:
    """Stream the first sheet after :func:`check_xlsx`.

    A sheet may declare more cells than it holds; read-only mode pads every row to the
    declared width, so both bounds are passed to openpyxl as well.
    """
    check_xlsx(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise TableRefused(UNREADABLE_XLSX) from exc
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True, max_col=max_columns, max_row=max_rows)
        return [list(r) for r in itertools.islice(rows, max_rows)]
    except Exception as exc:  # noqa: BLE001 - a broken sheet inside a valid zip
        raise TableRefused(UNREADABLE_XLSX) from exc
    finally:
        wb.close()


class _RowLines:
    """The lines of a CSV text for :mod:`csv`, refusing a row (a line, with the lines a quoted
    line break continues it on) longer than :data:`MAX_ROW_CHARS`: csv builds each row whole,
    so a bound on its input is the only bound on its cells."""

    def __init__(self, text: str) -> None:
        self.lines = iter(io.StringIO(text))
        self.number = 0
        self.row_chars = 0  # the reader's caller sets it back to 0 after each row

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.number += 1
        self.row_chars += len(line)
        if self.row_chars > MAX_ROW_CHARS:
            raise TableRefused(N_("表格过大或结构异常：第 %(line)d 行超过 %(max)d 个字符，请检查文件。"),
                               line=self.number, max=MAX_ROW_CHARS)
        return line


def _csv_rows(data: bytes, max_rows: int, max_columns: int) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableRefused(N_("无法识别 CSV 文件的编码，请另存为 UTF-8。"))
    lines = _RowLines(text)
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(lines):
            lines.row_chars = 0
            rows.append(row[:max_columns])
            if len(rows) >= max_rows:
                break
    except csv.Error as exc:
        raise TableRefused(N_("无法读取该 CSV 文件，请用 Excel 或 WPS 另存为 CSV 后再上传。")) from exc
    return rows


# --- tables whose first row names the columns (rosters) -----------------------------------

MAX_ROWS = 5000  # rows a roster import takes at once
MAX_COLUMNS = 50  # the header must name its columns within the first fifty


def cell_text(value: Any) -> str:
    """A cell as the text a person typed: 工号 1001 stored by Excel as 1001.0 is "1001", a date
    cell is its ISO date, control and bidi characters are dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    return strip_controls(str(value)).strip()


def read_named_rows(filename: str, data: bytes, columns: tuple[str, ...], required: tuple[str, ...],
                    max_rows: int = MAX_ROWS) -> list[tuple[int, dict[str, str]]]:
    """The rows of an uploaded XLSX or CSV table whose first row names its columns (any of
    ``columns``; ``required`` must be there): ``(line, {column: text})`` for each row that is
    not blank, the line counted as the spreadsheet shows it. Raises :class:`TableRefused`
    for an empty file, a missing column or more than ``max_rows`` rows. Slow work."""
    table = read_table(filename, data, max_rows=max_rows + 2, max_columns=MAX_COLUMNS)
    if not table:
        raise TableRefused(N_("文件是空的。"))
    header = [str(c or "").strip() for c in table[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise TableRefused(N_("第 1 行应为表头，缺少列：%(missing)s。可用的列：%(columns)s。"),
                           missing="、".join(missing), columns="、".join(columns))
    if len(table) - 1 > max_rows:
        raise TableRefused(N_("一次最多导入 %(max)d 行。"), max=max_rows)
    where = {name: header.index(name) for name in columns if name in header}
    return [(line, {name: cell_text(row[i]) if i < len(row) else "" for name, i in where.items()}
             | {name: "" for name in columns if name not in where})
            for line, row in enumerate(table[1:], start=2) if any(str(c or "").strip() for c in row)]
