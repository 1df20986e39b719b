"""Meetings: planning, the agenda and its papers, attendance, stances in order, the vote or
the principal's decision, closing, the minutes and their sign-off."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal import counting
from portal.auth import permissions
from portal.auth.models import Role, User, UserRole, on_staff
from portal.auth.permissions import Context
from portal.decisions import queries
from portal.decisions.forms import (
    ATTENDANCE_LABELS,
    BODY_LABELS,
    CADENCE_LABELS,
    CHOICE_LABELS,
    ITEM_STATE_LABELS,
    MAJOR_LABELS,
    MEETING_STATE_LABELS,
    METHOD_LABELS,
    STANCE_LABELS,
    VISIBILITY_LABELS,
    AttendanceForm,
    ChairForm,
    DecideForm,
    DeferForm,
    MeetingForm,
    ResolutionForm,
    ScheduleForm,
    StanceForm,
    UnscheduleForm,
    VoteForm,
)
from portal.decisions.models import Item, ItemState, Meeting, MeetingState
from portal.decisions.rules import DecisionError
from portal.decisions.rules import items as item_rules
from portal.decisions.rules import meetings as rules
from portal.decisions.rules import outcomes
from portal.decisions.rules import papers as paper_rules
from portal.decisions.rules import resolutions as res_rules
from portal.decisions.rules.procedure import counting_rules
from portal.decisions.views import bp
from portal.extensions import db
from portal.formutil import options
from portal.i18n import N_
from portal.org.memberships import Memberships, load_together
from portal.pagecache import reader_page
from portal.registry import Todo
from portal.timeutil import local_to_utc
from portal.web import Attempt, attempt, explain, redirect_to, render


def load_meeting(meeting_id: int) -> Meeting:
    meeting = db.session.scalars(queries.MEETING, {"meeting_id": meeting_id}).unique().first()
    if meeting is None:
        abort(404)
    return meeting


def memberships_on(day: Any) -> Memberships:
    """The memberships on ``day`` for this request: on a GET, loaded with today's (which the
    permissions ask) in one query and kept for the request."""
    ctx = permissions.current_context()
    if ctx.memberships.on == day:
        return ctx.memberships
    if request.method != "GET":
        return Memberships(db.session, day)
    kept: dict[Any, Memberships] = g.setdefault("memberships_by_day", {})
    if day not in kept:
        kept[day] = Memberships(db.session, day)
        load_together(kept[day], ctx.memberships)
    return kept[day]


def meeting_context(meeting: Meeting, forms: dict[str, Any]) -> dict[str, Any]:
    """Everything the meeting page shows, from the memberships on the meeting's date."""
    ms = memberships_on(meeting.held_on)
    current = rules.current_item(meeting)
    count = rules.attendance_count(meeting, ms, current)
    on_floor = rules.floor(meeting, ms, current)
    leaders = rules.leadership(ms)
    # Everyone's name in one query (a few hundred short rows): the attendance choices (the
    # school's staff, on_staff) and every name the page shows (attendees, speakers, owners, leaders).
    people = db.session.execute(select(User.id, User.name, on_staff().label("staff"))
                                .order_by(User.name, User.id)).tuples().all()
    staff = [(u, n) for u, n, is_staff in people if is_staff]
    names = {u: n for u, n, _staff in people}
    attendance = {a.user_id: a for a in meeting.attendance}
    queue = queries.agenda_queue(db.session, meeting)

    schedule_form = forms.get("schedule") or ScheduleForm()
    schedule_form.item_id.choices = options([("", "—")] + [(i.id, i.title) for i in queue])
    attendance_form = forms.get("attendance") or AttendanceForm()
    attendance_form.user_id.choices = options([("", "—")] + [(u, n) for u, n in staff])
    stance_form = forms.get("stance") or StanceForm()
    stance_form.user_id.choices = options([("", "—")] + [(u, names.get(u, "?")) for u in on_floor.may_speak])
    if on_floor.next_up and not stance_form.user_id.data:
        stance_form.user_id.data = on_floor.next_up[0]
    res_form = forms.get("resolution") or ResolutionForm()
    passed = [i for i in meeting.items if i.state == ItemState.PASSED.value]
    res_form.item_id.choices = options([("", "—")] + [(i.id, i.title) for i in passed])
    res_form.owner_id.choices = options([("", "—")] + [(u, names.get(u, "?")) for u in leaders])
    res_form.co_owner_id.choices = options([("", "—")] + [(u, names.get(u, "?")) for u in leaders])
    rules_ = counting_rules(meeting.procedure)
    rule_lines = counting.describe_rule(rules_, max(count.members, 1), cadre=bool(current and current.two_thirds),
                                        translate=_) if count.members else []
    result_lines = counting.describe_result(rules_, count.members, count.present,
                                            cadre=bool(current and current.two_thirds), translate=_) \
        if count.members else []
    disagreement = outcomes.disagreement(meeting, ms, current) if current else None
    secret = bool(current and outcomes.secret_open(current))
    return dict(
        meeting=meeting, current=current, count=count, order=on_floor.order, next_up=on_floor.next_up, names=names,
        attendance=attendance, members=rules.voting_members(ms, meeting.body), queue=queue,
        papers_late=rules.papers_late(meeting, meeting.procedure.lead_days) if meeting.state != MeetingState.PLANNED.value else False,
        schedule_form=schedule_form, attendance_form=attendance_form, stance_form=stance_form,
        vote_form=forms.get("vote") or VoteForm(), decide_form=forms.get("decide") or DecideForm(),
        defer_form=forms.get("defer") or DeferForm(), chair_form=forms.get("chair") or ChairForm(),
        res_form=res_form, rule_lines=rule_lines, result_lines=result_lines, disagreement=disagreement,
        body_labels=BODY_LABELS, states=MEETING_STATE_LABELS, item_states=ITEM_STATE_LABELS,
        attendance_labels=ATTENDANCE_LABELS, stance_labels=STANCE_LABELS, method_labels=METHOD_LABELS,
        choice_labels=CHOICE_LABELS, major_labels=MAJOR_LABELS, visibility_labels=VISIBILITY_LABELS,
        cadence_labels=CADENCE_LABELS, can=permissions.can, error=forms.get("error"),
        last=rules.last_speakers(ms, meeting.body), voters=rules.present_voters(meeting, ms),
        secret_open=secret,
        voted=outcomes.ballots_cast(db.session, current) if secret and current else 0,
        # asked only while a secret ballot is open: the page shows it only then
        i_voted=bool(secret and current and current_user.is_authenticated
                     and outcomes.has_voted(db.session, current, current_user.id)),
        opinion_kind="meeting", opinion_subject=meeting, opinion_supervisor=meeting.supervisor_id,
        opinions=meeting.opinions,  # loaded with the meeting (queries.MEETING)
        my_turn_to_sign=current_user.is_authenticated and current_user.id == meeting.next_signer_id,
        papers_unread=paper_rules.unread(meeting) if meeting.papers_sent_at else [],
        papers_mine_unread=bool(meeting.papers_sent_at and current_user.is_authenticated
                                and current_user.id in paper_rules.unread(meeting)),
    )


