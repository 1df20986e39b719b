"""No upload can stall the school: both roster imports (the staff roster, the congress roster)
measure a file (portal.xlsx) and read it before the request takes the write lock. A bomb is
refused in place, in Chinese, in well under a second and with nothing written, while twenty
colleagues keep writing; a proper roster still imports."""
from __future__ import annotations

import io
import threading
import time

import pytest
from sqlalchemy import func, select

from portal import xlsx
from portal.audit.models import AuditEvent
from portal.auth.models import Department, User
from portal.congress.models import Representative
from portal.extensions import db
from tests.conftest import ON_POSTGRES, login_as, writer_can_start
from tests.congress import factories as f
from tests.test_xlsx import ROSTER_HEADER, excel_workbook, shared_string_bomb, zip_bomb

WRITERS = 20


class Import:
    """One of the two roster imports, as its page posts it."""

    def __init__(self, role: str, htmx: bool) -> None:
        self.role = role
        self.htmx = htmx  # the congress roster's form posts with htmx and swaps #rep-import

    def url(self, term_id: int) -> str:
        return "/admin/roster" if self.role == "admin" else f"/congress/terms/{term_id}/roster/import"

    def post(self, client, term_id: int, data: bytes, name: str = "名册.xlsx"):
        form = {"file": (io.BytesIO(data), name)}
        if self.htmx:
            return client.hx(self.url(term_id), "POST", data=form, content_type="multipart/form-data")
        return client.post(self.url(term_id), data=form, content_type="multipart/form-data")


IMPORTS = {"staff": Import("admin", htmx=False), "congress": Import("union", htmx=True)}


@pytest.fixture
def term_id(app, people) -> int:
    with app.app_context():
        return f.term(db.session).id


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
                db.session.scalar(select(func.count()).select_from(User)) or 0,
                db.session.scalar(select(func.count()).select_from(Representative)) or 0)


def _refused_in_place(response, which: str) -> str:
    body = response.get_data(as_text=True)
    assert response.status_code == 200  # htmx 2 swaps only 2xx: the message must arrive as one
    if IMPORTS[which].htmx:
        assert body.lstrip().startswith('<section class="card" id="rep-import"')  # the block htmx swaps
    else:
        assert "<html" in body and 'role="alert"' in body
    return body


@pytest.mark.parametrize("which", IMPORTS)
def test_a_shared_string_bomb_is_refused_at_once_while_twenty_colleagues_write(app, people, term_id, which,
                                                                             monkeypatch):
    imp = IMPORTS[which]
    bomb = shared_string_bomb()
    reading = _watch_reading(app, monkeypatch, probe=False)  # a colleague may hold the lock just then
    writers = [app.test_client() for _ in range(WRITERS)]
    for client in writers:
        login_as(client, app, "admin")
    uploader = app.test_client()
    login_as(uploader, app, imp.role)
    before = _counts(app)

    start = threading.Barrier(WRITERS + 1)
    refused = threading.Event()
    outcomes: list[tuple[int, float, float, str]] = []  # status, start, end, body unless it redirected
    failures: list[BaseException] = []

    def write(n: int) -> None:
        start.wait()
        i = 0
        while not refused.is_set() or i < 2:  # a small audited write each time, over HTTP
            began = time.perf_counter()
            try:
                r = writers[n].post("/admin/departments", data={"name": f"组{n}-{i}", "kind": "subject"})
            except BaseException as exc:  # noqa: BLE001 - reported below, with the others
                failures.append(exc)
                return
            outcomes.append((r.status_code, began, time.perf_counter(), "" if r.status_code == 303 else r.get_data(as_text=True)))
            i += 1

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    start.wait()
    time.sleep(0.2)  # the colleagues are writing
    began = time.perf_counter()
    response = imp.post(uploader, term_id, bomb)
    seconds = time.perf_counter() - began
    ended = began + seconds
    refused.set()
    for t in threads:
        t.join()

    body = _refused_in_place(response, which)
    during = [o for o in outcomes if o[1] < ended and o[2] > began]
    print(f"{which}: {len(bomb):,}-byte shared-string bomb refused in {reading.seconds[0] * 1000:.1f} ms "
          f"({seconds * 1000:.0f} ms for the whole request); {len(outcomes)} writes by {WRITERS} colleagues, "
          f"{len(during)} of them during the request, {sum(o[0] != 303 for o in outcomes)} failed")
    assert "表格过大或结构异常" in body
    assert len(reading.seconds) == 1 and reading.seconds[0] < 1.0  # the refusal itself, under the load
    assert failures == []
    assert [o[3][:200] for o in outcomes if o[0] != 303] == []  # no 500, no "database is locked"
    assert len(outcomes) >= 2 * WRITERS and during
    audit, users, reps = _counts(app)
    assert (audit, users, reps) == (before[0] + len(outcomes), before[1], before[2])  # the upload wrote nothing


