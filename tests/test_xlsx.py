"""Uploaded tables are measured before openpyxl sees them: bombs are refused at once, in
Chinese, and a roster as Excel saves it still reads. The files are built here, byte for byte
as Excel lays them out (text cells point into xl/sharedStrings.xml)."""
from __future__ import annotations

import functools
import io
import time
import zipfile
from xml.sax.saxutils import escape

import pytest

from portal import xlsx
from portal.xlsx import TableRefused, check_xlsx, read_table

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
ROSTER_HEADER = ["工号", "姓名", "用户名", "部门", "党员", "角色"]


def _column(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def shared_strings(strings: list[str], *, extra: int = 0, declared: int | None = None) -> bytes:
    """A shared-string table: ``strings``, then ``extra`` one-letter entries; it declares
    ``declared`` strings (honestly, unless told otherwise)."""
    total = len(strings) + extra if declared is None else declared
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" count="{total}" uniqueCount="{total}">'
    body = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings).encode() + b"<si><t>a</t></si>" * extra
    return head.encode() + body + b"</sst>"


def excel_workbook(rows: list[list[object]], *, strings_xml: bytes | None = None, sheet_xml: bytes | None = None,
                   parts: dict[str, bytes] | None = None) -> bytes:
    """An .xlsx of ``rows`` as Excel writes it; ``strings_xml``, ``sheet_xml`` and ``parts``
    replace or add parts."""
    strings: list[str] = []
    index: dict[str, int] = {}
    xml_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row, start=1):
            ref = f"{_column(c)}{r}"
            if isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value not in (None, ""):
                text = str(value)
                if text not in index:
                    index[text] = len(strings)
                    strings.append(text)
                cells.append(f'<c r="{ref}" t="s"><v>{index[text]}</v></c>')
        xml_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    width = max((len(row) for row in rows), default=1)
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
             f'<dimension ref="A1:{_column(width)}{max(len(rows), 1)}"/><sheetData>{"".join(xml_rows)}</sheetData>'
             '</worksheet>').encode()
    files = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{PKG}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{TYPES}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{TYPES}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{TYPES}.sharedStrings+xml"/></Types>').encode(),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>').encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            '<sheets><sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>').encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>').encode(),
        "xl/worksheets/sheet1.xml": sheet_xml or sheet,
        "xl/sharedStrings.xml": strings_xml or shared_strings(strings),
        **(parts or {}),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


@functools.cache
def shared_string_bomb() -> bytes:
    """The union's 84 KB roster: a header, and two million tiny shared strings behind it."""
    return excel_workbook([ROSTER_HEADER], strings_xml=shared_strings(ROSTER_HEADER, extra=2_000_000))


@functools.cache
def zip_bomb(megabytes: int = 300) -> bytes:
    """A roster carrying one more part that inflates to ``megabytes`` MB of zeros."""
    buf = io.BytesIO(excel_workbook([ROSTER_HEADER, [2001, "张三"]]))
    zero = bytes(1024 * 1024)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("xl/media/image1.png", "w") as part:
        for _ in range(megabytes):
            part.write(zero)
    return buf.getvalue()


def read(data: bytes, name: str = "名册.xlsx") -> list[list[object]]:
    return read_table(name, data, max_rows=5002, max_columns=50)


def refusal(data: bytes, name: str = "名册.xlsx") -> tuple[str, float]:
    """The message a file is refused with, and how long the refusal took."""
    started = time.perf_counter()
    with pytest.raises(TableRefused) as refused:
        read(data, name)
    return str(refused.value), time.perf_counter() - started


# --- a roster as Excel saves it ----------------------------------------------------------------

def test_a_roster_with_shared_strings_reads_as_before():
    rows = [ROSTER_HEADER] + [[3000 + i, f"教师{i}", f"t{i}", "数学教研组", "否", ""] for i in range(3000)]
    data = excel_workbook(rows)
    check_xlsx(data)
    got = read(data)
    assert len(got) == 3001 and got[0][:6] == ROSTER_HEADER and got[1][:6] == [3000, "教师0", "t0", "数学教研组", "否", None]