def meeting_page(meeting: Meeting, status: int = 200, **forms: Any) -> Response:
    return render("decisions/meeting.html", block="meeting_main", status=status, **meeting_context(meeting, forms))


@bp.route("/decisions/meetings/new", methods=["GET", "POST"])
def new_meeting() -> Response:
    """Plan a meeting of a body: its date, recorder and supervisor; the chair follows the seats."""
    permissions.require("meeting.plan")
    form = MeetingForm()
    people = db.session.execute(
        select(User.id, User.name).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_([Role.RECORDER.value, Role.SUPERVISOR.value, Role.LEADER.value]), User.active.is_(True))
        .group_by(User.id, User.name).order_by(User.name)).tuples().all()
    for field in (form.recorder_id, form.supervisor_id):
        field.choices = options([("", "—")] + list(people))
    done = Attempt()
    if form.validate_on_submit():
        with attempt() as done:
            if not permissions.can(current_user, "meeting.plan", form.body.data):
                raise DecisionError(N_("书记召集党组织会议和党政联席会议，校长召集校长办公会议。"))
            held_on = form.held_on.data
            assert held_on is not None and form.starts_at.data is not None
            meeting = rules.create_meeting(
                db.session, current_user, Memberships(db.session, held_on), form.body.data, form.title.data or "",
                local_to_utc(held_on, form.starts_at.data), held_on,
                recorder=db.session.get(User, form.recorder_id.data),
                supervisor=db.session.get(User, form.supervisor_id.data))
        if done:
            flash(_("会议已安排。"), "success")
            return redirect_to(url_for("decisions.meeting", meeting_id=meeting.id))
    return render("decisions/meeting_new.html", block="meeting_form", status=done.status, form=form, error=done.error)


@bp.get("/decisions/meetings/<int:meeting_id>")
@reader_page()
def meeting(meeting_id: int) -> Response:
    """The meeting: agenda and papers, attendance and quorum with figures, the current item
    with its stances in order, the decision, resolutions, and the minutes' sign-off."""
    found = load_meeting(meeting_id)
    memberships_on(found.held_on)  # with today's, which the permission asks: one query
    permissions.require("meeting.view", found)
    return meeting_page(found)


