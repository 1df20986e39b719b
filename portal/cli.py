"""``flask --app portal`` commands: init-db, seed-demo, create-admin, backup, audit flush / verify,
remind, deliver, thresholds."""
from __future__ import annotations

import functools
import getpass
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any, Callable, TypeVar, cast

import click
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import Connection, func, inspect, select
from sqlalchemy.exc import InterfaceError, OperationalError

from portal import readiness
from portal.readiness import MIGRATIONS
from portal.extensions import db
from portal.i18n import N_



def alembic_config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def migrate(revision: str = "heads") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Upgrade the database to ``revision`` (every head: features may add migrations side by
    side) inside one transaction; returns the revisions it found and the ones it left.

    On SQLite a batch migration rebuilds a table by copy and drop, which a table that other
    rows reference refuses while foreign keys are on. So, as Alembic's batch mode expects,
    foreign keys are off for the upgrade and checked after it: the upgrade commits only when
    ``PRAGMA foreign_key_check`` finds nothing, and rolls back whole otherwise."""
    with db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.driver_connection
        assert raw is not None  # a live connection, checked out just above
        if sqlite:  # outside any transaction, where the pragma takes effect
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                before = tuple(MigrationContext.configure(conn).get_current_heads())
                command.upgrade(alembic_config(conn), revision)
                if sqlite and (broken := conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
                    raise MigrationFailed(N_("升级后有 %(n)d 行引用了不存在的记录（首个在表 %(table)s），升级已撤销。")
                                          % {"n": len(broken), "table": broken[0][0]})
                after = tuple(MigrationContext.configure(conn).get_current_heads())
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")
    return before, after


class MigrationFailed(click.ClickException):
    """An upgrade that would leave the data inconsistent; nothing of it was kept."""


class _Count(click.ParamType):
    """A whole number, refused in Chinese (click's own message is English)."""

    name = "N"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            return int(str(value).strip())
        except ValueError:
            self.fail(N_("“%(value)s”不是整数。") % {"value": value}, param, ctx)


F = TypeVar("F", bound=Callable[..., Any])


def says_what_to_fix(callback: F) -> F:
    """A database that cannot be reached, named or written ends the command with one line
    (Chinese and English) and exit status 1, instead of a traceback."""
    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except (readiness.NotReady, OperationalError, InterfaceError) as error:
            try:
                line = readiness.one_line(readiness.describe(error, str(current_app.config["DATABASE_URL"])))
            except Exception:  # noqa: BLE001 - not a configuration problem: the traceback helps
                raise error from None
            click.echo(N_("错误：") + line, err=True)
            sys.exit(1)

    return cast(F, run)


# Every command runs in the application's context (AppGroup) and says what to fix when the
# database cannot be used (says_what_to_fix); register() adds them to ``flask --app portal``.
commands = AppGroup("portal")
audit = AppGroup("audit", help="Audit chain commands.")


def register(app: Flask) -> None:
    for command in (*commands.commands.values(), audit):
        app.cli.add_command(command)


@commands.command("init-db")
@says_what_to_fix
def init_db() -> None:
    """Create or upgrade the schema to the newest migration."""
    before, after = migrate()
    if before == after:
        click.echo(N_("数据库已是最新版本（%(rev)s），无需升级。") % {"rev": ", ".join(after)})
    else:
        click.echo(N_("数据库已从 %(old)s 升级到 %(new)s。")
                   % {"old": ", ".join(before) or N_("空库"), "new": ", ".join(after)})


@commands.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when there are no users yet.")
@says_what_to_fix
def seed_demo(if_empty: bool) -> None:
    """Create the demo school 阳光实验学校 with its people and logins."""
    from portal.seed import demo

    migrate()
    if if_empty and demo.has_users(db.session):
        click.echo(N_("已有用户，跳过演示数据。"))
        return
    lines = demo.seed(db.session, current_app.config["UPLOAD_DIR"])
    db.session.commit()
    for line in lines:
        click.echo(line)


@commands.command("seed-bench")
@click.option("--notices", type=int, default=10_000, show_default=True)
@click.option("--staff", type=int, default=300, show_default=True)
@click.option("--seed", "seed_value", type=int, default=2026, show_default=True)
@says_what_to_fix
def seed_bench(notices: int, staff: int, seed_value: int) -> None:
    """A large school for the benchmark (empty database only): the demo grown to 300 staff
    and 10,000 notices over five years, through the rule functions."""
    from portal.seed import bench, demo

    migrate()
    if demo.has_users(db.session):
        raise click.ClickException(N_("数据库中已有用户，基准测试数据只能在空库中创建。"))
    progress = bench.seed(db.session, current_app.config["UPLOAD_DIR"], notices=notices, staff=staff,
                          seed_value=seed_value, progress=bench.Progress(say=click.echo),
                          commit=db.session.commit)
    click.echo(", ".join(f"{k}: {v}" for k, v in progress.counts.items()))


@commands.command("create-admin")
@click.option("--username", prompt=N_("用户名"), default="admin")
@click.option("--name", prompt=N_("姓名"), default=N_("系统管理员"))
@click.option("--staff-no", default=None)
@says_what_to_fix
def create_admin(username: str, name: str, staff_no: str | None) -> None:
    """Create an administrator; the password is asked twice and never echoed."""
    from portal.admin.rules import create_user
    from portal.auth.models import User
    from portal.auth.rules import password_problem

    migrate()
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):  # as uq_user_username_lower
        raise click.ClickException(N_("用户名 %(u)s 已存在。") % {"u": username})
    if db.session.scalar(select(User.id).where(User.staff_no == (staff_no or username))):
        raise click.ClickException(N_("工号 %(n)s 已存在，请用 --staff-no 指定另一个。") % {"n": staff_no or username})
    password = getpass.getpass(N_("密码：")) if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if sys.stdin.isatty() and getpass.getpass(N_("再次输入：")) != password:
        raise click.ClickException(N_("两次输入的密码不一致。"))
    if problem := password_problem(password):
        raise click.ClickException(problem)
    create_user(
        db.session, None, username=username, staff_no=staff_no or username, name=name,
        department=None, is_party_member=False, roles={"admin"}, password=password,
        must_change_password=False,
    )
    db.session.commit()
    click.echo(N_("已创建管理员 %(u)s。") % {"u": username})


