"""Writing notifications and marking them read. No Flask: workflows call :func:`notify`
inside their own rule functions, in the same transaction as the change it reports."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth.models import User
from portal.errors import DomainError
from portal.i18n import N_
from portal.notify.kinds import DEFAULT_MODES, TEST_MESSAGE, Kind, Mode, Topic
from portal.notify.models import Channel, Delivery, Notification, ReaderSetting, Robot
from portal.notify.outbox import test_key
from portal.timeutil import utcnow

# Further channels: each is called with the session and the notifications just written, and
# only queues its deliveries (no network inside the write transaction); the inbox itself is
# the stored row. The app registers the outbox here (portal.notify.init_app): mail and the
# group robots, sent later by ``flask deliver``.
Deliverer = Callable[[Session, list[Notification]], None]
DELIVERERS: list[Deliverer] = []


class NotifyError(DomainError):
    pass


def notify(session: Session, recipients: Iterable[int | None], message: str, *, subject: tuple[str, int],
           actor_id: int | None = None, now: datetime | None = None, **params: Any) -> list[Notification]:
    """Tell each recipient (once, never the actor) that ``subject`` needs them or changed.

    ``message`` is an ``N_()``-marked msgid with %-style named ``params`` (plain values only:
    names, titles, numbers), translated into each reader's language when shown.
    """
    kind, subject_id = subject
    people = sorted({r for r in recipients if r is not None and r != actor_id})
    at = now or utcnow()
    payload = json.dumps(params, ensure_ascii=False, sort_keys=True, default=str)
    rows = [Notification(recipient_id=r, message=message, params_json=payload, subject_kind=kind,
                         subject_id=subject_id, created_at=at) for r in people]
    session.add_all(rows)
    session.flush()
    for deliver in DELIVERERS:
        deliver(session, rows)
    return rows


def mark_read(session: Session, user: User, notification: Notification, now: datetime | None = None) -> None:
    """Mark one of the reader's own notifications read (twice is harmless)."""
    if notification.recipient_id != user.id:
        raise NotifyError(N_("这条消息不是发给您的。"))
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        session.flush()


def mark_all_read(session: Session, user: User, now: datetime | None = None) -> int:
    """Mark every unread notification of the reader read; returns how many."""
    result = session.execute(
        update(Notification).where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- the reader's choices and the robots ------------------------------------------------

# A plain address: one @, no spaces, quotes, angle brackets or line breaks (it goes into a
# mail header); the SMTP server judges the rest.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def settings_of(session: Session, user_id: int) -> ReaderSetting:
    """The reader's choices, or the defaults (not stored) when they never chose."""
    found = session.get(ReaderSetting, user_id)
    return found if found is not None else ReaderSetting(user_id=user_id, email=None, choices_json="{}",
                                                         digest_only=False, digest_hour=7, quiet_start=22, quiet_end=7)


def save_settings(session: Session, user: User, *, email: str, choices: dict[str, str], digest_only: bool,
                  digest_hour: int, quiet_start: int | None, quiet_end: int | None,
                  now: datetime | None = None) -> ReaderSetting:
    """Store what the reader wants by mail. The audit event names the choices, never the address."""
    email = email.strip()
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        raise NotifyError(N_("请填写有效的邮箱地址，例如 zhang@school.edu.cn。"))
    try:
        modes = {k.value: Mode(choices.get(k.value, DEFAULT_MODES[k].value)).value for k in Kind}
    except ValueError:
        raise NotifyError(N_("请为每类消息选择一种发送方式。")) from None
    if not 0 <= digest_hour <= 23 or any(h is not None and not 0 <= h <= 23 for h in (quiet_start, quiet_end)):
        raise NotifyError(N_("时间须为 0 到 23 点之间的整点。"))
    if (quiet_start is None) != (quiet_end is None):
        raise NotifyError(N_("免打扰时段须同时填写开始和结束，或都不填。"))
    row = session.get(ReaderSetting, user.id)
    if row is None:
        row = ReaderSetting(user_id=user.id)
        session.add(row)
    row.email, row.choices_json, row.digest_only = email or None, json.dumps(modes, sort_keys=True), digest_only
    row.digest_hour, row.quiet_start, row.quiet_end, row.updated_at = digest_hour, quiet_start, quiet_end, now or utcnow()
    session.flush()
    record(session, user, "notify.settings_saved", has_email=bool(email), digest_only=digest_only, **modes)
    return row


def add_robot(session: Session, actor: User, *, platform: str, name: str, url: str, secret: str,
              body_id: int | None, department_id: int | None, topics: Iterable[str]) -> Robot:
    """A group robot (群机器人) for a body, a department or the whole school. The webhook and
    the secret are credentials: the audit event names neither."""
    name, url, secret = name.strip(), url.strip(), secret.strip()
    try:
        wanted = sorted({Topic(t).value for t in topics})
    except ValueError:
        raise NotifyError(N_("请至少选择一类要推送的消息。")) from None
    if platform not in (Channel.WECOM.value, Channel.DINGTALK.value):
        raise NotifyError(N_("请选择企业微信或钉钉。"))
    if not name:
        raise NotifyError(N_("请填写群名称。"))
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or any(c.isspace() for c in url) or len(url) > 500:
        raise NotifyError(N_("请填写机器人的 Webhook 地址（以 https:// 开头）。"))
    if not wanted:
        raise NotifyError(N_("请至少选择一类要推送的消息。"))
    if body_id and department_id:
        raise NotifyError(N_("一个机器人只能属于一个机构或一个部门。"))
    robot = Robot(platform=platform, name=name[:60], url=url, secret=secret[:200] if platform == "dingtalk" else "",
                  body_id=body_id or None, department_id=department_id or None, topics=",".join(wanted))
    session.add(robot)
    session.flush()
    record(session, actor, "notify.robot_added", robot, platform=platform, name=robot.name, topics=wanted,
           signed=bool(robot.secret))
    return robot


def set_robot_active(session: Session, actor: User, robot: Robot, active: bool) -> None:
    """Switch a robot off (its waiting messages are not sent) or on again."""
    if robot.active == active:
        return
    robot.active = active
    session.flush()
    record(session, actor, "notify.robot_enabled" if active else "notify.robot_disabled", robot, name=robot.name)


def queue_test(session: Session, actor: User, channel: str, robot: Robot | None = None,
               now: datetime | None = None) -> Delivery:
    """Queue a test message on one channel (the admin's own mail, the configured group, or an
    added robot); the sender sends it like any other, so the page shows what really happens."""
    if channel not in {c.value for c in Channel}:
        raise NotifyError(N_("没有这个发送渠道。"))
    if channel == Channel.EMAIL.value:
        if not settings_of(session, actor.id).email:
            raise NotifyError(N_("请先在“通知设置”中填写您自己的邮箱，测试邮件将发到那里。"))
    at = now or utcnow()
    row = Delivery(idem_key=test_key(), channel=channel, kind="test", message=TEST_MESSAGE,
                   recipient_id=actor.id if channel == Channel.EMAIL.value else None,
                   robot_id=robot.id if robot is not None else None, due_at=at, created_at=at)
    session.add(row)
    session.flush()
    record(session, actor, "notify.test_queued", row, channel=channel, robot=robot.name if robot else None)
    return row
