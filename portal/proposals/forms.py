"""Forms for proposals, one per use case, and the labels of their stored codes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.formutil import DateField, PlausibleDate, int_or_zero, options
from portal.proposals.rules import REASON_MAX, TEXT_MAX, TITLE_MAX

STATUS_LABELS = {
    "draft": _l("草稿（征集附议）"), "submitted": _l("待审查"), "accepted": _l("已立案，待交办"),
    "merged": _l("已并案"), "opinion": _l("转为意见建议"), "assigned": _l("办理中"),
    "answered": _l("已答复，待评价"), "closed": _l("已办结"),
}
CATEGORY_LABELS = {"teaching": _l("教育教学"), "welfare": _l("福利待遇"), "logistics": _l("后勤保障"),
                   "management": _l("民主管理"), "other": _l("其他")}
ANSWER_LABELS = {"solved": _l("已解决"), "planned": _l("正在解决或列入计划"), "cannot": _l("因条件限制暂不能解决")}
RATING_LABELS = {"satisfied": _l("满意"), "basic": _l("基本满意"), "dissatisfied": _l("不满意")}
COSIGN_LABELS = {"invited": _l("已邀请"), "accepted": _l("已附议"), "declined": _l("谢绝")}
LABELS = {"status": STATUS_LABELS, "category": CATEGORY_LABELS, "answer": ANSWER_LABELS, "rating": RATING_LABELS,
          "cosign": COSIGN_LABELS}


class ProposalForm(FlaskForm):
    title = StringField(_l("提案标题"), validators=[DataRequired(_l("请填写提案标题。")),
                                                Length(max=TITLE_MAX, message=_l("标题不能超过 %(max)d 个字。"))])
    category = SelectField(_l("类别"), choices=options([("", "—"), *CATEGORY_LABELS.items()]),
                           validators=[DataRequired(_l("请选择提案类别。"))])
    reason = TextAreaField(_l("案由"), validators=[DataRequired(_l("请填写案由。")),
                                                 Length(max=TEXT_MAX, message=_l("内容过长。"))])
    measures = TextAreaField(_l("建议措施"), validators=[DataRequired(_l("请填写建议措施。")),
                                                     Length(max=TEXT_MAX, message=_l("内容过长。"))])


class InviteForm(FlaskForm):
    # any id: the rule checks the roster, and says so
    user_id = SelectField(_l("邀请代表附议"), coerce=int_or_zero, validate_choice=False,
                          validators=[DataRequired(_l("请选择代表。"))])


class ReviewForm(FlaskForm):
    decision = SelectField(_l("审查意见"), choices=options([
        ("", "—"), ("accept", _l("立案")), ("merge", _l("并案（并入另一提案）")), ("to_opinion", _l("转为意见建议"))]),
        validators=[DataRequired(_l("请选择审查意见。"))])
    target_id = IntegerField(_l("并入的提案编号（并案时填写）"), validators=[Optional(), NumberRange(1, 2**31 - 1)])
    reason = TextAreaField(_l("理由（转为意见建议时必填）"), validators=[Optional(), Length(max=REASON_MAX)])


class AssignForm(FlaskForm):
    lead_id = SelectField(_l("承办部门"), coerce=int_or_zero, validators=[DataRequired(_l("请选择承办部门。"))])
    cohandler_ids = SelectMultipleField(_l("协办部门（可多选）"), coerce=int, validators=[Optional()])
    deadline = DateField(_l("办理期限"), validators=[DataRequired(_l("请填写办理期限。")), PlausibleDate()])


class AnswerForm(FlaskForm):
    answer_class = SelectField(_l("答复类别"), choices=options([("", "—"), *ANSWER_LABELS.items()]),
                               validators=[DataRequired(_l("请选择答复类别。"))])
    explanation = TextAreaField(_l("答复说明"), validators=[DataRequired(_l("请填写答复说明。")),
                                                        Length(max=TEXT_MAX, message=_l("内容过长。"))])


class PartForm(FlaskForm):
    text = TextAreaField(_l("协办意见"), validators=[DataRequired(_l("请填写协办意见。")),
                                                 Length(max=TEXT_MAX, message=_l("内容过长。"))])


class RateForm(FlaskForm):
    rating = SelectField(_l("对答复的评价"), choices=options([("", "—"), *RATING_LABELS.items()]),
                         validators=[DataRequired(_l("请选择满意、基本满意或不满意。"))])
    comment = TextAreaField(_l("意见（可选）"), validators=[Optional(), Length(max=REASON_MAX)])


class RegisterFilterForm(FlaskForm):
    term = SelectField(_l("届次"), coerce=int_or_zero, validators=[Optional()])
    status = SelectField(_l("状态"), validators=[Optional()])
    department = SelectField(_l("承办部门"), coerce=int_or_zero, validators=[Optional()])
    answer_class = SelectField(_l("答复类别"), validators=[Optional()])
    rating = SelectField(_l("评价"), validators=[Optional()])
    category = SelectField(_l("类别"), validators=[Optional()])
    overdue = BooleanField(_l("只看逾期未答复"))

    def fill(self, terms: list[tuple[int, str]], departments: list[tuple[int, str]]) -> None:
        every = ("", _l("全部"))
        self.term.choices = options(terms)
        self.status.choices = options([every, *((k, v) for k, v in STATUS_LABELS.items() if k != "draft")])
        self.department.choices = options([(0, _l("全部")), *departments])
        self.answer_class.choices = options([every, *ANSWER_LABELS.items()])
        self.rating.choices = options([every, *RATING_LABELS.items()])
        self.category.choices = options([every, *CATEGORY_LABELS.items()])


class SimilarForm(FlaskForm):
    title = StringField(validators=[Optional(), Length(max=TITLE_MAX)])
    reason = TextAreaField(validators=[Optional(), Length(max=TEXT_MAX)])
