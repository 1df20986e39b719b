"""Congress objects made through the real rules, for tests."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.congress.models import CongressSession, CongressTerm, Poll, Representative
from portal.congress.rules import polls, sessions, work_report
from tests.conftest import make_user  # noqa: F401 - also used by tests as f.make_user


def user(session: Session, username: str) -> User:
    found = session.scalar(select(User).where(User.username == username))
    assert found is not None, username
    return found


def term(session: Session, number: int = 1) -> CongressTerm:
    found = session.scalar(select(CongressTerm).where(CongressTerm.number == number))
    if found is None:
        found = CongressTerm(number=number, name=f"第{number}届教职工代表大会", starts_on=date(2020, 1, 1),
                             ends_on=date(2099, 12, 31), is_current=number == 1)
        session.add(found)
        session.flush()
    return found


def reps(session: Session, count: int, prefix: str = "r", term_number: int = 1) -> list[User]:
    """``count`` representatives of the term (new users ``<prefix>1`` …)."""
    t = term(session, term_number)
    made = []
    for i in range(1, count + 1):
        u = make_user(f"{prefix}{i}", name=f"代表{prefix}{i}")
        session.add(Representative(term_id=t.id, user_id=u.id, joined_on=t.starts_on))
        made.append(u)
    session.flush()
    return made


def open_session(session: Session, union: User, requires_hall_code: bool = False, term_number: int = 1) -> CongressSession:
    cs = sessions.create_session(session, union, term(session, term_number), date(2026, 3, 1), "学术报告厅",
                                 "一、听取校长工作报告\n二、选举", requires_hall_code)
    file_report(session, cs)
    sessions.open_session(session, union, cs)
    return cs


def file_report(session: Session, cs: CongressSession, text: str = "一、本学年工作回顾\n\n二、下学年工作安排") -> None:
    """The principal's work report, which a session needs before it opens."""
    by = session.scalar(select(User).where(User.username == "principal")) or user(session, "union")
    work_report.file_report(session, by, cs, work_report.prepare("校长工作报告", text))


def poll(session: Session, union: User, cs: CongressSession, *, kind: str = "motion", secret: bool = False,
         paper: bool = False, seats: int = 1, candidates: tuple[str, ...] = (), rule: tuple[int, int, bool] = (1, 2, False),
         opened: bool = True, quorum: bool = True) -> Poll:
    """A poll of the session, opened unless ``opened=False``; with ``quorum`` (the default) the
    union first records enough of the roster present (lowest ids first) for a poll to open."""
    p = polls.create_poll(session, union, cs, polls.PollSpec(
        title="关于绩效工资分配方案的表决" if kind == "motion" else "选举工会委员会委员", kind=kind, secret=secret,
        paper=paper, seats=seats, candidates=candidates, rule_num=rule[0], rule_den=rule[1], rule_strict=rule[2]))
    if opened:
        if quorum:
            fill_quorum(session, union, cs)
        polls.open_poll(session, union, p)
    return p


def fill_quorum(session: Session, union: User, cs: CongressSession) -> list[User]:
    """Record present (as from the union's paper list) the roster's lowest ids not yet present,
    until two thirds of the roster are; returns those it added."""
    hall = sessions.presence(session, cs)
    roster, present = hall.roster, set(hall.now)
    added = []
    for uid in roster:
        if len(present) >= polls.hall_quorum(len(roster)):
            break
        if uid not in present:
            u = session.get(User, uid)
            assert u is not None
            sessions.record_presence(session, union, cs, u, "in", "纸质签到")
            present.add(uid)
            added.append(u)
    return added


def sign_in_all(session: Session, cs: CongressSession, people: list[User]) -> None:
    for u in people:
        sessions.sign_in(session, u, cs)


def user_exists(session: Session, username: str) -> bool:
    return session.scalar(select(User.id).where(User.username == username)) is not None


def current_open_session(session: Session, union: User) -> CongressSession:
    """The open session of term 1, made on first use."""
    found = session.scalar(select(CongressSession).where(CongressSession.status == "open").limit(1))
    return found or open_session(session, union)


def set_present(session: Session, cs: CongressSession, people: list[User]) -> None:
    """Exactly ``people`` in the hall (signing others out)."""
    wanted = {u.id for u in people}
    union = user(session, "union")
    for rep_id in sessions.presence(session, cs).now:
        if rep_id not in wanted:
            sessions.record_presence(session, union, cs, session.get(User, rep_id), "out")
    for u in people:
        if not sessions.is_present(session, cs, u.id):
            sessions.sign_in(session, u, cs)
