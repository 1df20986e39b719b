"""The read side of decisions: loading a meeting with its record, the tracker's rows and
figures, the report to the congress, and the minutes assembled from the records."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import Session, joinedload, lazyload, load_only, selectinload

from portal.auth.models import User
from portal.decisions.models import (
    MEETING_FLOW,
    Attendance,
    Item,
    ItemState,
    ItemView,
    Meeting,
    MeetingAttendance,
    MeetingBody,
    MeetingPaper,
    MeetingState,
    Procedure,
    Report,
    Resolution,
    ResolutionKind,
    ResolutionState,
    Stance,
    StanceKind,
    SupervisionOpinion,
    Urging,
    Visibility,
)
from portal.decisions.rules.tracker import OVERDUE, OnTime, TrackStatus, add_months, next_report_due, on_time_share, \
    track_status, due_soon
from portal.errors import Message
from portal.i18n import N_
from portal.timeutil import to_local


def _meeting_statement(which: ColumnElement[bool]) -> Select[tuple[Meeting]]:
    """A meeting with everything its page and its minutes show, in four queries (read it with
    ``.unique()``): the meeting with its attendance, read receipts and the supervision opinions
    on it (at most one row per member each, and opinions rarely more than one or two, so
    joined: a few hundred rows for the largest body); its items with their
    resolutions, evidence, office views and stances (each a handful per item, so joined); the
    named votes (one per member on an item: joined with the stances they would multiply); the
    papers."""
    return select(Meeting).where(which).options(
        joinedload(Meeting.procedure), _name_only(joinedload(Meeting.chair)),
        _name_only(joinedload(Meeting.recorder)), _name_only(joinedload(Meeting.supervisor)),
        _name_only(joinedload(Meeting.attendance).joinedload(MeetingAttendance.user)),
        joinedload(Meeting.receipts),
        _name_only(joinedload(Meeting.opinions).joinedload(SupervisionOpinion.by)),
        _name_only(joinedload(Meeting.opinions).joinedload(SupervisionOpinion.answered_by)),
        selectinload(Meeting.papers),
        selectinload(Meeting.items).options(
            _name_only(joinedload(Item.stances).joinedload(Stance.user)),
            _name_only(joinedload(Item.views).joinedload(ItemView.user)), joinedload(Item.evidence),
            selectinload(Item.named_votes), _name_only(joinedload(Item.proposer)),
            _name_only(joinedload(Item.resolutions).joinedload(Resolution.owner)),
        ),
    )


def _name_only(load: Any) -> Any:
    """A joined person as the meeting page and the minutes show them: id and name, without
    their department (joined rows repeat for every attendance and receipt, stance and view)."""
    return load.options(load_only(User.id, User.name), lazyload(User.department))


# Built once (issue 23): building this statement and its cache key took about 1.5 ms a
# request; run it with ``{"meeting_id": id}`` and read it with ``.unique()``.
MEETING = _meeting_statement(Meeting.id == bindparam("meeting_id"))


def recent_meetings(limit: int = 60) -> Select[tuple[Meeting]]:
    return select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc()).limit(limit)


def waiting_items() -> Select[tuple[Item]]:
    """Items proposed and not yet on an agenda, oldest first, with their proposers."""
    return (select(Item).options(joinedload(Item.proposer))
            .where(Item.state == ItemState.PROPOSED.value).order_by(Item.created_at))


def procedure_versions(body: str) -> Select[tuple[Procedure]]:
    """Every version of a body's rules of procedure, the one in force first."""
    return select(Procedure).where(Procedure.body == body).order_by(Procedure.version.desc())


class Owner(NamedTuple):
    id: int
    name: str


def owners(session: Session, visible: Any) -> list[Owner]:
    """Who owns the resolutions ``visible`` lists, by name: the tracker's owner filter."""
    rows = session.execute(select(User.id, User.name).where(User.id.in_(select(Resolution.owner_id).where(visible)))
                           .order_by(User.name))
    return [Owner(i, n) for i, n in rows]


def items_waiting_for_view(session: Session, office: str) -> int:
    """Important items still proposed on which ``office`` (书记, 校长) has given no view."""
    given = select(ItemView.item_id).where(ItemView.office == office)
    return session.scalar(select(func.count(Item.id)).where(
        Item.state == ItemState.PROPOSED.value, Item.important.is_(True), Item.id.not_in(given))) or 0


