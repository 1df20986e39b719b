"""Building proposals for tests, through the real rule functions."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.auth.models import Department, User
from portal.proposals import rules
from portal.proposals.models import Proposal
from portal.timeutil import to_local, utcnow
from tests.conftest import make_user
from tests.disclosure.factories import user


def reps(session, n: int = 3) -> list[User]:
    """The fixture's "rep" and further representatives rep_a, rep_b ... of the same term."""
    found = [user(session, "rep")]
    for i in range(n - 1):
        name = f"rep_{chr(97 + i)}"
        found.append(user(session, name) or make_user(name, {"rep"}))
    return found


def department(session, name: str = "总务处", head: str | None = "handler") -> Department:
    dept = session.scalar(select(Department).where(Department.name == name))
    if dept is None:
        dept = Department(name=name, kind="office")
        session.add(dept)
        session.flush()
    if head:
        dept.head_id = user(session, head).id
    session.flush()
    return dept


def drafted(session, proposer: User | None = None, title: str = "关于增设教师午休室的建议",
            reason: str = "学校目前没有教师午休的场所，中午老师只能趴在办公桌上休息。") -> Proposal:
    return rules.create_draft(session, proposer or user(session, "rep"), title=title, reason=reason,
                              measures="利用三楼空置教室改建午休室，配置折叠床。", category="welfare")


def submitted(session, **kw) -> Proposal:
    people = reps(session, 3)
    p = drafted(session, people[0], **kw)
    for r in people[1:]:
        rules.cosign(session, r, p)
    rules.submit(session, people[0], p)
    return p


def assigned(session, days: int = 30, **kw) -> Proposal:
    p = submitted(session, **kw)
    union = user(session, "union")
    rules.accept(session, union, p)
    rules.assign(session, union, p, department(session), [department(session, "德育处", head="leader")],
                 to_local(utcnow()).date() + timedelta(days=days))
    return p


def answered(session, **kw) -> Proposal:
    p = assigned(session, **kw)
    rules.answer(session, user(session, "handler"), p, "planned", "已列入下学期改造计划。")
    return p
