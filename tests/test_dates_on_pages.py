"""The cached date formatter of the pages (``web.datetimeformat``, issue 23): the same text
as Babel's ``format_datetime`` for every pattern the templates use, in both languages."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from flask_babel import format_datetime, force_locale

from portal.timeutil import numeric_template
from portal.web import datetimeformat

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MOMENTS = [
    datetime(2026, 1, 1, 0, 0, 0),  # naive UTC: the school's 08:00
    datetime(2025, 12, 31, 16, 0, 0),  # the school's new year's midnight
    datetime(2026, 6, 30, 23, 59, 59, 999999),
    datetime(2001, 3, 4, 5, 6, 7),
    datetime(2026, 3, 9, 1, 2, 3, tzinfo=timezone.utc),  # aware
]


def patterns_in_templates() -> set[str]:
    found: set[str] = set()
    for path in TEMPLATES.rglob("*.html"):
        for call in re.findall(r"datetimeformat\(([^)]*)\)", path.read_text(encoding="utf-8")):
            found.update(re.findall(r"'([^']*)'", call))
    return found


def test_the_templates_use_patterns_the_formatter_knows():
    found = patterns_in_templates()
    assert "yyyy-MM-dd HH:mm" in found and "yyyy年M月d日" in found
    assert all(numeric_template(p) is not None for p in found), found


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_same_text_as_babel(app, lang):
    patterns = patterns_in_templates() | {"y-M-d H:m:s", "yyyy/MM/dd {x}"}
    with app.test_request_context("/"), force_locale(lang):
        for pattern in sorted(patterns):
            for moment in MOMENTS:
                assert datetimeformat(moment, pattern) == format_datetime(moment, pattern), (pattern, moment)


def test_other_patterns_are_left_to_babel(app):
    assert numeric_template("yyyy-MM-dd 'at' HH:mm") is None
    assert numeric_template("EEEE, MMMM d") is None
    with app.test_request_context("/"), force_locale("en"):
        moment = datetime(2026, 3, 9, 1, 2, 3)
        for pattern in ("EEEE, MMMM d", "yyyy-MM-dd 'at' HH:mm", None):
            assert datetimeformat(moment, pattern) == format_datetime(moment, pattern)
