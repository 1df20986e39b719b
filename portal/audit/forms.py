from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from portal.formutil import DateField, PlausibleDate


class AuditFilterForm(FlaskForm):
    action = StringField(_l("操作"), validators=[Optional(), Length(max=60)])
    actor = StringField(_l("操作人"), validators=[Optional(), Length(max=60)])
    since = DateField(_l("起始日期"), validators=[Optional(), PlausibleDate()])
    until = DateField(_l("截止日期"), validators=[Optional(), PlausibleDate()])
