"""Forms for the congress: one per use case; the labels of stored codes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.formutil import DateField, PlausibleDate, int_or_zero, options

SESSION_STATUS_LABELS = {"planned": _l("筹备中"), "open": _l("进行中"), "closed": _l("已闭会")}
POLL_STATUS_LABELS = {"draft": _l("未开始"), "open": _l("投票中"), "closed": _l("已结束")}
KIND_LABELS = {"motion": _l("表决"), "election": _l("选举")}
OPTION_LABELS = {"yes": _l("赞成"), "no": _l("反对"), "abstain": _l("弃权")}
VIA_LABELS = {"phone": _l("手机签到"), "hall": _l("扫码签到"), "union": _l("工会登记")}
PRESENCE_LABELS = {"in": _l("签到"), "out": _l("离场")}
# The majority rules a school's implementing rules may choose (fraction, strict).
RULE_CHOICES = {
    "default": _l("默认（表决：全体代表半数以上赞成；选举：得票超过选票半数）"),
    "1/2": _l("半数以上（含本数）"),
    "1/2>": _l("超过半数（过半数）"),
    "2/3": _l("三分之二以上（含本数）"),
}
LABELS = {"session_status": SESSION_STATUS_LABELS, "poll_status": POLL_STATUS_LABELS, "kind": KIND_LABELS,
          "option": OPTION_LABELS, "via": VIA_LABELS, "presence": PRESENCE_LABELS}


def parse_rule(code: str, kind: str = "motion") -> tuple[int, int, bool]:
    """The (numerator, denominator, strict) of a rule choice; "default" follows the kind."""
    if code == "default":
        return (1, 2, kind == "election")
    strict = code.endswith(">")
    num, den = code.rstrip(">").split("/")
    return int(num), int(den), strict


def rule_code(num: int, den: int, strict: bool) -> str:
    return f"{num}/{den}" + (">" if strict else "")


class SessionForm(FlaskForm):
    held_on = DateField(_l("会议日期"), validators=[DataRequired(_l("请填写会议日期。")), PlausibleDate()])
    place = StringField(_l("地点"), validators=[DataRequired(_l("请填写会议地点。")), Length(max=80)])
    agenda = TextAreaField(_l("议程"), validators=[Length(max=5000)])
    requires_hall_code = BooleanField(_l("签到须扫描会场大屏上的签到码（每 30 秒更换）"))
    extraordinary = BooleanField(_l("临时会议（不审议校长工作报告）"))


class SignInForm(FlaskForm):
    code = StringField(_l("签到码"), validators=[Optional(), Length(max=12)])


class PresenceForm(FlaskForm):
    user_id = SelectField(_l("代表"), coerce=int_or_zero, validators=[DataRequired(_l("请选择代表。"))])
    entry = SelectField(_l("登记"), choices=options(PRESENCE_LABELS.items()))
    note = StringField(_l("备注（如：纸质签到）"), validators=[Length(max=200)])


class PollForm(FlaskForm):
    title = StringField(_l("表决事项"), validators=[DataRequired(_l("请填写表决事项。")), Length(max=120)])
    kind = SelectField(_l("类型"), choices=options(KIND_LABELS.items()))
    secret = BooleanField(_l("无记名投票"))
    paper = BooleanField(_l("纸质选票（由工会录入计票结果）"))
    rule = SelectField(_l("通过规则"), choices=options(RULE_CHOICES.items()), default="default")
    seats = IntegerField(_l("应选人数（选举）"), default=1, validators=[Optional(), NumberRange(1, 60)])
    candidates = TextAreaField(_l("候选人（选举，每行一人）"), validators=[Length(max=4000)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MotionVoteForm(FlaskForm):
    choice = RadioField(_l("您的意见"), validators=[InputRequired(_l("请选择赞成、反对或弃权。"))],
                        choices=options(OPTION_LABELS.items()))


class ElectionVoteForm(FlaskForm):
    choice = MultiCheckboxField(_l("您选择的候选人"))


class PublishForm(FlaskForm):
    public = BooleanField(_l("向社会公开结果"))


def paper_form(poll_options: list[tuple[str, str]], election: bool) -> type[FlaskForm]:
    """A form with one count field per option (and ballots collected, for elections)."""
    class PaperCountForm(FlaskForm):
        pass

    if election:
        setattr(PaperCountForm, "ballots", IntegerField(_l("收回选票数"), validators=[
            InputRequired(_l("请填写收回的选票数。")), NumberRange(0, 100000)]))
    for code, label in poll_options:
        setattr(PaperCountForm, f"n_{code}", IntegerField(label, validators=[
            InputRequired(_l("请填写票数。")), NumberRange(0, 100000, _l("票数须为不小于 0 的整数。"))]))
    return PaperCountForm


class EnrolForm(FlaskForm):
    user_id = SelectField(_l("教职工"), coerce=int_or_zero, validators=[DataRequired(_l("请选择教职工。"))])
    delegation_id = SelectField(_l("代表团"), coerce=int_or_zero)
    joined_on = DateField(_l("加入日期"), validators=[DataRequired(_l("请填写加入日期。")), PlausibleDate()])


class LeaveForm(FlaskForm):
    left_on = DateField(_l("离任日期（最后一天）"), validators=[DataRequired(_l("请填写离任日期。")), PlausibleDate()])


TERM_KIND_LABELS = {"congress": _l("教职工代表大会（代表名单）"), "assembly": _l("教职工大会（全体在职教职工）")}


class TermForm(FlaskForm):
    number = IntegerField(_l("届次"), validators=[InputRequired(_l("请填写届次。")), NumberRange(1, 999)])
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称。")), Length(max=60)])
    kind = SelectField(_l("类型"), choices=options(TERM_KIND_LABELS.items()))
    starts_on = DateField(_l("任期开始"), validators=[DataRequired(_l("请填写任期开始日期。")), PlausibleDate()])
    ends_on = DateField(_l("任期结束"), validators=[DataRequired(_l("请填写任期结束日期。")), PlausibleDate()])


class RepImportForm(FlaskForm):
    file = FileField(_l("代表名单文件（.xlsx 或 .csv）"), validators=[FileRequired(_l("请选择要导入的文件。"))])


class WorkReportForm(FlaskForm):
    title = StringField(_l("报告标题"), validators=[DataRequired(_l("请填写报告标题。")), Length(max=120)])
    body = TextAreaField(_l("报告正文"), validators=[DataRequired(_l("请填写报告正文（可另附文件）。")),
                                                   Length(max=50_000)])
    file = FileField(_l("报告文件（可选）"))


class OpinionForm(FlaskForm):
    body = TextAreaField(_l("您的意见"), validators=[DataRequired(_l("请填写意见。")), Length(max=2000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("答复"), validators=[DataRequired(_l("请填写答复。")), Length(max=4000)])