def minutes_to_sign(session: Session, user_id: int, signable: ColumnElement[bool]) -> list[Meeting]:
    """Closed meetings that ``signable`` lists (``meeting.sign``'s listing) whose minutes wait
    for this user's signature as recorder, or as supervisor once the recorder has signed."""
    return list(session.scalars(select(Meeting).where(
        signable, Meeting.state == MeetingState.CLOSED.value,
        ((Meeting.recorder_id == user_id) & Meeting.recorder_signed_at.is_(None))
        | ((Meeting.supervisor_id == user_id) & Meeting.supervisor_signed_at.is_(None)
           & Meeting.recorder_signed_at.is_not(None)))
        .order_by(Meeting.held_on, Meeting.id)))


# Built once (issue 23), run with ``{"item_id": id}`` / ``{"resolution_id": id}``: building and
# keying statements with loader options cost more than running them.
ITEM = select(Item).where(Item.id == bindparam("item_id")).options(
    joinedload(Item.proposer), selectinload(Item.views), selectinload(Item.evidence),
    joinedload(Item.meeting), selectinload(Item.stances), selectinload(Item.resolutions),
)


RESOLUTION = select(Resolution).where(Resolution.id == bindparam("resolution_id")).options(
    joinedload(Resolution.owner), selectinload(Resolution.co_owners), selectinload(Resolution.milestones),
    selectinload(Resolution.reports), selectinload(Resolution.urgings),
    joinedload(Resolution.item).joinedload(Item.meeting),
)


def changed_resolution(session: Session, res: Resolution) -> Resolution | None:
    """The resolution ``res`` changed on reconsideration (复议): the one its item reconsidered."""
    item = res.item
    if item is None or item.reconsiders_id is None:
        return None
    return session.get(Resolution, item.reconsiders_id)


def successors(session: Session, res: Resolution) -> list[Resolution]:
    """The resolutions made by the item that changed ``res`` on reconsideration."""
    if res.changed_by_item_id is None:
        return []
    return list(session.scalars(select(Resolution).where(Resolution.item_id == res.changed_by_item_id)
                                .order_by(Resolution.id)))


def opinions(session: Session, kind: str, subject_id: int) -> list[Any]:
    """The supervision opinions (监督意见) on one meeting, item or resolution, with their answers."""
    from portal.decisions.models import SupervisionOpinion

    return list(session.scalars(select(SupervisionOpinion).where(
        SupervisionOpinion.subject_kind == kind, SupervisionOpinion.subject_id == subject_id)
        .order_by(SupervisionOpinion.at, SupervisionOpinion.id)))


# --- 党务公开 -------------------------------------------------------------------------------

def party_decision_events(session: Session) -> list[tuple[str, date, Any]]:
    """The events the 党务公开 item for Party-meeting decisions must disclose: every Party
    meeting's resolution that may go out (public or staff), the day it was decided, and when
    its notice was published (None: not yet)."""
    from portal.disclosure.models import Notice

    rows = session.execute(
        select(Resolution.title, Resolution.decided_on, Notice.published_at)
        .outerjoin(Notice, Notice.id == Resolution.notice_id)
        .where(Resolution.kind == ResolutionKind.RESOLUTION.value, Resolution.body == MeetingBody.PARTY.value,
               Resolution.visibility.in_([Visibility.PUBLIC.value, Visibility.STAFF.value]))
        .order_by(Resolution.decided_on, Resolution.id)).tuples().all()
    return [(title, day, published) for title, day, published in rows]


def party_catalogue_items(session: Session) -> list[Any]:
    """Active 党务公开 catalogue items, the one receiving Party-meeting decisions first."""
    from portal.disclosure.models import CatalogItem

    return list(session.scalars(select(CatalogItem).where(CatalogItem.channel == "party", CatalogItem.active.is_(True))
                                .order_by((CatalogItem.receives == "party_decision").desc(), CatalogItem.position,
                                          CatalogItem.id)))


def notice_origins(session: Session, series_id: int) -> list[tuple[Any, str, dict[str, Any]]]:
    """The Party-meeting resolution a 党务公开 notice (any version of it) was published from."""
    found = session.execute(select(Resolution.id, Resolution.title).where(Resolution.notice_id == series_id)).first()
    if found is None:
        return []
    return [(Message(N_("本公告公开的是党组织会议决议：%(title)s"), title=found.title), "decisions.resolution",
             {"resolution_id": found.id})]


# --- the tracker --------------------------------------------------------------------------

R = TypeVar("R")