@commands.command("open-inspector")
@click.option("--username", required=True)
@click.option("--name", required=True)
@click.option("--unit", default="", help="the unit that sends the inspector")
@click.option("--from", "starts_on", type=click.DateTime(formats=["%Y-%m-%d"]), required=True)
@click.option("--until", "ends_on", type=click.DateTime(formats=["%Y-%m-%d"]), required=True)
@says_what_to_fix
def open_inspector(username: str, name: str, unit: str, starts_on: Any, ends_on: Any) -> None:
    """Open a read-only inspector's account (督导 / 巡察) for a term (both days included) and
    print its one-time password; the admin page does the same (/admin/inspectors)."""
    from portal.admin.rules import open_inspector as open_account, temporary_password
    from portal.auth.passwords import hash_password
    from portal.errors import DomainError
    from portal.timeutil import to_local, utcnow

    migrate()
    password = temporary_password()
    password_hash = hash_password(password)  # before the write: scrypt takes a while
    try:
        open_account(db.session, None, username=username, name=name, unit=unit, starts_on=starts_on.date(),
                     ends_on=ends_on.date(), today=to_local(utcnow()).date(), password_hash=password_hash)
        db.session.commit()
    except DomainError as refused:
        db.session.rollback()
        raise click.ClickException(str(refused)) from None
    click.echo(N_("已开设督导账号 %(u)s（%(a)s 至 %(b)s），一次性密码：%(p)s") % {
        "u": username, "a": starts_on.date().isoformat(), "b": ends_on.date().isoformat(), "p": password})


