"""The principal's work report (校长工作报告), a required item of every session but an
extraordinary one: the principal's office files it, representatives read it and leave
opinions, the principal's office answers each, all on record.

The report may be filed and revised while the session is planned; once it opens, the text
is fixed (what the congress discusses is what was filed), and a session that requires the
report cannot open without it. Opinions are taken until the session closes; answers at any
time, each final once given.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, literal, select, true
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth.models import Role, User
from portal.congress.models import (
    CongressSession, CongressTerm, SessionDocument, SessionReport, SessionStatus, WorkReport, WorkReportOpinion, WorkReportRead,
)
from portal.congress.rules.common import CongressError
from portal.i18n import N_
from portal.markup import render_markdown
from portal.notify.rules import notify
from portal.org.memberships import Memberships
from portal.org.models import Office
from portal.org.roster import on_term_roster, roster_ids
from portal.timeutil import to_local, utcnow

TITLE_MAX = 120
BODY_MAX = 50_000
OPINION_MAX = 2_000
ANSWER_MAX = 4_000


@dataclass(frozen=True)
class Draft:
    """A report's text checked and rendered, ready to file (made before the write begins)."""

    title: str
    body: str
    html: str
    sha256: str


def prepare(title: str, body: str) -> Draft:
    """Check the title and text and render the text (outside any write transaction)."""
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise CongressError(N_("请填写报告标题。"))
    if len(title) > TITLE_MAX:
        raise CongressError(N_("标题不能超过 %(max)d 字。"), max=TITLE_MAX)
    if not body:
        raise CongressError(N_("请填写报告正文（可另附文件）。"))
    if len(body) > BODY_MAX:
        raise CongressError(N_("正文不能超过 %(max)d 字。"), max=BODY_MAX)
    return Draft(title, body, render_markdown(body), hashlib.sha256(body.encode()).hexdigest())


def answerers(session: Session, on: date) -> list[int]:
    """The principal's office: whoever holds the principal's seat on the day, and the
    recorders (党政办) who file and answer on the principal's behalf."""
    from portal.auth.models import UserRole

    ids = set(Memberships(session, on).holders(Office.PRINCIPAL))
    ids.update(session.scalars(select(UserRole.user_id).join(User, User.id == UserRole.user_id)
                               .where(UserRole.role == Role.RECORDER.value, User.active.is_(True))))
    return sorted(ids)


def report_of(session: Session, cs: CongressSession) -> WorkReport | None:
    return session.scalar(select(WorkReport).where(WorkReport.session_id == cs.id))


def file_report(session: Session, actor: User, cs: CongressSession, draft: Draft,
                document: SessionDocument | None = None, now: datetime | None = None) -> WorkReport:
    """File the report, or revise it while the session is still planned. The file, when
    there is one, is already a paper of the session (``sessions.attach_document``)."""
    if cs.status != SessionStatus.PLANNED.value:
        raise CongressError(N_("会议已经开始，校长工作报告不能再提交或修改。"))
    now = now or utcnow()
    report = report_of(session, cs)
    if report is None:
        report = WorkReport(session_id=cs.id, title=draft.title, body=draft.body, body_html=draft.html,
                            sha256=draft.sha256, document_id=document.id if document else None,
                            filed_by_id=actor.id, filed_at=now, revision=1)
        session.add(report)
    else:
        report.title, report.body, report.body_html, report.sha256 = draft.title, draft.body, draft.html, draft.sha256
        if document is not None:
            report.document_id = document.id
        report.filed_by_id, report.filed_at, report.revision = actor.id, now, report.revision + 1
    session.flush()
    record(session, actor, "congress.work_report_filed", report, congress_session=cs.id, revision=report.revision,
           sha256=report.sha256, document=report.document_id)
    if report.revision == 1:
        readers = roster_ids(session, cs.term_id, to_local(now).date())
        notify(session, readers, N_("校长工作报告《%(title)s》已提交，请在会前阅读并提出意见。"),
               subject=("work_report", cs.id), actor_id=actor.id, title=report.title)
    return report


