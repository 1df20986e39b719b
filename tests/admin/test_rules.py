"""Roster import: all or nothing, with each bad row reported in Chinese."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.admin.rules import MAX_ROSTER_ROWS, RosterFileError, import_roster, read_roster
from portal.congress.models import Representative
from portal.auth.models import Department, User
from tests.conftest import make_user

HEADER = ["工号", "姓名", "用户名", "部门", "党员", "角色"]


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    lines = [",".join(HEADER)] + [",".join(str(c) for c in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def school(session):
    session.add_all([Department(name="数学教研组", kind="subject"), Department(name="语文教研组", kind="subject")])
    make_user("someone-on-the-roster", {"rep"}, staff_no="R001")  # opens a congress term, for 教代会代表 in the roster
    admin = make_user("admin", {"admin"}, staff_no="A001")
    session.commit()
    return admin


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def test_good_xlsx_imports_everyone_with_one_first_login_password(session, school):
    data = xlsx([
        [2001, "张三", "zhangsan", "数学教研组", "是", "教代会代表"],
        [2002, "李四", None, "语文教研组", "否", ""],
    ])
    result = import_roster(session, school, read_roster("名册.xlsx", data))
    assert result.ok and len(result.created) == 2
    session.commit()
    li = session.scalar(select(User).where(User.staff_no == "2002"))
    assert li.username == "2002" and li.must_change_password and li.check_password(result.password)
    zhang = session.scalar(select(User).where(User.username == "zhangsan"))
    # 教代会代表 puts a person on the current term's roster (representatives are no longer a role)
    assert zhang.is_party_member and zhang.roles == {"staff"}
    assert session.scalar(select(func.count()).select_from(Representative).where(Representative.user_id == zhang.id)) == 1


def test_broken_rows_import_nothing_and_each_is_reported(session, school):
    before = _count(session)
    data = xlsx([
        [2001, "张三", "", "数学教研组", "是", ""],          # fine
        [2001, "王五", "", "数学教研组", "否", ""],          # duplicate staff no in file
        ["A001", "赵六", "", "数学教研组", "否", ""],        # staff no already in the system
        [2003, "", "", "数学教研组", "否", ""],              # missing name
        [2004, "钱七", "", "体育组", "否", ""],              # unknown department
        [2005, "孙八", "", "语文教研组", "也许", "校长助理"],  # bad party value and unknown role
        [2006, "周九", "admin", "语文教研组", "否", ""],      # username taken
    ])
    result = import_roster(session, school, read_roster("名册.xlsx", data))
    session.rollback()
    assert not result.ok and result.created == []
    lines = dict(result.errors)
    assert set(lines) == {3, 4, 5, 6, 7, 8}
    assert "与第 2 行重复" in lines[3]
    assert "已存在于系统中" in lines[4]
    assert "缺少姓名" in lines[5]
    assert "部门“体育组”不存在" in lines[6]
    assert "党员一栏" in lines[7] and "未知角色“校长助理”" in lines[7]
    assert "用户名 admin 已被使用" in lines[8]
    assert _count(session) == before


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_in_utf8_or_gbk(session, school, encoding):
    data = csv_bytes([[3001, "陈静", "", "语文教研组", "否", "工会"]], encoding)
    result = import_roster(session, school, read_roster("roster.csv", data))
    assert result.ok and result.created[0].name == "陈静" and "union" in result.created[0].roles


@pytest.mark.parametrize("name,data,message", [
    ("a.txt", b"hello", "只支持"),
    ("a.xlsx", b"PK\x03\x04 not really", "无法读取"),
    ("a.csv", "姓名,部门\n张三,数学教研组\n".encode(), "缺少列：工号"),
    ("a.csv", b"", "文件是空的"),
])
def test_unreadable_files_are_explained(name, data, message):
    with pytest.raises(RosterFileError, match=message):
        read_roster(name, data)


def test_blank_lines_are_skipped_and_an_empty_roster_is_an_error(session, school):
    result = import_roster(session, school, read_roster("a.csv", csv_bytes([["", "", "", "", "", ""]])))
    assert not result.ok and "没有数据行" in result.errors[0][1]


# --- hostile rosters ---------------------------------------------------------------------------

def _peak_mib(fn) -> tuple[float, object]:
    import tracemalloc

    tracemalloc.start()
    try:
        try:
            out = fn()
        except RosterFileError as exc:
            out = exc
        return tracemalloc.get_traced_memory()[1] / 2**20, out
    finally:
        tracemalloc.stop()


def _declaring(row: int, column: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([2001, "张三", "zhangsan", "数学教研组", "是", ""])
    ws.cell(row=row, column=column, value="x")  # the sheet now declares A1 to this cell
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_small_file_declaring_millions_of_cells_is_refused_in_bounded_memory():
    data = _declaring(1600, 16384)
    peak, error = _peak_mib(lambda: read_roster("名册.xlsx", data))
    print(f"hostile roster: {len(data)} bytes declaring 1,600 x 16,384 cells, peak {peak:.1f} MiB")
    assert len(data) < 8000 and peak < 20
    assert isinstance(error, RosterFileError) and "单元格超过" in str(error)


def test_reading_stops_at_the_row_cap():
    data = xlsx([[3000 + i, f"教师{i}", "", "数学教研组", "否", ""] for i in range(MAX_ROSTER_ROWS + 1)])
    peak, error = _peak_mib(lambda: read_roster("名册.xlsx", data))
    print(f"roster of {MAX_ROSTER_ROWS + 1:,} rows: peak {peak:.1f} MiB")
    assert isinstance(error, RosterFileError) and "一次最多导入" in str(error)
    assert peak < 20


@pytest.mark.parametrize("username,message", [
    ("evil user<img src=x onerror=1>", "只能包含字母"),
    ("trailing\n", "只能包含字母"),
    ("Admin", "已被使用"),  # "admin" exists: no look-alike in another case
    ("x" * 41, "超过 40 个字符"),
])
def test_roster_usernames_follow_the_account_form_rules(session, school, username, message):
    rows = read_roster("名册.csv", csv_bytes([["3001", "王五", username.replace("\n", ""), "数学教研组", "否", ""]]))
    rows[0].username = username
    result = import_roster(session, school, rows)
    assert not result.ok and message in result.errors[0][1]


def test_a_roster_never_creates_an_admin(session, school):
    before = _count(session)
    for roles in ("系统管理员", "admin", "教代会代表、系统管理员"):
        result = import_roster(session, school, read_roster("名册.xlsx", xlsx([[3001, "王五", "wangwu", "数学教研组", "否", roles]])))
        assert not result.ok and "不能授予系统管理员" in result.errors[0][1], roles
    assert _count(session) == before


def test_roster_names_lose_control_and_bidi_characters(session, school):
    rows = read_roster("名册.xlsx", xlsx([[3001, "王\u202e五\u2066", "wangwu", "数学教研组", "否", ""]]))
    assert rows[0].name == "王五"


def test_roster_rows_are_checked_without_a_database():
    from portal.admin.rules import RosterFacts, RosterRow, check_roster_rows

    facts = RosterFacts(departments=frozenset({"数学教研组"}), staff_nos=frozenset({"1001"}),
                        usernames=frozenset({"zhangsan"}), term_open=False)
    rows = [RosterRow(2, "1001", "张三", "", "数学教研组", "否", ""),
            RosterRow(3, "1002", "李四", "ZhangSan", "体育组", "也许", "教代会代表"),
            RosterRow(4, "1003", "王五", "", "数学教研组", "是", "")]
    errors, valid = check_roster_rows(rows, facts)
    found = {line: str(message) for line, message in errors}
    assert set(found) == {2, 3} and valid == []  # all or nothing
    assert "已存在" in found[2]
    assert all(w in found[3] for w in ("已被使用", "不存在", "党员一栏", "无法登记代表")), found[3]
    errors, valid = check_roster_rows(rows[2:], facts)
    assert errors == [] and [(v.row.staff_no, v.is_party_member, v.roles) for v in valid] == [("1003", True, frozenset())]
    [(line, message)] = check_roster_rows([], facts)[0]
    assert line == 1 and "没有数据行" in str(message)
