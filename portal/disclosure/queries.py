"""The read side of disclosure: what each reader can see (lists, search, feeds), the
acknowledgement report, and whether each catalogue item keeps its cadence.

Every query that can surface a notice starts from :func:`visible`, which narrows
``permissions.visible_notices`` (exactly what ``notice.view`` allows) to what lists show.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, func, or_, select, text, true
from sqlalchemy.orm import Session, defer, joinedload, selectinload

from portal.auth.models import Department, User, on_staff
from portal.auth.permissions import Context
from portal.disclosure.models import (
    ON_RECORD, Acknowledgement, CatalogItem, Clarification, Notice, Objection, Status,
)
from portal.disclosure.permissions import readable_audiences, would_approve
from portal.i18n import N_
from portal.timeutil import to_local


def visible(user: Any, *, include_withdrawn: bool = False, current_only: bool = True,
            ctx: Context | None = None) -> ColumnElement[bool]:
    """SQL condition: notices this reader may see in lists, search and feeds (published, or
    withdrawn when asked; in an audience the reader belongs to)."""
    statuses = [Status.PUBLISHED.value] + ([Status.WITHDRAWN.value] if include_withdrawn else [])
    conditions: list[ColumnElement[bool]] = [
        Notice.status.in_(statuses), Notice.audience.in_(sorted(readable_audiences(user, ctx))),
    ]
    if current_only:
        # "= true", not "IS TRUE": PostgreSQL can use only the former as an index condition.
        conditions.append(Notice.is_current == true())
    return and_(*conditions)


def awaiting_approval(user: User, ctx: Context) -> ColumnElement[bool]:
    """SQL: submissions waiting for this user's approval."""
    return and_(Notice.status == Status.SUBMITTED.value, would_approve(user, ctx))


_BODY_HTML = defer(Notice.body_html, raiseload=True)
LIST_DEFERRED = (
    defer(Notice.body_md, raiseload=True), _BODY_HTML,
    defer(Notice.return_reason, raiseload=True), defer(Notice.withdraw_reason, raiseload=True),
)


# --- one notice's page, the workspace, the dashboard -------------------------------------

# Built once (issue 23): a statement with loader options cost more to build and key than to
# run; executed with its id as a bound parameter.
_NOTICE_PAGE = (select(Notice)
                .options(joinedload(Notice.catalog_item), joinedload(Notice.author), joinedload(Notice.approver),
                         selectinload(Notice.attachments))
                .where(Notice.id == bindparam("notice_id")))


def notice_for_page(session: Session, notice_id: int) -> Notice | None:
    """The notice with what its page shows (catalogue item, author, approver, attachments)."""
    return session.scalar(_NOTICE_PAGE, {"notice_id": notice_id})


def objections_of(session: Session, notice: Notice) -> list[Objection]:
    """A notice's objections in the order shown: an anonymous objection shows only its day,
    and comes after that day's signed ones (placed between two signed objections, their
    times would bracket its own)."""
    found = session.scalars(
        select(Objection).options(joinedload(Objection.author), joinedload(Objection.answered_by),
                                  selectinload(Objection.clarifications).joinedload(Clarification.by))
        .where(Objection.notice_id == notice.id).order_by(Objection.created_at)).all()
    return sorted(found, key=lambda o: (to_local(o.created_at).date(), o.anonymous,
                                        o.id if o.anonymous else 0, o.created_at))


def has_acknowledged(session: Session, notice: Notice, user_id: int) -> bool:
    return session.scalar(select(Acknowledgement.id).where(
        Acknowledgement.notice_id == notice.id, Acknowledgement.user_id == user_id)) is not None


def catalogue_items_in(session: Session, channels: list[str]) -> list[CatalogItem]:
    """Active catalogue items of these channels, in catalogue order."""
    return list(session.scalars(
        select(CatalogItem).where(CatalogItem.active.is_(True), CatalogItem.channel.in_(channels))
        .order_by(CatalogItem.channel, CatalogItem.position, CatalogItem.id)))


