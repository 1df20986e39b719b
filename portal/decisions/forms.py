"""Forms for decisions: one per use case, and the translated labels of stored codes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.formutil import DateField, PlausibleDate, int_or_zero, options

BODY_LABELS = {"party": _l("党组织会议"), "office": _l("校长办公会议"), "joint": _l("党政联席会议")}
MAJOR_LABELS = {"none": _l("不属于“三重一大”"), "decision": _l("重大决策"), "cadre": _l("重要干部任免"),
                "project": _l("重大项目安排"), "expenditure": _l("大额资金使用")}
ITEM_STATE_LABELS = {"proposed": _l("待上会"), "scheduled": _l("已列入议程"), "passed": _l("通过"),
                     "rejected": _l("未通过"), "deferred": _l("缓议"), "forwarded": _l("已提交党组织会议")}
# keyed by Meeting.phase: a settled agenda is 议事中 only from the meeting's start
MEETING_STATE_LABELS = {"planned": _l("议程待定"), "settled": _l("议程已确定，待开会"), "sitting": _l("议事中"),
                        "closed": _l("会议记录待签署"),
                        "signed": _l("会议记录已签署")}
ATTENDANCE_LABELS = {"present": _l("出席"), "absent": _l("缺席"), "nonvoting": _l("列席")}
STANCE_LABELS = {"agree": _l("同意"), "disagree": _l("不同意"), "defer": _l("缓议"), "remark": _l("列席发言")}
METHOD_LABELS = {"oral": _l("口头表决"), "hands": _l("举手表决"), "named": _l("记名投票"), "secret": _l("无记名投票")}
CHOICE_LABELS = {"yes": _l("赞成"), "no": _l("反对"), "abstain": _l("弃权")}
EVIDENCE_LABELS = {"consultation": _l("征求意见（已发布采纳情况）"), "congress_vote": _l("教代会表决"),
                   "hearing": _l("座谈会、问卷等（附纪要）"), "preparation": _l("酝酿、推荐考察"),
                   "expert": _l("专家论证")}
VISIBILITY_LABELS = {"public": _l("社会公开"), "staff": _l("校内公开（教职工）"), "internal": _l("内部（班子成员）")}
CADENCE_LABELS = {"monthly": _l("每月报告"), "term": _l("每学期报告"), "once": _l("办结时报告一次")}
STATUS_LABELS = {"on_track": _l("按期推进"), "report_late": _l("报告逾期"), "past_deadline": _l("超过期限"),
                 "done": _l("已办结"), "changed": _l("已复议变更"), "awaiting_approval": _l("报批中")}
OFFICE_VIEW_LABELS = {"SECRETARY": _l("书记"), "PRINCIPAL": _l("校长"), "DEPUTY_SECRETARY": _l("副书记")}
MEETING_CADENCE_LABELS = {"month": _l("每个自然月至少召开一次"), "week": _l("每个自然周（周一至周日）至少召开一次"),
                          "days": _l("按固定天数计")}
KIND_LABELS = {"resolution": _l("会议决议"), "regular_report": _l("校长向党组织定期报告")}
TEXT = 20_000


class ProcedureForm(FlaskForm):
    adopted_on = DateField(_l("通过日期"), validators=[DataRequired(_l("请填写通过日期。")), PlausibleDate()])
    filed_on = DateField(_l("报教育主管部门备案日期"), validators=[Optional(), PlausibleDate()])
    quorum_num = IntegerField(_l("到会比例：分子"), default=1, validators=[DataRequired(), NumberRange(1, 99)])
    quorum_den = IntegerField(_l("到会比例：分母"), default=2, validators=[DataRequired(), NumberRange(1, 99)])
    important_num = IntegerField(_l("重要事项到会比例：分子"), default=2, validators=[DataRequired(), NumberRange(1, 99)])
    important_den = IntegerField(_l("重要事项到会比例：分母"), default=3, validators=[DataRequired(), NumberRange(1, 99)])
    majority_num = IntegerField(_l("通过比例：分子"), default=1, validators=[DataRequired(), NumberRange(1, 99)])
    majority_den = IntegerField(_l("通过比例：分母"), default=2, validators=[DataRequired(), NumberRange(1, 99)])
    majority_strict = BooleanField(_l("通过须“超过”该比例（不含本数）"), default=True)
    disagreement_num = IntegerField(_l("较大分歧：不同意或缓议者占出席人数比例的分子"), default=1,
                                    validators=[DataRequired(), NumberRange(1, 99)])
    disagreement_den = IntegerField(_l("较大分歧比例的分母"), default=2, validators=[DataRequired(), NumberRange(1, 99)])
    cadence_unit = SelectField(_l("开会周期"), choices=options(MEETING_CADENCE_LABELS.items()),
                               validators=[DataRequired(_l("请选择开会周期。"))])
    cadence_days = IntegerField(_l("间隔天数（按固定天数计时填写）"), validators=[Optional(), NumberRange(1, 366)])
    lead_days = IntegerField(_l("会议材料提前送达（天）"), validators=[Optional(), NumberRange(0, 30)])
    note = TextAreaField(_l("说明"), validators=[Length(max=2000)])


class ItemForm(FlaskForm):
    body = SelectField(_l("会议类别"), choices=options([("", "—")] + list(BODY_LABELS.items())),
                       validators=[DataRequired(_l("请选择会议类别。"))])
    title = StringField(_l("议题名称"), validators=[DataRequired(_l("请填写议题名称。")), Length(max=120)])
    background = TextAreaField(_l("背景与理由"), validators=[Length(max=TEXT)])
    proposal = TextAreaField(_l("建议决定"), validators=[Length(max=TEXT)])
    major_kind = SelectField(_l("“三重一大”类别"), choices=options(MAJOR_LABELS.items()), default="none")
    important = BooleanField(_l("重要议题（“三重一大”和涉及教职工切身利益的议题自动为重要议题）"))
    staff_interest = BooleanField(_l("涉及教职工切身利益"))
    two_thirds = BooleanField(_l("须三分之二以上成员到会（干部任免自动勾选）"))
    technical = BooleanField(_l("专业性、技术性较强（须专家论证）"))


class ViewForm(FlaskForm):
    agree = SelectField(_l("意见"), choices=options([("", "—"), ("yes", _l("同意上会")), ("no", _l("不同意"))]),
                        validators=[DataRequired(_l("请选择意见。"))])
    note = TextAreaField(_l("说明"), validators=[Length(max=2000)])


class EvidenceForm(FlaskForm):
    kind = SelectField(_l("记录类别"), choices=options([("", "—")] + list(EVIDENCE_LABELS.items())),
                       validators=[DataRequired(_l("请选择记录类别。"))])
    consultation_id = SelectField(_l("已完成的征求意见"), coerce=int_or_zero, validators=[Optional()])
    reference = StringField(_l("名称或编号"), validators=[Length(max=200)])
    who = StringField(_l("参加人员"), validators=[Length(max=200)])
    held_on = DateField(_l("日期"), validators=[DataRequired(_l("请填写日期。")), PlausibleDate()])
    conclusion = TextAreaField(_l("结论"), validators=[Length(max=5000)])
    file = FileField(_l("附件（纪要、论证意见等）"))


class TwoThirdsForm(FlaskForm):
    on = BooleanField(_l("须三分之二以上成员到会"))


class MeetingForm(FlaskForm):
    body = SelectField(_l("会议类别"), choices=options([("", "—")] + list(BODY_LABELS.items())),
                       validators=[DataRequired(_l("请选择会议类别。"))])
    title = StringField(_l("会议名称"), validators=[DataRequired(_l("请填写会议名称。")), Length(max=120)])
    held_on = DateField(_l("会议日期"), validators=[DataRequired(_l("请填写会议日期。")), PlausibleDate()])
    starts_at = TimeField(_l("开始时间"), validators=[DataRequired(_l("请填写开始时间。"))])
    recorder_id = SelectField(_l("记录员"), coerce=int_or_zero, validators=[DataRequired(_l("请选择记录员。"))])
    supervisor_id = SelectField(_l("监督员"), coerce=int_or_zero, validators=[DataRequired(_l("请选择监督员。"))])


class DiscloseForm(FlaskForm):
    catalog_item_id = SelectField(_l("党务公开目录项"), coerce=int_or_zero,
                                  validators=[DataRequired(_l("请选择党务公开目录项。"))])


class MinutesForm(FlaskForm):
    """The recorder's 会议记录; each item's 讨论情况 comes as ``discussion-<item id>``."""

    remarks = TextAreaField(_l("列席人员发言及其他事项"), validators=[Length(max=20_000)])


class ScheduleForm(FlaskForm):
    item_id = SelectField(_l("议题"), coerce=int_or_zero, validators=[DataRequired(_l("请选择议题。"))])


class UnscheduleForm(FlaskForm):
    item_id = IntegerField(_l("议题"), validators=[DataRequired()])


class AttendanceForm(FlaskForm):
    user_id = SelectField(_l("人员"), coerce=int_or_zero, validators=[DataRequired(_l("请选择人员。"))])
    kind = SelectField(_l("出席情况"), choices=options(ATTENDANCE_LABELS.items()))
    reason = StringField(_l("缺席原因"), validators=[Length(max=200)])


class ChairForm(FlaskForm):
    note = StringField(_l("改由副职主持的原因"), validators=[DataRequired(_l("请写明原因。")), Length(max=500)])


class StanceForm(FlaskForm):
    user_id = SelectField(_l("表态人"), coerce=int_or_zero, validators=[DataRequired(_l("请选择表态人。"))])
    stance = SelectField(_l("表态"), choices=options([("", "—")] + list(STANCE_LABELS.items())),
                         validators=[DataRequired(_l("请选择表态。"))])
    reason = TextAreaField(_l("理由（每一表态都须说明；列席人员填写发言内容）"),
                           validators=[DataRequired(_l("请说明表态理由。")), Length(max=2000)])


class VoteForm(FlaskForm):
    method = SelectField(_l("表决方式"), choices=options([("", "—")] + list(METHOD_LABELS.items())),
                         validators=[DataRequired(_l("请选择表决方式。"))])
    yes = IntegerField(_l("赞成"), validators=[Optional(), NumberRange(0, 999)])
    no = IntegerField(_l("反对"), validators=[Optional(), NumberRange(0, 999)])
    abstain = IntegerField(_l("弃权"), validators=[Optional(), NumberRange(0, 999)])


class DecideForm(FlaskForm):
    outcome = SelectField(_l("决定"), choices=options([("", "—"), ("pass", _l("通过")), ("reject", _l("不通过")),
                                                      ("defer", _l("暂缓决策"))]),
                          validators=[DataRequired(_l("请选择决定结果。"))])
    decision = TextAreaField(_l("决定内容"), validators=[Length(max=TEXT)])


class DeferForm(FlaskForm):
    reason = TextAreaField(_l("缓议原因"), validators=[DataRequired(_l("请写明缓议的原因。")), Length(max=2000)])


class ResolutionForm(FlaskForm):
    item_id = SelectField(_l("议题"), coerce=int_or_zero, validators=[DataRequired(_l("请选择议题。"))])
    title = StringField(_l("决议名称"), validators=[DataRequired(_l("请填写决议名称。")), Length(max=120)])
    text = TextAreaField(_l("决议内容"), validators=[Length(max=TEXT)])
    owner_id = SelectField(_l("责任人"), coerce=int_or_zero, validators=[DataRequired(_l("请选择责任人。"))])
    co_owner_id = SelectField(_l("协办人"), coerce=int_or_zero, validators=[Optional()])
    deadline = DateField(_l("完成期限"), validators=[Optional(), PlausibleDate()])
    visibility = SelectField(_l("公开范围"), choices=options(VISIBILITY_LABELS.items()), default="staff")
    cadence = SelectField(_l("报告频次"), choices=options(CADENCE_LABELS.items()), default="monthly")
    needs_approval = BooleanField(_l("须报上级批准后执行（期限从批准之日起算）"))
    milestone = StringField(_l("阶段目标（可选）"), validators=[Length(max=120)])
    milestone_on = DateField(_l("阶段目标日期"), validators=[Optional(), PlausibleDate()])


class ReportForm(FlaskForm):
    text = TextAreaField(_l("执行情况"), validators=[DataRequired(_l("请填写执行情况。")), Length(max=TEXT)])
    percent = IntegerField(_l("完成进度（%）"), default=0,
                           validators=[Optional(),
                                       NumberRange(0, 100, _l("完成进度须在 0 到 100 之间（百分比）。"))])
    final = BooleanField(_l("最终报告（申请办结）"))
    file = FileField(_l("附件"))


class NoteForm(FlaskForm):
    note = TextAreaField(_l("内容"), validators=[Length(max=2000)])


class ApprovalForm(FlaskForm):
    approved_on = DateField(_l("批准日期"), validators=[DataRequired(_l("请填写批准日期。")), PlausibleDate()])
    authority = StringField(_l("批准机关"), validators=[DataRequired(_l("请填写批准机关。")), Length(max=120)])
    document = StringField(_l("批准文件"), validators=[DataRequired(_l("请填写批准文件。")), Length(max=120)])


class ReconsiderForm(FlaskForm):
    title = StringField(_l("复议议题名称"), validators=[DataRequired(_l("请填写议题名称。")), Length(max=120)])
    reason = TextAreaField(_l("复议理由"), validators=[DataRequired(_l("请写明复议理由。")), Length(max=5000)])
    proposal = TextAreaField(_l("建议的新决定"), validators=[Length(max=TEXT)])


class TrackerFilterForm(FlaskForm):
    year = SelectField(_l("年份"), coerce=int_or_zero, validators=[Optional()])
    body = SelectField(_l("会议"), choices=options([("", _l("全部"))] + list(BODY_LABELS.items())),
                       validators=[Optional()])
    owner = SelectField(_l("责任人"), coerce=int_or_zero, validators=[Optional()])
    status = SelectField(_l("状态"), choices=options([("", _l("全部"))] + list(STATUS_LABELS.items())),
                         validators=[Optional()])


class CongressReportForm(FlaskForm):
    since = DateField(_l("上次教代会会议日期"), validators=[DataRequired(_l("请填写日期。")), PlausibleDate()])


class AttachReportForm(FlaskForm):
    session_id = SelectField(_l("提交哪次教代会会议"), coerce=int_or_zero,
                             validators=[DataRequired(_l("请选择会议。"))])
