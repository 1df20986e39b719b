"""Time in one place: stored as naive UTC, shown and reasoned about in school time."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

SCHOOL_TZ = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


def utcnow() -> datetime:
    """Naive UTC now; every DateTime column holds naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_local(moment: datetime) -> datetime:
    """A stored (naive UTC) moment as an aware school-time datetime."""
    return moment.replace(tzinfo=UTC).astimezone(SCHOOL_TZ)


def local_to_utc(day: date, at: time) -> datetime:
    """``at`` o'clock school time on ``day``, as naive UTC (for comparing with columns).

    The first hours of 0001-01-01 have no UTC datetime (the school is ahead of UTC); they
    become ``datetime.min``, the earliest moment any column can hold, instead of overflowing.
    """
    try:
        return datetime.combine(day, at, tzinfo=SCHOOL_TZ).astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        return datetime.min


def day_start_utc(day: date) -> datetime:
    return local_to_utc(day, time.min)


def day_end_utc(day: date) -> datetime:
    return local_to_utc(day, time(23, 59, 59))


def iso_utc(moment: datetime) -> str:
    """A stored (naive UTC) moment for machines (``<time datetime>``): whole seconds and ``Z``.

    ``isoformat()`` would give six fraction digits, and HTML allows one to three.
    """
    return moment.replace(microsecond=0).isoformat() + "Z"


# --- dates on pages ---------------------------------------------------------------------
#
# Every date a page shows is one of a few numeric patterns ("yyyy-MM-dd HH:mm",
# "yyyy年M月d日"), the same in every language. Babel's ``format_datetime`` looks up the
# locale, the time zone and the pattern for each one (a large share of a list's render);
# these patterns are compiled once into a ``str.format`` template instead.

_NUMERIC_FIELDS = {
    "yyyy": "{0:04d}", "y": "{0}", "MM": "{1:02d}", "M": "{1}", "dd": "{2:02d}", "d": "{2}",
    "HH": "{3:02d}", "H": "{3}", "mm": "{4:02d}", "m": "{4}", "ss": "{5:02d}", "s": "{5}",
}
_PATTERN_PART = re.compile(r"([A-Za-z])\1*|[^A-Za-z']+|'")


@lru_cache(maxsize=64)
def numeric_template(pattern: str) -> str | None:
    """The ``str.format`` template of a CLDR date pattern made only of numeric year, month,
    day, hour, minute and second fields and literal text; ``None`` for any other pattern
    (names of months or days, quoted text, eras...), which Babel must format."""
    out = []
    for part in _PATTERN_PART.finditer(pattern):
        text = part.group(0)
        if text == "'":
            return None
        if part.group(1):
            field = _NUMERIC_FIELDS.get(text)
            if field is None:
                return None
            out.append(field)
        else:
            out.append(text.replace("{", "{{").replace("}", "}}"))
    return "".join(out)


def format_local(moment: datetime, template: str) -> str:
    """A stored (naive UTC) or aware moment in school time, by a ``numeric_template``."""
    local = to_local(moment) if moment.tzinfo is None else moment.astimezone(SCHOOL_TZ)
    return template.format(local.year, local.month, local.day, local.hour, local.minute, local.second)