@dataclass
class Workspace:
    """An author's and approver's desk: own drafts and submissions, what waits for their
    approval, and what they published or approved lately."""

    mine: list[Notice]
    waiting: list[Notice]
    recent: list[Notice]


def workspace(session: Session, user: User, ctx: Context) -> Workspace:
    base = select(Notice).options(joinedload(Notice.catalog_item), joinedload(Notice.author))
    return Workspace(
        mine=list(session.scalars(base.where(Notice.author_id == user.id, Notice.status.not_in(ON_RECORD))
                                  .order_by(Notice.updated_at.desc()))),
        waiting=list(session.scalars(base.where(awaiting_approval(user, ctx)).order_by(Notice.submitted_at))),
        recent=list(session.scalars(
            base.where(or_(Notice.author_id == user.id, Notice.approver_id == user.id), Notice.status.in_(ON_RECORD))
            .order_by(Notice.published_at.desc()).limit(20))),
    )


def awaiting_approval_count(session: Session, user: User, ctx: Context) -> int:
    return session.scalar(select(func.count()).select_from(Notice).where(awaiting_approval(user, ctx))) or 0


def unacknowledged(user: User, ctx: Context) -> Select[tuple[Notice]]:
    """Published notices this reader may see that ask for 已阅确认 and have not had it, newest first."""
    return (select(Notice).options(*LIST_DEFERRED)
            .where(visible(user, ctx=ctx), Notice.requires_ack == true(),
                   ~Notice.id.in_(select(Acknowledgement.notice_id).where(Acknowledgement.user_id == user.id)))
            .order_by(Notice.published_at.desc()))


def in_gongshi(user: User | None, ctx: Context) -> Select[tuple[Notice]]:
    """Notices this reader may see whose 公示 window is open now, ending soonest first."""
    return (select(Notice).options(joinedload(Notice.catalog_item), *LIST_DEFERRED)
            .where(visible(user, ctx=ctx), Notice.gongshi_start <= ctx.now, Notice.gongshi_end >= ctx.now)
            .order_by(Notice.gongshi_end))



def _listed(query: Select[Any], user: Any, channel: str | None, item_id: int | None, year: int | None,
            withdrawn: bool) -> Select[Any]:
    """``query`` narrowed to the published (or withdrawn) current notices ``user`` may see,
    newest first, by channel, catalogue item and year."""
    query = query.where(visible(user, include_withdrawn=withdrawn)).order_by(Notice.published_at.desc(), Notice.id.desc())
    if withdrawn:
        query = query.where(Notice.status == Status.WITHDRAWN.value)
    if channel:
        query = query.where(Notice.channel == channel)
    if item_id:
        query = query.where(Notice.catalog_item_id == item_id)
    if year:
        query = query.where(Notice.published_at >= datetime(year, 1, 1), Notice.published_at < datetime(year + 1, 1, 1))
    return query


def notice_list(
    user: Any,
    channel: str | None = None,
    item_id: int | None = None,
    year: int | None = None,
    withdrawn: bool = False,
    with_body_html: bool = False,
) -> Select[tuple[Notice]]:
    """Published (or withdrawn) current notices, newest first, with their catalogue items.

    Lists show titles, not bodies: the text columns are left out (and raise if a template
    reaches for them); the feed asks for ``body_html`` back with ``with_body_html``. The
    channel lists read :func:`notice_lines` instead (plain columns).
    """
    deferred = [d for d in LIST_DEFERRED if not (with_body_html and d is _BODY_HTML)]
    return _listed(select(Notice).options(joinedload(Notice.catalog_item), *deferred),
                   user, channel, item_id, year, withdrawn)


class ItemName(NamedTuple):
    name: str