def meeting_action(meeting_id: int, action: str, form_name: str, form: Any, step: Any, success: str | None) -> Response:
    """The shape of every meeting action: permission → form → one rule → commit → redirect;
    a refusal re-renders the page with the message and the form as typed; ``success`` is the
    success message, or None when the step flashed its own (a vote that failed is a warning)."""
    found = load_meeting(meeting_id)
    permissions.require(action, found)
    if not form.validate_on_submit():
        return meeting_page(found, **{form_name: form})
    with attempt() as done:
        step(found, Memberships(db.session, found.held_on), form)
    if not done:
        return meeting_page(load_meeting(meeting_id), status=done.status, error=done.error, **{form_name: form})
    if success:  # None: the step announced its own outcome
        flash(success, "success")
    return redirect_to(url_for("decisions.meeting", meeting_id=meeting_id) + "#meeting-main")


def item_under_discussion(m: Meeting) -> Item:
    """The item being taken now (一事一议), or the refusal when none is left."""
    item = rules.current_item(m)
    if item is None:
        raise DecisionError(N_("没有待议的议题。"))
    return item


def _item_of(meeting: Meeting, item_id: int | None) -> Item:
    found = next((i for i in meeting.items if i.id == item_id), None)
    if found is None:
        raise DecisionError(N_("该议题不在本次会议议程中。"))
    return found


@bp.post("/decisions/meetings/<int:meeting_id>/schedule")
def schedule(meeting_id: int) -> Response:
    """Put an item on the agenda (its preconditions met)."""
    def step(m: Meeting, ms: Memberships, f: ScheduleForm) -> None:
        item = db.session.scalar(queries.ITEM, {"item_id": f.item_id.data}) or abort(404)
        item_rules.schedule_item(db.session, current_user, permissions.current_context().memberships, item, m)
    form = ScheduleForm()
    form.item_id.validate_choice = False
    return meeting_action(meeting_id, "meeting.settle", "schedule", form, step, _("议题已列入议程。"))


@bp.post("/decisions/meetings/<int:meeting_id>/unschedule")
def unschedule(meeting_id: int) -> Response:
    """Take an item off the agenda before it is settled."""
    def step(m: Meeting, ms: Memberships, f: UnscheduleForm) -> None:
        item_rules.unschedule_item(db.session, current_user, _item_of(m, f.item_id.data), m)
    return meeting_action(meeting_id, "meeting.settle", "unschedule", UnscheduleForm(), step, _("议题已撤下。"))


@bp.post("/decisions/meetings/<int:meeting_id>/settle")
def settle(meeting_id: int) -> Response:
    """The secretary (Party, joint) or the principal (office) settles the agenda."""
    def step(m: Meeting, ms: Memberships, f: DeferForm) -> None:
        rules.settle_agenda(db.session, current_user, m)
    return meeting_action(meeting_id, "meeting.settle", "settle", NoFields(), step, _("议程已确定。"))


@bp.post("/decisions/meetings/<int:meeting_id>/papers")
def send_papers(meeting_id: int) -> Response:
    """Record that the agenda and papers went to the attendees, with the time."""
    def step(m: Meeting, ms: Memberships, f: Any) -> None:
        if rules.send_papers(db.session, current_user, m):
            flash(_("材料送达晚于议事规则规定的提前时间（%(days)s 天）。", days=m.procedure.lead_days), "warning")
    return meeting_action(meeting_id, "meeting.settle", "papers", NoFields(), step, _("会议材料已送达参会人员。"))


@bp.post("/decisions/meetings/<int:meeting_id>/attendance")
def attendance(meeting_id: int) -> Response:
    """Present, absent with a reason, or attending without a vote (列席)."""
    def step(m: Meeting, ms: Memberships, f: AttendanceForm) -> None:
        user = db.session.get(User, f.user_id.data) or abort(404)
        rules.set_attendance(db.session, current_user, ms, m, user, f.kind.data, f.reason.data or "")
    form = AttendanceForm()
    form.user_id.validate_choice = False
    return meeting_action(meeting_id, "meeting.run", "attendance", form, step, _("出席情况已记录。"))


@bp.post("/decisions/meetings/<int:meeting_id>/chair")
def hand_over_chair(meeting_id: int) -> Response:
    """The chair is absent: the deputy chairs, and why is recorded."""
    def step(m: Meeting, ms: Memberships, f: ChairForm) -> None:
        rules.hand_over_chair(db.session, current_user, ms, m, f.note.data or "")
    return meeting_action(meeting_id, "meeting.run", "chair", ChairForm(), step, _("已改由副职主持。"))


