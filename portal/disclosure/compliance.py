"""Whether each catalogue item keeps its cadence: overdue detection for disclosure."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.disclosure.models import CatalogItem, Notice, Status

# How long an item may go without a publication. A term is taken as six months (the
# Chinese school year has two terms); "per event" items cannot be judged by the calendar.
PERIOD = {
    "monthly": relativedelta(months=1),
    "term": relativedelta(months=6),
    "yearly": relativedelta(years=1),
}


@dataclass(frozen=True)
class ItemStatus:
    item: CatalogItem
    last_published: datetime | None
    due: datetime | None  # None: per-event items have no due date
    overdue: bool
    count: int


def due_date(cadence: str, last_published: datetime | None, since: datetime) -> datetime | None:
    """When the next publication is due: one period after the last one (or after the item
    was put in the catalogue, if nothing was ever published)."""
    period = PERIOD.get(cadence)
    if period is None:
        return None
    return (last_published or since) + period


def is_overdue(cadence: str, last_published: datetime | None, since: datetime, now: datetime) -> bool:
    due = due_date(cadence, last_published, since)
    return due is not None and now > due


def catalogue_status(session: Session, now: datetime, channel: str | None = None) -> list[ItemStatus]:
    """Every active catalogue item with its last publication and whether it is overdue.

    Any published version counts (a later withdrawal does not undo that it was disclosed).
    """
    last = (
        select(Notice.catalog_item_id, func.max(Notice.published_at).label("last"), func.count().label("n"))
        .where(Notice.status.in_([Status.PUBLISHED.value, Status.WITHDRAWN.value]), Notice.published_at.is_not(None))
        .group_by(Notice.catalog_item_id)
        .subquery()
    )
    query = (
        select(CatalogItem, last.c.last, last.c.n)
        .outerjoin(last, last.c.catalog_item_id == CatalogItem.id)
        .where(CatalogItem.active.is_(True))
        .order_by(CatalogItem.channel, CatalogItem.position, CatalogItem.id)
    )
    if channel:
        query = query.where(CatalogItem.channel == channel)
    rows = []
    for item, last_published, n in session.execute(query):
        due = due_date(item.cadence, last_published, item.created_at)
        rows.append(ItemStatus(item, last_published, due, due is not None and now > due, n or 0))
    return rows


def overdue_count(session: Session, now: datetime) -> int:
    return sum(1 for row in catalogue_status(session, now) if row.overdue)