def required_before_opening(session: Session, cs: CongressSession) -> None:
    """Refuse to open a session that requires the work report while none is filed."""
    if cs.work_report_required and report_of(session, cs) is None:
        raise CongressError(N_("校长工作报告是本次会议的必备议程，请先由校长办公室提交报告，再开始会议。"))


def _reader(session: Session, user: User, cs: CongressSession, now: datetime) -> None:
    if not on_term_roster(session, cs.term, user, to_local(now).date()):
        raise CongressError(N_("您不是%(term)s代表。"), term=cs.term.name)


def mark_read(session: Session, user: User, report: WorkReport, now: datetime | None = None) -> None:
    """A representative marks the report read (once)."""
    now = now or utcnow()
    _reader(session, user, report.session, now)
    if session.get(WorkReportRead, (report.id, user.id)) is not None:
        raise CongressError(N_("您已标记为已阅读。"))
    session.add(WorkReportRead(report_id=report.id, user_id=user.id, read_at=now))
    session.flush()
    record(session, user, "congress.work_report_read", report, congress_session=report.session_id)


def leave_opinion(session: Session, user: User, report: WorkReport, body: str,
                  now: datetime | None = None) -> WorkReportOpinion:
    """A representative's signed opinion, taken until the session closes."""
    now = now or utcnow()
    body = (body or "").strip()
    if report.session.status == SessionStatus.CLOSED.value:
        raise CongressError(N_("会议已闭会，不再收集对工作报告的意见。"))
    _reader(session, user, report.session, now)
    if not body:
        raise CongressError(N_("请填写意见。"))
    if len(body) > OPINION_MAX:
        raise CongressError(N_("意见不能超过 %(max)d 字。"), max=OPINION_MAX)
    opinion = WorkReportOpinion(report_id=report.id, author_id=user.id, body=body, created_at=now)
    session.add(opinion)
    session.flush()
    record(session, user, "congress.work_report_opinion", opinion, congress_session=report.session_id,
           report=report.id)
    notify(session, answerers(session, to_local(now).date()),
           N_("代表 %(name)s 对校长工作报告提出了意见，请答复。"), subject=("work_report", report.session_id),
           actor_id=user.id, name=user.name)
    return opinion


def answer_opinion(session: Session, actor: User, opinion: WorkReportOpinion, answer: str,
                   now: datetime | None = None) -> None:
    """The principal's office answers an opinion; the answer is final once given."""
    answer = (answer or "").strip()
    if opinion.answered_at is not None:
        raise CongressError(N_("这条意见已经答复，答复不能修改。"))
    if not answer:
        raise CongressError(N_("请填写答复。"))
    if len(answer) > ANSWER_MAX:
        raise CongressError(N_("答复不能超过 %(max)d 字。"), max=ANSWER_MAX)
    opinion.answer, opinion.answered_by_id, opinion.answered_at = answer, actor.id, now or utcnow()
    session.flush()
    record(session, actor, "congress.work_report_answered", opinion,
           sha256=hashlib.sha256(answer.encode()).hexdigest())
    report = session.get(WorkReport, opinion.report_id)
    notify(session, [opinion.author_id], N_("您对校长工作报告的意见已得到答复。"),
           subject=("work_report", report.session_id if report else 0), actor_id=actor.id)


@dataclass(frozen=True)
class Standing:
    """Where the report stands, for the session page and the to-do list."""

    filed: bool
    read: int
    opinions: int
    unanswered: int