@bp.post("/decisions/meetings/<int:meeting_id>/stance")
def stance(meeting_id: int) -> Response:
    """One member's stance on the current item, in order (末位表态), or a 列席 remark."""
    def step(m: Meeting, ms: Memberships, f: StanceForm) -> None:
        item = item_under_discussion(m)
        speaker = db.session.get(User, f.user_id.data) or abort(404)
        rules.record_stance(db.session, current_user, ms, m, item, speaker, f.stance.data, f.reason.data or "")
    form = StanceForm()
    form.user_id.validate_choice = False
    return meeting_action(meeting_id, "meeting.run", "stance", form, step, _("表态已记录。"))


@bp.post("/decisions/meetings/<int:meeting_id>/resolutions")
def add_resolution(meeting_id: int) -> Response:
    """A resolution of a passed item: owner, deadline, visibility, cadence."""
    def step(m: Meeting, ms: Memberships, f: ResolutionForm) -> None:
        item = _item_of(m, f.item_id.data)
        owner = db.session.get(User, f.owner_id.data) or abort(404)
        co = db.session.get(User, f.co_owner_id.data) if f.co_owner_id.data else None
        milestones = [(f.milestone.data, f.milestone_on.data)] if f.milestone.data and f.milestone_on.data else []
        res_rules.add_resolution(
            db.session, current_user, item, title=f.title.data or "", text=f.text.data or "", owner=owner,
            deadline=f.deadline.data, visibility=f.visibility.data, cadence=f.cadence.data,
            co_owners=[co] if co else [], needs_approval=f.needs_approval.data, milestones=milestones)
    form = ResolutionForm()
    for field in (form.item_id, form.owner_id, form.co_owner_id):
        field.validate_choice = False
    return meeting_action(meeting_id, "resolution.create", "resolution", form, step, _("决议已形成。"))


@bp.post("/decisions/meetings/<int:meeting_id>/close")
def close(meeting_id: int) -> Response:
    """Every item decided: the meeting ends and its minutes wait for signatures."""
    def step(m: Meeting, ms: Memberships, f: Any) -> None:
        rules.close_meeting(db.session, current_user, m)
    return meeting_action(meeting_id, "meeting.run", "close", NoFields(), step, _("会议已结束，请记录员写好会议记录后签署，再由监督员签署。"))


@bp.post("/decisions/meetings/<int:meeting_id>/sign")
def sign(meeting_id: int) -> Response:
    """The recorder, then the supervisor, signs the 会议记录; with both it is read-only."""
    def step(m: Meeting, ms: Memberships, f: Any) -> None:
        rules.sign_minutes(db.session, current_user, m, queries.minutes_text(m, queries.names_for(db.session, m)))
    return meeting_action(meeting_id, "meeting.sign", "sign", NoFields(), step, _("会议记录已签署。"))


@bp.get("/decisions/meetings/<int:meeting_id>/minutes")
def minutes(meeting_id: int) -> Response:
    """The 会议记录, assembled from the records and the recorder's text (or as frozen when the
    recorder signed), for printing on A4."""
    found = load_meeting(meeting_id)
    permissions.require("meeting.read_minutes", found)
    if found.minutes_hash:
        lines: list[Any] = found.minutes_text.splitlines()
    else:
        lines = [explain(m) for m in queries.minutes_lines(found, queries.names_for(db.session, found))]
    return render("decisions/minutes.html", meeting=found, lines=lines, body_labels=BODY_LABELS,
                  states=MEETING_STATE_LABELS)


class NoFields:
    """A form with nothing to fill in but the CSRF token (checked by the app for every POST)."""

    def validate_on_submit(self) -> bool:
        return True


def meeting_todos(user: User, ctx: Context) -> list[Todo]:
    """会议记录 waiting for me: the recorder's to write and sign, then the supervisor's to sign
    (recorders and supervisors are chosen among insiders)."""
    from portal.decisions.permissions import insider

    if not insider(user, ctx):
        return []
    rows = queries.minutes_to_sign(db.session, user.id, permissions.listing(user, "meeting.sign", ctx))
    return [Todo(_("会议记录待撰写和签署：%(title)s", title=m.title), url_for("decisions.write_minutes", meeting_id=m.id))
            if m.recorder_id == user.id and m.recorder_signed_at is None else
            Todo(_("会议记录待签署：%(title)s", title=m.title), url_for("decisions.meeting", meeting_id=m.id) + "#mt-sign")
            for m in rows]


