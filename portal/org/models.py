"""The school's standing bodies (the Party committee, the administrative team, the union
committee) and who sits on them, by date. Offices such as 书记 or 校长 are seats on a body,
not global roles: a meeting, an approval or a count uses the seats held on its date."""
from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import Base
from portal.i18n import N_


class BodyKind(str, enum.Enum):
    PARTY_COMMITTEE = "party_committee"  # 党委 / 党总支 / 党支部委员会
    ADMIN_TEAM = "admin_team"  # 校长办公会议成员（行政班子）
    UNION_COMMITTEE = "union_committee"  # 工会委员会


class Seat(str, enum.Enum):
    """A member's place on a body: chair, deputy, or member."""

    CHAIR = "chair"
    DEPUTY = "deputy"
    MEMBER = "member"


class Office(enum.Enum):
    """The offices the portal's rules ask about, each a seat on a body."""

    SECRETARY = (BodyKind.PARTY_COMMITTEE, Seat.CHAIR)  # 党组织书记
    DEPUTY_SECRETARY = (BodyKind.PARTY_COMMITTEE, Seat.DEPUTY)  # 党组织副书记
    PRINCIPAL = (BodyKind.ADMIN_TEAM, Seat.CHAIR)  # 校长
    VICE_PRINCIPAL = (BodyKind.ADMIN_TEAM, Seat.DEPUTY)  # 副校长
    UNION_CHAIR = (BodyKind.UNION_COMMITTEE, Seat.CHAIR)  # 工会主席

    @property
    def body(self) -> BodyKind:
        return self.value[0]

    @property
    def seat(self) -> Seat:
        return self.value[1]


OFFICE_NAMES = {
    Office.SECRETARY: N_("党组织书记"), Office.DEPUTY_SECRETARY: N_("党组织副书记"),
    Office.PRINCIPAL: N_("校长"), Office.VICE_PRINCIPAL: N_("副校长"), Office.UNION_CHAIR: N_("工会主席"),
}


class Body(Base):
    __tablename__ = "body"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(60))

    members: Mapped[list[BodyMember]] = relationship(
        back_populates="body", order_by="BodyMember.position", lazy="raise_on_sql", cascade="all, delete-orphan"
    )


class BodyMember(Base):
    """One person's seat on a body from ``starts_on`` until ``ends_on`` (inclusive; open when None)."""

    __tablename__ = "body_member"
    __table_args__ = (CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    seat: Mapped[str] = mapped_column(String(10), default=Seat.MEMBER.value)
    title: Mapped[str] = mapped_column(String(30))  # as the school writes it: 书记、副书记、组织委员……
    position: Mapped[int] = mapped_column(Integer, default=0)
    starts_on: Mapped[date] = mapped_column(Date, default=date(2000, 1, 1))
    ends_on: Mapped[date | None] = mapped_column(Date)

    body: Mapped[Body] = relationship(back_populates="members", lazy="raise_on_sql")
    user: Mapped[User] = relationship(lazy="joined")