# --- shared strings ------------------------------------------------------------------------------

def test_two_million_shared_strings_are_refused_at_once():
    data = shared_string_bomb()
    message, seconds = refusal(data)
    print(f"shared-string bomb: {len(data):,} bytes, refused in {seconds * 1000:.1f} ms: {message}")
    assert len(data) < 150_000 and message.startswith("表格过大或结构异常")
    assert seconds < 1.0


def _under_the_zip_caps(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = zf.infolist()
    return (sum(m.file_size for m in members) <= xlsx.MAX_UNPACKED_BYTES
            and all(m.file_size <= xlsx.MAX_RATIO * m.compress_size for m in members))


@pytest.mark.parametrize("declared", [None, 10], ids=["honest", "understated"])
def test_shared_strings_are_counted_whatever_the_table_declares(declared):
    strings = [f"姓名{i}" for i in range(xlsx.MAX_SHARED_STRINGS + 1)]  # varied, so they compress as text does
    data = excel_workbook([ROSTER_HEADER], strings_xml=shared_strings(strings, declared=declared))
    assert _under_the_zip_caps(data)  # so the strings themselves are what is refused
    message, _ = refusal(data)
    assert message == f"表格过大或结构异常：共享字符串超过 {xlsx.MAX_SHARED_STRINGS} 条，请检查文件。"


def test_a_table_declaring_millions_of_strings_is_refused_on_its_word():
    data = excel_workbook([ROSTER_HEADER], strings_xml=shared_strings(ROSTER_HEADER, declared=2_000_000))
    assert "共享字符串超过" in refusal(data)[0]


def test_strings_under_another_prefix_are_counted_too():
    body = "".join(f"<x:si><x:t>{i}</x:t></x:si>" for i in range(xlsx.MAX_SHARED_STRINGS + 1))
    strings = f'<?xml version="1.0"?><x:sst xmlns:x="{MAIN}">{body}</x:sst>'.encode()
    assert "共享字符串超过" in refusal(excel_workbook([ROSTER_HEADER], strings_xml=strings))[0]


# --- the zip ---------------------------------------------------------------------------------------

def test_a_part_inflating_to_hundreds_of_megabytes_is_refused_at_once():
    data = zip_bomb()
    message, seconds = refusal(data)
    print(f"zip bomb: {len(data):,} bytes inflating to 300 MB, refused in {seconds * 1000:.1f} ms: {message}")
    assert message == f"表格过大或结构异常：有部件的压缩比超过 {xlsx.MAX_RATIO} 倍，请检查文件。"
    assert seconds < 1.0


def test_too_much_xml_in_parts_each_too_small_for_the_ratio_check():
    filler = bytes(1024 * 1024 - 1)  # just under the size from which ratios count
    parts = {f"xl/media/image{i}.png": filler for i in range(40)}
    message, _ = refusal(excel_workbook([ROSTER_HEADER], parts=parts))
    assert message == "表格过大或结构异常：解压后超过 32 MB，请检查文件。"


def test_too_many_parts():
    parts = {f"customXml/item{i}.xml": b"<a/>" for i in range(xlsx.MAX_MEMBERS)}
    message, _ = refusal(excel_workbook([ROSTER_HEADER], parts=parts))
    assert message == f"表格过大或结构异常：压缩包内的部件超过 {xlsx.MAX_MEMBERS} 个，请检查文件。"


def test_other_compression_methods_are_not_inflated():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>")
    assert refusal(buf.getvalue())[0] == xlsx.UNREADABLE_XLSX


@pytest.mark.parametrize("data", [b"PK\x03\x04 not really", b"PK" + bytes(100)], ids=["truncated", "zeros"])
def test_a_broken_zip_is_unreadable(data):
    assert refusal(data)[0] == xlsx.UNREADABLE_XLSX


# --- the sheets and the other parts ------------------------------------------------------------

def _sheet(body: str, dimension: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">{dim}<sheetData>{body}</sheetData></worksheet>'.encode()


def test_a_sheet_declaring_millions_of_cells_is_refused():
    sheet = _sheet('<row r="1"><c r="A1"><v>1</v></c></row>', dimension="A1:XFD1600")
    message, _ = refusal(excel_workbook([ROSTER_HEADER], sheet_xml=sheet))
    assert message == f"表格过大或结构异常：单元格超过 {xlsx.MAX_CELLS} 个，请检查文件。"


def test_cells_are_counted_whatever_the_sheet_declares():
    cells = "".join(f'<c r="A{i}"/>' for i in range(1, xlsx.MAX_CELLS + 2))
    sheet = _sheet(f'<row r="1">{cells}</row>', dimension="A1:F2")
    assert "单元格超过" in refusal(excel_workbook([ROSTER_HEADER], sheet_xml=sheet))[0]


def test_xml_elements_are_counted():
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, xlsx.MAX_ELEMENTS // 3 + 2))
    data = excel_workbook([ROSTER_HEADER], sheet_xml=_sheet(rows))
    assert _under_the_zip_caps(data)
    assert refusal(data)[0] == f"表格过大或结构异常：XML 元素超过 {xlsx.MAX_ELEMENTS} 个，请检查文件。"


def test_a_style_sheet_of_thousands_of_formats_is_refused():
    """openpyxl builds an object for every format: 500,000 took it 28 seconds."""
    xfs = "".join(f'<xf numFmtId="0" fontId="0" fillId="0" borderId="{i}"/>' for i in range(xlsx.MAX_OTHER_ELEMENTS + 1))
    styles = f'<?xml version="1.0"?><styleSheet xmlns="{MAIN}"><cellXfs>{xfs}</cellXfs></styleSheet>'.encode()
    message, _ = refusal(excel_workbook([ROSTER_HEADER], parts={"xl/styles.xml": styles}))
    assert message.startswith("表格过大或结构异常：样式、名称等附加内容超过")


def test_a_dtd_is_refused():
    strings = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY e "<si><t>a</t></si>">]><sst>&e;&e;</sst>'
    assert refusal(excel_workbook([ROSTER_HEADER], strings_xml=strings))[0] == "表格过大或结构异常：含有 DTD 声明，请检查文件。"


@pytest.mark.parametrize("encoding", ["utf-16", "gbk"])
def test_xml_in_another_encoding_is_unreadable(encoding):
    """UTF-16 is refused before counting (which reads bytes); GBK is counted, then openpyxl
    cannot read it. Excel and WPS write UTF-8."""
    strings = f'<?xml version="1.0" encoding="{encoding}"?><sst xmlns="{MAIN}"><si><t>张三</t></si></sst>'
    data = excel_workbook([ROSTER_HEADER], strings_xml=strings.encode(encoding))
    assert refusal(data)[0] == xlsx.UNREADABLE_XLSX


def test_pictures_are_not_taken_for_xml():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100
    assert read(excel_workbook([ROSTER_HEADER, [2001, "张三"]], parts={"xl/media/image1.png": png}))[1][:2] == [2001, "张三"]


# --- CSV -----------------------------------------------------------------------------------------

def test_csv_rows_are_bounded_in_number_and_length():
    text = "工号,姓名\n" + "".join(f"{i},教师{i}\n" for i in range(10))
    assert len(read_table("a.csv", text.encode(), max_rows=3, max_columns=1)) == 3
    long_row = "工号,姓名\n1,张三\n2," + "长" * xlsx.MAX_ROW_CHARS + "\n"
    message, _ = refusal(long_row.encode(), "a.csv")
    assert message == f"表格过大或结构异常：第 3 行超过 {xlsx.MAX_ROW_CHARS} 个字符，请检查文件。"


def test_a_quoted_line_break_cannot_make_one_row_of_the_whole_file():
    text = '工号,姓名\n1,"' + "a,\n" * 5000 + '"\n'
    message, _ = refusal(text.encode(), "a.csv")
    assert message.startswith("表格过大或结构异常：第 ") and "超过 4096 个字符" in message
    assert read_table("a.csv", '工号,姓名\n1,"张\n三"\n'.encode(), max_rows=10, max_columns=5) == [["工号", "姓名"], ["1", "张\n三"]]
