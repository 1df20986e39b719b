"""What each reader can see: lists, search, versions and acknowledgement reports.

Every query that can surface a notice starts from :func:`visible`, which uses the same
audience set as ``permissions.can(user, "notice.view", ...)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, Select, and_, or_, select, text
from sqlalchemy.orm import Session, joinedload

from portal.auth.models import Department, User
from portal.auth.permissions import readable_audiences
from portal.disclosure.models import Acknowledgement, Notice, Status


def visible(user, *, include_withdrawn: bool = False, current_only: bool = True) -> ColumnElement[bool]:
    """SQL condition: notices this reader may see in lists, search and feeds."""
    statuses = [Status.PUBLISHED.value] + ([Status.WITHDRAWN.value] if include_withdrawn else [])
    conditions = [Notice.status.in_(statuses), Notice.audience.in_(sorted(readable_audiences(user)))]
    if current_only:
        conditions.append(Notice.is_current.is_(True))
    return and_(*conditions)


def notice_list(
    user,
    channel: str | None = None,
    item_id: int | None = None,
    year: int | None = None,
    withdrawn: bool = False,
) -> Select[tuple[Notice]]:
    """Published (or withdrawn) current notices, newest first, with their catalogue items."""
    query = (
        select(Notice)
        .options(joinedload(Notice.catalog_item))
        .where(visible(user, include_withdrawn=withdrawn))
        .order_by(Notice.published_at.desc(), Notice.id.desc())
    )
    if withdrawn:
        query = query.where(Notice.status == Status.WITHDRAWN.value)
    if channel:
        query = query.where(Notice.channel == channel)
    if item_id:
        query = query.where(Notice.catalog_item_id == item_id)
    if year:
        query = query.where(Notice.published_at >= datetime(year, 1, 1), Notice.published_at < datetime(year + 1, 1, 1))
    return query


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(user, q: str, dialect: str) -> Select[tuple[Notice]]:
    """Full-text search that finds Chinese substrings (绩效工资 inside a longer phrase).

    SQLite: FTS5 with the trigram tokenizer for terms of three or more characters, LIKE for
    shorter ones (trigrams cannot index them). PostgreSQL: ILIKE served by pg_trgm indexes.
    Every term must match (AND).
    """
    query = notice_list(user)
    for i, term in enumerate(t for t in q.split()[:8] if t):
        if dialect == "sqlite" and len(term) >= 3:
            phrase = '"' + term.replace('"', '""') + '"'
            match = text(f"SELECT rowid FROM notice_fts WHERE notice_fts MATCH :fts{i}").bindparams(**{f"fts{i}": phrase})
            query = query.where(Notice.id.in_(match.columns(rowid=Integer)))
        else:
            pattern = _like(term)
            op = "ilike" if dialect == "postgresql" else "like"
            query = query.where(or_(*(getattr(col, op)(pattern, escape="\\") for col in (Notice.title, Notice.body_md))))
    return query


@dataclass
class AckGroup:
    department: str
    done: list[tuple[User, datetime]]
    missing: list[User]


def ack_report(session: Session, notice: Notice) -> list[AckGroup]:
    """Who has and has not acknowledged, by department, among active staff in the audience."""
    readers = select(User).where(User.active.is_(True))
    if notice.audience == "party":
        readers = readers.where(User.is_party_member.is_(True))
    rows = session.execute(
        readers.add_columns(Acknowledgement.at)
        .outerjoin(Acknowledgement, and_(Acknowledgement.user_id == User.id, Acknowledgement.notice_id == notice.id))
        .outerjoin(Department, Department.id == User.department_id)
        .order_by(Department.name, User.staff_no)
    ).all()
    groups: dict[str, AckGroup] = {}
    for user, at in rows:
        name = user.department.name if user.department else "未分配部门"
        group = groups.setdefault(name, AckGroup(name, [], []))
        if at:
            group.done.append((user, at))
        else:
            group.missing.append(user)
    return list(groups.values())
