"""Small helpers shared by every feature's forms."""
from __future__ import annotations

from typing import Any, Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def error_text(form) -> str:
    """All of a form's errors as one line, for a flash or an inline message."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)
