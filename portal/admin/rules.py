"""Managing accounts: create, edit, deactivate, reset, and import a roster all or nothing."""
from __future__ import annotations

import secrets
import string
from datetime import date
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import xlsx
from portal.audit.rules import record
from portal.auth.models import LABEL_ROLES, Department, Role, User, UserRole
from portal.auth.rules import username_problem
from portal.congress.rules import REPRESENTATIVE_WORD, enrol
from portal.db import refused_on_conflict
from portal.errors import DomainError, Message
from portal.i18n import N_
from portal.org.models import InspectorTerm
from portal.org.roster import current_term
from portal.org.rules import open_inspector_term
from portal.timeutil import to_local, utcnow

ROSTER_COLUMNS = (N_("工号"), N_("姓名"), N_("用户名"), N_("部门"), N_("党员"), N_("角色"))  # as the file names them
MAX_ROSTER_ROWS = xlsx.MAX_ROWS


def temporary_password() -> str:
    """A readable one-time password: letters and digits, never ambiguous ones."""
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(10))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw):
            return pw


def create_user(
    session: Session,
    actor: User | None,
    *,
    username: str,
    staff_no: str,
    name: str,
    department: Department | None,
    is_party_member: bool,
    roles: Iterable[str],
    password: str,
    must_change_password: bool = True,
    password_hash: str | None = None,
) -> User:
    """Create an account; by default its owner must choose a new password at first login."""
    user = User(
        username=username,
        staff_no=staff_no,
        name=name,
        department=department,
        is_party_member=is_party_member,
        must_change_password=must_change_password,
    )
    if password_hash:
        user.password_hash = password_hash  # already hashed with the pinned method
    else:
        user.set_password(password)
    user.set_roles(set(roles))
    with refused_on_conflict(session, AdminError(N_("用户名“%(username)s”或工号“%(staff_no)s”已被使用（用户名不区分大小写）。"),
                                                 username=username, staff_no=staff_no)):
        session.add(user)
    record(session, actor, "user.created", user, username=username, roles=sorted(user.roles))
    return user


def update_user(
    session: Session,
    actor: User,
    user: User,
    *,
    name: str,
    department: Department | None,
    is_party_member: bool,
    roles: Iterable[str],
    active: bool,
) -> None:
    """Edit an account. Deactivating it ends all of its sessions at once. Administrators
    cannot deactivate themselves or drop their own admin role (someone must be left to
    administer)."""
    if actor.id == user.id and (not active or Role.ADMIN.value not in set(roles)):
        raise AdminError(N_("不能停用自己的账号或取消自己的管理员角色。"))
    if user.is_inspector_account:  # roles would make it staff: it is managed with its term
        raise AdminError(N_("这是督导账号，请在“督导账号”页管理其有效期。"))
    before = {"roles": sorted(user.roles), "active": user.active}
    user.name = name
    user.department = department
    user.is_party_member = is_party_member
    user.set_roles(set(roles))
    if user.active and not active:
        user.session_version += 1
    user.active = active
    record(
        session, actor, "user.updated", user,
        before=before, after={"roles": sorted(user.roles), "active": active},
    )


def open_inspector(session: Session, actor: User | None, *, username: str, name: str, unit: str, starts_on: date,
                   ends_on: date, today: date, password_hash: str) -> tuple[User, InspectorTerm]:
    """Open an outside inspector's account (督导 / 巡察) for a term: it holds the inspector
    role alone (never staff), must choose its own password at first sign-in, and may act only
    on the days of its term (``portal.org.rules.open_inspector_term``)."""
    problem = username_problem(username)
    if problem is not None:
        raise AdminError(problem.message, **problem.params)
    if not name.strip():
        raise AdminError(N_("请填写督导人员姓名。"))
    user = User(username=username, staff_no="inspector-" + secrets.token_hex(4), name=name.strip(), department=None,
                is_party_member=False, must_change_password=True, password_hash=password_hash)
    user.role_rows = [UserRole(role=Role.INSPECTOR.value)]
    with refused_on_conflict(session, AdminError(N_("用户名“%(username)s”已被使用（用户名不区分大小写）。"),
                                                 username=username)):
        session.add(user)
    record(session, actor, "user.created", user, username=username, roles=[Role.INSPECTOR.value])
    term = open_inspector_term(session, actor, user, unit=unit, starts_on=starts_on, ends_on=ends_on, today=today)
    return user, term