class NoticeLine(NamedTuple):
    """A notice as a list row shows it (``disclosure/_rows.html``): plain columns, no ORM row."""

    id: int
    title: str
    channel: str
    audience: str
    status: str
    version: int
    published_at: datetime | None
    item_name: str

    @property
    def catalog_item(self) -> ItemName:
        return ItemName(self.item_name)

    @property
    def is_withdrawn(self) -> bool:
        return self.status == Status.WITHDRAWN.value  # as Notice.is_withdrawn


# The item's name as a scalar subquery, not a join: the pager's count then stays on the
# covering index ix_notice_channel_list (as the proposal register's names do).
NOTICE_LINE_COLUMNS = (Notice.id, Notice.title, Notice.channel, Notice.audience, Notice.status, Notice.version,
                       Notice.published_at,
                       select(CatalogItem.name).where(CatalogItem.id == Notice.catalog_item_id).scalar_subquery())


def notice_lines(user: Any, channel: str | None = None, item_id: int | None = None, year: int | None = None,
                 withdrawn: bool = False) -> Select[Any]:
    """:func:`notice_list` as the columns of :class:`NoticeLine`: the same rows in the same order."""
    return _listed(select(*NOTICE_LINE_COLUMNS), user, channel, item_id, year, withdrawn)


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(user: Any, q: str, dialect: str) -> Select[tuple[Notice]]:
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
    readers = select(User).where(on_staff())
    if notice.audience == "party":
        readers = readers.where(User.is_party_member.is_(True))
    rows = session.execute(
        readers.add_columns(Acknowledgement.at)
        .outerjoin(Acknowledgement, and_(Acknowledgement.user_id == User.id, Acknowledgement.notice_id == notice.id))
        .outerjoin(Department, Department.id == User.department_id)
        # The school's own department order (Department.position), those without one last;
        # names in character-code order would read 七, 九, 信, 党, 八 ...
        .order_by(Department.id.is_(None), Department.position, Department.name, User.staff_no)
    ).all()
    groups: dict[str, AckGroup] = {}
    for user, at in rows:
        name = user.department.name if user.department else N_("未分配部门")
        group = groups.setdefault(name, AckGroup(name, [], []))
        if at:
            group.done.append((user, at))
        else:
            group.missing.append(user)
    return list(groups.values())


# --- cadence: is each catalogue item disclosed often enough? ------------------------------

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
    events: int = 0  # a per-event item that receives events: how many
    late: tuple[tuple[str, date], ...] = ()  # (event, its due day) published late or not yet, past due


def late_events(events: list[tuple[str, date, datetime | None]], working_days: int,
                now: datetime) -> list[tuple[str, date]]:
    """Per-event (随时) timeliness: each event must be published within ``working_days``
    working days of the day it happened (the due day itself still counts as on time, by
    school-local dates). Late: published after its due day, or still unpublished after it."""
    from portal.disclosure.rules import add_working_days
    from portal.timeutil import to_local

    today = to_local(now).date()
    found = []
    for name, happened, published in events:
        due = add_working_days(happened + timedelta(days=1), working_days)  # counted from the next day
        done = to_local(published).date() if published is not None else None
        if (done is not None and done > due) or (done is None and today > due):
            found.append((name, due))
    return found


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
        .where(Notice.status.in_(ON_RECORD), Notice.published_at.is_not(None))
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
    from portal.registry import EVENT_SOURCES

    for item, last_published, n in session.execute(query):
        due = due_date(item.cadence, last_published, item.created_at)
        source = EVENT_SOURCES.get(item.receives) if item.cadence == "event" and item.receives else None
        if source is None:
            rows.append(ItemStatus(item, last_published, due, due is not None and now > due, n or 0))
            continue
        events = source(session)
        late = late_events(events, item.event_days, now)
        rows.append(ItemStatus(item, last_published, due, bool(late), n or 0, len(events), tuple(late)))
    return rows


def overdue_count(session: Session, now: datetime) -> int:
    return sum(1 for row in catalogue_status(session, now) if row.overdue)