def standing(session: Session, cs: CongressSession) -> Standing:
    """Filed or not, read by how many, opinions and unanswered ones (one statement)."""
    read = (select(func.count()).select_from(WorkReportRead).where(WorkReportRead.report_id == WorkReport.id)
            .correlate(WorkReport).scalar_subquery())
    total = (select(func.count()).select_from(WorkReportOpinion).where(WorkReportOpinion.report_id == WorkReport.id)
             .correlate(WorkReport).scalar_subquery())
    unanswered = (select(func.count()).select_from(WorkReportOpinion)
                  .where(WorkReportOpinion.report_id == WorkReport.id, WorkReportOpinion.answered_at.is_(None))
                  .correlate(WorkReport).scalar_subquery())
    row = session.execute(select(read, total, unanswered).where(WorkReport.session_id == cs.id)).first()
    if row is None:
        return Standing(False, 0, 0, 0)
    return Standing(True, row[0] or 0, row[1] or 0, row[2] or 0)


def opinions(session: Session, report: WorkReport) -> list[WorkReportOpinion]:
    return list(session.scalars(select(WorkReportOpinion).where(WorkReportOpinion.report_id == report.id)
                                .order_by(WorkReportOpinion.created_at, WorkReportOpinion.id)))


@dataclass(frozen=True)
class Missing:
    session_id: int
    number: int
    term: str


def office_backlog(session: Session) -> tuple[list[Missing], int, int | None]:
    """The office's to-do: planned sessions that need the report and have none, the
    opinions on any report still unanswered and the newest session they are on (one
    statement: the row of the figures, joined to each missing session)."""
    waiting = (select(WorkReportOpinion.id, WorkReport.session_id)
               .join(WorkReport, WorkReport.id == WorkReportOpinion.report_id)
               .where(WorkReportOpinion.answered_at.is_(None)).subquery())
    unanswered = select(func.count()).select_from(waiting).scalar_subquery()
    newest = select(func.max(waiting.c.session_id)).scalar_subquery()
    missing = (select(CongressSession.id, CongressSession.number, CongressSession.held_on,
                      CongressTerm.name.label("term"))
               .join(CongressTerm, CongressTerm.id == CongressSession.term_id)
               .outerjoin(WorkReport, WorkReport.session_id == CongressSession.id)
               .where(CongressSession.status == SessionStatus.PLANNED.value,
                      CongressSession.work_report_required.is_(True), WorkReport.id.is_(None))
               .subquery())
    one = select(literal(1).label("one")).subquery()
    rows = session.execute(select(unanswered, newest, missing.c.id, missing.c.number, missing.c.term)
                           .select_from(one.outerjoin(missing, true()))
                           .order_by(missing.c.held_on, missing.c.id)).all()
    first = rows[0] if rows else (0, None)
    return [Missing(r[2], r[3], r[4]) for r in rows if r[2] is not None], first[0] or 0, first[1]


def compiled_for(session: Session, cs: CongressSession) -> list[SessionReport]:
    """The reports compiled for the session (the execution of resolutions), oldest first."""
    return list(session.scalars(select(SessionReport).where(SessionReport.session_id == cs.id)
                                .order_by(SessionReport.id)))


def attach_compiled(session: Session, actor: User, cs: CongressSession, title: str, html: str,
                    spreadsheet: SessionDocument, now: datetime | None = None) -> SessionReport:
    """Attach a report another feature compiled (its printable HTML, rendered before the write
    began, and its spreadsheet, already a paper of the session); refused after close."""
    if cs.status == SessionStatus.CLOSED.value:
        raise CongressError(N_("会议已闭会，不能再附上报告。"))
    report = SessionReport(session_id=cs.id, title=title[:TITLE_MAX], html=html,
                           sha256=hashlib.sha256(html.encode()).hexdigest(), document_id=spreadsheet.id,
                           compiled_by_id=actor.id, compiled_at=now or utcnow())
    session.add(report)
    session.flush()
    record(session, actor, "congress.report_attached", report, congress_session=cs.id, title=report.title,
           sha256=report.sha256, spreadsheet=spreadsheet.sha256)
    return report
