"""Forms of the reader's notification settings and of the admin's group robots, and the
labels of the outbox's stored codes."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.auth.models import Department
from portal.extensions import db
from portal.formutil import options
from portal.notify.kinds import DEFAULT_MODES, KIND_LABELS, MODE_LABELS, TOPIC_LABELS, Kind
from portal.notify.models import Channel, DeliveryState
from portal.org.models import Body

CHANNEL_LABELS = {Channel.EMAIL.value: _l("邮件"), Channel.WECOM.value: _l("企业微信"), Channel.DINGTALK.value: _l("钉钉")}
STATE_LABELS = {DeliveryState.PENDING.value: _l("等待发送"), DeliveryState.SENDING.value: _l("发送中"),
                DeliveryState.SENT.value: _l("已送达"), DeliveryState.FAILED.value: _l("失败")}
HOURS = [(h, f"{h:02d}:00") for h in range(24)]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SettingsForm(FlaskForm):
    """Kinds × mail modes, the digest, quiet hours and the address."""

    email = StringField(_l("接收通知的邮箱"), validators=[Optional(), Length(max=254)])
    urging = RadioField(_l(KIND_LABELS[Kind.URGING]), default=DEFAULT_MODES[Kind.URGING].value)
    vote = RadioField(_l(KIND_LABELS[Kind.VOTE]), default=DEFAULT_MODES[Kind.VOTE].value)
    task = RadioField(_l(KIND_LABELS[Kind.TASK]), default=DEFAULT_MODES[Kind.TASK].value)
    update = RadioField(_l(KIND_LABELS[Kind.UPDATE]), default=DEFAULT_MODES[Kind.UPDATE].value)
    digest_only = BooleanField(_l("只收每日汇总（所有邮件合并为每天一封）"))
    digest_hour = SelectField(_l("每日汇总发送时间"), coerce=int, choices=HOURS, default=7)
    quiet_start = SelectField(_l("免打扰开始"), validators=[Optional()])
    quiet_end = SelectField(_l("免打扰结束"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        modes = options((m.value, _l(label)) for m, label in MODE_LABELS.items())
        for kind in Kind:
            self[kind.value].choices = modes
        none = [("", _l("不设"))]
        self.quiet_start.choices = none + [(str(h), label) for h, label in HOURS]
        self.quiet_end.choices = none + [(str(h), label) for h, label in HOURS]

    def kind_fields(self) -> list[Any]:
        return [self[k.value] for k in Kind]

    def choices_data(self) -> dict[str, str]:
        return {k.value: str(self[k.value].data or "") for k in Kind}


class RobotForm(FlaskForm):
    """A group robot: platform, the group's name, webhook, secret (钉钉 signed mode), scope, topics."""

    platform = SelectField(_l("平台"), choices=[(Channel.WECOM.value, _l("企业微信")),
                                              (Channel.DINGTALK.value, _l("钉钉"))])
    name = StringField(_l("群名称"), validators=[DataRequired(_l("请填写群名称。")), Length(max=60)])
    url = StringField(_l("Webhook 地址"), validators=[DataRequired(_l("请填写机器人的 Webhook 地址（以 https:// 开头）。")),
                                                  Length(max=500)])
    secret = StringField(_l("加签密钥（钉钉，以 SEC 开头；企业微信不填）"), validators=[Optional(), Length(max=200)])
    scope = SelectField(_l("所属机构或部门"))
    topics = CheckboxesField(_l("推送的消息"), choices=options((t.value, _l(label)) for t, label in TOPIC_LABELS.items()))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = db.session.scalars(select(Body).order_by(Body.id))
        departments = db.session.scalars(select(Department).order_by(Department.position, Department.name))
        self.scope.choices = options([("", _l("全校（不限）"))] + [(f"b{b.id}", b.name) for b in bodies]
                                     + [(f"d{d.id}", d.name) for d in departments])

    def scope_ids(self) -> tuple[int | None, int | None]:
        value = str(self.scope.data or "")
        if value[1:].isdigit():
            return (int(value[1:]), None) if value[0] == "b" else (None, int(value[1:]))
        return None, None