@commands.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@says_what_to_fix
def backup(path: Path) -> None:
    """Copy the SQLite database with the online backup API (safe while serving)."""
    if db.engine.dialect.name != "sqlite":
        raise click.ClickException(
            N_("PostgreSQL 请使用 pg_dump 备份，例如：pg_dump --format=custom --file=portal.dump \"$DATABASE_URL\"")
        )
    source_path = db.engine.url.database
    assert source_path is not None  # a SQLite URL without a file is in-memory, nothing to copy
    path.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source_path)
    dst = sqlite3.connect(str(path))
    try:
        # One step, on one read snapshot: WAL lets the writers go on meanwhile. In steps
        # of some pages, every commit between two steps restarts the copy from page 1, and
        # under steady writes (a vote) a database of some megabytes never finishes.
        src.backup(dst, pages=-1)
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if ok != "ok":
        raise click.ClickException(N_("备份文件完整性检查失败：%(ok)s") % {"ok": ok})
    click.echo(N_("已备份到 %(path)s（完整性检查：ok）。") % {"path": path})


@audit.command("flush")
@says_what_to_fix
def flush() -> None:
    """Append the anonymous acts of earlier days to the chain (run nightly from cron)."""
    from portal.audit.rules import flush_anonymous

    count = flush_anonymous(db.session)
    db.session.commit()
    click.echo(N_("已将 %(n)d 条匿名记录并入审计链。") % {"n": count})


@commands.command("remind")
@says_what_to_fix
def remind() -> None:
    """Send the day's inbox reminders of reports coming due or late (run daily from cron)."""
    from portal.decisions.rules.reminders import send_reminders
    from portal.timeutil import to_local, utcnow

    count = send_reminders(db.session, to_local(utcnow()).date())
    db.session.commit()
    click.echo(N_("已发送 %(n)d 条报告提醒。") % {"n": count})


@commands.command("deliver")
@click.option("--loop", "loop", is_flag=True, help="Keep running: a pass every --every seconds until stopped.")
@click.option("--every", type=float, default=15.0, show_default=True, help="Seconds between passes with --loop.")
@says_what_to_fix
def deliver(loop: bool, every: float) -> None:
    """Send the mail and group-robot messages that are due (from cron once a minute, or --loop)."""
    from portal.notify.sender import deliver_loop, deliver_once

    def say(counts: Any) -> None:
        click.echo(N_("已发送 %(sent)d 条，待重试 %(retry)d 条，失败 %(failed)d 条。")
                   % {"sent": counts["sent"], "retry": counts["retry"], "failed": counts["failed"]})

    if loop:
        deliver_loop(max(every, 1.0), say)
    elif counts := deliver_once():  # silent when there was nothing: cron mails every output
        say(counts)


@audit.command("verify")
@says_what_to_fix
def verify() -> None:
    """Walk the hash chain; exit 1 and name the first broken row if any."""
    from portal.audit.rules import verify_chain

    if not inspect(db.engine).has_table("audit_event"):
        raise click.ClickException(N_("数据库尚未初始化，请先运行 init-db。"))
    report = verify_chain(db.session)
    if report.ok:
        click.echo(N_("审计链完整：共 %(n)d 条记录，链头 %(head)s") % {"n": report.count, "head": report.head})
        return
    click.echo(
        N_("审计链已损坏：第 %(seq)s 条记录 — %(reason)s（此前 %(n)d 条完好）")
        % {"seq": report.broken_seq, "reason": report.reason, "n": report.count},
        err=True,
    )
    sys.exit(1)


@commands.command("thresholds")
@click.option("--body", type=click.Choice(["party", "office", "congress"]), default=None,
              help=N_("party: 党组织会议; office: 校长办公会议; congress: 教职工代表大会"))
