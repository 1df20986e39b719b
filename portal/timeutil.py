"""Time in one place: stored as naive UTC, shown in the school's zone (Asia/Shanghai)."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Naive UTC now; every DateTime column holds naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
