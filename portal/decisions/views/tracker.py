"""The resolution tracker (决议督办台账): every visible resolution with its status and the
headline figures; XLSX and print; the school year's self-check and archive."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app, make_response, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import permissions
from portal.decisions import exports, queries
from portal.decisions.forms import BODY_LABELS, CADENCE_LABELS, KIND_LABELS, STATUS_LABELS, VISIBILITY_LABELS, \
    TrackerFilterForm
from portal.decisions.models import Meeting, MeetingPaper
from portal.decisions.views import bp
from portal.decisions.views.procedure import today
from portal import files
from portal.extensions import db
from portal.formutil import options
from portal.pagecache import public_page, reader_page, versioned

from portal.timeutil import to_local
from portal.web import page_of, render

TRACKER_PAGE = 50


def _filters(visible: object, shared: dict[str, Any] | None = None) -> tuple[TrackerFilterForm, queries.Filters]:
    form = TrackerFilterForm(request.args, meta={"csrf": False})
    years = shared["years"] if shared else queries.tracker_years(db.session, visible)
    form.year.choices = options([("", _("全部"))] + [(y, str(y)) for y in years])
    owners = shared["owners"] if shared else queries.owners(db.session, visible)
    form.owner.choices = options([("", _("全部"))] + [(o.id, o.name) for o in owners])
    form.validate()
    status = form.status.data if form.status.data in STATUS_LABELS else None
    body = form.body.data if form.body.data in BODY_LABELS else None
    kind = "regular_report" if request.args.get("kind") == "regular_report" else "resolution"
    return form, queries.Filters(year=form.year.data or None if not form.year.errors else None, body=body,
                                 owner_id=form.owner.data or None if not form.owner.errors else None,
                                 status=status, kind=kind)


def _condition_key(visible: Any) -> str:
    """The visibility condition as SQL text with its parameters: equal for readers who see
    exactly the same resolutions (every insider; the public), different otherwise (it holds
    the reader's id where owning or co-owning a resolution shows it)."""
    compiled = visible.compile(dialect=db.engine.dialect)
    return f"{compiled}|{sorted((k, repr(v)) for k, v in compiled.params.items())}"


def _tracker_data(visible: Any, day: Any) -> dict[str, Any]:
    """The filter choices and, per filter set, the rows with their status and the figures for
    ``visible`` on ``day`` (plain values only). With the page cache on, kept per worker for the
    data version (resolutions, reports and urgings all change through rules, which move it),
    the condition and the day: a reader whose page turned with the minute, and every reader
    who may see the same resolutions, are not read again. What a reader may see is still
    asked on every request (``visible``), and is part of the key."""
    def compute() -> dict[str, Any]:
        return {"years": queries.tracker_years(db.session, visible), "owners": queries.owners(db.session, visible),
                "rows": {}}
    if not current_app.config["PAGE_CACHE"]:
        return compute()
    return versioned(f"tracker:{day.isoformat()}:{_condition_key(visible)}", compute)


def _lines(shared: dict[str, Any], visible: Any, day: Any, filters: queries.Filters) -> tuple[list[Any], Any]:
    """The rows and figures for ``filters``, kept in ``shared`` (a few filter sets at most)."""
    key = (filters, day)
    found: tuple[list[Any], Any] | None = shared["rows"].get(key)
    if found is None:
        rows = queries.tracker_lines(db.session, visible, day, filters)
        found = (rows, queries.figures(db.session, rows, day))
        if len(shared["rows"]) >= 16:
            shared["rows"].clear()
        shared["rows"][key] = found
    return found


@bp.get("/tracker")
@public_page()
@reader_page()
def tracker() -> Response:
    """Every resolution the reader may see, with owner, deadline, status and last report,
    filtered by year, body, owner and status, and the headline figures (on-time share)."""
    permissions.require("resolution.tracker")
    visible = permissions.listing(current_user, "resolution.view")
    day = today()
    shared = _tracker_data(visible, day)
    form, filters = _filters(visible, shared)
    rows, figures = _lines(shared, visible, day, filters)
    print_view = request.args.get("print") == "1"
    # The figures count every row; the page shows fifty (the print view and the XLSX show all).
    shown = {"rows": rows, "page": 1, "pages": 1} if print_view else page_of(rows, TRACKER_PAGE)
    # Labels translated once per request, not once per row (each lazy label is a gettext call).
    return render("decisions/tracker.html", block="tracker_rows", rows=rows, shown=shown["rows"], page=shown["page"],
                  pages=shown["pages"], form=form, today=day,
                  figures=figures,
                  status_labels={k: str(v) for k, v in STATUS_LABELS.items()},
                  body_labels={k: str(v) for k, v in BODY_LABELS.items()}, visibility_labels=VISIBILITY_LABELS, kind=filters.kind,
                  regular_reports=filters.regular_reports,
                  kind_labels=KIND_LABELS, cadence_labels=CADENCE_LABELS, print_view=print_view)


def _headers() -> list[str]:
    return [_("编号"), _("决议"), _("会议类别"), _("会议"), _("责任人"), _("决定日期"), _("完成期限"), _("状态"),
            _("最近报告"), _("下次报告"), _("报告次数"), _("催报次数")]


@bp.get("/tracker.xlsx")
def tracker_export() -> Response:
    """The tracker as a spreadsheet: the same rows the reader may see, with the same filters."""
    permissions.require("resolution.tracker")
    visible = permissions.listing(current_user, "resolution.view")
    _form, filters = _filters(visible)
    rows = queries.tracker_lines(db.session, visible, today(), filters)
    data = exports.tracker_xlsx(rows, _headers(), lambda s: str(STATUS_LABELS[s]), lambda b: str(BODY_LABELS.get(b, b)))
    return _xlsx(data, "tracker.xlsx")


def _xlsx(data: bytes, name: str) -> Response:
    resp = make_response(data)
    resp.headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    resp.headers["Content-Disposition"] = f"attachment; filename={name}"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@bp.get("/decisions/self-check")
def self_check() -> Response:
    """The school year's self-check for inspection (自查): every figure with its records."""
    permissions.require("self_check.view")
    from portal.audit.rules import chain_head

    day = today()
    default = day.year if day.month >= 9 else day.year - 1
    year = request.args.get("year", type=int) or default
    if not 2000 <= year <= default:
        year = default
    check = queries.self_check(db.session, year, day)
    seq, head = chain_head(db.session)
    return render("decisions/self_check.html", check=check, years=list(range(default, default - 5, -1)),
                  chain_seq=seq, chain_hash=head, body_labels=BODY_LABELS, status_labels=STATUS_LABELS,
                  meeting_pages=permissions.can(current_user, "decisions.workspace"))


@bp.get("/decisions/self-check/archive.zip")
def archive() -> Response:
    """The school year's archive bundle: signed 会议记录 with signers, times and hashes (unsigned
    ones listed as 未签署), resolutions, reports and every attached file, a README in Chinese."""
    permissions.require("self_check.view")
    from portal.audit.rules import chain_head
    day = today()
    default = day.year if day.month >= 9 else day.year - 1
    year = request.args.get("year", type=int) or default
    if not 2000 <= year <= default:
        year = default
    check = queries.self_check(db.session, year, day)
    held = [m for body in check.bodies for m in body.meetings]
    papers = queries.papers_of(db.session, [m.id for m in held])
    minutes = [_archived(m, papers[m.id]) for m in held]
    reports: list[tuple[str, str]] = []
    attachments: list[tuple[str, bytes | None]] = []
    for res_id, reps in queries.reports_of(db.session, [r.resolution.id for r in check.resolutions]).items():
        for n, rep in enumerate(reps, 1):
            reports.append((f"reports/{res_id}/{n}.txt", f"{rep.filed_on.isoformat()} {rep.percent}%\n\n{rep.text}\n"))
            if rep.attachment_stored:
                attachments.append(_stored(f"reports/{res_id}/{n}-", rep.attachment_name, rep.attachment_stored))
    for body in check.bodies:
        for m in body.meetings:
            for item in m.items:
                for ev in item.evidence:
                    if ev.attachment_stored:
                        attachments.append(_stored(f"evidence/{item.id}/{ev.id}-", ev.attachment_name,
                                                   ev.attachment_stored))
    sheet = exports.tracker_xlsx(check.resolutions, _headers(), lambda s: str(STATUS_LABELS[s]),
                                 lambda b: str(BODY_LABELS.get(b, b)))
    data = exports.archive_zip(year, chain_head(db.session), minutes, sheet, reports, attachments)
    resp = make_response(data)
    resp.headers["Content-Type"] = "application/zip"
    resp.headers["Content-Disposition"] = f"attachment; filename=decisions-{year}.zip"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def _local(at: Any) -> str:
    return to_local(at).strftime("%Y-%m-%d %H:%M") if at else ""


def _archived(m: Meeting, papers: list[MeetingPaper]) -> exports.ArchivedMinutes:
    """Signed by both: the frozen text with its signers; otherwise only its name. Its papers
    (会议材料, sent before the meeting) go with it either way, under ``papers/<day>-<id>/``."""
    path = f"minutes/{m.held_on.isoformat()}-{m.id}.txt"
    titles = {i.id: i.title for i in m.items}
    archived = tuple(
        exports.ArchivedPaper(name, titles.get(p.item_id or 0, ""), p.sha256, data)
        for p in papers
        for name, data in [_stored(f"papers/{m.held_on.isoformat()}-{m.id}/{p.id}-", p.filename, p.stored_name)])
    if not m.is_signed:
        return exports.ArchivedMinutes(path, m.title, m.held_on, papers=archived)
    return exports.ArchivedMinutes(
        path, m.title, m.held_on, m.minutes_text, m.minutes_hash, m.recorder.name if m.recorder else "",
        _local(m.recorder_signed_at), m.supervisor.name if m.supervisor else "", _local(m.supervisor_signed_at),
        archived)


def _stored(prefix: str, name: str, stored: str) -> tuple[str, bytes | None]:
    """An attached file's bytes under its record's folder (None when storage has lost it)."""
    try:
        data = files.path_of(current_app.config["UPLOAD_DIR"], stored).read_bytes()
    except (FileNotFoundError, ValueError):
        data = None
    return prefix + files.clean_filename(name), data