@pytest.mark.parametrize("which", IMPORTS)
def test_a_zip_bomb_is_refused_at_once_and_nothing_written(app, people, term_id, which, monkeypatch):
    imp = IMPORTS[which]
    reading = _watch_reading(app, monkeypatch)
    client = app.test_client()
    login_as(client, app, imp.role)
    bomb = zip_bomb()
    before = _counts(app)
    response = imp.post(client, term_id, bomb)
    print(f"{which}: {len(bomb):,}-byte zip bomb inflating to 300 MB refused in {reading.seconds[0] * 1000:.1f} ms")
    assert "表格过大或结构异常：有部件的压缩比超过" in _refused_in_place(response, which)
    assert reading.seconds[0] < 1.0 and reading.unlocked == ([] if ON_POSTGRES else [True])
    assert _counts(app) == before


@pytest.mark.parametrize("which", IMPORTS)
def test_an_overlong_csv_row_is_refused_in_place(app, people, term_id, which):
    imp = IMPORTS[which]
    client = app.test_client()
    login_as(client, app, imp.role)
    before = _counts(app)
    data = ("工号,姓名,部门\n1," + "长" * xlsx.MAX_ROW_CHARS + ",教务处\n").encode()
    body = _refused_in_place(imp.post(client, term_id, data, "名册.csv"), which)
    assert f"表格过大或结构异常：第 2 行超过 {xlsx.MAX_ROW_CHARS} 个字符" in body
    assert _counts(app) == before


# --- a proper roster still imports, read while others could write -------------------------------

def test_a_staff_roster_as_excel_saves_it_imports(app, people, term_id, monkeypatch):
    reading = _watch_reading(app, monkeypatch)
    client = app.test_client()
    login_as(client, app, "admin")
    rows = [ROSTER_HEADER] + [[5000 + i, f"教师{i}", "", "教务处", "否" if i % 2 else "是", ""] for i in range(120)]
    body = IMPORTS["staff"].post(client, term_id, excel_workbook(rows)).get_data(as_text=True)
    assert "导入成功：共 120 个账号" in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.staff_no.like("5%"))) == 120
        assert db.session.scalar(select(Department.name).join(User, User.department_id == Department.id).where(User.staff_no == "5001")) == "教务处"
    assert reading.unlocked == ([] if ON_POSTGRES else [True])  # PostgreSQL has no single write lock


def test_a_congress_roster_as_excel_saves_it_imports(app, people, term_id, monkeypatch):
    reading = _watch_reading(app, monkeypatch)
    client = app.test_client()
    login_as(client, app, "union")
    rows = [["工号", "代表团", "加入日期"], ["Tstaff", "第一代表团", "2026-09-01"], ["Thandler", "第一代表团", ""]]
    body = IMPORTS["congress"].post(client, term_id, excel_workbook(rows)).get_data(as_text=True)
    assert "已导入 2 名代表" in body
    with app.app_context():
        enrolled = select(func.count()).select_from(Representative).where(
            Representative.term_id == term_id, Representative.user_id.in_([people["staff"], people["handler"]]))
        assert db.session.scalar(enrolled) == 2
    assert reading.unlocked == ([] if ON_POSTGRES else [True])  # PostgreSQL has no single write lock


class _Reading:
    def __init__(self) -> None:
        self.seconds: list[float] = []  # how long each file took to read or refuse
        self.unlocked: list[bool] = []  # whether another connection could write meanwhile (SQLite)


def _watch_reading(app, monkeypatch, probe: bool = True) -> _Reading:
    """Time the real reader of uploaded tables, and probe SQLite's write lock as it starts."""
    reading = _Reading()
    real = xlsx.read_table

    def watched(*args, **kwargs):
        if probe and not ON_POSTGRES:
            reading.unlocked.append(writer_can_start(app))
        began = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            reading.seconds.append(time.perf_counter() - began)

    monkeypatch.setattr(xlsx, "read_table", watched)
    return reading
