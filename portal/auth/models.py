"""People, departments and roles."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ColumnElement, DateTime, ForeignKey, Index, Integer, String, Select, and_, exists, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.auth import passwords
from portal.auth.passwords import PASSWORD_METHOD
from portal.i18n import N_
from portal.timeutil import utcnow

__all__ = ["PASSWORD_METHOD", "Role", "Department", "User", "UserRole", "LoginFailure"]


class Role(str, enum.Enum):
    """Global roles, for system functions and where no membership exists.

    Who is 书记, 校长 or a committee member is a seat on a body (``portal.org``), and who is a
    representative is the congress term's roster (``portal.congress``): never a role.
    """

    STAFF = "staff"
    UNION = "union"
    HANDLER = "handler"
    LEADER = "leader"
    RECORDER = "recorder"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    # Not staff: an outside inspector's account (督导 / 巡察), opened by the admin for a dated
    # term (``portal.org.models.InspectorTerm``); it holds this role alone.
    INSPECTOR = "inspector"


class DepartmentKind(str, enum.Enum):
    OFFICE = "office"  # 处室
    GRADE = "grade"  # 年级组
    SUBJECT = "subject"  # 教研组


class Department(Base):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=DepartmentKind.OFFICE.value)
    position: Mapped[int] = mapped_column(Integer, default=0)  # the school's own order
    # The head (负责人) answers for the department, e.g. proposals assigned to it.
    head_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", use_alter=True, ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<Department {self.name}>"


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class User(Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    staff_no: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    is_party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on logout, deactivation and password change; a cookie carrying an older
    # value no longer loads the user, so copied cookies die with the session.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    locale: Mapped[str | None] = mapped_column(String(8))
    last_login_ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    department: Mapped[Department | None] = relationship(foreign_keys=[department_id], lazy="joined")
    # Loaded on access: the signed-in user gets them with the user (see web.load_user);
    # lists that show roles ask for them with selectinload.
    role_rows: Mapped[list[UserRole]] = relationship(
        lazy="select", cascade="all, delete-orphan", order_by=UserRole.role
    )

    # --- roles -----------------------------------------------------------------
    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    def set_roles(self, roles: set[str] | frozenset[str]) -> None:
        """A staff member's roles (staff always among them); never the inspector's."""
        wanted = {Role(r).value for r in roles} | {Role.STAFF.value}
        if Role.INSPECTOR.value in wanted:
            raise ValueError("an inspector's account is opened with its term, not given the role")
        self.role_rows = [r for r in self.role_rows if r.role in wanted]
        have = {r.role for r in self.role_rows}
        self.role_rows.extend(UserRole(role=r) for r in sorted(wanted - have))

    def has_role(self, *roles: Role | str) -> bool:
        mine = self.roles
        return any((r.value if isinstance(r, Role) else r) in mine for r in roles)

    @property
    def is_inspector_account(self) -> bool:
        """An outside inspector's account: read-only, confined to the inspection pages."""
        return Role.INSPECTOR.value in self.roles

    # --- passwords and sessions ------------------------------------------------
    def set_password(self, password: str) -> None:
        self.password_hash = passwords.hash_password(password)

    def check_password(self, password: str) -> bool:
        return passwords.check_password(self.password_hash, password)

    # --- what Flask-Login asks of a user (without importing it) ------------------
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    # --- queries ----------------------------------------------------------------
    @staticmethod
    def by_username(username: str) -> Select[tuple[User]]:
        return select(User).where(User.username == username)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


def on_staff() -> ColumnElement[bool]:
    """SQL: the school's staff — enabled accounts that are not an outside inspector's. Every
    list of people (rosters, raters, readers, pickers) selects with this, not ``active`` alone."""
    return and_(User.active.is_(True), ~exists().where(
        UserRole.user_id == User.id, UserRole.role == Role.INSPECTOR.value))


# Usernames are unique whatever their case: "Zhang" and "zhang" would be two accounts that
# people (and the case-insensitive checks in the forms) take for one. An expression index:
# a future SQLite table rebuild (batch migration) of ``user`` must create it again.
Index("uq_user_username_lower", func.lower(User.username), unique=True)


class LoginFailure(Base):
    """One failed login, kept for throttling (see ``auth.rules.login_block_reason``).

    ``device`` is the nonce of the account's device cookie when the browser carried one: such
    failures count against that browser only, the others against the account and the address.
    """

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), index=True)
    address: Mapped[str] = mapped_column(String(45), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    device: Mapped[str | None] = mapped_column(String(32), index=True)


ROLE_LABELS: dict[str, str] = {
    "staff": N_("教职工"),
    "union": N_("工会"),
    "handler": N_("承办部门负责人"),
    "leader": N_("班子成员"),
    "recorder": N_("记录员"),
    "supervisor": N_("监督员"),
    "admin": N_("系统管理员"),
    "inspector": N_("督导 / 巡察"),
}
# The roster file names roles in Chinese, whatever the interface language (staff roles only:
# an inspector's account is opened on its own page, with its term).
LABEL_ROLES: dict[str, str] = {v: k for k, v in ROLE_LABELS.items() if k != Role.INSPECTOR.value}
