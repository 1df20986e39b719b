"""Forms for consultations, one per use case, and the labels of their stored codes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.consultations.rules import BODY_MAX, COMMENT_MAX, REASON_MAX, TITLE_MAX
from portal.formutil import DateField, PlausibleDate, options

AUDIENCE_LABELS = {"staff": _l("全体教职工"), "reps": _l("本届教代会代表"), "party": _l("党员")}
ADOPTION_LABELS = {"adopted": _l("采纳"), "partly": _l("部分采纳"), "not_adopted": _l("未采纳")}
WINDOW_LABELS = {"draft": _l("草稿"), "open": _l("征求意见中"), "closed": _l("已截止，整理采纳情况"),
                 "finished": _l("已公布采纳情况")}
MATTER_LABELS = {"agenda_item": _l("会议议题"), "policy": _l("规章制度或方案"), "other": _l("其他事项")}


class ConsultationForm(FlaskForm):
    title = StringField(_l("标题"), validators=[DataRequired(_l("请填写标题。")),
                                              Length(max=TITLE_MAX, message=_l("标题不能超过 %(max)d 个字。"))])
    body_md = TextAreaField(_l("征求意见稿"), validators=[DataRequired(_l("请填写征求意见稿的内容。")),
                                                     Length(max=BODY_MAX, message=_l("正文过长。"))])
    audience = SelectField(_l("征求意见范围"), choices=options(AUDIENCE_LABELS.items()))
    closes_on = DateField(_l("截止日期"), validators=[DataRequired(_l("请填写截止日期。")), PlausibleDate()])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("意见或建议"), validators=[DataRequired(_l("请填写意见内容。")),
                                                   Length(max=COMMENT_MAX, message=_l("意见不能超过 %(max)d 字。"))])
    anonymous = BooleanField(_l("匿名提出"))


class EndEarlyForm(FlaskForm):
    reason = TextAreaField(_l("提前结束的理由"), validators=[DataRequired(_l("请写明理由。")),
                                                      Length(max=REASON_MAX, message=_l("理由不能超过 %(max)d 字。"))])


class ExtendForm(FlaskForm):
    closes_on = DateField(_l("新的截止日期"), validators=[DataRequired(_l("请填写截止日期。")), PlausibleDate()])
    reason = TextAreaField(_l("延长的理由"), validators=[DataRequired(_l("请写明理由。")),
                                                   Length(max=REASON_MAX, message=_l("理由不能超过 %(max)d 字。"))])


class HideForm(FlaskForm):
    reason = TextAreaField(_l("隐藏理由"), validators=[DataRequired(_l("请写明隐藏的理由。")),
                                                   Length(max=REASON_MAX, message=_l("理由不能超过 %(max)d 字。"))])


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("回复"), validators=[DataRequired(_l("请填写回复内容。")),
                                               Length(max=COMMENT_MAX, message=_l("回复不能超过 %(max)d 字。"))])


class MarkForm(FlaskForm):
    adoption = SelectField(_l("采纳情况"), choices=options([("", "—"), *ADOPTION_LABELS.items()]),
                           validators=[DataRequired(_l("请选择采纳、部分采纳或未采纳。"))])
    reason = TextAreaField(_l("理由"), validators=[DataRequired(_l("请写明理由。")),
                                                 Length(max=REASON_MAX, message=_l("理由不能超过 %(max)d 字。"))])


class SummaryForm(FlaskForm):
    summary_md = TextAreaField(_l("采纳情况说明（可选）"), validators=[Length(max=BODY_MAX, message=_l("说明过长。"))])


class MatterForm(FlaskForm):
    matter_kind = SelectField(_l("事项类别"), choices=options([("", "—"), *MATTER_LABELS.items()]),
                              validators=[DataRequired(_l("请选择所征求意见的事项类别。"))])
    matter_id = IntegerField(_l("事项编号（可选）"), validators=[Optional(), NumberRange(1, 2**31 - 1, _l("事项编号无效。"))])
