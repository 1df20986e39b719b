"""Sessions (第N次会议) and presence: planned → open → closed by the union; sign-in on the
phone (with the rotating hall code when the session asks for it) or by the union (paper
sign-in, with a note); the dated log of who came in and went out."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth.models import User
from portal.congress.models import (
    SESSION_FLOW, Attendance, CongressSession, CongressTerm, Poll, PollStatus, PresenceEvent, SessionDocument,
    SessionStatus, TermKind,
)
from portal.congress.rules.common import CongressError
from portal.db import refused_on_conflict
from portal.files import StoredFile
from portal.i18n import N_
from portal.notify.rules import notify
from portal.org.roster import on_term_roster, roster_ids
from portal.timeutil import to_local, utcnow

HALL_CODE_SECONDS = 30
HALL_CODE_DIGITS = 6


def new_display_token() -> str:
    """The unguessable part of a hall display's address."""
    return secrets.token_urlsafe(24)


def create_term(session: Session, actor: User, number: int, name: str, starts_on: date, ends_on: date,
                kind: str = TermKind.CONGRESS.value) -> CongressTerm:
    """A new term (届); a 教职工大会 term has the whole active staff as its roster."""
    name = name.strip()
    if not name:
        raise CongressError(N_("请填写名称。"))
    if kind not in (TermKind.CONGRESS.value, TermKind.ASSEMBLY.value):
        raise CongressError(N_("请选择教职工代表大会或教职工大会。"))
    if not starts_on < ends_on:
        raise CongressError(N_("任期结束日期应晚于开始日期。"))
    if session.scalar(select(CongressTerm.id).where(CongressTerm.number == number)):
        raise CongressError(N_("第 %(number)d 届已经存在。"), number=number)
    term = CongressTerm(number=number, name=name[:60], starts_on=starts_on, ends_on=ends_on, kind=kind)
    session.add(term)
    session.flush()
    record(session, actor, "congress.term_created", term, number=number, kind=kind,
           starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat())
    return term


def create_session(session: Session, actor: User, term: CongressTerm, held_on: date, place: str,
                   agenda: str = "", requires_hall_code: bool = False,
                   work_report_required: bool = True) -> CongressSession:
    """Plan the term's next session (numbered in order within the term). The principal's
    office is told that the work report is needed, unless it is an extraordinary session."""
    place = place.strip()
    if not place:
        raise CongressError(N_("请填写会议地点。"))
    if not term.starts_on <= held_on <= term.ends_on:
        raise CongressError(N_("会议日期应在本届教代会任期之内（%(start)s 至 %(end)s）。"),
                            start=term.starts_on.isoformat(), end=term.ends_on.isoformat())
    number = (session.scalar(select(func.max(CongressSession.number)).where(CongressSession.term_id == term.id)) or 0) + 1
    cs = CongressSession(term_id=term.id, number=number, held_on=held_on, place=place, agenda=agenda.strip(),
                         requires_hall_code=requires_hall_code, work_report_required=work_report_required,
                         display_token=new_display_token())
    with refused_on_conflict(session, CongressError(N_("另一位同事刚刚安排了会议，请刷新页面后重试。"))):
        session.add(cs)
    record(session, actor, "congress.session_planned", cs, term=term.id, number=number, held_on=held_on.isoformat(),
           work_report=work_report_required)
    if work_report_required:
        from portal.congress.rules.work_report import answerers

        notify(session, answerers(session, held_on), N_("%(term)s第 %(number)d 次会议（%(day)s）需要校长工作报告，请在会前提交。"),
               subject=("work_report", cs.id), actor_id=actor.id, term=term.name, number=number,
               day=held_on.isoformat())
    return cs


def update_session(session: Session, actor: User, cs: CongressSession, held_on: date, place: str, agenda: str,
                   requires_hall_code: bool, work_report_required: bool | None = None) -> None:
    """Change a session's date, place, agenda or hall-code setting (not after it closed);
    whether it is an extraordinary session only while it is planned."""
    if cs.status == SessionStatus.CLOSED.value:
        raise CongressError(N_("会议已结束，不能修改。"))
    if work_report_required is not None and work_report_required != cs.work_report_required:
        if cs.status != SessionStatus.PLANNED.value:
            raise CongressError(N_("会议已经开始，不能再更改是否为临时会议。"))
        cs.work_report_required = work_report_required
    if not place.strip():
        raise CongressError(N_("请填写会议地点。"))
    if not cs.term.starts_on <= held_on <= cs.term.ends_on:
        raise CongressError(N_("会议日期应在本届教代会任期之内（%(start)s 至 %(end)s）。"),
                            start=cs.term.starts_on.isoformat(), end=cs.term.ends_on.isoformat())
    cs.held_on, cs.place, cs.agenda, cs.requires_hall_code = held_on, place.strip(), agenda.strip(), requires_hall_code
    session.flush()
    record(session, actor, "congress.session_edited", cs, held_on=held_on.isoformat(), hall_code=requires_hall_code,
           work_report=cs.work_report_required)


