"""The read side of administration: accounts with their search, departments with their
staff counts, and the bodies' seats."""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.auth.models import Department, User, UserRole
from portal.org.models import Body, BodyMember, InspectorTerm


def accounts(q: str = "", role: str = "") -> Select[tuple[User]]:
    """Accounts by staff number, matching ``q`` in name, staff number or login, and holding ``role``."""
    query = select(User).options(selectinload(User.role_rows))
    if q:
        like = f"%{q}%"
        query = query.where(or_(User.name.like(like), User.staff_no.like(like), User.username.like(like)))
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return query.order_by(User.staff_no)


def department_names(session: Session) -> list[str]:
    return list(session.scalars(select(Department.name).order_by(Department.name)))


class DepartmentStaff(NamedTuple):
    department: Department
    active_staff: int


def departments_with_staff(session: Session) -> list[DepartmentStaff]:
    """Every department with how many active staff it has, by kind and name."""
    rows = session.execute(
        select(Department, func.count(User.id))
        .outerjoin(User, (User.department_id == Department.id) & User.active.is_(True))
        .group_by(Department.id)
        .order_by(Department.kind, Department.name))
    return [DepartmentStaff(d, n) for d, n in rows]


class SeatRow(NamedTuple):
    member: BodyMember
    body_kind: str


def seats(session: Session) -> list[SeatRow]:
    """Every seat of every body, the current ones first within each body."""
    rows = session.execute(
        select(BodyMember, Body.kind).join(Body, Body.id == BodyMember.body_id)
        .order_by(Body.kind, BodyMember.ends_on.is_not(None), BodyMember.position, BodyMember.starts_on))
    return [SeatRow(m, kind) for m, kind in rows]


def inspector_terms(session: Session) -> list[InspectorTerm]:
    """Every inspector's term (with the account), the latest ending first."""
    return list(session.scalars(select(InspectorTerm).order_by(InspectorTerm.ends_on.desc(), InspectorTerm.id.desc())))
