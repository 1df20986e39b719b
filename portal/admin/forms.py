"""Forms for managing accounts."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from typing import Any

from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.auth.models import ROLE_LABELS, Department, User, on_staff
from portal.auth.rules import USERNAME_PATTERN
from portal.extensions import db
from portal.formutil import DateField, int_or_zero, options


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _department_choices() -> list:
    return options([(0, "—")] + [(d.id, d.name) for d in db.session.scalars(select(Department).order_by(Department.name))])


class UserEditForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名。")), Length(max=40)])
    department_id = SelectField(_l("部门"), coerce=int, validators=[Optional()])
    is_party_member = BooleanField(_l("中共党员"))
    roles = CheckboxesField(_l("角色"), choices=options((k, _l(v)) for k, v in ROLE_LABELS.items()
                                                if k not in ("staff", "inspector")))
    active = BooleanField(_l("账号启用"), default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.department_id.choices = _department_choices()


class UserCreateForm(UserEditForm):
    username = StringField(
        _l("用户名"),
        validators=[
            DataRequired(_l("请填写用户名。")), Length(max=40),
            Regexp(rf"^{USERNAME_PATTERN}\Z", message=_l("用户名只能包含字母、数字、点、下划线和连字符。")),
        ],
    )
    staff_no = StringField(_l("工号"), validators=[DataRequired(_l("请填写工号。")), Length(max=20)])

    def validate_username(self, field: StringField) -> None:
        # Not even in another letter case: "Admin" beside "admin" misleads readers.
        if db.session.scalar(select(User.id).where(func.lower(User.username) == (field.data or "").lower())):
            raise ValidationError(_l("该用户名已被使用。"))

    def validate_staff_no(self, field: StringField) -> None:
        if db.session.scalar(select(User.id).where(User.staff_no == field.data)):
            raise ValidationError(_l("该工号已存在。"))


class RosterImportForm(FlaskForm):
    file = FileField(_l("名册文件（.xlsx 或 .csv）"), validators=[FileRequired(_l("请选择要导入的文件。"))])


class UserFilterForm(FlaskForm):
    q = StringField(_l("姓名、工号或用户名"), validators=[Optional(), Length(max=40)])
    role = SelectField(_l("角色"), choices=options([("", _l("全部")), *((k, _l(v)) for k, v in ROLE_LABELS.items())]), validators=[Optional()])


class DepartmentForm(FlaskForm):
    name = StringField(_l("部门名称"), validators=[DataRequired(_l("请填写部门名称。")), Length(max=60)])
    kind = SelectField(_l("类型"), choices=options([("office", _l("处室")), ("grade", _l("年级组")), ("subject", _l("教研组"))]))


BODY_LABELS = {"party_committee": _l("党组织委员会"), "admin_team": _l("校长办公会议（行政班子）"), "union_committee": _l("工会委员会")}
SEAT_LABELS = {"chair": _l("主任（书记 / 校长 / 主席）"), "deputy": _l("副职（副书记 / 副校长 / 副主席）"), "member": _l("委员 / 成员")}


class SeatForm(FlaskForm):
    """Seat a person on one of the school's bodies from a date."""

    body = SelectField(_l("机构"), choices=options(BODY_LABELS.items()))
    user_id = SelectField(_l("人员"), coerce=int_or_zero, validators=[DataRequired(_l("请选择人员。"))])
    seat = SelectField(_l("职位"), choices=options(SEAT_LABELS.items()))
    title = StringField(_l("职务名称（如：党委书记、副校长、组织委员）"), validators=[Length(max=30)])
    starts_on = DateField(_l("任职日期"), validators=[DataRequired(_l("请选择任职日期。"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = db.session.execute(select(User.id, User.name, User.staff_no).where(on_staff())
                                    .order_by(User.staff_no)).all()
        self.user_id.choices = options([("", "—")] + [(i, f"{n}（{no}）") for i, n, no in people])


class EndSeatForm(FlaskForm):
    ends_on = DateField(_l("离任日期"), validators=[DataRequired(_l("请选择离任日期。"))])


class InspectorForm(FlaskForm):
    """Open an outside inspector's account (督导 / 巡察) for a term."""

    name = StringField(_l("督导人员姓名"), validators=[DataRequired(_l("请填写督导人员姓名。")), Length(max=40)])
    unit = StringField(_l("派出单位（如：区教育局督导室）"), validators=[Length(max=60)])
    username = StringField(
        _l("用户名"),
        validators=[
            DataRequired(_l("请填写用户名。")), Length(max=40),
            Regexp(rf"^{USERNAME_PATTERN}\Z", message=_l("用户名只能包含字母、数字、点、下划线和连字符。")),
        ],
    )
    starts_on = DateField(_l("有效期自"), validators=[DataRequired(_l("请选择有效期的开始日期。"))])
    ends_on = DateField(_l("有效期至（含当日）"), validators=[DataRequired(_l("请选择有效期的结束日期。"))])

    def validate_username(self, field: StringField) -> None:
        if db.session.scalar(select(User.id).where(func.lower(User.username) == (field.data or "").lower())):
            raise ValidationError(_l("该用户名已被使用。"))


class InspectorEndForm(FlaskForm):
    ends_on = DateField(_l("有效期至"), validators=[DataRequired(_l("请选择有效期的结束日期。"))])
