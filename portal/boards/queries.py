"""What a board shows: only what anyone may see (the anonymous reader's own filters, never a
signed-in one's), gathered into plain rows per slide; the ETag that changes exactly when that
can change; the series the charts draw. No Flask: links come from a ``link(endpoint, **values)``
function the view passes (absolute, on ``PUBLIC_URL``)."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from portal.audit.models import AuditEvent
from portal.auth.permissions import Context
from portal.boards.models import Board, Slide
from portal.congress.queries import public_results, result_of
from portal.org.roster import current_term
from portal.counting import Translate
from portal.decisions import queries as dq
from portal.decisions.models import Report, Resolution
from portal.decisions.permissions import visible_resolutions
from portal.decisions.rules.tracker import add_months
from portal.disclosure import queries as nq
from portal.disclosure.models import Channel, Notice
from portal.proposals.models import Proposal, Rating, Status as ProposalStatus
from portal.timeutil import to_local

Link = Callable[..., str]
LATEST = 5  # items per list on a slide (a screen cannot scroll)
TITLE_MAX = 40  # characters of a title on a slide before "…" (the QR code opens the rest)


def shorten(text: str, limit: int = TITLE_MAX) -> tuple[str, bool]:
    """``text`` cut to ``limit`` characters with "…", and whether it was cut."""
    text = " ".join(text.split())
    return (text, False) if len(text) <= limit else (text[:limit - 1] + "…", True)


@dataclass
class Line:
    title: str
    cut: bool  # shortened: the slide says 扫码查看全文
    url: str  # absolute: the QR code's target
    meta: list[Any] = field(default_factory=list)


@dataclass
class GongshiLine(Line):
    days: int = 0
    hours: int = 0
    ends: datetime | None = None


@dataclass
class TrackerFigures:
    open: int
    done: int
    overdue: int
    on_time: str
    latest: list[Line]
    url: str


@dataclass
class CongressFigures:
    results: list[Line]
    results_url: str
    proposals: dict[str, int]  # total, accepted, answered, satisfied
    term: str


@dataclass
class Series:
    """What the charts draw, all public: reports on time per month (12 months), the tracker
    by state and per owner, proposals by state and by rating (current term)."""

    months: list[tuple[str, int, int]]  # label, on time, filed
    by_state: list[tuple[str, int]]
    per_owner: list[tuple[str, int, int]]  # name, on time, due
    owner_months: list[tuple[str, list[tuple[str, int, int]]]]  # name, and its months as ``months``
    proposal_states: list[tuple[str, int]]
    proposal_ratings: list[tuple[str, int]]


@dataclass
class Deck:
    slides: list[str]  # the board's slides that have something to show, in order
    gongshi: list[GongshiLine]
    notices: dict[str, list[Line]]
    tracker: TrackerFigures | None
    congress: CongressFigures | None
    series: Series | None
    chain: tuple[int, str, str]


# --- the ETag --------------------------------------------------------------------------------

@dataclass(frozen=True)
class BoardKey:
    """What an unchanged board's poll needs to answer 304: its settings as plain values
    (kept per worker and data version, see ``views.screen``)."""

    id: int
    token: str
    name: str
    orientation: str
    slides: str
    dwell_seconds: int
    quiet_start: time | None
    quiet_end: time | None
    quiet_weekends: bool


def board_key(session: Session, token: str) -> BoardKey | None:
    """The board at this address as plain values, or None."""
    row = session.execute(
        select(Board.id, Board.token, Board.name, Board.orientation, Board.slides, Board.dwell_seconds,
               Board.quiet_start, Board.quiet_end, Board.quiet_weekends).where(Board.token == token)
    ).first()
    return BoardKey(*row) if row else None


def etag(board: BoardKey | Board, version: int, now: datetime, quiet: bool, variant: str, passed: int = 0) -> str:
    """Changes exactly when what the board shows may change: its settings and address, the
    data (every state change moves the audit head), the 公示 windows opened or closed by the
    clock since that data version (``passed``, see :func:`boundaries_passed`), the
    school-time hour (the countdowns), quiet hours, the language and page-or-fragment
    (``variant``)."""
    local = to_local(now)
    key = [board.id, board.token, board.orientation, board.slides, board.dwell_seconds, board.name,
           version, passed, local.strftime("%Y-%m-%d %H"), quiet, variant]
    return hashlib.sha256(json.dumps(key).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Boundaries:
    """The moments after ``since`` at which a public 公示 window opens or closes: with no other
    change, the 公示 slide changes exactly then (kept per worker and data version)."""

    starts: tuple[datetime, ...]
    ends: tuple[datetime, ...]


def gongshi_boundaries(session: Session, since: datetime) -> Boundaries:
    """The openings and closings still to come of the public 公示 windows, by the same filter
    as the slide (:func:`gongshi_lines`)."""
    rows = session.execute(
        select(Notice.gongshi_start, Notice.gongshi_end)
        .where(nq.visible(None, ctx=Context.for_session(session, since)), Notice.gongshi_end >= since)
    ).all()
    return Boundaries(tuple(sorted(s for s, _e in rows if s is not None and s > since)),
                      tuple(sorted(e for _s, e in rows if e is not None)))


def boundaries_passed(bounds: Boundaries, now: datetime) -> int:
    """How many of ``bounds`` the clock has passed: a window is shown from its start to its
    end inclusive (``gongshi_start <= now <= gongshi_end``), so it leaves just after its end."""
    return sum(1 for s in bounds.starts if s <= now) + sum(1 for e in bounds.ends if e < now)


# --- the slides ---------------------------------------------------------------------------------

def gongshi_lines(session: Session, ctx: Context, link: Link) -> list[GongshiLine]:
    rows = session.scalars(
        select(Notice).options(joinedload(Notice.catalog_item), *nq.LIST_DEFERRED)
        .where(nq.visible(None, ctx=ctx), Notice.gongshi_start <= ctx.now, Notice.gongshi_end >= ctx.now)
        .order_by(Notice.gongshi_end).limit(LATEST)
    ).all()
    lines = []
    for n in rows:
        assert n.gongshi_end is not None  # the query asked for a window
        left = n.gongshi_end - ctx.now
        title, cut = shorten(n.title)
        lines.append(GongshiLine(title, cut, link("disclosure.show", notice_id=n.id), [n.catalog_item.name],
                                 left.days, left.seconds // 3600, n.gongshi_end))
    return lines


def notice_lines(session: Session, ctx: Context, link: Link) -> dict[str, list[Line]]:
    found: dict[str, list[Line]] = {}
    for channel in Channel:
        rows = session.scalars(nq.notice_list(None, channel.value).limit(LATEST)).all()
        found[channel.value] = [Line(*shorten(n.title), link("disclosure.show", notice_id=n.id),
                                     [to_local(n.published_at).strftime("%Y-%m-%d") if n.published_at else ""])
                           for n in rows]
    return found


def tracker_figures(session: Session, ctx: Context, today: date, link: Link) -> tuple[TrackerFigures, list[dq.TrackerRow]]:
    rows = dq.tracker_rows(session, visible_resolutions(None, ctx), today)
    fig = dq.figures(session, rows, today)
    ids = [r.resolution.id for r in rows]
    latest = session.execute(
        select(Report.filed_on, Report.percent, Resolution.id, Resolution.title)
        .join(Resolution, Resolution.id == Report.resolution_id)
        .where(Report.resolution_id.in_(ids)).order_by(Report.filed_at.desc(), Report.id.desc()).limit(LATEST)
    ).tuples().all() if ids else []
    lines = [Line(*shorten(title), link("decisions.resolution", resolution_id=rid), [filed, percent])
             for filed, percent, rid, title in latest]
    return TrackerFigures(fig.open, fig.done, fig.overdue, fig.on_time.percent, lines, link("decisions.tracker")), rows


def congress_figures(session: Session, today: date, link: Link, translate: Translate) -> CongressFigures:
    polls = session.scalars(public_results().limit(3)).all()
    results = []
    for poll in polls:
        outcome = result_of(session, poll, translate)
        title, cut = shorten(poll.title)
        # a motion's verdict with its votes; an election's "当选 N 人：…" (the last line of each)
        results.append(Line(title, cut, link("congress.show_poll", poll_id=poll.id),
                            [outcome.passed if outcome else None, outcome.lines[-1] if outcome and outcome.lines else ""]))
    term = current_term(session, today)
    counts = proposal_counts(session, term.id if term else None)
    return CongressFigures(results, link("congress.public_results"), counts, term.name if term else "")


def proposal_counts(session: Session, term_id: int | None) -> dict[str, int]:
    """Handling figures of a term's proposals on record: how many, accepted (立案 and on),
    answered, rated satisfied. Counts only: no title or name of a proposal is public."""
    if term_id is None:
        return {"total": 0, "accepted": 0, "answered": 0, "satisfied": 0}
    on_record = (Proposal.term_id == term_id) & (Proposal.status != ProposalStatus.DRAFT.value)
    by_status = dict(session.execute(select(Proposal.status, func.count()).where(on_record)
                                     .group_by(Proposal.status)).tuples().all())
    satisfied = session.scalar(select(func.count()).where(on_record, Proposal.rating == Rating.SATISFIED.value)) or 0
    accepted = sum(by_status.get(s.value, 0) for s in (ProposalStatus.ACCEPTED, ProposalStatus.ASSIGNED,
                                                       ProposalStatus.ANSWERED, ProposalStatus.CLOSED))
    answered = sum(by_status.get(s.value, 0) for s in (ProposalStatus.ANSWERED, ProposalStatus.CLOSED))
    return {"total": sum(by_status.values()), "accepted": accepted, "answered": answered, "satisfied": satisfied}


def series(session: Session, ctx: Context, today: date, rows: list[dq.TrackerRow] | None = None,
           visible: Any = None) -> Series:
    """The charts' figures over what ``visible`` lets one see (the public by default)."""
    visible = visible_resolutions(None, ctx) if visible is None else visible
    rows = dq.tracker_rows(session, visible, today) if rows is None else rows
    first = add_months(today.replace(day=1), -11)
    filed = session.execute(
        select(Report.filed_on, Report.on_time, Resolution.owner_id)
        .join(Resolution, Resolution.id == Report.resolution_id)
        .where(visible, Report.filed_on >= first, Report.filed_on <= today)
    ).tuples().all()
    starts = [add_months(first, i) for i in range(12)]

    def by_month(reports: list[tuple[date, bool]]) -> list[tuple[str, int, int]]:
        found = []
        for start in starts:
            got = [ok for day, ok in reports if (day.year, day.month) == (start.year, start.month)]
            found.append((f"{start.year % 100:02d}/{start.month:02d}", sum(got), len(got)))
        return found

    months = by_month([(day, ok) for day, ok, _o in filed])
    states: dict[str, int] = {}
    for r in rows:
        states[r.status.value] = states.get(r.status.value, 0) + 1
    names = {r.resolution.owner_id: r.owner_name for r in rows}
    owners: dict[int, list[int]] = {}
    for _day, ok, owner in filed:
        tally = owners.setdefault(owner, [0, 0])
        tally[0] += ok
        tally[1] += 1
    per_owner = sorted((names.get(o, "—"), t[0], t[1]) for o, t in owners.items())
    owner_months = sorted((names.get(o, "—"), by_month([(day, ok) for day, ok, who in filed if who == o]))
                          for o in owners)
    term = current_term(session, today)
    p_states: list[tuple[str, int]] = []
    p_ratings: list[tuple[str, int]] = []
    if term is not None:
        on_record = (Proposal.term_id == term.id) & (Proposal.status != ProposalStatus.DRAFT.value)
        got_states = dict(session.execute(select(Proposal.status, func.count()).where(on_record)
                                          .group_by(Proposal.status)).tuples().all())
        p_states = [(s.value, got_states.get(s.value, 0)) for s in ProposalStatus if s is not ProposalStatus.DRAFT]
        got_ratings = dict(session.execute(select(Proposal.rating, func.count()).where(on_record, Proposal.rating != "")
                                           .group_by(Proposal.rating)).tuples().all())
        p_ratings = [(r.value, got_ratings.get(r.value, 0)) for r in Rating]
    return Series(months, sorted(states.items()), per_owner, owner_months, p_states, p_ratings)


