"""The transactional outbox: what :func:`portal.notify.rules.notify` queues besides the inbox,
and the sender's bookkeeping (claim what is due, then mark it sent, retried or failed).

No Flask and no network here. Queueing runs inside the action's own write transaction and
only adds rows; the sender (``portal.notify.sender``) claims due deliveries in a short write
transaction, sends them with no transaction open, and records the outcome in another.

A delivery claimed by a sender that died is claimed again once its lease ends, in the same
batch and under the same key (the mail's Message-ID): what was not sent is sent, and what
the receiver had already taken comes again as the same message.
"""
from __future__ import annotations

import json
import secrets
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.i18n import N_
from portal.notify.kinds import GROUP, LEADERSHIP_TOPICS, Kind, Mode, kind_of, mode_for
from portal.notify.models import Channel, Delivery, DeliveryState, Notification, ReaderSetting, Robot
from portal.timeutil import local_to_utc, to_local, utcnow


@dataclass(frozen=True)
class Settings:
    """What the outbox needs of the configuration (read by the app, passed in)."""

    email: bool = False  # MAIL_SERVER set
    wecom: bool = False  # WECOM_ROBOT_URL set: the leadership's 企业微信 group
    dingtalk: bool = False  # DINGTALK_ROBOT_URL set: the leadership's 钉钉 group
    max_attempts: int = 5
    retry_seconds: int = 60  # the first retry's wait; each next one waits four times longer
    lease_seconds: int = 300  # a claimed delivery whose sender died is claimed again after this
    robot_per_minute: int = 20  # what a group robot accepts (both platforms document 20 a minute)
    robot_batch: int = 10  # group messages put into one robot message

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        return cls(
            email=bool(config.get("MAIL_SERVER")),
            wecom=bool(config.get("WECOM_ROBOT_URL")),
            dingtalk=bool(config.get("DINGTALK_ROBOT_URL")),
            max_attempts=int(config.get("DELIVERY_MAX_ATTEMPTS", 5)),
            retry_seconds=int(config.get("DELIVERY_RETRY_SECONDS", 60)),
            lease_seconds=int(config.get("DELIVERY_LEASE_SECONDS", 300)),
            robot_per_minute=int(config.get("ROBOT_PER_MINUTE", 20)),
            robot_batch=int(config.get("ROBOT_BATCH", 10)),
        )


# --- when ---------------------------------------------------------------------------

def after_quiet_hours(at: datetime, start: int | None, end: int | None) -> datetime:
    """``at`` (naive UTC), or the end of the reader's quiet hours when it falls inside them
    (school time, whole hours; ``start`` > ``end`` spans midnight, equal means none)."""
    if start is None or end is None or start == end:
        return at
    local = to_local(at)
    hour = local.hour
    inside = start <= hour < end if start < end else hour >= start or hour < end
    if not inside:
        return at
    day = local.date() if hour < end else local.date() + timedelta(days=1)
    return local_to_utc(day, time(end))


def next_digest(at: datetime, hour: int) -> datetime:
    """The first digest time (``hour`` o'clock school time) at or after ``at``."""
    local = to_local(at)
    due = local_to_utc(local.date(), time(hour))
    return due if due >= at else local_to_utc(local.date() + timedelta(days=1), time(hour))


# --- queueing (inside the action's transaction) --------------------------------------

def enqueue(session: Session, rows: list[Notification], settings: Settings, now: datetime | None = None) -> list[Delivery]:
    """Queue the mail of each recipient who wants it and the group robots' message for the
    notifications one ``notify()`` call just wrote. Adds rows only: no network, no rendering."""
    if not rows:
        return []
    at = now or rows[0].created_at or utcnow()
    kind = kind_of(rows[0].message)
    queued: list[Delivery] = []
    if settings.email:
        queued += _personal(session, rows, kind, at)
    note = GROUP.get(rows[0].message)
    if note is not None:
        first = rows[0]
        for channel, robot_id in _robots_for(session, note.topic.value, {r.recipient_id for r in rows}, settings):
            target = f"{channel}-{robot_id or 'cfg'}"
            queued.append(Delivery(
                idem_key=f"group-{target}-n{first.id}", channel=channel, kind=kind.value, robot_id=robot_id,
                message=note.text, params_json=json.dumps({"id": first.subject_id}), subject_kind=first.subject_kind,
                subject_id=first.subject_id, due_at=at, created_at=at))
    session.add_all(queued)
    session.flush()
    return queued


