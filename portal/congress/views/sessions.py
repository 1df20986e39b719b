"""Sessions and presence: the list, a session's page with its quorum, sign-in on the phone
(with the hall code when required), the union's paper sign-in / sign-out, open and close."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.auth.models import User
from portal.congress import queries
from portal.congress.forms import LABELS, PollForm, PresenceForm, SessionForm, SignInForm, TermForm
from portal.congress.models import CongressSession, SessionDocument
from portal.congress.rules import sessions as rules
from portal.congress.rules import work_report
from portal.congress.rules.polls import has_voted
from portal.congress.views import bp
from portal.extensions import db
from portal.files import ALLOWED_HINT
from portal.formutil import AttachmentForm, options, required
from portal.pagecache import reader_page
from portal.web import (
    absolute_url, attempt, is_partial, redirect_to, render, require_valid, send_stored, store_upload, writes_late,
)


def load_session(session_id: int, action: str = "congress.session.view") -> CongressSession:
    cs = db.session.get(CongressSession, session_id) or abort(404)
    permissions.require(action, cs)
    return cs


def presence_context(cs: CongressSession) -> dict[str, Any] | None:
    """What the presence block needs when a reader who does not manage the session polls it
    (every 15 seconds while it is open): the figures and the quorum, nothing else. None for
    the union, whose block carries the roster, the log and the form (``session_context``)."""
    if permissions.can(current_user, "congress.manage", cs):
        return None
    p = rules.presence(db.session, cs)
    quorum, quorum_text = queries.quorum_lines(p, _)
    return {"cs": cs, "presence": p, "quorum": quorum, "quorum_text": quorum_text, "manage": False,
            "labels": LABELS, "presence_form": None, "log": []}


def session_context(cs: CongressSession, **extra: Any) -> dict[str, Any]:
    """Everything the session page and its fragments (presence, sign-in, polls) need."""
    p = rules.presence(db.session, cs)
    quorum, quorum_text = queries.quorum_lines(p, _)
    manage = permissions.can(current_user, "congress.manage", cs)
    polls = db.session.scalars(queries.polls_of(cs)).all()
    if not manage:
        polls = [poll for poll in polls if not poll.is_draft]
    people = queries.names_by_id(db.session, sorted(set(p.roster) | set(p.ever)))
    presence_form = extra.pop("presence_form", None)
    if manage and cs.is_open and presence_form is None:
        presence_form = PresenceForm(formdata=None)
    if presence_form is not None:
        presence_form.user_id.choices = options([("", "—")] + [(u, people[u].name) for u in p.roster if u in people])
    user_id = current_user.id if current_user.is_authenticated else None
    return {
        "cs": cs, "presence": p, "quorum": quorum, "quorum_text": quorum_text, "polls": polls, "people": people,
        "manage": manage, "labels": LABELS, "presence_form": presence_form,
        "present_now": user_id in p.now, "is_rep": permissions.can(current_user, "congress.sign_in", cs),
        "sign_in_form": extra.pop("sign_in_form", None) or SignInForm(formdata=None),
        "log": db.session.scalars(queries.presence_log(cs).limit(40)).all() if manage else [],
        "log_people": people, "display_url": absolute_url("congress.hall", token=cs.display_token) if manage else "",
        "new_poll_form": PollForm(formdata=None) if manage else None,
        "documents": rules.documents(db.session, cs),
        "work_report": work_report.standing(db.session, cs), "compiled": work_report.compiled_for(db.session, cs),
        "document_form": AttachmentForm(formdata=None) if manage and not cs.is_closed else None,
        "allowed_files": ALLOWED_HINT,
        "voted": {poll.id for poll in polls if poll.is_open and user_id and has_voted(db.session, poll, user_id)},
        **extra,
    }


@bp.get("/")
def index() -> Response:
    """The current term's sessions, newest first; the union plans the next one here."""
    permissions.require("congress.list")
    term = queries.current_term_for_list(db.session)
    sessions = db.session.scalars(queries.sessions_of(term.id)).all() if term else []
    manage = permissions.can(current_user, "congress.manage")
    return render("congress/index.html", term=term, sessions=sessions, labels=LABELS,
                  form=SessionForm(formdata=None) if manage and term else None,
                  term_form=TermForm(formdata=None) if manage else None)


@bp.post("/terms")
def create_term() -> Response:
    """Start a new term (届): a 教职工代表大会 with its roster, or a 教职工大会 of all staff (union)."""
    permissions.require("congress.manage")
    form = TermForm()
    with attempt() as done:
        require_valid(form)
        term = rules.create_term(db.session, current_user, form.number.data or 0, form.name.data or "",
                                 required(form.starts_on.data), required(form.ends_on.data), form.kind.data or "")
    done.flash(_("已创建%(name)s。", name=term.name) if done else None)
    return redirect_to(url_for("congress.index"))


@bp.post("/sessions")
def create_session() -> Response:
    """Plan a session (union)."""
    permissions.require("congress.manage")
    term = queries.current_term_for_list(db.session) or abort(404)
    form = SessionForm()
    with attempt() as done:
        require_valid(form)
        cs = rules.create_session(db.session, current_user, term, required(form.held_on.data), form.place.data or "",
                                  form.agenda.data or "", form.requires_hall_code.data,
                                  work_report_required=not form.extraordinary.data)
    if done:
        flash(_("已创建第 %(number)d 次会议。", number=cs.number), "success")
        return redirect_to(url_for("congress.show_session", session_id=cs.id))
    sessions = db.session.scalars(queries.sessions_of(term.id)).all()
    return render("congress/index.html", block="session_form", status=done.status, term=term, sessions=sessions,
                  form=form, error=done.error, labels=LABELS, term_form=None)