def reset_password(session: Session, actor: User, user: User) -> str:
    """Give the user a temporary password they must change; old sessions end."""
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.session_version += 1
    record(session, actor, "user.password_reset", user)
    return password


# --- roster import -------------------------------------------------------------------

@dataclass
class RosterRow:
    line: int
    staff_no: str
    name: str
    username: str
    department: str
    party: str
    roles: str


@dataclass
class RosterResult:
    errors: list[tuple[int, Message]] = field(default_factory=list)
    created: list[User] = field(default_factory=list)
    password: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


# The file itself cannot be read (wrong type, no header, too many rows, too large or too
# strangely built to parse safely): the error portal.xlsx raises, under the roster's name.
RosterFileError = xlsx.TableRefused


def read_roster(filename: str, data: bytes) -> list[RosterRow]:
    """Parse an XLSX or CSV roster; the first row must name the columns in Chinese."""
    return [RosterRow(line=line, staff_no=row[N_("工号")], name=row[N_("姓名")], username=row[N_("用户名")],
                      department=row[N_("部门")], party=row[N_("党员")], roles=row[N_("角色")])
            for line, row in xlsx.read_named_rows(filename, data, ROSTER_COLUMNS, (N_("工号"), N_("姓名"), N_("部门")))]


TRUE_WORDS = {N_("是"), N_("党员"), N_("中共党员"), "y", "yes", "1", "true"}
FALSE_WORDS = {"", N_("否"), N_("群众"), "n", "no", "0", "false"}


@dataclass(frozen=True)
class RosterFacts:
    """What the roster rows are checked against: the school as it is before the import."""

    departments: frozenset[str]
    staff_nos: frozenset[str]
    usernames: frozenset[str]  # lower case: usernames differ by more than letter case
    term_open: bool  # a congress term is current, so 教代会代表 can be enrolled


@dataclass(frozen=True)
class ValidRow:
    row: RosterRow
    roles: frozenset[str]  # "rep" stands for the term's roster, not a role
    is_party_member: bool


def check_roster_rows(rows: list[RosterRow], facts: RosterFacts) -> tuple[list[tuple[int, Message]], list[ValidRow]]:
    """Every problem of every row (with its line), or the rows to create when there is none;
    pure: the same rows against the same facts give the same answer."""
    errors: list[tuple[int, Message]] = []
    valid: list[ValidRow] = []
    seen_no: dict[str, int] = {}
    seen_name: dict[str, int] = {}
    for row in rows:
        username = row.username or row.staff_no
        problems = _staff_no_problems(row, facts, seen_no) + _name_problems(row)
        if username:
            problems += _username_problems(username, facts, seen_name)
        if not row.department:
            problems.append(Message(N_("缺少部门")))
        elif row.department not in facts.departments:
            problems.append(Message(N_("部门“%(name)s”不存在"), name=row.department))
        party = row.party.lower()
        if party not in TRUE_WORDS | FALSE_WORDS:
            problems.append(Message(N_("党员一栏应填“是”或“否”，而不是“%(value)s”"), value=row.party))
        roles, role_problems = _roles(row.roles, facts.term_open)
        problems += role_problems
        if row.staff_no:
            seen_no.setdefault(row.staff_no, row.line)
        if username:
            seen_name.setdefault(username.lower(), row.line)
        if problems:
            errors.append((row.line, Message.joined(problems)))
        else:
            valid.append(ValidRow(row, roles, party in TRUE_WORDS))
    if not rows:
        errors.append((1, Message(N_("文件中没有数据行"))))
    return errors, ([] if errors else valid)


def _staff_no_problems(row: RosterRow, facts: RosterFacts, seen: dict[str, int]) -> list[Message]:
    if not row.staff_no:
        return [Message(N_("缺少工号"))]
    if len(row.staff_no) > 20:
        return [Message(N_("工号超过 20 个字符"))]
    if row.staff_no in facts.staff_nos:
        return [Message(N_("工号 %(no)s 已存在于系统中"), no=row.staff_no)]
    if row.staff_no in seen:
        return [Message(N_("工号 %(no)s 与第 %(line)d 行重复"), no=row.staff_no, line=seen[row.staff_no])]
    return []