@dataclass
class TrackerRow(Generic[R]):
    """A tracked resolution (``R``: the ORM entity, or a :class:`ResolutionLine` of plain
    columns) with its owner, last report, counts, next report date and status."""

    resolution: R
    owner_name: str
    last_report: date | None
    reports: int
    urgings: int
    next_due: date | None
    status: TrackStatus
    warn: bool
    meeting_title: str


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    body: str | None = None
    owner_id: int | None = None
    status: str | None = None
    kind: str | None = ResolutionKind.RESOLUTION.value

    @property
    def regular_reports(self) -> bool:
        """The principal's regular reports to the Party committee, not the meetings' resolutions."""
        return self.kind == ResolutionKind.REGULAR_REPORT.value


def _last_report() -> Any:
    return (select(func.max(Report.filed_on)).where(Report.resolution_id == Resolution.id)
            .correlate(Resolution).scalar_subquery())


def _report_count() -> Any:
    return (select(func.count(Report.id)).where(Report.resolution_id == Resolution.id)
            .correlate(Resolution).scalar_subquery())


def _urge_count() -> Any:
    return (select(func.count(Urging.id)).where(Urging.resolution_id == Resolution.id, Urging.kind == "urge")
            .correlate(Resolution).scalar_subquery())


def _tracker_query(columns: tuple[Any, ...], visible: Any, filters: Filters) -> Select[Any]:
    """The tracker's one query: ``columns`` of each visible resolution, then its owner's name,
    last report, report and urging counts and meeting title, newest decision first."""
    query = (
        select(*columns, User.name, _last_report(), _report_count(), _urge_count(), Meeting.title)
        .join(User, User.id == Resolution.owner_id)
        .outerjoin(Item, Item.id == Resolution.item_id)
        .outerjoin(Meeting, Meeting.id == Item.meeting_id)
        .where(visible)
        .order_by(Resolution.decided_on.desc(), Resolution.id.desc())
    )
    if filters.kind:
        query = query.where(Resolution.kind == filters.kind)
    if filters.year:
        query = query.where(Resolution.decided_on >= date(filters.year, 1, 1),
                            Resolution.decided_on <= date(filters.year, 12, 31))
    if filters.body:
        query = query.where(Resolution.body == filters.body)
    if filters.owner_id:
        query = query.where(Resolution.owner_id == filters.owner_id)
    return query


def _tracked(res: Any, today: date, last: date | None, filters: Filters) -> tuple[date | None, TrackStatus] | None:
    """A row's next report date and status; None when the status filter leaves it out."""
    due = next_report_due(res.cadence, res.starts_on, last, res.deadline)
    status = track_status(res.state, today, res.deadline, due)
    if filters.status and status.value != filters.status:
        return None
    return due, status


def _track(session: Session, columns: tuple[Any, ...], make: Callable[[Any], R], visible: Any, today: date,
           filters: Filters) -> list[TrackerRow[R]]:
    """The tracker's query of ``columns``, each resolution made by ``make(its columns)``, with
    its status; rows the status filter leaves out are dropped."""
    width = len(columns)
    rows = []
    for row in session.execute(_tracker_query(columns, visible, filters)):
        res = make(row[:width])
        owner, last, reports, urgings, meeting_title = row[width:]
        tracked = _tracked(res, today, last, filters)
        if tracked is not None:
            due, status = tracked
            rows.append(TrackerRow(res, owner, last, reports or 0, urgings or 0, due, status,
                                   due_soon(today, due, status), meeting_title or ""))
    return rows


def tracker_rows(session: Session, visible: Any, today: date,
                 filters: Filters = Filters()) -> list[TrackerRow[Resolution]]:
    """Every visible resolution (the ORM entity) with its owner, last report, urgings and
    status: one query. Pages that only list them read :func:`tracker_lines`."""
    return _track(session, (Resolution,), lambda cols: cols[0], visible, today, filters)


class ResolutionLine(NamedTuple):
    """The columns of a resolution that the tracker, its figures and its spreadsheet show."""

    id: int
    title: str
    body: str
    owner_id: int
    cadence: str
    state: str
    decided_on: date
    starts_on: date | None
    deadline: date | None


LINE_COLUMNS = tuple(getattr(Resolution, name) for name in ResolutionLine._fields)


TrackerLine = TrackerRow[ResolutionLine]  # the tracker page and its spreadsheet: hundreds counted, fifty shown