def _personal(session: Session, rows: list[Notification], kind: Kind, at: datetime) -> list[Delivery]:
    wanted = {r.recipient_id for r in rows}
    found = session.scalars(
        select(ReaderSetting).join(User, User.id == ReaderSetting.user_id)
        .where(ReaderSetting.user_id.in_(wanted), ReaderSetting.email.is_not(None), User.active.is_(True)))
    readers = {s.user_id: s for s in found}
    out = []
    for row in rows:
        reader = readers.get(row.recipient_id)
        if reader is None:
            continue
        mode = mode_for(reader.choices, kind, reader.digest_only)
        if mode is Mode.OFF:
            continue
        due = (next_digest(at, reader.digest_hour) if mode is Mode.DIGEST
               else after_quiet_hours(at, reader.quiet_start, reader.quiet_end))
        out.append(Delivery(idem_key=f"mail-n{row.id}", channel=Channel.EMAIL.value, kind=kind.value,
                            recipient_id=row.recipient_id, notification_id=row.id, digest=mode is Mode.DIGEST,
                            due_at=due, created_at=at))
    return out


def _robots_for(session: Session, topic: str, recipients: set[int], settings: Settings) -> list[tuple[str, int | None]]:
    """The robots that hear of ``topic``: the configured leadership group's, and each robot
    the admin added for it (one for a body or department only when one of the recipients
    sits on that body or works in that department)."""
    out: list[tuple[str, int | None]] = []
    if topic in {t.value for t in LEADERSHIP_TOPICS}:
        out += [(c.value, None) for c, on in ((Channel.WECOM, settings.wecom), (Channel.DINGTALK, settings.dingtalk)) if on]
    robots = [r for r in session.scalars(select(Robot).where(Robot.active.is_(True)).order_by(Robot.id))
              if topic in r.topic_set]
    if any(r.body_id or r.department_id for r in robots):
        bodies, departments = _places(session, recipients)
        robots = [r for r in robots if (r.body_id is None or r.body_id in bodies)
                  and (r.department_id is None or r.department_id in departments)]
    return out + [(r.platform, r.id) for r in robots]


def _places(session: Session, people: set[int]) -> tuple[set[int], set[int]]:
    """The bodies the people sit on today and the departments they work in."""
    from portal.org.memberships import seat_current
    from portal.org.models import BodyMember

    today = to_local(utcnow()).date()
    bodies = set(session.scalars(select(BodyMember.body_id).where(BodyMember.user_id.in_(people), seat_current(today))))
    departments = {d for d in session.scalars(select(User.department_id).where(User.id.in_(people))) if d}
    return bodies, departments


# --- the sender's bookkeeping ---------------------------------------------------------

@dataclass
class Batch:
    """Deliveries sent as one message: one mail, one digest, or one robot message."""

    key: str
    channel: str
    robot_id: int | None
    recipient_id: int | None
    digest: bool
    ids: list[int] = field(default_factory=list)


