"""Forms for disclosure: one per use case."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from portal.disclosure.models import CatalogItem
from portal.disclosure.rules import BODY_MAX, REASON_MAX, TITLE_MAX
from portal.formutil import DateField, PlausibleDate, int_or_zero, options

# Labels of the stored codes, translated when shown (forms, templates, exports).
CHANNEL_LABELS = {"party": _l("党务公开"), "school": _l("校务公开")}
AUDIENCE_LABELS = {"public": _l("社会公开"), "staff": _l("校内公开（教职工）"), "party": _l("党内公开（党员）")}
CADENCE_LABELS = {"event": _l("随时（事项发生后）"), "monthly": _l("每月"), "term": _l("每学期"), "yearly": _l("每年")}
STATUS_LABELS = {"draft": _l("草稿"), "submitted": _l("待审批"), "published": _l("已发布"), "withdrawn": _l("已撤回")}
LABELS = {"channel": CHANNEL_LABELS, "audience": AUDIENCE_LABELS, "cadence": CADENCE_LABELS, "status": STATUS_LABELS}


class NoticeForm(FlaskForm):
    catalog_item_id = SelectField(_l("公开目录"), coerce=int_or_zero, validators=[DataRequired(_l("请选择公开目录。"))])
    # No audience is chosen until the author (or the catalogue item's default) chooses one: a
    # form that opened on 社会公开 published to the world whatever nobody had chosen.
    audience = SelectField(_l("公开范围"), choices=options([("", _l("请选择公开范围"))] + list(AUDIENCE_LABELS.items())),
                           validators=[DataRequired(_l("请选择公开范围。"))])
    title = StringField(_l("标题"), validators=[DataRequired(_l("请填写标题。")), Length(max=TITLE_MAX, message=_l("标题不能超过 %(max)d 个字。"))])
    body_md = TextAreaField(_l("正文"), validators=[Length(max=BODY_MAX, message=_l("正文过长。"))])
    gongshi_days = IntegerField(
        _l("公示期（工作日，0 表示不公示）"), default=0,
        validators=[Optional(), NumberRange(0, 30, _l("公示期应在 0 到 30 个工作日之间。"))],
    )
    requires_ack = BooleanField(_l("要求教职工确认已阅"))
    # The settings a catalogue item fills in, and which of them the author has set (names,
    # space-separated; kept up to date by static/js/portal.js): a default never replaces them.
    touched = HiddenField()
    DEFAULTED = ("audience", "gongshi_days")

    def touched_fields(self) -> set[str]:
        """The defaulted settings the author has chosen; unknown names are ignored."""
        return set((self.touched.data or "").split()) & set(self.DEFAULTED)

    def set_items(self, items: list[CatalogItem]) -> None:
        self.catalog_item_id.choices = options(
            [("", "—")] + [(i.id, f"{CHANNEL_LABELS[i.channel]} · {i.name}") for i in items]
        )


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("原因"), validators=[DataRequired(_l("请写明原因。")), Length(max=REASON_MAX)])


class ObjectionForm(FlaskForm):
    body = TextAreaField(_l("异议内容"), validators=[DataRequired(_l("请填写异议内容。")), Length(max=5000)])
    anonymous = BooleanField(_l("对其他读者匿名"))


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("答复"), validators=[DataRequired(_l("请填写答复内容。")), Length(max=5000)])


class CatalogItemForm(FlaskForm):
    channel = SelectField(_l("公开类别"), choices=options(CHANNEL_LABELS.items()))
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称。")), Length(max=80)])
    description = TextAreaField(_l("说明"), validators=[Length(max=2000)])
    default_audience = SelectField(_l("默认公开范围"), choices=options(AUDIENCE_LABELS.items()))
    default_gongshi_days = IntegerField(_l("默认公示期（工作日）"), default=0,
                                        validators=[Optional(), NumberRange(0, 30, _l("公示期应在 0 到 30 个工作日之间。"))])
    cadence = SelectField(_l("公开频次"), choices=options(CADENCE_LABELS.items()))
    receives = SelectField(_l("接收的事项（“随时”公开的目录项：按每件事项检查是否及时公开）"), default="")
    event_days = IntegerField(_l("事项发生后应在几个工作日内公开"), default=5, validators=[
        Optional(), NumberRange(1, 30, _l("应在 1 到 30 个工作日之间。"))])
    active = BooleanField(_l("启用"), default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from portal.registry import EVENT_KINDS

        self.receives.choices = options([("", _l("不接收")), *((k, e.label) for k, e in EVENT_KINDS.items())])


class NoticeFilterForm(FlaskForm):
    item = SelectField(_l("公开目录"), coerce=int, validators=[Optional()])
    year = SelectField(_l("年份"), coerce=int, validators=[Optional()])
    status = SelectField(_l("状态"), choices=options([("", _l("发布中")), ("withdrawn", _l("已撤回"))]), validators=[Optional()])


class SearchForm(FlaskForm):
    q = StringField(_l("关键词"), validators=[Optional(), Length(max=100)])


class RegisterExportForm(FlaskForm):
    start = DateField(_l("起始日期"), validators=[DataRequired(_l("请选择起始日期。")), PlausibleDate()])
    end = DateField(_l("截止日期"), validators=[DataRequired(_l("请选择截止日期。")), PlausibleDate()])

    def validate_end(self, field: DateField) -> None:
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("截止日期不能早于起始日期。"))
