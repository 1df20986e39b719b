"""Managing accounts: create, edit, deactivate, reset, and import a roster all or nothing."""
from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import xlsx
from portal.audit.rules import record
from portal.auth.models import LABEL_ROLES, Department, Role, User
from portal.auth.rules import username_problem
from portal.congress.rules import REPRESENTATIVE_WORD, current_term, enrol
from portal.db import refused_on_conflict
from portal.errors import DomainError, Message
from portal.i18n import N_
from portal.textclean import strip_controls
from portal.timeutil import to_local, utcnow

ROSTER_COLUMNS = (N_("工号"), N_("姓名"), N_("用户名"), N_("部门"), N_("党员"), N_("角色"))  # as the file names them
MAX_ROSTER_ROWS = 5000
MAX_COLUMNS = 50  # the header must name its columns within the first fifty


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
    table = read_table(filename, data)
    if not table:
        raise RosterFileError(N_("文件是空的。"))
    header = [str(c or "").strip() for c in table[0]]
    missing = [c for c in (N_("工号"), N_("姓名"), N_("部门")) if c not in header]
    if missing:
        raise RosterFileError(N_("第 1 行应为表头，缺少列：%(missing)s。可用的列：%(columns)s。"),
                              missing="、".join(missing), columns="、".join(ROSTER_COLUMNS))
    if len(table) - 1 > MAX_ROSTER_ROWS:
        raise RosterFileError(N_("一次最多导入 %(max)d 行。"), max=MAX_ROSTER_ROWS)
    idx = {name: header.index(name) for name in ROSTER_COLUMNS if name in header}

    def cell(row: list[Any], name: str) -> str:
        i = idx.get(name)
        if i is None or i >= len(row) or row[i] is None:
            return ""
        value = row[i]
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # Excel stores 工号 1001 as 1001.0
        return strip_controls(str(value)).strip()

    rows = []
    for n, row in enumerate(table[1:], start=2):
        if not any(str(c or "").strip() for c in row):
            continue  # blank lines are not errors
        rows.append(RosterRow(
            line=n, staff_no=cell(row, N_("工号")), name=cell(row, N_("姓名")), username=cell(row, N_("用户名")),
            department=cell(row, N_("部门")), party=cell(row, N_("党员")), roles=cell(row, N_("角色")),
        ))
    return rows


def read_table(filename: str, data: bytes) -> list[list[Any]]:
    """The rows of an XLSX (first sheet) or CSV roster, bounded in rows and columns (one row
    past the cap, so a longer file is reported); shared by every roster import (staff here, the
    congress roster in ``portal.congress``). Slow work: call it before the write lock."""
    return xlsx.read_table(filename, data, max_rows=MAX_ROSTER_ROWS + 2, max_columns=MAX_COLUMNS)


TRUE_WORDS = {N_("是"), N_("党员"), N_("中共党员"), "y", "yes", "1", "true"}
FALSE_WORDS = {"", N_("否"), N_("群众"), "n", "no", "0", "false"}


def import_roster(session: Session, actor: User, rows: list[RosterRow]) -> RosterResult:
    """Validate every row first; create the accounts only when no row has an error."""
    result = RosterResult()
    departments = {d.name: d for d in session.scalars(select(Department))}
    taken_no = set(session.scalars(select(User.staff_no)))
    taken_name = {name.lower() for name in session.scalars(select(User.username))}
    seen_no: dict[str, int] = {}
    seen_name: dict[str, int] = {}
    valid: list[tuple[RosterRow, set[str], bool]] = []
    today = to_local(utcnow()).date()
    term = current_term(session, today)

    for row in rows:
        problems: list[Message] = []
        username = row.username or row.staff_no
        if not row.staff_no:
            problems.append(Message(N_("缺少工号")))
        elif len(row.staff_no) > 20:
            problems.append(Message(N_("工号超过 20 个字符")))
        elif row.staff_no in taken_no:
            problems.append(Message(N_("工号 %(no)s 已存在于系统中"), no=row.staff_no))
        elif row.staff_no in seen_no:
            problems.append(Message(N_("工号 %(no)s 与第 %(line)d 行重复"), no=row.staff_no, line=seen_no[row.staff_no]))
        if not row.name:
            problems.append(Message(N_("缺少姓名")))
        elif len(row.name) > 40:
            problems.append(Message(N_("姓名超过 40 个字符")))
        if username:
            # The account form's rules: letters, digits, dot, underscore and hyphen, and no
            # second account that differs from another only in letter case.
            if problem := username_problem(username):
                problems.append(problem)
            elif username.lower() in taken_name:
                problems.append(Message(N_("用户名 %(name)s 已被使用"), name=username))
            elif username.lower() in seen_name:
                problems.append(Message(N_("用户名 %(name)s 与第 %(line)d 行重复"), name=username,
                                        line=seen_name[username.lower()]))
        if not row.department:
            problems.append(Message(N_("缺少部门")))
        elif row.department not in departments:
            problems.append(Message(N_("部门“%(name)s”不存在"), name=row.department))
        party = row.party.lower()
        if party not in TRUE_WORDS | FALSE_WORDS:
            problems.append(Message(N_("党员一栏应填“是”或“否”，而不是“%(value)s”"), value=row.party))
        roles: set[str] = set()
        for word in row.roles.replace("，", ",").replace("、", ",").split(","):
            word = word.strip()
            if not word:
                continue
            if word in (REPRESENTATIVE_WORD, "rep"):  # the term's roster, not a role
                if term is None:
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
        if row.staff_no:
            seen_no.setdefault(row.staff_no, row.line)
        if username:
            seen_name.setdefault(username.lower(), row.line)
        if problems:
            result.errors.append((row.line, Message.joined(problems)))
        else:
            valid.append((row, roles, party in TRUE_WORDS))

    if not rows:
        result.errors.append((1, Message(N_("文件中没有数据行"))))
    if result.errors:
        return result

    # Hashing at OWASP's scrypt cost takes about half a second, so a 120-row roster would
    # take a minute with one password each. The batch shares one random first-login
    # password instead, shown once to the admin; every account must change it at once.
    password = temporary_password()
    shared_hash = None
    for row, roles, is_party_member in valid:
        user = create_user(
            session, actor,
            username=row.username or row.staff_no, staff_no=row.staff_no, name=row.name,
            department=departments[row.department], is_party_member=is_party_member, roles=roles - {"rep"},
            password=password, password_hash=shared_hash,
        )
        shared_hash = user.password_hash
        if "rep" in roles and term is not None:
            enrol(session, actor, term, user, max(today, term.starts_on))
        result.created.append(user)
    result.password = password
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