def tracker_lines(session: Session, visible: Any, today: date, filters: Filters = Filters()) -> list[TrackerLine]:
    """What :func:`tracker_rows` reads, as plain columns: the same query, rows and order."""
    return _track(session, LINE_COLUMNS, lambda cols: ResolutionLine(*cols), visible, today, filters)


@dataclass
class Figures:
    open: int = 0
    done: int = 0
    overdue: int = 0
    changed: int = 0
    urgings: int = 0
    on_time: OnTime = OnTime(0, 0)
    per_owner: list[tuple[str, OnTime, int]] = field(default_factory=list)  # name, on-time share, urgings


def figures(session: Session, rows: list[TrackerRow[Any]], today: date) -> Figures:
    """The headline figures over ``rows``; their reports of the last 12 months in one query.
    The on-time share counts each report filed in the window, and each report missing now."""
    fig = Figures()
    missing: dict[int, int] = {}
    urged: dict[int, int] = {}
    names: dict[int, str] = {}
    for r in rows:
        if r.status is TrackStatus.DONE:
            fig.done += 1
        elif r.status is TrackStatus.CHANGED:
            fig.changed += 1
        else:
            fig.open += 1
        fig.overdue += r.status in OVERDUE
        fig.urgings += r.urgings
        owner = r.resolution.owner_id
        names[owner] = r.owner_name
        missing[owner] = missing.get(owner, 0) + (r.status is TrackStatus.REPORT_LATE)
        urged[owner] = urged.get(owner, 0) + r.urgings
    ids = [r.resolution.id for r in rows]
    since = add_months(today, -12)
    reports = session.execute(
        select(Resolution.owner_id, Report.filed_on, Report.on_time)
        .join(Resolution, Resolution.id == Report.resolution_id)
        .where(Report.resolution_id.in_(ids), Report.filed_on > since, Report.filed_on <= today)
    ).tuples().all() if ids else []
    by_owner: dict[int, list[tuple[date, bool]]] = {o: [] for o in names}
    for owner, filed, ok in reports:
        by_owner[owner].append((filed, ok))
    fig.on_time = on_time_share([(f, ok) for _o, f, ok in reports], sum(missing.values()), today)
    fig.per_owner = sorted(
        ((names[o], on_time_share(by_owner[o], missing[o], today), urged[o]) for o in names), key=lambda t: t[0])
    return fig


def tracker_years(session: Session, visible: Any) -> list[int]:
    """The years of the first and last visible decision, newest first (one query)."""
    found = session.execute(select(func.min(Resolution.decided_on), func.max(Resolution.decided_on))
                            .where(visible)).first()
    days, last = found if found is not None else (None, None)
    if days is None or last is None:
        return []
    return list(range(last.year, days.year - 1, -1))


# --- the report to the congress -------------------------------------------------------

def congress_rows(session: Session, since: date, today: date) -> list[TrackerRow]:
    """Resolutions touching staff interests decided since ``since``: staff and public ones only
    (an internal resolution never reaches the congress report)."""
    visible = Resolution.visibility.in_([Visibility.PUBLIC.value, Visibility.STAFF.value]) \
        & Resolution.staff_interest.is_(True) & (Resolution.decided_on >= since)
    return list(reversed(tracker_rows(session, visible, today)))


def reports_of(session: Session, resolution_ids: list[int]) -> dict[int, list[Report]]:
    found: dict[int, list[Report]] = {i: [] for i in resolution_ids}
    if resolution_ids:
        for report in session.scalars(select(Report).where(Report.resolution_id.in_(resolution_ids))
                                      .order_by(Report.filed_at)):
            found[report.resolution_id].append(report)
    return found


def papers_of(session: Session, meeting_ids: list[int]) -> dict[int, list[MeetingPaper]]:
    """Each meeting's papers (会议材料), in upload order, with the item each belongs to."""
    found: dict[int, list[MeetingPaper]] = {i: [] for i in meeting_ids}
    if meeting_ids:
        for paper in session.scalars(select(MeetingPaper).where(MeetingPaper.meeting_id.in_(meeting_ids))
                                     .order_by(MeetingPaper.id)):
            found[paper.meeting_id].append(paper)
    return found


# --- minutes --------------------------------------------------------------------------

BODY_NAMES = {MeetingBody.PARTY.value: N_("党组织会议"), MeetingBody.OFFICE.value: N_("校长办公会议"),
              MeetingBody.JOINT.value: N_("党政联席会议")}
STANCE_NAMES = {StanceKind.AGREE.value: N_("同意"), StanceKind.DISAGREE.value: N_("不同意"),
                StanceKind.DEFER.value: N_("缓议"), StanceKind.REMARK.value: N_("列席发言")}
