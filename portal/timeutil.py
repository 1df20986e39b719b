"""Time in one place: stored as naive UTC, shown and reasoned about in school time."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
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