def _name_problems(row: RosterRow) -> list[Message]:
    if not row.name:
        return [Message(N_("缺少姓名"))]
    if len(row.name) > 40:
        return [Message(N_("姓名超过 40 个字符"))]
    return []


def _username_problems(username: str, facts: RosterFacts, seen: dict[str, int]) -> list[Message]:
    # The account form's rules: letters, digits, dot, underscore and hyphen, and no second
    # account that differs from another only in letter case.
    if problem := username_problem(username):
        return [problem]
    if username.lower() in facts.usernames:
        return [Message(N_("用户名 %(name)s 已被使用"), name=username)]
    if username.lower() in seen:
        return [Message(N_("用户名 %(name)s 与第 %(line)d 行重复"), name=username, line=seen[username.lower()])]
    return []


def _roles(words: str, term_open: bool) -> tuple[frozenset[str], list[Message]]:
    roles: set[str] = set()
    problems: list[Message] = []
    for word in words.replace("，", ",").replace("、", ",").split(","):
        word = word.strip()
        if not word:
            continue
        if word in (REPRESENTATIVE_WORD, "rep"):  # the term's roster, not a role
            if not term_open:
                problems.append(Message(N_("当前没有在任期内的教代会届次，无法登记代表")))
            roles.add("rep")
            continue
        code = LABEL_ROLES.get(word, word)
        if code not in {r.value for r in Role}:
            problems.append(Message(N_("未知角色“%(word)s”"), word=word))
        elif code == Role.ADMIN.value:
            problems.append(Message(N_("名册导入不能授予系统管理员角色，请导入后在账号页面单独授予")))
        else:
            roles.add(code)
    return frozenset(roles), problems


def import_roster(session: Session, actor: User, rows: list[RosterRow]) -> RosterResult:
    """Check every row first (:func:`check_roster_rows`); create the accounts only when no
    row has an error."""
    departments = {d.name: d for d in session.scalars(select(Department))}
    today = to_local(utcnow()).date()
    term = current_term(session, today)
    facts = RosterFacts(
        departments=frozenset(departments), staff_nos=frozenset(session.scalars(select(User.staff_no))),
        usernames=frozenset(name.lower() for name in session.scalars(select(User.username))),
        term_open=term is not None,
    )
    errors, valid = check_roster_rows(rows, facts)
    if errors:
        return RosterResult(errors=errors)
    # Hashing at OWASP's scrypt cost takes about half a second, so a 120-row roster would
    # take a minute with one password each. The batch shares one random first-login
    # password instead, shown once to the admin; every account must change it at once.
    result = RosterResult(password=temporary_password())
    shared_hash = None
    for v in valid:
        user = create_user(
            session, actor,
            username=v.row.username or v.row.staff_no, staff_no=v.row.staff_no, name=v.row.name,
            department=departments[v.row.department], is_party_member=v.is_party_member, roles=v.roles - {"rep"},
            password=result.password, password_hash=shared_hash,
        )
        shared_hash = user.password_hash
        if "rep" in v.roles and term is not None:
            enrol(session, actor, term, user, max(today, term.starts_on))
        result.created.append(user)
    record(session, actor, "roster.imported", None, count=len(valid))
    return result


class AdminError(DomainError):
    """A request the admin rules refuse; the message is shown as it is (Chinese)."""


def create_department(session: Session, actor: User, name: str, kind: str) -> Department:
    """Add a department (处室 / 年级组 / 教研组); names are unique."""
    name = (name or "").strip()
    if not name:
        raise AdminError(N_("请填写部门名称。"))
    if session.scalar(select(Department.id).where(Department.name == name)):
        raise AdminError(N_("部门“%(name)s”已存在。"), name=name)
    # A new department goes to the end of the school's order (lists and reports follow it).
    last = session.scalar(select(func.max(Department.position)))
    department = Department(name=name, kind=kind, position=(last if last is not None else -1) + 1)
    session.add(department)
    session.flush()
    record(session, actor, "department.created", department, name=name, kind=kind)
    return department