METHOD_NAMES = {"oral": N_("口头表决"), "hands": N_("举手表决"), "named": N_("记名投票"), "secret": N_("无记名投票")}
ATTENDANCE_NAMES = {Attendance.PRESENT.value: N_("出席"), Attendance.ABSENT.value: N_("缺席"),
                    Attendance.NONVOTING.value: N_("列席")}
OUTCOME_NAMES = {ItemState.PASSED.value: N_("通过"), ItemState.REJECTED.value: N_("未通过"),
                 ItemState.DEFERRED.value: N_("缓议"), ItemState.FORWARDED.value: N_("提交党组织会议决定"),
                 ItemState.SCHEDULED.value: N_("待议"), ItemState.PROPOSED.value: N_("待上会")}


def minutes_lines(meeting: Meeting, names: dict[int, str]) -> list[Message]:
    """The 会议记录, assembled from the records and the recorder's text, as marked messages (Chinese as stored and
    hashed; translated when shown)."""
    def name(user_id: int | None) -> str:
        return names.get(user_id or 0, "—")

    proc = meeting.procedure
    lines = [
        Message(N_("会议：%(title)s（%(body)s）"), title=meeting.title, body=Message(BODY_NAMES[meeting.body])),
        Message(N_("日期：%(day)s；议事规则：第 %(version)d 版（%(adopted)s 通过）"), day=meeting.held_on.isoformat(),
                version=proc.version, adopted=proc.adopted_on.isoformat()),
        Message(N_("主持人：%(chair)s；记录员：%(recorder)s；监督员：%(supervisor)s"), chair=name(meeting.chair_id),
                recorder=name(meeting.recorder_id), supervisor=name(meeting.supervisor_id)),
    ]
    if meeting.chair_note:
        lines.append(Message(N_("主持说明：%(note)s"), note=meeting.chair_note))
    for a in meeting.attendance:
        lines.append(Message(N_("%(name)s：%(kind)s%(reason)s"), name=name(a.user_id),
                             kind=Message(ATTENDANCE_NAMES[a.kind]), reason=f"（{a.reason}）" if a.reason else ""))
    if meeting.papers_sent_at:
        lines.append(Message(N_("会议材料送达：%(at)s"), at=to_local(meeting.papers_sent_at).strftime("%Y-%m-%d %H:%M")))
    for n, item in enumerate(meeting.items, 1):
        lines.append(Message(N_("议题 %(n)d：%(title)s（提出人：%(proposer)s）"), n=n, title=item.title,
                             proposer=name(item.proposer_id)))
        if item.reconsiders_id is not None:
            lines.append(Message(N_("  复议：变更第 %(id)d 号决议"), id=item.reconsiders_id))
        if item.discussion:
            lines.append(Message(N_("  讨论情况：%(text)s"), text=item.discussion))
        for s in item.stances:
            lines.append(Message(N_("  %(seq)d. %(name)s：%(stance)s%(reason)s"), seq=s.seq, name=name(s.user_id),
                                 stance=Message(STANCE_NAMES[s.stance]), reason=f"——{s.reason}" if s.reason else ""))
        if item.vote_method:
            lines.append(Message(N_("  表决方式：%(method)s；赞成 %(yes)d，反对 %(no)d，弃权 %(abstain)d"),
                                 method=Message(METHOD_NAMES[item.vote_method]), yes=item.votes_yes or 0,
                                 no=item.votes_no or 0, abstain=item.votes_abstain or 0))
            if item.ballot_digest:
                lines.append(Message(N_("    票箱校验码（SHA-256）：%(digest)s"), digest=item.ballot_digest))
            for v in item.named_votes:
                lines.append(Message(N_("    %(name)s：%(choice)s"), name=name(v.user_id), choice=v.choice))
        for line in item.result_text.splitlines():
            lines.append(Message(N_("  %(line)s"), line=line))
        lines.append(Message(N_("  结果：%(outcome)s%(decision)s"), outcome=Message(OUTCOME_NAMES[item.state]),
                             decision=f"——{item.decision}" if item.decision else ""))
        for res in item.resolutions:
            lines.append(Message(N_("  决议：%(title)s（责任人：%(owner)s；期限：%(deadline)s）"), title=res.title,
                                 owner=name(res.owner_id), deadline=res.deadline.isoformat() if res.deadline else "—"))
    if meeting.minutes_remarks:
        lines.append(Message(N_("列席人员发言及其他事项：%(text)s"), text=meeting.minutes_remarks))
    return lines