MAX_DOCUMENTS = 20


def attach_document(session: Session, actor: User, cs: CongressSession, stored: StoredFile,
                    now: datetime | None = None) -> SessionDocument:
    """Add a paper to a session (``portal.files.store`` wrote it, before the write lock)."""
    if cs.status == SessionStatus.CLOSED.value:
        raise CongressError(N_("会议已结束，不能再添加会议文件。"))
    count = session.scalar(select(func.count()).select_from(SessionDocument)
                           .where(SessionDocument.session_id == cs.id)) or 0
    if count >= MAX_DOCUMENTS:
        raise CongressError(N_("每次会议最多 %(max)d 个会议文件。"), max=MAX_DOCUMENTS)
    doc = SessionDocument(session_id=cs.id, uploaded_by_id=actor.id, uploaded_at=now or utcnow(), **stored.columns())
    session.add(doc)
    session.flush()
    record(session, actor, "congress.document_added", doc, congress_session=cs.id, filename=doc.filename,
           sha256=doc.sha256)
    return doc


def documents(session: Session, cs: CongressSession) -> list[SessionDocument]:
    return list(session.scalars(select(SessionDocument).where(SessionDocument.session_id == cs.id)
                                .order_by(SessionDocument.id)))


def _step(session: Session, actor: User, cs: CongressSession, action: str, now: datetime) -> None:
    step = SESSION_FLOW.move(cs, action, CongressError(
        N_("会议已经开始或已经结束，不能再次开始。") if action == "open" else N_("会议尚未开始或已经结束，不能结束。")))
    if action == "open":
        cs.opened_at = now
    else:
        cs.closed_at = now
    session.flush()
    record(session, actor, f"congress.session_{step.target.value}", cs, number=cs.number)


def open_session(session: Session, actor: User, cs: CongressSession, now: datetime | None = None) -> None:
    """Open the session: representatives may sign in and the union may open polls. A session
    that requires the principal's work report does not open without it."""
    from portal.congress.rules.work_report import required_before_opening

    if cs.status == SessionStatus.PLANNED.value:
        required_before_opening(session, cs)
    _step(session, actor, cs, "open", now or utcnow())


def close_session(session: Session, actor: User, cs: CongressSession, now: datetime | None = None) -> None:
    """Close the session; refused while one of its polls is still open."""
    if cs.status == SessionStatus.OPEN.value and session.scalar(
            select(Poll.id).where(Poll.session_id == cs.id, Poll.status == PollStatus.OPEN.value).limit(1)):
        raise CongressError(N_("还有正在进行的表决，请先结束表决再闭会。"))
    _step(session, actor, cs, "close", now or utcnow())


def rotate_display_token(session: Session, actor: User, cs: CongressSession) -> None:
    """A new hall display address; the old one stops working at once."""
    cs.display_token = new_display_token()
    session.flush()
    record(session, actor, "congress.display_rotated", cs)


# --- the hall code -----------------------------------------------------------------------

def code_window(now: datetime) -> int:
    return int(now.timestamp()) // HALL_CODE_SECONDS if now.tzinfo else int(
        (now - datetime(1970, 1, 1)).total_seconds()) // HALL_CODE_SECONDS


def hall_code(secret: str | bytes, session_id: int, window: int) -> str:
    """The six-digit code of ``window``: HMAC-SHA-256 of the session id and window with the
    app's secret, so it cannot be foreseen and every worker computes the same one."""
    key = secret.encode() if isinstance(secret, str) else secret
    mac = hmac.new(key, f"congress-hall:{session_id}:{window}".encode(), hashlib.sha256).digest()
    return str(int.from_bytes(mac[:8], "big") % 10**HALL_CODE_DIGITS).zfill(HALL_CODE_DIGITS)


def current_hall_code(secret: str | bytes, session_id: int, now: datetime | None = None) -> str:
    return hall_code(secret, session_id, code_window(now or utcnow()))


