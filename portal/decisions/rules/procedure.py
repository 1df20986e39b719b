"""Rules of procedure (议事规则) as data: dated, versioned, adopted and filed (备案); the
thresholds they give the counting module; and whether a body has met within its cadence."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import counting
from portal.audit.rules import record
from portal.auth.models import User
from portal.db import refused_on_conflict
from portal.decisions.models import MajorKind, Meeting, MeetingBody, MeetingCadence, MeetingState, Procedure
from portal.decisions.rules import DecisionError
from portal.i18n import N_
from portal.org.models import BodyKind

# The defaults of DOMAIN.md: the Party meeting at least once a calendar month (党组织会议每月至少
#召开1次), the office meeting once a calendar week.
DEFAULT_CADENCE_UNIT = {MeetingBody.PARTY.value: MeetingCadence.MONTH.value,
                        MeetingBody.OFFICE.value: MeetingCadence.WEEK.value}
DEFAULT_CADENCE_DAYS = {MeetingBody.PARTY.value: 31, MeetingBody.OFFICE.value: 7}  # only for the "days" unit
DEFAULT_LEAD_DAYS = {MeetingBody.PARTY.value: 2, MeetingBody.OFFICE.value: 1}
# What the Party organization decides (its 权力清单 by default: every 三重一大 kind).
DEFAULT_POWERS = {
    MeetingBody.PARTY.value: ",".join(k.value for k in MajorKind if k is not MajorKind.NONE),
    MeetingBody.OFFICE.value: MajorKind.NONE.value,
}
PROCEDURE_BODIES = (MeetingBody.PARTY.value, MeetingBody.OFFICE.value)


def procedure_body(body: str) -> str:
    """Whose rules a meeting follows: a joint meeting decides only what the office meeting may."""
    return MeetingBody.PARTY.value if body == MeetingBody.PARTY.value else MeetingBody.OFFICE.value


def seat_body(body: str) -> list[BodyKind]:
    """The bodies whose members vote (state a stance) at a meeting of ``body``."""
    if body == MeetingBody.PARTY.value:
        return [BodyKind.PARTY_COMMITTEE]
    if body == MeetingBody.OFFICE.value:
        return [BodyKind.ADMIN_TEAM]
    return [BodyKind.PARTY_COMMITTEE, BodyKind.ADMIN_TEAM]


def counting_rules(proc: Procedure) -> counting.BodyRules:
    """The counting module's rules for a version of the rules of procedure."""
    kind = counting.BodyKind.PARTY if proc.body == MeetingBody.PARTY.value else counting.BodyKind.OFFICE
    base = counting.default_rules(kind)
    return replace(
        base,
        quorum=counting.Threshold(Fraction(proc.quorum_num, proc.quorum_den), proc.quorum_strict),
        important_quorum=counting.Threshold(Fraction(proc.important_num, proc.important_den), False),
        majority=counting.Threshold(Fraction(proc.majority_num, proc.majority_den), proc.majority_strict,
                                    base.majority.basis),
    )


def default_thresholds(body: str) -> tuple[tuple[int, int, bool], tuple[int, int]]:
    """The one set of defaults, the counting module's (from the seeds): the Party committee
    half to convene, two thirds for cadre appointments; the office meeting half of the
    administrative team (半数以上), with no two-thirds rule."""
    rules = counting.default_rules(counting.BodyKind.PARTY if body == MeetingBody.PARTY.value
                                   else counting.BodyKind.OFFICE)
    q, i = rules.quorum, rules.important_quorum
    return (q.fraction.numerator, q.fraction.denominator, q.strict), (i.fraction.numerator, i.fraction.denominator)


def current_procedure(session: Session, body: str, on: date | None = None) -> Procedure | None:
    """The version in force on ``on`` (the newest adopted on or before it)."""
    query = select(Procedure).where(Procedure.body == procedure_body(body))
    if on is not None:
        query = query.where(Procedure.adopted_on <= on)
    return session.scalar(query.order_by(Procedure.adopted_on.desc(), Procedure.version.desc()).limit(1))


