"""``portal.web.attempt()``: the one path of a step. A committed step stays; a rule's refusal,
an invalid form and a constraint no rule named each undo everything the step wrote and leave
an explanation in Chinese with the status htmx is told to swap (422)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.auth.models import Department
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import N_
from portal.web import REFUSED, attempt, require_valid


def _departments() -> int:
    return db.session.scalar(select(func.count()).select_from(Department)) or 0


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/", method="POST"):
        yield


def test_a_step_that_goes_through_is_committed(request_ctx):
    before = _departments()
    with attempt() as done:
        db.session.add(Department(name="心理健康教育中心"))
    db.session.rollback()  # nothing pending is left to undo: the step was committed
    assert done and done.error is None and done.status == 200
    assert _departments() == before + 1


def test_a_rule_that_refuses_undoes_the_whole_step(request_ctx):
    before = _departments()
    with attempt() as done:
        db.session.add(Department(name="劳动教育中心"))
        db.session.flush()
        raise DomainError(N_("%(name)s 已存在。"), name="劳动教育中心")
    assert not done and done.status == REFUSED == 422
    assert done.error == "劳动教育中心 已存在。"
    assert _departments() == before


def test_a_constraint_no_rule_named_gets_the_one_message(request_ctx):
    with attempt() as first:
        db.session.add(Department(name="科技教育中心"))
    assert first
    before = _departments()
    with attempt() as done:
        db.session.add(Department(name="体育组"))
        db.session.flush()
        db.session.add(Department(name="科技教育中心"))  # the unique name: no rule checked it
        db.session.flush()
    assert not done and done.status == REFUSED
    assert done.error == "这项操作与刚刚完成的另一项操作冲突，没有生效。请刷新页面查看最新情况。"
    assert _departments() == before  # 体育组, written before the conflict, is gone too


def test_an_invalid_form_is_refused_with_its_errors(app):
    from portal.admin.forms import DepartmentForm

    with app.test_request_context("/", method="POST", data={"name": "", "kind": "office"}):
        with attempt() as done:
            require_valid(DepartmentForm(meta={"csrf": False}))
            db.session.add(Department(name="不会写入"))
        assert not done and done.status == REFUSED and "请填写部门名称" in (done.error or "")
        assert db.session.scalar(select(Department).where(Department.name == "不会写入")) is None


def test_anything_else_passes_through(request_ctx):
    from werkzeug.exceptions import Forbidden

    with pytest.raises(Forbidden):
        with attempt():
            raise Forbidden()
