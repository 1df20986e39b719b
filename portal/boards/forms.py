"""The board form, and the translated labels of slides, orientations and chart rows."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, StringField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.boards.models import ALL_SLIDES
from portal.boards.rules import NAME_MAX, PLACE_MAX
from portal.congress.forms import MultiCheckboxField
from portal.decisions.forms import STATUS_LABELS as TRACK_LABELS
from portal.formutil import options
from portal.proposals.forms import RATING_LABELS, STATUS_LABELS as PROPOSAL_STATE_LABELS

SLIDE_LABELS = {
    "gongshi": _l("正在公示"),
    "notices": _l("最新公开"),
    "tracker": _l("决议督办"),
    "congress": _l("教代会"),
    "charts": _l("图表"),
    "chain": _l("审计链"),
}
ORIENTATION_LABELS = {"landscape": _l("横屏 1920×1080"), "portrait": _l("竖屏 1080×1920")}
LABELS = {"slide": SLIDE_LABELS, "orientation": ORIENTATION_LABELS, "track": TRACK_LABELS,
          "proposal": PROPOSAL_STATE_LABELS, "rating": RATING_LABELS}


class BoardForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写公开栏名称。")), Length(max=NAME_MAX)])
    place = StringField(_l("位置"), validators=[Length(max=PLACE_MAX)])
    orientation = RadioField(_l("屏幕方向"), choices=options(ORIENTATION_LABELS.items()), default="landscape")
    slides = MultiCheckboxField(_l("展示内容"), choices=options(SLIDE_LABELS.items()), default=list(ALL_SLIDES))
    dwell_seconds = IntegerField(_l("每页停留（秒）"), default=15,
                                 validators=[DataRequired(_l("请填写每页停留时间。")),
                                             NumberRange(5, 600, _l("每页停留时间应在 5 到 600 秒之间。"))])
    quiet_start = TimeField(_l("静默开始（黑屏）"), validators=[Optional()])
    quiet_end = TimeField(_l("静默结束"), validators=[Optional()])
    quiet_weekends = BooleanField(_l("周末全天静默"))