@click.option("--members", type=_Count(), required=True, help=N_("应到人数 (members who should attend)"))
@click.option("--present", type=_Count(), default=None, help=N_("实到人数 (members present)"))
@click.option("--yes", "yes_votes", type=_Count(), default=None, help=N_("赞成票 (yes votes)"))
@click.option("--cadre", is_flag=True, help=N_("干部任免等重要事项 (the higher quorum; Party meeting)"))
@click.option("--fraction", default=None, help=N_("表决通过的比例，例如 1/2 (the vote's fraction)"))
@click.option("--strict/--inclusive", "strict", default=None,
              help=N_("超过（不含本数）或以上（含本数） (more than, or at least)"))
@click.option("--of", "basis", type=click.Choice(["roster", "present"]), default=None,
              help=N_("按应到（roster）或实到（present）人数计算表决 (what the vote counts against)"))
@click.option("--quorum", default=None, help=N_("到会比例（以上），例如 1/2 (the quorum)"))
@click.option("--important-quorum", default=None, help=N_("重要事项到会比例（以上），例如 2/3"))
@click.option("--procedure", "procedure_id", type=_Count(), default=None,
              help=N_("按已存的议事规则（编号）计算 (a stored procedure's settings)"))
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of sentences.")
@says_what_to_fix
def thresholds(body: str | None, members: int, present: int | None, yes_votes: int | None, cadre: bool,
               fraction: str | None, strict: bool | None, basis: str | None, quorum: str | None,
               important_quorum: str | None, procedure_id: int | None, as_json: bool) -> None:
    """How many must be present and, where the body votes, how many yes votes pass, with
    the rule in words: the defaults, a stored procedure's settings, or the school's own."""
    from portal import counting

    def refuse(message: str) -> None:
        click.echo(N_("错误：") + message, err=True)
        sys.exit(2)

    if procedure_id is not None:
        from portal.decisions.models import Procedure
        from portal.decisions.rules.procedure import counting_rules

        proc = db.session.get(Procedure, procedure_id)
        if proc is None:
            refuse(N_("没有编号为 %(id)d 的议事规则。") % {"id": procedure_id})
        assert proc is not None
        if body is not None and body != proc.body:
            refuse(N_("第 %(id)d 号议事规则属于另一会议类别。") % {"id": procedure_id})
        body, base = proc.body, counting_rules(proc)
    elif body is None:
        refuse(N_("请用 --body 选择会议类别，或用 --procedure 指定已存的议事规则。"))
    else:
        base = counting.default_rules(body)
    assert body is not None
    if cadre and body == "congress":
        refuse(N_("教职工代表大会没有干部任免的到会要求；--cadre 只用于党组织会议。"))
    try:
        rules = counting.with_settings(
            base, majority=counting.parse_fraction(fraction) if fraction else None, strict=strict,
            basis=counting.Basis(basis) if basis else None,
            quorum=counting.parse_fraction(quorum) if quorum else None,
            important_quorum=counting.parse_fraction(important_quorum) if important_quorum else None)
        if rules.majority_advisory and yes_votes is not None:
            raise counting.CountingError(N_("校长办公会议不表决，不能计算赞成票（--yes）。"))
        counting.check_figures(members, present, yes_votes)
    except counting.CountingError as err:
        refuse(err.render())
    if not as_json:
        click.echo(counting.describe(rules, members, present, yes_votes, cadre))
        return
    votes = not rules.majority_advisory
    result = {
        "body": body,
        "procedure": procedure_id,
        "members": members,
        "present": present,
        "yes": yes_votes,
        "cadre": cadre,
        "quorum_needed": counting.quorum_needed(rules, members, cadre),
        "quorum_met": None if present is None else counting.quorum_met(rules, members, present, cadre),
        "votes": votes,
        "yes_needed": counting.yes_needed(rules, members, present) if votes else None,
        "passed": (None if present is None or yes_votes is None or not votes
                   else counting.passed(rules, members, present, yes_votes, cadre)),
        "majority_advisory": rules.majority_advisory,
        "rule": "".join(counting.describe_rule(rules, members, present, cadre)),
    }
    click.echo(json.dumps(result, ensure_ascii=False))
