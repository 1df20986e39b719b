"""A resolution: its decision, owners, deadline, milestones, the timeline of reports,
urgings and supervision notes; filing reports, urging, confirming, approval, reconsideration."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.auth.models import User
from portal.auth.permissions import Context
from portal.decisions import queries
from portal.decisions.forms import (
    BODY_LABELS,
    CADENCE_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    VISIBILITY_LABELS,
    ApprovalForm,
    DiscloseForm,
    NoteForm,
    ReconsiderForm,
    ReportForm,
)
from portal.decisions.models import Report, Resolution, ResolutionState
from portal.decisions.rules import DecisionError
from portal.decisions.rules import resolutions as rules
from portal.decisions.rules.publication import publish_decision, publishable
from portal.decisions.rules.tracker import due_soon, next_report_due, track_status
from portal.decisions.views import bp, get_or_404, stored_attachment
from portal.decisions.views.procedure import today
from portal.disclosure.models import CatalogItem
from portal.formutil import options
from portal.i18n import N_
from portal.extensions import db
from portal.registry import Todo
from portal.pagecache import reader_page
from portal.web import Attempt, attempt, redirect_to, render, send_stored, writes_late


def load_resolution(resolution_id: int) -> Resolution:
    found = db.session.scalar(queries.RESOLUTION, {"resolution_id": resolution_id})
    if found is None:
        abort(404)
    return found


def disclose_form(form: DiscloseForm | None) -> DiscloseForm:
    """The 党务公开 catalogue items to publish a decision under, the one receiving decisions first."""
    form = form or DiscloseForm()
    items = queries.party_catalogue_items(db.session)
    form.catalog_item_id.choices = options([("", "—")] + [(i.id, i.name) for i in items])
    if form.catalog_item_id.data is None and items:
        form.catalog_item_id.data = items[0].id
    return form


def resolution_page(res: Resolution, error: str | None = None, status: int = 200, **forms: Any) -> Response:
    day = today()
    last = max((r.filed_on for r in res.reports), default=None)
    due = next_report_due(res.cadence, res.starts_on, last, res.deadline)
    track = track_status(res.state, day, res.deadline, due)
    timeline = sorted([(True, r.filed_at, r) for r in res.reports] + [(False, u.at, u) for u in res.urgings],
                      key=lambda t: t[1])
    # both ways of a reconsideration, each named only to those who may see it
    successors = [(s, permissions.can(current_user, "resolution.view", s)) for s in queries.successors(db.session, res)]
    changed = queries.changed_resolution(db.session, res)
    reconsidering = rules.pending_reconsideration(db.session, res)
    return render(
        "decisions/resolution.html", block="resolution_main", status=status, res=res, error=error, track=track,
        next_due=due, warn=due_soon(day, due, track), timeline=timeline, successors=successors, reconsidering=reconsidering,
        opinion_kind="resolution", opinion_subject=res, opinions=queries.opinions(db.session, "resolution", res.id),
        opinion_supervisor=None,
        changed=changed, changed_visible=changed is not None and permissions.can(current_user, "resolution.view", changed),
        report_form=forms.get("report_form") or ReportForm(), note_form=forms.get("note_form") or NoteForm(),
        approval_form=forms.get("approval_form") or ApprovalForm(),
        disclose_form=disclose_form(forms.get("disclose_form")), publishable=publishable(res),
        status_labels=STATUS_LABELS, visibility_labels=VISIBILITY_LABELS, cadence_labels=CADENCE_LABELS,
        body_labels=BODY_LABELS, kind_labels=KIND_LABELS, can=permissions.can, urgings=sum(
            1 for u in res.urgings if u.kind == "urge"),
    )


@bp.get("/resolutions/<int:resolution_id>")
@reader_page()
def resolution(resolution_id: int) -> Response:
    """One resolution with every report, urging and note, newest last."""
    found = load_resolution(resolution_id)
    permissions.require("resolution.view", found)
    return resolution_page(found)


def meeting_action(resolution_id: int, action: str, form_name: str, form: Any, step: Any, success: str) -> Response:
    found = load_resolution(resolution_id)
    permissions.require("resolution.view", found)
    permissions.require(action, found)
    if not form.validate_on_submit():
        return resolution_page(found, **{form_name: form})
    with attempt() as done:  # FileRefused too
        step(found, form)
    if not done:
        return resolution_page(load_resolution(resolution_id), done.error, done.status, **{form_name: form})
    flash(success, "success")
    return redirect_to(url_for("decisions.resolution", resolution_id=resolution_id))


@bp.post("/resolutions/<int:resolution_id>/report")
@writes_late  # stored_attachment writes the file, then takes the write lock
def file_report(resolution_id: int) -> Response:
    """The owner files a progress report (text, percent, attachment; final to ask for closing)."""
    def step(res: Resolution, f: ReportForm) -> None:
        rules.file_report(db.session, current_user, res, f.text.data or "", f.percent.data or 0, today(),
                          final=f.final.data, attachment=stored_attachment(f.file.data))
    return meeting_action(resolution_id, "resolution.report", "report_form", ReportForm(), step, _("执行情况报告已提交。"))


@bp.post("/resolutions/<int:resolution_id>/urge")
def urge(resolution_id: int) -> Response:
    """The secretary urges the owner to report (催报)."""
    def step(res: Resolution, f: NoteForm) -> None:
        rules.urge(db.session, current_user, res, f.note.data or "")
    return meeting_action(resolution_id, "resolution.supervise", "note_form", NoteForm(), step, _("已催报，责任人将收到提醒。"))


@bp.post("/resolutions/<int:resolution_id>/note")
def supervision_note(resolution_id: int) -> Response:
    """The secretary's supervision note (督办意见)."""
    def step(res: Resolution, f: NoteForm) -> None:
        rules.add_supervision_note(db.session, current_user, res, f.note.data or "")
    return meeting_action(resolution_id, "resolution.supervise", "note_form", NoteForm(), step, _("督办意见已记录。"))


