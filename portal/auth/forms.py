"""Forms for signing in and managing one's own account."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from portal.auth.models import User
from portal.auth.rules import password_problem
from portal.formutil import options
from portal.i18n import N_
from portal.web import explain


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名。")), Length(max=40)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码。")), Length(max=200)])
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码。"))])
    new_password = PasswordField(
        _l("新密码"), validators=[DataRequired(_l("请输入新密码。")), Length(max=200)]
    )
    confirm = PasswordField(
        _l("再次输入新密码"),
        validators=[DataRequired(_l("请再次输入新密码。")), EqualTo("new_password", _l("两次输入的新密码不一致。"))],
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current_password(self, field: PasswordField) -> None:
        if not self.user.check_password(field.data or ""):
            raise ValidationError(_l("当前密码不正确。"))

    def validate_new_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data or "", self.user)
        if problem:
            raise ValidationError(explain(problem))
        if field.data == self.current_password.data:
            raise ValidationError(_l("新密码不能与当前密码相同。"))


class LanguageForm(FlaskForm):
    lang = SelectField(choices=options([("zh_CN", N_("中文")), ("en", "English")]))
    next = HiddenField()