def _check_fraction(num: int, den: int, strict: bool = False) -> None:
    if den < 1 or num < 1 or num > den or (strict and num == den):
        raise DecisionError(N_("比例须在 0 到 1 之间（现为 %(num)d/%(den)d）。"), num=num, den=den)


def adopt_procedure(
    session: Session, actor: User | None, body: str, *, adopted_on: date, filed_on: date | None = None,
    quorum: tuple[int, int, bool] | None = None, important: tuple[int, int] | None = None,
    majority: tuple[int, int, bool] = (1, 2, True), disagreement: tuple[int, int] = (1, 2),
    cadence_days: int | None = None, lead_days: int | None = None, powers: list[str] | None = None,
    note: str = "", cadence_unit: str | None = None,
) -> Procedure:
    """Adopt a new version of ``body``'s rules of procedure; earlier versions stay on record."""
    if body not in PROCEDURE_BODIES:
        raise DecisionError(N_("只有党组织会议和校长办公会议有议事规则。"))
    default_quorum, default_important = default_thresholds(body)
    quorum = default_quorum if quorum is None else quorum
    important = default_important if important is None else important
    _check_fraction(quorum[0], quorum[1], quorum[2])
    _check_fraction(*important)
    _check_fraction(majority[0], majority[1], majority[2])
    _check_fraction(*disagreement)
    unit = DEFAULT_CADENCE_UNIT[body] if cadence_unit is None else cadence_unit
    if unit not in {c.value for c in MeetingCadence}:
        raise DecisionError(N_("请选择开会周期。"))
    cadence = DEFAULT_CADENCE_DAYS[body] if cadence_days is None else cadence_days
    lead = DEFAULT_LEAD_DAYS[body] if lead_days is None else lead_days
    if not 1 <= cadence <= 366:
        raise DecisionError(N_("开会周期须在 1 到 366 天之间。"))
    if not 0 <= lead <= 30:
        raise DecisionError(N_("提前送达天数须在 0 到 30 天之间。"))
    if filed_on is not None and filed_on < adopted_on:
        raise DecisionError(N_("备案日期不能早于通过日期。"))
    chosen = powers if powers is not None else DEFAULT_POWERS[body].split(",")
    if any(p not in {k.value for k in MajorKind} for p in chosen):
        raise DecisionError(N_("权力清单中有未知的事项类别。"))
    version = (session.scalar(select(func.max(Procedure.version)).where(Procedure.body == body)) or 0) + 1
    proc = Procedure(
        body=body, version=version, adopted_on=adopted_on, filed_on=filed_on,
        quorum_num=quorum[0], quorum_den=quorum[1], quorum_strict=quorum[2],
        important_num=important[0], important_den=important[1],
        majority_num=majority[0], majority_den=majority[1], majority_strict=majority[2],
        disagreement_num=disagreement[0], disagreement_den=disagreement[1],
        cadence_unit=unit, cadence_days=cadence, lead_days=lead, powers=",".join(chosen), note=note,
        created_by_id=getattr(actor, "id", None),
    )
    with refused_on_conflict(session, DecisionError(N_("另一版议事规则刚刚通过，请刷新页面后再确认。"))):
        session.add(proc)
    record(session, actor, "procedure.adopted", proc, body=body, version=version, cadence=unit,
           adopted_on=adopted_on.isoformat(), filed_on=filed_on.isoformat() if filed_on else None)
    return proc


def ensure_procedure(session: Session, body: str, on: date) -> Procedure:
    """The version in force, or the defaults adopted on ``on`` when the body has none yet."""
    proc = current_procedure(session, body, on) or current_procedure(session, body)
    return proc or adopt_procedure(session, None, procedure_body(body), adopted_on=on)


# --- cadence by the calendar -------------------------------------------------------------------

def period_of(day: date, unit: str) -> tuple[date, date]:
    """The calendar period holding ``day``: its month, or its week (Monday to Sunday)."""
    if unit == MeetingCadence.MONTH.value:
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    if unit == MeetingCadence.WEEK.value:
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    raise ValueError(unit)


