"""One notification: a marked message with its parameters, for one person, about one subject."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.timeutil import utcnow


class Notification(Base):
    """``message`` is a Chinese msgid (translated when shown) formatted with ``params``;
    ``subject_kind`` / ``subject_id`` name what it is about (a feature links it)."""

    __tablename__ = "notification"
    __table_args__ = (
        # The inbox (newest first) and the unread count both walk this index.
        Index("ix_notification_inbox", "recipient_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    message: Mapped[str] = mapped_column(String(200))
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    subject_kind: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def params(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.params_json or "{}")
        return value

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
