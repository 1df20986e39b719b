"""Who may do what in decisions and resolution tracking. Membership on the meeting's (or
today's) date decides: the secretary settles the Party meeting's agenda, the principal the
office meeting's; the meeting's recorder and chair keep its record; owners report; the
secretary urges and confirms.

``resolution.view`` comes with :func:`visible_resolutions`, the SQL that lists exactly the
resolutions the check allows (tests/decisions/test_permissions.py shows they agree).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select

from portal.auth.models import Role, User
from portal.auth.permissions import Context, holds, inspects, is_leader, register
from portal.congress.permissions import principals_office
from portal.decisions.models import CoOwner, Item, Meeting, MeetingBody, Resolution, Visibility
from portal.org.models import Office

_RECORD_ROLES = (Role.RECORDER, Role.SUPERVISOR, Role.ADMIN)


def insider(user: User | None, ctx: Context) -> bool:
    """The leadership, the recorders and supervisors: they see meetings, items and internal resolutions."""
    return user is not None and (is_leader(user, ctx) or user.has_role(*_RECORD_ROLES))


def _insider(user: User | None, obj: Any, ctx: Context) -> bool:
    return insider(user, ctx)


def _propose(user: User | None, obj: Any, ctx: Context) -> bool:
    return is_leader(user, ctx)


def agenda_setter(user: User | None, body: str, ctx: Context) -> bool:
    """The secretary settles the Party (and joint) meeting's agenda, the principal the office meeting's."""
    office = Office.PRINCIPAL if body == MeetingBody.OFFICE.value else Office.SECRETARY
    return holds(user, ctx, office)


def _plan_meeting(user: User | None, body: Any, ctx: Context) -> bool:
    """Obj: a body code, or None for "any body"."""
    if user is not None and user.has_role(Role.RECORDER):
        return True
    if body is None:
        return holds(user, ctx, Office.SECRETARY, Office.PRINCIPAL)
    return agenda_setter(user, body, ctx)


def _settle(user: User | None, meeting: Meeting, ctx: Context) -> bool:
    return agenda_setter(user, meeting.body, ctx)


def _run(user: User | None, meeting: Meeting, ctx: Context) -> bool:
    """The meeting's recorder and its chair keep the record while it sits."""
    return user is not None and user.id in (meeting.recorder_id, meeting.chair_id)


def _decide(user: User | None, meeting: Meeting, ctx: Context) -> bool:
    """The chair puts the item to the vote (Party) or decides (office: the principal)."""
    if user is None:
        return False
    if meeting.body == MeetingBody.PARTY.value:
        return user.id in (meeting.chair_id, meeting.recorder_id)
    return user.id == meeting.chair_id


def _cast(user: User | None, meeting: Meeting, ctx: Context) -> bool:
    """A member of the body attending the meeting casts a secret ballot."""
    return user is not None and any(a.user_id == user.id and a.kind == "present" for a in meeting.attendance)


def _sign(user: User | None, meeting: Meeting, ctx: Context) -> bool:
    return user is not None and user.id in (meeting.recorder_id, meeting.supervisor_id)


def signing_meetings(user: User | None, ctx: Context) -> ColumnElement[bool]:
    """SQL: exactly the meetings ``meeting.sign`` allows this user (its recorder or supervisor)."""
    if user is None:
        return false()
    return or_(Meeting.recorder_id == user.id, Meeting.supervisor_id == user.id)
def _view_meeting(user: User | None, meeting: Meeting, ctx: Context) -> bool:
    """Insiders, and whoever the meeting expects (a 列席 attendee reads its papers too)."""
    return insider(user, ctx) or (user is not None and any(
        a.user_id == user.id and a.kind != "absent" for a in meeting.attendance))


def _read_minutes(user: User | None, meeting: Meeting, ctx: Context) -> bool:
    """Whoever may view the meeting, and an inspector (督导 / 巡察) on a day of their term."""
    return _view_meeting(user, meeting, ctx) or inspects(user, ctx)


def _write_minutes(user: User | None, meeting: Meeting, ctx: Context) -> bool:
    """The meeting's recorder (记录员) writes its 会议记录."""
    return user is not None and user.id == meeting.recorder_id


def _view_item(user: User | None, item: Item, ctx: Context) -> bool:
    return insider(user, ctx)


def _item_view(user: User | None, item: Item, ctx: Context) -> bool:
    return holds(user, ctx, Office.SECRETARY, Office.PRINCIPAL, Office.DEPUTY_SECRETARY)