def chain_head_at(session: Session) -> tuple[int, str, str]:
    """The audit chain's head: sequence number, hash, and when (school time, to the minute)."""
    row = session.execute(select(AuditEvent.seq, AuditEvent.hash, AuditEvent.at)
                          .order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (row.seq, row.hash, to_local(row.at).strftime("%Y-%m-%d %H:%M")) if row else (0, "0" * 64, "")


def deck(session: Session, board: Board, ctx: Context, link: Link, translate: Translate) -> Deck:
    """Everything the board's chosen slides show, skipping those with nothing to show."""
    wanted = board.slide_codes
    today = to_local(ctx.now).date()
    gongshi = gongshi_lines(session, ctx, link) if Slide.GONGSHI.value in wanted else []
    notices = notice_lines(session, ctx, link) if Slide.NOTICES.value in wanted else {}
    tracker, rows = tracker_figures(session, ctx, today, link) \
        if {Slide.TRACKER.value, Slide.CHARTS.value} & set(wanted) else (None, [])
    congress = congress_figures(session, today, link, translate) if Slide.CONGRESS.value in wanted else None
    chart_series = series(session, ctx, today, rows) \
        if {Slide.CHARTS.value, Slide.CONGRESS.value} & set(wanted) else None
    chain = chain_head_at(session)
    has = {
        Slide.GONGSHI.value: bool(gongshi),
        Slide.NOTICES.value: any(notices.values()),
        Slide.TRACKER.value: bool(tracker and (tracker.open or tracker.done or tracker.latest)),
        Slide.CONGRESS.value: bool(congress and (congress.results or congress.proposals["total"])),
        Slide.CHARTS.value: bool(chart_series and (any(d for _l, _o, d in chart_series.months)
                                                   or chart_series.by_state
                                                   or any(n for _s, n in chart_series.proposal_states))),
        Slide.CHAIN.value: chain[0] > 0,
    }
    return Deck([s for s in wanted if has[s]], gongshi, notices, tracker if Slide.TRACKER.value in wanted else None,
                congress, chart_series, chain)


def boards_listing(session: Session) -> list[Board]:
    return list(session.scalars(select(Board).order_by(Board.name)))


def public_notice(session: Session, notice_id: int, ctx: Context) -> Notice | None:
    """A notice an anonymous visitor may read, with its catalogue item and author (a poster)."""
    return session.scalar(select(Notice).options(joinedload(Notice.catalog_item), joinedload(Notice.author))
                          .where(Notice.id == notice_id, nq.visible(None, ctx=ctx)))
