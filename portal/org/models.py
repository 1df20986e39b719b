"""The school's standing bodies: the Party committee, the administrative team, the union."""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.extensions import Base


class BodyKind(str, enum.Enum):
    PARTY_COMMITTEE = "party_committee"  # 党委 / 党总支 / 党支部委员会
    ADMIN_TEAM = "admin_team"  # 校长办公会议成员（行政班子）
    UNION_COMMITTEE = "union_committee"  # 工会委员会


class Body(Base):
    __tablename__ = "body"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(60))

    members: Mapped[list[BodyMember]] = relationship(
        back_populates="body", order_by="BodyMember.position", lazy="raise_on_sql", cascade="all, delete-orphan"
    )


class BodyMember(Base):
    __tablename__ = "body_member"
    __table_args__ = (UniqueConstraint("body_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(30))  # 书记、副书记、委员……
    position: Mapped[int] = mapped_column(Integer, default=0)

    body: Mapped[Body] = relationship(back_populates="members", lazy="raise_on_sql")
    user: Mapped[User] = relationship(lazy="joined")
