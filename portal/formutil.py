"""Small helpers shared by every feature's forms, and the one upload form."""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField as _DateField
from wtforms import Field, Form

# SelectChoice is new in WTForms 3.3; the newest stubs (types-WTForms 3.2) do not know it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import ValidationError

T = TypeVar("T")


def required(value: T | None) -> T:
    """The value of a field whose DataRequired validator has passed: never None."""
    assert value is not None, "required() on a field that was not validated"
    return value


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class DateField(_DateField):
    """A date field that never writes text it could not read back into ``<input type="date">``
    (whose value must be a valid date or empty); the error message says what was wrong."""

    def _value(self) -> str:
        return self.data.strftime("%Y-%m-%d") if self.data else ""


MAX_ID = 2**31 - 1  # the largest value of a database integer (as portal.web.MAX_ID for URLs)


def int_or_zero(value: Any) -> int:
    """Coerce for an int select whose placeholder option has the empty value (HTML wants
    ``value=""`` first in a required select); the placeholder reads as 0, which
    ``DataRequired`` refuses with the field's own message. So does an id no database
    integer can hold (nobody's: PostgreSQL would refuse to even look it up)."""
    number = 0 if value in ("", None) else int(value)
    return number if -MAX_ID <= number <= MAX_ID else 0


def error_text(form: Form) -> str:
    """All of a form's errors as one line, for a flash or an inline message."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


class PlausibleDate:
    """A date the school's records can hold: from 1900 to 2999 (a typo like 0001 or 20266 is refused)."""

    EARLIEST = date(1900, 1, 1)
    LATEST = date(2999, 12, 31)

    def __call__(self, form: Form, field: Field) -> None:
        if field.data is not None and not (self.EARLIEST <= field.data <= self.LATEST):
            raise ValidationError(_l("日期超出范围：请填写 1900 年至 2999 年之间的日期。"))


class AttachmentForm(FlaskForm):
    """One file, for every feature that takes uploads (notices, consultation drafts, proposals,
    congress papers); what the file may be is ``portal.files``'s to check."""

    file = FileField(_l("附件"), validators=[FileRequired(_l("请选择文件。"))])