@bp.post("/resolutions/<int:resolution_id>/confirm")
def confirm(resolution_id: int) -> Response:
    """The secretary confirms the resolution done, after its final report."""
    def step(res: Resolution, f: Any) -> None:
        rules.confirm_done(db.session, current_user, res)
    from portal.decisions.views.meetings import NoFields

    return meeting_action(resolution_id, "resolution.supervise", "confirm", NoFields(), step, _("已确认办结。"))


@bp.post("/resolutions/<int:resolution_id>/approval")
def record_approval(resolution_id: int) -> Response:
    """The higher approval (报批) arrived: date, authority, document; deadlines run from it."""
    def step(res: Resolution, f: ApprovalForm) -> None:
        assert f.approved_on.data is not None
        rules.record_approval(db.session, current_user, res, f.approved_on.data, f.authority.data or "",
                              f.document.data or "")
    return meeting_action(resolution_id, "resolution.record_approval", "approval_form", ApprovalForm(), step,
                _("已记录上级批准，决议开始执行。"))


@bp.route("/resolutions/<int:resolution_id>/reconsider", methods=["GET", "POST"])
def reconsider(resolution_id: int) -> Response:
    """Propose reconsideration (复议): a new agenda item linked to this resolution."""
    found = load_resolution(resolution_id)
    permissions.require("resolution.view", found)
    permissions.require("resolution.reconsider", found)
    form = ReconsiderForm(data={"title": _("关于复议“%(title)s”的议题", title=found.title)})
    done = Attempt()
    if form.validate_on_submit():
        with attempt() as done:
            item = rules.propose_reconsideration(db.session, current_user, found, form.title.data or "",
                                                 form.reason.data or "", form.proposal.data or "")
        if done:
            flash(_("复议议题已提出，将按原程序议定。"), "success")
            return redirect_to(url_for("decisions.item", item_id=item.id))
    return render("decisions/reconsider.html", block="reconsider_form", status=done.status, res=found, form=form,
                  error=done.error)


@bp.get("/resolutions/reports/<int:report_id>/file")
def report_file(report_id: int) -> Response:
    """A report's attachment, for those who may see the resolution."""
    report = get_or_404(Report, report_id)
    permissions.require("resolution.view", load_resolution(report.resolution_id))
    return send_stored(report.attachment_name, report.attachment_stored)


def report_todos(user: User, ctx: Context) -> list[Todo]:
    """The owner's warnings: reports due within three days, late, or past the deadline.
    Owners are chosen among the leadership, so nobody else pays for the query."""
    from portal.decisions.permissions import insider

    if not insider(user, ctx):
        return []
    from portal.decisions.queries import tracker_rows
    from portal.decisions.rules.tracker import OVERDUE

    rows = tracker_rows(db.session, (Resolution.owner_id == user.id)
                        & Resolution.state.in_([ResolutionState.OPEN.value]), today(), queries.Filters(kind=None))
    todos = []
    for r in rows:
        if r.status in OVERDUE:
            todos.append(Todo(_("决议“%(title)s”%(status)s，请尽快报告执行情况", title=r.resolution.title,
                                status=STATUS_LABELS[r.status.value]),
                              url_for("decisions.resolution", resolution_id=r.resolution.id), warn=True))
        elif r.warn and r.next_due:
            todos.append(Todo(_("决议“%(title)s”的执行情况报告应于 %(due)s 前提交", title=r.resolution.title,
                                due=r.next_due.isoformat()),
                              url_for("decisions.resolution", resolution_id=r.resolution.id)))
    return todos


@bp.post("/resolutions/<int:resolution_id>/disclose")
def disclose(resolution_id: int) -> Response:
    """The secretary publishes a Party-meeting decision to 党务公开 in one action: a notice with
    the title, the decision and the date goes into the disclosure workflow, linked both ways."""
    def step(res: Resolution, f: DiscloseForm) -> None:
        item = db.session.get(CatalogItem, f.catalog_item_id.data or 0)
        if item is None:
            raise DecisionError(N_("请选择党务公开目录中的一项。"))
        meeting = res.item.meeting if res.item is not None else None
        publish_decision(db.session, current_user, res, item, meeting.title if meeting else "")
    form = DiscloseForm()
    form.catalog_item_id.validate_choice = False
    return meeting_action(resolution_id, "resolution.disclose", "disclose_form", form, step,
                          _("已提交党务公开审批，审批发布后在党务公开栏目中显示。"))
