"""The admin area: accounts, roles and the roster import."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin import queries, rules
from portal.admin.forms import (
    BODY_LABELS,
    SEAT_LABELS,
    DepartmentForm,
    EndSeatForm,
    InspectorEndForm,
    InspectorForm,
    RosterImportForm,
    SeatForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)
from portal.auth import permissions
from portal.auth.models import Department, User
from portal.extensions import db
from portal.formutil import required
from portal.i18n import N_
from portal.org import rules as org_rules
from portal.auth.passwords import hash_password
from portal.org.models import BodyKind, BodyMember, InspectorTerm, Seat
from portal.timeutil import to_local, utcnow
from datetime import date
from portal.org.rules import seat_member
from portal.web import (
    REFUSED, Attempt, attempt, begin_write, explain, paginate, redirect, redirect_to, render, require_valid, writes_late,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


@bp.get("/users")
def users() -> Response:
    """List accounts with search and role filter; htmx swaps only the table."""
    permissions.require("users.manage")
    form = UserFilterForm(request.args, meta={"csrf": False})
    query = queries.accounts(form.q.data or "", form.role.data or "") if form.validate() else queries.accounts()
    return render("admin/users.html", block="user_table", form=form, **paginate(query, PAGE_SIZE))


def _department(dept_id: int | None) -> Department | None:
    return db.session.get(Department, dept_id) if dept_id else None


@bp.route("/users/new", methods=["GET", "POST"])
def create_user() -> Response:
    """Create an account with a one-time password the new user must change."""
    permissions.require("users.manage")
    form = UserCreateForm()
    done = Attempt()
    if form.validate_on_submit():
        password = rules.temporary_password()
        with attempt() as done:  # a name taken since the form checked: the database refused it
            user = rules.create_user(
                db.session, current_user, username=form.username.data or "", staff_no=form.staff_no.data or "",
                name=form.name.data or "", department=_department(form.department_id.data),
                is_party_member=form.is_party_member.data, roles=form.roles.data or [], password=password,
            )
        if done:
            return render("admin/password_issued.html", user=user, password=password)
        form.username.errors = [*form.username.errors, done.error or ""]
    return render("admin/user_form.html", block="user_form", status=done.status, form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> Response:
    """Edit name, department, Party membership, roles and whether the account is active."""
    permissions.require("users.manage")
    user = db.session.get(User, user_id) or abort(404)
    form = UserEditForm(obj=user, data=None if request.method == "POST" else {
        "roles": sorted(user.roles - {"staff"}), "department_id": user.department_id or 0,
    })
    done = Attempt()
    if form.validate_on_submit():
        with attempt() as done:
            rules.update_user(
                db.session, current_user, user, name=form.name.data or "",
                department=_department(form.department_id.data), is_party_member=form.is_party_member.data,
                roles=form.roles.data or [], active=form.active.data,
            )
        if done:
            flash(_("已保存 %(name)s 的账号信息。", name=user.name), "success")
            return redirect(url_for("admin.users"))
        form.roles.errors = [*form.roles.errors, done.error or ""]
    return render("admin/user_form.html", block="user_form", status=done.status, form=form, user=user)


@bp.post("/users/<int:user_id>/reset-password")
def reset_password(user_id: int) -> Response:
    """Issue a one-time password; the user's current sessions end."""
    permissions.require("users.manage")
    user = db.session.get(User, user_id) or abort(404)
    password = rules.reset_password(db.session, current_user, user)
    db.session.commit()
    return render("admin/password_issued.html", user=user, password=password)


@bp.route("/roster", methods=["GET", "POST"])
@writes_late
def import_roster() -> Response:
    """Import staff from XLSX/CSV: every row valid, or nothing imported and each bad row listed.
    The file is read (bounded, see ``portal.xlsx``) before the write lock; a file refused
    there is explained above the form and nothing is written."""
    permissions.require("users.manage")
    form = RosterImportForm()
    result = file_error = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = rules.read_roster(upload.filename or "", upload.read())
        except rules.RosterFileError as exc:
            file_error = explain(exc)
        else:
            with attempt() as done:  # an account the checks passed but the database refused
                begin_write()
                result = rules.import_roster(db.session, current_user, rows)
                if not result.ok:  # all or nothing: the rows' errors are the report
                    db.session.rollback()
            file_error = done.error
    departments = queries.department_names(db.session)
    return render(
        "admin/roster.html", form=form, result=result, file_error=file_error,
        columns=rules.ROSTER_COLUMNS, departments=departments,
    )


