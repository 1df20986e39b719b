"""Notice boards: a screen's settings, its unguessable address and its last heartbeat."""
from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import Boolean, CheckConstraint, DateTime, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, one_of
from portal.timeutil import utcnow


class Orientation(str, enum.Enum):
    LANDSCAPE = "landscape"  # 1920×1080
    PORTRAIT = "portrait"  # 1080×1920


class Slide(str, enum.Enum):
    """What a board can show, in the order it shows them."""

    GONGSHI = "gongshi"  # 公示 in progress, days left, how to object
    NOTICES = "notices"  # the latest public notices of each channel
    TRACKER = "tracker"  # the public resolution tracker's figures and latest reports
    CONGRESS = "congress"  # the latest public congress results and the proposals' handling figures
    CHARTS = "charts"  # the tracker's and the proposals' charts
    CHAIN = "chain"  # the audit chain's head with its time


ALL_SLIDES = tuple(s.value for s in Slide)


class Board(Base):
    """One screen. ``token`` is the unguessable part of its address: replacing it makes the
    old address stop working. ``last_seen_at`` / ``last_shown`` are the screen's own report
    (telemetry, not a state change: see ``rules.record_seen``)."""

    __tablename__ = "board"
    __table_args__ = (
        one_of("orientation", Orientation),
        CheckConstraint("dwell_seconds BETWEEN 5 AND 600", name="dwell_seconds"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    place: Mapped[str] = mapped_column(String(100), default="")
    orientation: Mapped[str] = mapped_column(String(10), default=Orientation.LANDSCAPE.value)
    slides: Mapped[str] = mapped_column(String(100), default=",".join(ALL_SLIDES))  # codes, comma-separated
    dwell_seconds: Mapped[int] = mapped_column(Integer, default=15)
    quiet_start: Mapped[time | None] = mapped_column(Time, nullable=True)  # school time; None: never quiet
    quiet_end: Mapped[time | None] = mapped_column(Time, nullable=True)
    quiet_weekends: Mapped[bool] = mapped_column(Boolean, default=False)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_shown: Mapped[str] = mapped_column(String(20), default="")

    @property
    def slide_codes(self) -> list[str]:
        return [c for c in self.slides.split(",") if c in ALL_SLIDES]

    @property
    def portrait(self) -> bool:
        return self.orientation == Orientation.PORTRAIT.value