def missed_periods(held: list[date], since: date, until: date, unit: str,
                   cadence_days: int = 0) -> list[tuple[date, date]]:
    """The stretches in which the body should have met and did not.

    Calendar units: every whole month (or week) that starts on or after ``since`` and has
    ended by ``until`` with no meeting in it; the period ``until`` falls in is not over yet,
    and a period the rules were adopted in the middle of is not asked for. So a Party
    committee that met on 1 November has missed nothing on 7 December, and one that met on
    31 January and next on 3 March missed February.

    "days": each interval between ``since``, the meetings and ``until`` longer than
    ``cadence_days`` (start and end of the interval given)."""
    days = sorted(d for d in held if since <= d <= until)
    if unit == MeetingCadence.DAYS.value:
        points = [since, *days, until]
        return [(a, b) for a, b in zip(points, points[1:]) if cadence_days and (b - a).days > cadence_days]
    start, _end = period_of(since, unit)
    if start < since:  # adopted mid-period: that period is not asked for
        start = _end + timedelta(days=1)
    missed = []
    met = {period_of(d, unit)[0] for d in days}
    while True:
        first, last = period_of(start, unit)
        if last >= until:
            break
        if first not in met:
            missed.append((first, last))
        start = last + timedelta(days=1)
    return missed


def periods_in(since: date, until: date, unit: str, cadence_days: int = 0) -> int:
    """How many meetings the cadence asks for from ``since`` to ``until`` (whole periods ended by then)."""
    if unit == MeetingCadence.DAYS.value:
        return (until - since).days // cadence_days if cadence_days else 0
    return len(missed_periods([], since, until, unit))


def cadence_due(last_held: date | None, since: date, unit: str, cadence_days: int = 0) -> date:
    """The last day by which the next meeting must be held: the end of the current period when
    the body has not met in it, else the end of the next one ("days": ``cadence_days`` after
    the last meeting, or after the rules were adopted)."""
    start = last_held or since
    if unit == MeetingCadence.DAYS.value:
        return start + timedelta(days=cadence_days)
    if last_held is None:
        first, last = period_of(since, unit)
        return last if first == since else period_of(last + timedelta(days=1), unit)[1]
    return period_of(period_of(last_held, unit)[1] + timedelta(days=1), unit)[1]


@dataclass(frozen=True)
class CadenceStatus:
    body: str
    unit: str
    cadence_days: int
    last_held: date | None
    due: date | None  # the latest date the next meeting should be held by
    overdue: bool


def cadence_status(session: Session, today: date) -> list[CadenceStatus]:
    """For each body with rules: when it last met (a meeting held, not only planned) and
    whether it is overdue: a whole calendar period has passed without a meeting (or, for
    "days", the last day has passed)."""
    rows = []
    held = dict(session.execute(
        select(Meeting.body, func.max(Meeting.held_on))
        .where(Meeting.held_on <= today, Meeting.state.in_([MeetingState.CLOSED.value, MeetingState.SIGNED.value]))
        .group_by(Meeting.body)
    ).tuples().all())
    in_force: dict[str, Procedure] = {}
    for version in session.scalars(select(Procedure).where(Procedure.adopted_on <= today)
                                   .order_by(Procedure.adopted_on, Procedure.version)):
        in_force[version.body] = version  # the newest adopted by today wins
    for body in PROCEDURE_BODIES:
        if body not in in_force:
            continue
        proc = in_force[body]
        last = held.get(body)
        due = cadence_due(last, proc.adopted_on, proc.cadence_unit, proc.cadence_days)
        since = max(proc.adopted_on, last + timedelta(days=1)) if last else proc.adopted_on
        if last is not None and proc.cadence_unit != MeetingCadence.DAYS.value:
            since = period_of(last, proc.cadence_unit)[1] + timedelta(days=1)
        overdue = due < today if proc.cadence_unit == MeetingCadence.DAYS.value else \
            bool(missed_periods([], since, today, proc.cadence_unit))
        rows.append(CadenceStatus(body, proc.cadence_unit, proc.cadence_days, last, due, overdue))
    return rows