@bp.route("/departments", methods=["GET", "POST"])
def departments() -> Response:
    """List departments with how many active staff each has; add a new one."""
    permissions.require("users.manage")
    form = DepartmentForm()
    done = Attempt()
    if form.validate_on_submit():
        with attempt() as done:
            rules.create_department(db.session, current_user, form.name.data or "", form.kind.data)
        if done:
            flash(_("已添加部门“%(name)s”。", name=(form.name.data or "").strip()), "success")
            return redirect_to(url_for("admin.departments"))
    return render("admin/departments.html", block="department_form", status=done.status, form=form, error=done.error,
                  rows=queries.departments_with_staff(db.session), kinds={"office": _("处室"), "grade": _("年级组"), "subject": _("教研组")})


@bp.route("/bodies", methods=["GET", "POST"])
def bodies() -> Response:
    """Who sits on the Party committee, the administrative team and the union committee, by
    date; seat someone (a new chair ends the old chair's seat the day before)."""
    permissions.require("users.manage")
    form = SeatForm()
    done = Attempt()
    if form.validate_on_submit():
        person = db.session.get(User, form.user_id.data)
        with attempt() as done:
            if person is None:
                raise rules.AdminError(N_("请选择人员。"))
            seat_member(db.session, current_user, BodyKind(form.body.data), person, seat=Seat(form.seat.data),
                        title=form.title.data or "", starts_on=required(form.starts_on.data))
        if done:
            assert person is not None
            flash(_("已登记 %(name)s 的任职。", name=person.name), "success")
            return redirect_to(url_for("admin.bodies"))
    seats = queries.seats(db.session)
    return render("admin/bodies.html", block="seat_form", status=done.status, form=form, error=done.error, seats=seats,
                  end_form=EndSeatForm(formdata=None), body_labels=BODY_LABELS, seat_labels=SEAT_LABELS)


@bp.post("/bodies/seats/<int:member_id>/end")
def end_seat(member_id: int) -> Response:
    """End a seat on a date; the record stays."""
    permissions.require("users.manage")
    member = db.session.get(BodyMember, member_id) or abort(404)
    form = EndSeatForm()
    with attempt() as done:
        require_valid(form)
        org_rules.end_seat(db.session, current_user, member, required(form.ends_on.data))
    done.flash(_("已登记离任。"))
    return redirect_to(url_for("admin.bodies"))


def _today() -> date:  # school time
    return to_local(utcnow()).date()


@bp.route("/inspectors", methods=["GET", "POST"])
@writes_late  # the password is hashed before the write lock
def inspectors() -> Response:
    """Outside inspectors' accounts (督导 / 巡察) and their terms; open one for a term. The
    account reads the self-check, the archive, minutes, resolutions and the audit log on the
    days of its term only, and every page it opens is recorded."""
    permissions.require("users.manage")
    form = InspectorForm()
    done, status = Attempt(), 200
    if form.validate_on_submit():
        password = rules.temporary_password()
        password_hash = hash_password(password)
        begin_write()
        with attempt() as done:
            user, _term = rules.open_inspector(
                db.session, current_user, username=form.username.data or "", name=form.name.data or "",
                unit=form.unit.data or "", starts_on=required(form.starts_on.data),
                ends_on=required(form.ends_on.data), today=_today(), password_hash=password_hash)
        if done:
            return render("admin/password_issued.html", user=user, password=password)
        status = done.status
    elif request.method == "POST":
        status = REFUSED
    return render("admin/inspectors.html", form=form, error=done.error, status=status,
                  terms=queries.inspector_terms(db.session), today=_today(), end_form=InspectorEndForm(formdata=None))


@bp.post("/inspectors/<int:term_id>/end")
def change_inspector_end(term_id: int) -> Response:
    """Extend an inspector's term, or end it (yesterday's date ends it at once); the record stays."""
    permissions.require("users.manage")
    term = db.session.get(InspectorTerm, term_id) or abort(404)
    form = InspectorEndForm()
    with attempt() as done:
        require_valid(form)
        org_rules.change_inspector_end(db.session, current_user, term, required(form.ends_on.data), _today())
    done.flash(_("已修改督导账号的有效期。"))
    return redirect_to(url_for("admin.inspectors"))
