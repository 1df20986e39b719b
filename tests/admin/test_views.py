"""The admin area over HTTP: accounts, roles, reset, roster upload."""
from __future__ import annotations

import io

from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from tests.admin.test_rules import xlsx
from tests.conftest import login_as


def test_user_list_full_page_and_fragment(app, client, people):
    login_as(client, app, "admin")
    full = client.get("/admin/users?q=staff").get_data(as_text=True)
    assert "<html" in full and "用户管理" in full
    part = client.hx("/admin/users?q=rep")
    html = part.get_data(as_text=True)
    assert "<html" not in html and html.lstrip().startswith('<div id="user_table">') and ">rep<" in html
    assert "HX-Request" in part.headers["Vary"]


def test_create_user_shows_one_time_password_and_forces_change(app, client, people):
    login_as(client, app, "admin")
    r = client.post("/admin/users/new", data={
        "username": "li.hua", "staff_no": "9001", "name": "李华", "department_id": "0", "roles": ["handler"],
        "role": "admin", "is_admin": "y", "must_change_password": "",  # mass assignment attempts
    })
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "一次性密码" in html
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "li.hua"))
        assert user.roles == {"staff", "handler"} and user.must_change_password


def test_create_user_validation_in_chinese(app, client, people):
    login_as(client, app, "admin")
    html = client.post("/admin/users/new", data={"username": "bad name!", "staff_no": "", "name": ""}).get_data(as_text=True)
    assert "用户名只能包含" in html and "请填写工号。" in html and "请填写姓名。" in html
    html = client.post("/admin/users/new", data={"username": "staff", "staff_no": "X", "name": "x"}).get_data(as_text=True)
    assert "该用户名已被使用。" in html


def test_admin_cannot_lock_themselves_out(app, client, people):
    login_as(client, app, "admin")
    r = client.post(f"/admin/users/{people['admin']}", data={"name": "admin", "department_id": "0", "roles": []})
    assert "不能停用自己的账号" in r.get_data(as_text=True)
    with app.app_context():
        assert "admin" in db.session.get(User, people["admin"]).roles


def test_edit_roles_and_deactivate(app, client, people):
    login_as(client, app, "admin")
    r = client.post(f"/admin/users/{people['staff']}", data={"name": "改名", "department_id": "0", "roles": ["handler", "union"]})
    assert r.status_code == 302
    with app.app_context():
        u = db.session.get(User, people["staff"])
        assert u.name == "改名" and u.roles == {"staff", "handler", "union"} and not u.active


def test_reset_password(app, client, people):
    login_as(client, app, "admin")
    html = client.post(f"/admin/users/{people['staff']}/reset-password").get_data(as_text=True)
    assert "一次性密码" in html
    with app.app_context():
        assert db.session.get(User, people["staff"]).must_change_password


def test_unknown_user_is_404(app, client, people):
    login_as(client, app, "admin")
    assert client.get("/admin/users/99999").status_code == 404


def test_roster_upload_with_errors_lists_rows_and_imports_nothing(app, client, people):
    login_as(client, app, "admin")
    data = xlsx([[5001, "甲", "", "教务处", "否", ""], [5001, "乙", "", "不存在的部门", "否", ""]])
    r = client.post("/admin/roster", data={"file": (io.BytesIO(data), "名册.xlsx")}, content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert "没有导入任何账号" in html and "第 3 行" in html and "不存在的部门" in html
    with app.app_context():
        assert db.session.scalar(select(User).where(User.staff_no == "5001")) is None


def test_roster_upload_success(app, client, people):
    login_as(client, app, "admin")
    data = xlsx([[5001, "甲", "", "教务处", "否", ""], [5002, "乙", "", "教务处", "是", "代表"]])
    html = client.post("/admin/roster", data={"file": (io.BytesIO(data), "名册.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    # 代表 is not a role label (教代会代表 is): the whole file is refused
    assert "未知角色“代表”" in html
    data = xlsx([[5001, "甲", "", "教务处", "否", ""], [5002, "乙", "", "教务处", "是", "教代会代表"]])
    html = client.post("/admin/roster", data={"file": (io.BytesIO(data), "名册.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "导入成功：共 2 个账号" in html


def test_roster_upload_without_file(app, client, people):
    login_as(client, app, "admin")
    assert "请选择要导入的文件。" in client.post("/admin/roster", data={}).get_data(as_text=True)


def test_departments_add_and_refuse_duplicates(app, client, people):
    login_as(client, app, "admin")
    r = client.post("/admin/departments", data={"name": "体育组", "kind": "subject"})
    assert r.status_code == 303
    html = client.get("/admin/departments").get_data(as_text=True)
    assert "体育组" in html and "教研组" in html
    r = client.hx("/admin/departments", method="POST", data={"name": "体育组", "kind": "subject"})
    html = r.get_data(as_text=True)
    assert "部门“体育组”已存在。" in html and "<html" not in html


def test_seating_a_new_principal_moves_approvals_and_keeps_the_record(app, client, people):
    from datetime import date

    from portal.org.models import BodyMember

    login_as(client, app, "admin")
    page = client.get("/admin/bodies").get_data(as_text=True)
    assert "机构与任职" in page and "校长" in page
    r = client.post("/admin/bodies", data={"body": "admin_team", "user_id": str(people["leader"]), "seat": "chair",
                                           "title": "校长", "starts_on": date.today().isoformat()})
    assert r.status_code == 303
    with app.app_context():
        seats = db.session.scalars(select(BodyMember).where(BodyMember.seat == "chair")).all()
        old = next(m for m in seats if m.user_id == people["principal"])
        assert old.ends_on is not None and any(m.user_id == people["leader"] and m.ends_on is None for m in seats)
    bad = client.post("/admin/bodies", data={"body": "admin_team", "user_id": "0", "seat": "chair", "starts_on": ""})
    assert "请选择人员。" in bad.get_data(as_text=True) and "请选择任职日期。" in bad.get_data(as_text=True)
