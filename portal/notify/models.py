"""One notification: a marked message with its parameters, for one person, about one subject;
and the outbox that carries it further (mail, group robots), with each reader's choices."""
from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, one_of
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


class Channel(str, enum.Enum):
    """Where a message goes besides the inbox: a person's mail, or a group's robot."""

    EMAIL = "email"
    WECOM = "wecom"  # 企业微信群机器人
    DINGTALK = "dingtalk"  # 钉钉群机器人


class DeliveryState(str, enum.Enum):
    PENDING = "pending"  # waiting for its due time (a retry, quiet hours, the digest)
    SENDING = "sending"  # claimed by a sender until ``lease_until``
    SENT = "sent"
    FAILED = "failed"  # the last try failed, or it can never be sent (``last_error`` says why)


class Delivery(Base):
    """One message to send on one channel: the transactional outbox.

    Written by :func:`portal.notify.rules.notify` in the action's own transaction; sent later
    by ``flask deliver``. ``idem_key`` names it for good (UNIQUE): it is the mail's Message-ID,
    so a message sent again after a crash is the same message. A personal one points at its
    notification; a group one carries only a fixed text and the subject's number.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        one_of("channel", Channel),
        one_of("state", DeliveryState),
        # The sender's question: what is due now.
        Index("ix_outbox_due", "state", "due_at"),
        Index("ix_outbox_recent", "channel", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idem_key: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(12))
    # Personal: the reader and the inbox entry it repeats. Group: the robot (None: the one
    # configured by WECOM_ROBOT_URL / DINGTALK_ROBOT_URL).
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"))
    robot_id: Mapped[int | None] = mapped_column(ForeignKey("notify_robot.id", ondelete="CASCADE"), index=True)
    # Group and test messages: a marked msgid and its (impersonal) parameters.
    message: Mapped[str] = mapped_column(String(200), default="")
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    subject_kind: Mapped[str] = mapped_column(String(30), default="")
    subject_id: Mapped[int | None] = mapped_column(Integer)
    digest: Mapped[bool] = mapped_column(Boolean, default=False)  # one mail a day with the others
    state: Mapped[str] = mapped_column(String(10), default=DeliveryState.PENDING.value)
    due_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    # The deliveries sent together (a digest, a robot's batch) share it; sent again together.
    batch_key: Mapped[str | None] = mapped_column(String(64), index=True)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def params(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.params_json or "{}")
        return value

    # What the deliveries page asks, so no template compares the state with a literal.
    @property
    def failed(self) -> bool:
        return self.state == DeliveryState.FAILED.value

    @property
    def sent(self) -> bool:
        return self.state == DeliveryState.SENT.value

    @property
    def waiting(self) -> bool:
        return self.state == DeliveryState.PENDING.value


class ReaderSetting(Base):
    """What one reader wants by mail: an address, a mode per kind of message (``choices``:
    kind -> "now" | "digest" | "off"; missing kinds take the defaults), the digest's hour and
    quiet hours (school time, whole hours; none when both are None)."""

    __tablename__ = "notify_setting"
    __table_args__ = (
        CheckConstraint("digest_hour BETWEEN 0 AND 23", name="digest_hour"),
        CheckConstraint("(quiet_start IS NULL AND quiet_end IS NULL) OR "
                        "(quiet_start BETWEEN 0 AND 23 AND quiet_end BETWEEN 0 AND 23)", name="quiet_hours"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    choices_json: Mapped[str] = mapped_column(Text, default="{}")
    digest_only: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_hour: Mapped[int] = mapped_column(Integer, default=7)
    quiet_start: Mapped[int | None] = mapped_column(Integer)
    quiet_end: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def choices(self) -> dict[str, str]:
        value: dict[str, str] = json.loads(self.choices_json or "{}")
        return value


class Robot(Base):
    """A group's robot (群机器人) the admin added: its webhook, for 钉钉 its signing secret,
    the group it speaks to (a body or a department, or the whole school) and the topics it
    hears of. The webhook address is itself a credential: shown only masked."""

    __tablename__ = "notify_robot"
    __table_args__ = (CheckConstraint("platform IN ('wecom', 'dingtalk')", name="platform"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(60))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(200), default="")
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"))
    topics: Mapped[str] = mapped_column(String(200), default="")  # comma-separated Topic values
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def topic_set(self) -> frozenset[str]:
        return frozenset(t for t in self.topics.split(",") if t)