@bp.get("/sessions/<int:session_id>")
@reader_page(revalidate=True)
def show_session(session_id: int) -> Response:
    """A session: agenda, present / roster and whether quorum holds, polls, sign-in."""
    cs = load_session(session_id)
    if request.args.get("block") == "presence" and is_partial():
        small = presence_context(cs)
        return render("congress/session.html", block="presence", **(small or session_context(cs)))
    return render("congress/session.html", **session_context(cs))


@bp.post("/sessions/<int:session_id>/edit")
def edit_session(session_id: int) -> Response:
    """Change the date, place, agenda or hall-code setting (union; not after close)."""
    cs = load_session(session_id, "congress.manage")
    form = SessionForm()
    with attempt() as done:
        require_valid(form)
        rules.update_session(db.session, current_user, cs, required(form.held_on.data), form.place.data or "",
                             form.agenda.data or "", form.requires_hall_code.data)
    done.flash(_("会议信息已保存。"))
    return redirect_to(url_for("congress.show_session", session_id=cs.id))


@bp.post("/sessions/<int:session_id>/documents")
@writes_late
def upload_document(session_id: int) -> Response:
    """Add a session paper; the file is checked by content and written before the write lock."""
    cs = load_session(session_id, "congress.manage")
    form = AttachmentForm()
    with attempt() as done:
        require_valid(form)
        stored = store_upload(form.file.data)
        cs = load_session(session_id, "congress.manage")
        rules.attach_document(db.session, current_user, cs, stored)
    done.flash(_("会议文件已上传。"))
    return redirect_to(url_for("congress.show_session", session_id=cs.id))


@bp.get("/documents/<int:congress_file_id>")
def download_document(congress_file_id: int) -> Response:
    """A session paper, as a file, for whoever may see the session."""
    doc = db.session.get(SessionDocument, congress_file_id) or abort(404)
    load_session(doc.session_id)
    return send_stored(doc.filename, doc.stored_name, doc.content_type)


def _step(session_id: int, step: str) -> Response:
    cs = load_session(session_id, "congress.manage")
    with attempt() as done:
        (rules.open_session if step == "open" else rules.close_session)(db.session, current_user, cs)
    done.flash(_("会议已开始，代表可以签到。") if step == "open" else _("会议已闭会。"))
    return redirect_to(url_for("congress.show_session", session_id=cs.id))


@bp.post("/sessions/<int:session_id>/open")
def open_session(session_id: int) -> Response:
    """Open the session for sign-in and votes (union)."""
    return _step(session_id, "open")


@bp.post("/sessions/<int:session_id>/close")
def close_session(session_id: int) -> Response:
    """Close the session (union); refused while a poll is open."""
    return _step(session_id, "close")


@bp.route("/sessions/<int:session_id>/sign-in", methods=["GET", "POST"])
def sign_in(session_id: int) -> Response:
    """签到: a representative of the term signs in while the session is open. GET (from the
    hall QR code) only shows the form with the code filled in; POST signs in."""
    cs = load_session(session_id)
    form = SignInForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.code.data = request.args.get("code", "")[:12]
    if request.method == "GET":
        return render("congress/session.html", block="sign_in",
                      **session_context(cs, sign_in_form=form, standalone=True))
    with attempt() as done:
        require_valid(form)
        rules.sign_in(db.session, current_user, cs, form.code.data, current_app.secret_key or b"")
    if done:  # the whole page again: its presence figures and quorum changed too
        flash(_("您已签到。"), "success")
        return redirect_to(url_for("congress.show_session", session_id=cs.id))
    return render("congress/session.html", block="sign_in", status=done.status,
                  **session_context(cs, sign_in_form=form, sign_in_error=done.error, standalone=False))


@bp.post("/sessions/<int:session_id>/presence")
def record_presence(session_id: int) -> Response:
    """The union signs a representative in (paper sign-in, with a note) or out."""
    cs = load_session(session_id, "congress.manage")
    form = PresenceForm()
    ctx = session_context(cs, presence_form=form)  # fills the choices before validating
    with attempt() as done:
        require_valid(form)
        person = db.session.get(User, form.user_id.data) or abort(404)
        rules.record_presence(db.session, current_user, cs, person, form.entry.data, form.note.data or "")
    if done:
        ctx = session_context(cs, presence_form=PresenceForm(formdata=None),
                              presence_done=_("已登记：%(name)s。", name=person.name))
    return render("congress/session.html", block="presence", status=done.status,
                  **{**ctx, "presence_error": done.error})


@bp.post("/sessions/<int:session_id>/display")
def rotate_display(session_id: int) -> Response:
    """A new hall display address (union); the old one stops working."""
    cs = load_session(session_id, "congress.manage")
    rules.rotate_display_token(db.session, current_user, cs)
    db.session.commit()
    flash(_("大屏地址已更换，请在会场大屏上打开新地址。"), "success")
    return redirect_to(url_for("congress.show_session", session_id=cs.id))


@bp.get("/results")
def public_results() -> Response:
    """Results the union marked public, for anyone."""
    permissions.require("congress.results.public")
    polls = db.session.scalars(queries.public_results().limit(100)).all()
    return render("congress/results.html", polls=polls,
                  outcomes={p.id: queries.result_of(db.session, p, _) for p in polls}, labels=LABELS)