def claim(session: Session, settings: Settings, now: datetime | None = None, limit: int = 200) -> list[Batch]:
    """Take what is due for sending (and what a dead sender left) under a lease, in batches.
    Call in a write transaction and commit before sending anything."""
    now = now or utcnow()
    due = list(session.scalars(
        select(Delivery).where(
            ((Delivery.state == DeliveryState.PENDING.value) & (Delivery.due_at <= now))
            | ((Delivery.state == DeliveryState.SENDING.value) & (Delivery.lease_until < now)))
        .order_by(Delivery.id).limit(limit)))
    batches: dict[str, Batch] = {}
    robot_sent = _robot_messages_last_minute(session, now)
    open_batches: dict[tuple[str, int | None], Batch] = {}  # the digest or robot batch still taking more
    lease = now + timedelta(seconds=settings.lease_seconds)
    for d in due:
        if d.state == DeliveryState.SENDING.value and d.attempts >= settings.max_attempts:
            _fail(d, N_("发送程序在发送中途停止，已达最多尝试次数。"))
            continue
        resumed = d.state == DeliveryState.SENDING.value and bool(d.batch_key)
        if resumed:
            key = str(d.batch_key)  # left by a sender that died: the same batch again, and only it
        else:
            group, size = ((("digest", d.recipient_id), 100) if d.channel == Channel.EMAIL.value and d.digest
                           else ((d.channel, d.robot_id), settings.robot_batch) if d.channel != Channel.EMAIL.value
                           else (None, 1))
            current = open_batches.get(group) if group else None
            if current is not None and len(current.ids) < size:
                key = current.key
            elif group is not None and group[0] != "digest" and robot_sent[group] >= settings.robot_per_minute:
                continue  # the robot's minute is full: the next run sends it
            else:
                key = (d.idem_key if group is None else f"digest-u{d.recipient_id}-{d.id}" if d.digest
                       else f"{d.channel}-{d.robot_id or 'cfg'}-{d.id}")
                if group is not None and group[0] != "digest":
                    robot_sent[group] += 1
        if key not in batches:
            batches[key] = Batch(key, d.channel, d.robot_id, d.recipient_id, d.digest)
            if not resumed and (d.digest or d.channel != Channel.EMAIL.value):
                open_batches[("digest", d.recipient_id) if d.digest else (d.channel, d.robot_id)] = batches[key]
        batches[key].ids.append(d.id)
        d.state, d.batch_key, d.lease_until, d.attempts = DeliveryState.SENDING.value, key, lease, d.attempts + 1
    session.flush()
    return list(batches.values())


def _robot_messages_last_minute(session: Session, now: datetime) -> defaultdict[tuple[str, int | None], int]:
    """Robot messages (batches) sent or being sent within the last minute, per robot."""
    counts: defaultdict[tuple[str, int | None], int] = defaultdict(int)
    for channel, robot_id, n in session.execute(
            select(Delivery.channel, Delivery.robot_id, func.count(func.distinct(Delivery.batch_key)))
            .where(Delivery.channel != Channel.EMAIL.value, Delivery.batch_key.is_not(None),
                   ((Delivery.sent_at >= now - timedelta(minutes=1)) | (Delivery.state == DeliveryState.SENDING.value)))
            .group_by(Delivery.channel, Delivery.robot_id)):
        counts[(channel, robot_id)] = int(n)
    return counts


def batch_rows(session: Session, batch: Batch) -> list[Delivery]:
    return list(session.scalars(select(Delivery).where(Delivery.id.in_(batch.ids)).order_by(Delivery.id)))


def mark_sent(session: Session, batch: Batch, now: datetime | None = None) -> None:
    """The receiver took the batch. Call in a write transaction."""
    session.execute(update(Delivery).where(Delivery.id.in_(batch.ids), Delivery.state == DeliveryState.SENDING.value)
                    .values(state=DeliveryState.SENT.value, sent_at=now or utcnow(), lease_until=None, last_error=""))


def mark_failed(session: Session, batch: Batch, settings: Settings, error: str, *, permanent: bool = False,
                now: datetime | None = None) -> int:
    """The batch was not taken: try again later (waiting 1, 4, 16 … times ``retry_seconds``),
    or, after the last try or when trying again cannot help, mark it failed with the reason.
    Returns how many are failed for good."""
    now = now or utcnow()
    failed = 0
    for d in batch_rows(session, batch):
        if d.state != DeliveryState.SENDING.value:
            continue
        if permanent or d.attempts >= settings.max_attempts:
            _fail(d, error)
            failed += 1
        else:
            d.state, d.batch_key, d.lease_until = DeliveryState.PENDING.value, None, None
            d.due_at = now + timedelta(seconds=settings.retry_seconds * 4 ** (d.attempts - 1))
            d.last_error = error[:300]
    session.flush()
    return failed


def _fail(d: Delivery, error: str) -> None:
    d.state, d.lease_until, d.last_error = DeliveryState.FAILED.value, None, error[:300]


def drop(session: Session, batch: Batch, reason: str) -> None:
    """Deliveries that can never be sent (the reader removed their address, the robot was
    switched off): failed at once with the reason."""
    for d in batch_rows(session, batch):
        _fail(d, reason)
    session.flush()


def test_key() -> str:
    return "test-" + secrets.token_hex(12)


def pending_counts(session: Session) -> dict[tuple[str, str], int]:
    """(channel, state) -> how many: the admin page's table."""
    return {(c, s): int(n) for c, s, n in session.execute(
        select(Delivery.channel, Delivery.state, func.count()).group_by(Delivery.channel, Delivery.state))}

