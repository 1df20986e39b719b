"""The congress roster: who represents the staff in a term, from which day to which."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import xlsx
from portal.audit.rules import record
from portal.auth.models import User
from portal.congress.models import CongressTerm, Delegation, Representative
from portal.errors import DomainError, Message
from portal.i18n import N_

# How a roster file names a representative (the role column of the staff roster).
REPRESENTATIVE_WORD = N_("教代会代表")


def enrol(session: Session, actor: User | None, term: CongressTerm, user: User, joined_on: date,
          delegation_id: int | None = None) -> Representative:
    """Put ``user`` on the term's roster from ``joined_on``."""
    if not term.starts_on <= joined_on <= term.ends_on:
        raise DomainError(N_("加入日期应在本届教代会任期之内。"))
    if session.scalar(select(Representative.id).where(
            Representative.term_id == term.id, Representative.user_id == user.id)):
        raise DomainError(N_("%(name)s 已是本届教代会代表。"), name=user.name)
    rep = Representative(term_id=term.id, user_id=user.id, joined_on=joined_on, delegation_id=delegation_id)
    session.add(rep)
    session.flush()
    record(session, actor, "congress.rep_enrolled", rep, term=term.id, user=user.id, joined_on=joined_on.isoformat())
    return rep


def record_leave(session: Session, actor: User | None, rep: Representative, left_on: date) -> None:
    """A representative leaves the roster on ``left_on`` (the last day they count); the row
    stays, so counts for earlier dates still include them. A replacement is enrolled anew."""
    term = session.get(CongressTerm, rep.term_id)
    assert term is not None
    if rep.left_on is not None:
        raise DomainError(N_("%(name)s 已于 %(day)s 离任。"), name=rep.user.name, day=rep.left_on.isoformat())
    if not rep.joined_on <= left_on <= term.ends_on:
        raise DomainError(N_("离任日期应在加入日期（%(start)s）与任期结束（%(end)s）之间。"),
                          start=rep.joined_on.isoformat(), end=term.ends_on.isoformat())
    rep.left_on = left_on
    session.flush()
    record(session, actor, "congress.rep_left", rep, term=term.id, user=rep.user_id, left_on=left_on.isoformat())


# --- importing a term's roster ------------------------------------------------------------

REP_COLUMNS = (N_("工号"), N_("代表团"), N_("加入日期"))  # as the file names them; only 工号 is required


@dataclass
class RepRow:
    line: int
    staff_no: str
    delegation: str
    joined: str


def read_rep_roster(filename: str, data: bytes) -> list[RepRow]:
    """Parse an XLSX or CSV list of representatives (the staff roster's reader, bounded)."""
    return [RepRow(line, row[N_("工号")], row[N_("代表团")], row[N_("加入日期")])
            for line, row in xlsx.read_named_rows(filename, data, REP_COLUMNS, (N_("工号"),))]


@dataclass
class RepImport:
    errors: list[tuple[int, Message]] = field(default_factory=list)
    enrolled: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def import_reps(session: Session, actor: User, term: CongressTerm, rows: list[RepRow], today: date) -> RepImport:
    """Check every row first; enrol them all only when no row has an error (all or nothing)."""
    result = RepImport()
    by_no = {u.staff_no: u for u in session.scalars(select(User).where(User.staff_no.in_([r.staff_no for r in rows])))}
    on_term = set(session.scalars(select(Representative.user_id).where(Representative.term_id == term.id)))
    delegations = {d.name: d for d in session.scalars(select(Delegation).where(Delegation.term_id == term.id))}
    seen: dict[str, int] = {}
    valid: list[tuple[User, str, date]] = []
    for row in rows:
        problems: list[Message] = []
        user = by_no.get(row.staff_no)
        if not row.staff_no:
            problems.append(Message(N_("缺少工号")))
        elif user is None:
            problems.append(Message(N_("工号 %(no)s 不在教职工名册中"), no=row.staff_no))
        elif not user.active:
            problems.append(Message(N_("工号 %(no)s 的账号已停用"), no=row.staff_no))
        elif user.id in on_term:
            problems.append(Message(N_("%(name)s 已是本届代表"), name=user.name))
        elif row.staff_no in seen:
            problems.append(Message(N_("工号 %(no)s 与第 %(line)d 行重复"), no=row.staff_no, line=seen[row.staff_no]))
        if len(row.delegation) > 60:
            problems.append(Message(N_("代表团名称超过 60 个字符")))
        joined = max(today, term.starts_on)
        if row.joined:
            try:
                joined = date.fromisoformat(row.joined[:10])
            except ValueError:
                problems.append(Message(N_("加入日期“%(value)s”应写作 2026-09-01"), value=row.joined[:20]))
            else:
                if not term.starts_on <= joined <= term.ends_on:
                    problems.append(Message(N_("加入日期应在本届任期之内")))
        seen.setdefault(row.staff_no, row.line)
        if problems:
            result.errors.append((row.line, Message.joined(problems)))
        elif user is not None:
            valid.append((user, row.delegation, joined))
    if not rows:
        result.errors.append((1, Message(N_("文件中没有数据行"))))
    if result.errors:
        return result
    for user, delegation_name, joined in valid:
        delegation_id = None
        if delegation_name:
            if delegation_name not in delegations:
                delegations[delegation_name] = Delegation(term_id=term.id, name=delegation_name,
                                                          position=len(delegations))
                session.add(delegations[delegation_name])
                session.flush()
            delegation_id = delegations[delegation_name].id
        enrol(session, actor, term, user, joined, delegation_id)
        result.enrolled += 1
    record(session, actor, "congress.roster_imported", term, count=result.enrolled)
    return result