def hall_code_valid(secret: str | bytes, session_id: int, code: str, now: datetime | None = None) -> bool:
    """The code of this window or of the one before (a code read just before it turned)."""
    window = code_window(now or utcnow())
    code = (code or "").strip()
    return any(hmac.compare_digest(code, hall_code(secret, session_id, w)) for w in (window, window - 1))


# --- sign-in ----------------------------------------------------------------------------------

def _mark(session: Session, cs: CongressSession, user_id: int, kind: str, via: str, by: User, note: str,
          now: datetime) -> None:
    row = session.scalar(select(Attendance).where(Attendance.session_id == cs.id, Attendance.user_id == user_id))
    if kind == "in":
        if row is None:
            session.add(Attendance(session_id=cs.id, user_id=user_id, present=True, first_in_at=now))
        else:
            row.present = True
    elif row is not None:
        row.present = False
    session.add(PresenceEvent(session_id=cs.id, user_id=user_id, kind=kind, via=via, by_id=by.id,
                              note=note.strip()[:200], at=now))
    session.flush()


def is_present(session: Session, cs: CongressSession, user_id: int) -> bool:
    return bool(session.scalar(select(Attendance.present).where(
        Attendance.session_id == cs.id, Attendance.user_id == user_id)))


def sign_in(session: Session, user: User, cs: CongressSession, code: str | None = None, secret: str | bytes = b"",
            now: datetime | None = None) -> None:
    """A representative signs themself in on the phone while the session is open; with the
    hall code when the session requires it (this window's or the previous one)."""
    now = now or utcnow()
    if cs.status == SessionStatus.PLANNED.value:
        raise CongressError(N_("会议尚未开始签到。"))
    if cs.status == SessionStatus.CLOSED.value:
        raise CongressError(N_("会议已结束，不能再签到。"))
    if not user.active:
        raise CongressError(N_("账号已停用，不能签到。"))
    if not on_term_roster(session, cs.term, user, to_local(now).date()):
        raise CongressError(N_("您不是%(term)s代表，不能签到。"), term=cs.term.name)
    if cs.requires_hall_code and not hall_code_valid(secret, cs.id, code or "", now):
        raise CongressError(N_("签到码不正确或已过期，请扫描会场大屏上的最新二维码或输入最新签到码。"))
    if is_present(session, cs, user.id):
        raise CongressError(N_("您已签到。"))
    _mark(session, cs, user.id, "in", "hall" if cs.requires_hall_code else "phone", user, "", now)
    record(session, user, "congress.signed_in", cs, session_id=cs.id)


def record_presence(session: Session, actor: User, cs: CongressSession, person: User, kind: str, note: str = "",
                    now: datetime | None = None) -> None:
    """The union signs a representative in (paper sign-in, with a note) or out."""
    now = now or utcnow()
    if cs.status != SessionStatus.OPEN.value:
        raise CongressError(N_("只有进行中的会议可以登记签到或离场。"))
    if kind not in ("in", "out"):
        raise CongressError(N_("请选择签到或离场。"))
    if kind == "in" and person.id not in roster_ids(session, cs.term_id, to_local(now).date()):
        raise CongressError(N_("%(name)s 不是%(term)s代表。"), name=person.name, term=cs.term.name)
    present = is_present(session, cs, person.id)
    if kind == "in" and present:
        raise CongressError(N_("%(name)s 已签到。"), name=person.name)
    if kind == "out" and not present:
        raise CongressError(N_("%(name)s 当前不在会场。"), name=person.name)
    _mark(session, cs, person.id, kind, "union", actor, note, now)
    record(session, actor, "congress.signed_" + ("in" if kind == "in" else "out"), cs, session_id=cs.id,
           user=person.id, note=note.strip()[:200])


@dataclass(frozen=True)
class Presence:
    roster: list[int]  # 应到: the term's representatives today
    now: list[int]  # on the roster and in the hall now
    ever: list[int]  # signed in at some time during the session

    @property
    def roster_size(self) -> int:
        return len(self.roster)


def presence(session: Session, cs: CongressSession, on: date | None = None) -> Presence:
    """Present now and present at all, against the roster on the day (three queries)."""
    roster = roster_ids(session, cs.term_id, on or to_local(utcnow()).date())
    rows = session.execute(select(Attendance.user_id, Attendance.present).where(Attendance.session_id == cs.id)).all()
    members = set(roster)
    return Presence(roster=roster, now=sorted(u for u, p in rows if p and u in members), ever=sorted(u for u, _ in rows))