def _item_evidence(user: User | None, item: Item, ctx: Context) -> bool:
    return user is not None and (user.id == item.proposer_id or holds(user, ctx, Office.SECRETARY, Office.PRINCIPAL))


def _secretary(user: User | None, obj: Any, ctx: Context) -> bool:
    return holds(user, ctx, Office.SECRETARY)


def _procedure(user: User | None, obj: Any, ctx: Context) -> bool:
    return user is not None and (user.has_role(Role.ADMIN) or holds(user, ctx, Office.SECRETARY))


def _view_resolution(user: User | None, res: Resolution, ctx: Context) -> bool:
    if res.visibility == Visibility.PUBLIC.value:
        return True
    if user is None:
        return False
    if res.visibility == Visibility.STAFF.value or insider(user, ctx) or inspects(user, ctx):
        return True
    return user.id == res.owner_id or any(c.user_id == user.id for c in res.co_owners)


def visible_resolutions(user: User | None, ctx: Context) -> ColumnElement[bool]:
    """SQL: exactly the resolutions ``resolution.view`` allows this user."""
    if user is None:
        return Resolution.visibility == Visibility.PUBLIC.value
    if insider(user, ctx) or inspects(user, ctx):
        return Resolution.id.is_not(None)
    co_owned = select(CoOwner.resolution_id).where(CoOwner.user_id == user.id)
    return or_(Resolution.visibility.in_([Visibility.PUBLIC.value, Visibility.STAFF.value]),
               Resolution.owner_id == user.id, Resolution.id.in_(co_owned))


def _report(user: User | None, res: Resolution, ctx: Context) -> bool:
    return user is not None and (user.id == res.owner_id or any(c.user_id == user.id for c in res.co_owners))


def _approval(user: User | None, res: Resolution, ctx: Context) -> bool:
    return _report(user, res, ctx) or holds(user, ctx, Office.SECRETARY, Office.PRINCIPAL)


def _congress_report(user: User | None, obj: Any, ctx: Context) -> bool:
    return user is not None and (user.has_role(Role.UNION, Role.ADMIN, Role.RECORDER)
                                 or holds(user, ctx, Office.SECRETARY, Office.PRINCIPAL))


def _self_check(user: User | None, obj: Any, ctx: Context) -> bool:
    return user is not None and (user.has_role(Role.SUPERVISOR, Role.ADMIN) or inspects(user, ctx)
                                 or holds(user, ctx, Office.SECRETARY, Office.PRINCIPAL))


def _opine(user: User | None, supervisor_id: Any, ctx: Context) -> bool:
    """The 监督员: the supervisor role, or the supervisor named for the meeting (obj: that id or None)."""
    return user is not None and (user.has_role(Role.SUPERVISOR) or (supervisor_id is not None and user.id == supervisor_id))


def _anyone(user: User | None, obj: Any, ctx: Context) -> bool:
    return True


def _by_a_meeting(user: User | None, res: Resolution, ctx: Context) -> bool:
    """A resolution changes when a meeting passes the item that reconsiders it (the meeting's
    ``meeting.run``), never by a step on the resolution's own page."""
    return False


register("decisions.workspace", _insider)
register("procedure.view", _insider)
register("procedure.adopt", _procedure)
register("item.propose", _propose)
register("item.view", _view_item)
register("item.record_view", _item_view)
register("item.evidence", _item_evidence)
register("item.set_two_thirds", _secretary)
register("meeting.view", _view_meeting)
register("meeting.plan", _plan_meeting)
register("meeting.settle", _settle)
register("meeting.run", _run)
register("meeting.decide", _decide)
register("meeting.sign", _sign, signing_meetings)
register("meeting.read_minutes", _read_minutes)
register("meeting.write_minutes", _write_minutes)
register("meeting.cast_ballot", _cast)
register("resolution.tracker", _anyone)
register("resolution.view", _view_resolution, visible_resolutions)
register("resolution.report", _report)
register("resolution.record_approval", _approval)
register("resolution.supervise", _secretary)
register("resolution.disclose", _secretary)
register("resolution.reconsider", _propose)
register("resolution.change", _by_a_meeting)
register("resolution.create", _run)  # obj: the meeting
register("congress_report.view", _congress_report)
register("congress_report.attach", principals_office)  # the principal's office compiles it for a session
register("self_check.view", _self_check)
register("supervision.opine", _opine)
register("supervision.answer", _secretary)