def minutes_text(meeting: Meeting, names: dict[int, str]) -> str:
    return "\n".join(str(line) for line in minutes_lines(meeting, names))


def agenda_queue(session: Session, meeting: Meeting) -> list[Item]:
    """The proposed items that may go on this meeting's agenda while it is being set (a joint
    meeting takes the office meeting's too), oldest first."""
    if not MEETING_FLOW.allows(meeting, "schedule"):
        return []
    bodies = [meeting.body] + ([MeetingBody.OFFICE.value] if meeting.body == MeetingBody.JOINT.value else [])
    return list(session.scalars(select(Item).where(Item.state == ItemState.PROPOSED.value, Item.body.in_(bodies))
                                .order_by(Item.created_at)))


def names_for(session: Session, meeting: Meeting) -> dict[int, str]:
    ids = {a.user_id for a in meeting.attendance} | {i.proposer_id for i in meeting.items}
    ids |= {u for u in (meeting.chair_id, meeting.recorder_id, meeting.supervisor_id) if u}
    ids |= {r.owner_id for i in meeting.items for r in i.resolutions}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).tuples().all()) if ids else {}


def open_state(res: Resolution) -> bool:
    return res.state in (ResolutionState.OPEN.value, ResolutionState.AWAITING_APPROVAL.value)


# --- the self-check for inspection (自查) ---------------------------------------------------

@dataclass
class BodyCheck:
    body: str
    meetings: list[Meeting]
    cadence_unit: str
    cadence_days: int
    expected: int  # meetings the cadence asks for over the period (whole periods ended by its end)
    gaps: list[tuple[date, date]]  # calendar months (weeks) without a meeting, or intervals over the cadence
    papers_late: list[Meeting]  # papers sent later than the lead time (or not at all)
    decided: list[Item]  # items decided, each with its stances in order

    @property
    def important(self) -> list[Item]:
        return [i for i in self.decided if i.important]

    @property
    def stances(self) -> int:
        return sum(len(i.stances) for i in self.decided)


@dataclass
class SelfCheck:
    year: int
    start: date
    end: date
    bodies: list[BodyCheck]
    resolutions: list[TrackerRow]
    figures: Figures
    reconsidered: int


def self_check(session: Session, year: int, today: date) -> SelfCheck:
    """What an inspection asks of the system for one school year (1 September – 31 August):
    meetings per body against their cadence, lead time, decided items with their preconditions
    and stances, resolutions with the on-time share of their reports, urgings, reconsiderations."""
    from portal.decisions.rules.meetings import papers_late
    from portal.decisions.rules.procedure import PROCEDURE_BODIES, current_procedure, missed_periods, periods_in

    start, end = date(year, 9, 1), min(date(year + 1, 8, 31), today)
    held = session.scalars(
        select(Meeting).options(joinedload(Meeting.procedure), joinedload(Meeting.recorder),
                                joinedload(Meeting.supervisor),
                                selectinload(Meeting.items).options(selectinload(Item.stances), selectinload(Item.evidence)))
        .where(Meeting.held_on >= start, Meeting.held_on <= end,
               Meeting.state.in_(["closed", "signed"])).order_by(Meeting.held_on)).all()
    bodies = []
    for body in (*PROCEDURE_BODIES, MeetingBody.JOINT.value):
        mine = [m for m in held if m.body == body]
        proc = current_procedure(session, body, end) if body != MeetingBody.JOINT.value else None
        unit, days = (proc.cadence_unit, proc.cadence_days) if proc else ("", 0)
        since = max(start, proc.adopted_on) if proc else start
        gaps = missed_periods([m.held_on for m in mine], since, end, unit, days) if proc else []
        decided = [i for m in mine for i in m.items if i.decided_at is not None]
        bodies.append(BodyCheck(
            body, mine, unit, days, periods_in(since, end, unit, days) if proc else 0, gaps,
            [m for m in mine if papers_late(m, m.procedure.lead_days)], decided))
    visible = (Resolution.kind == ResolutionKind.RESOLUTION.value) & (Resolution.decided_on >= start) \
        & (Resolution.decided_on <= end)
    rows = tracker_rows(session, visible, today, Filters(kind=None))
    return SelfCheck(year, start, end, bodies, rows, figures(session, rows, today),
                     sum(1 for r in rows if r.status is TrackStatus.CHANGED))
