"""Forms for democratic evaluation, and the labels of its stored codes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from portal.evaluation.rules import PERIOD_MAX, TITLE_MAX
from portal.formutil import options

STATUS_LABELS = {"draft": _l("未开始"), "open": _l("进行中"), "closed": _l("已结束")}
RATERS_LABELS = {"reps": _l("本届教代会代表"), "staff": _l("全体教职工")}
GRADE_LABELS = {"excellent": _l("优秀"), "competent": _l("称职"), "basic": _l("基本称职"), "incompetent": _l("不称职")}


class EvaluationForm(FlaskForm):
    title = StringField(_l("评议名称"), validators=[DataRequired(_l("请填写评议名称。")), Length(max=TITLE_MAX)])
    period = StringField(_l("评议期间"), validators=[DataRequired(_l("请填写评议期间。")), Length(max=PERIOD_MAX)])
    raters = SelectField(_l("评议人"), choices=options(RATERS_LABELS.items()))
    subjects = SelectMultipleField(_l("被评议人（可多选）"), coerce=int,
                                   validators=[DataRequired(_l("请至少选择一名被评议人。"))],
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class RatingForm(FlaskForm):
    """Only the CSRF token: the grades come as ``grade-<subject id>`` radio groups, one per
    person rated, and the rule checks them (every person, a known grade)."""
