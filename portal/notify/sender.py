"""``flask deliver``: send what the outbox holds that is due.

Each run claims due deliveries in one short write transaction (committed), then for each
batch reads what it needs, closes that transaction, composes the message, sends it (the
only network call, with no transaction open) and records the outcome in another short
write transaction. A sender killed anywhere loses nothing: what it had claimed is claimed
again when the lease ends, as the same batch under the same key.
"""
from __future__ import annotations

import logging
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from portal import registry
from portal.auth.models import User
from portal.extensions import db, write_intent
from portal.i18n import N_
from portal.notify import channels, outbox
from portal.notify.models import Channel, Delivery, Notification, ReaderSetting, Robot
from portal.timeutil import utcnow

log = logging.getLogger(__name__)

GROUP_LOCALE = "zh_CN"  # a group chat reads the school's language


class Undeliverable(Exception):
    """The batch can never be sent as it stands (no address any more, the robot is off)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Item:
    text: str
    link: str | None


@dataclass
class Prepared:
    """One batch, read and ready: everything the message needs, with no database left open."""

    batch: outbox.Batch
    items: list[Item] = field(default_factory=list)
    # mail
    to: str = ""
    reader: str = ""
    locale: str = "zh_CN"
    # robot
    url: str = ""
    secret: str = ""


def deliver_once(now: datetime | None = None, send: Callable[[Prepared], None] | None = None) -> Counter[str]:
    """One pass: claim what is due, send each batch, record each outcome. Returns counts of
    deliveries sent, to be retried and failed."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = outbox.Settings.from_config(app.config)
    session = db.session
    counts: Counter[str] = Counter()
    with app.test_request_context("/", base_url=app.config["PUBLIC_URL"]):
        token = write_intent.set(True)
        try:
            batches = outbox.claim(session, settings, now)
            session.commit()
            for batch in batches:
                _one(batch, settings, counts, send or send_prepared, now)
        finally:
            write_intent.reset(token)
    return counts


def _one(batch: outbox.Batch, settings: outbox.Settings, counts: Counter[str],
         send: Callable[[Prepared], None], now: datetime | None) -> None:
    session = db.session
    write_intent.set(False)  # reading only: no write lock while the message is put together
    try:
        prepared = prepare(batch)
    except Undeliverable as error:
        session.rollback()
        write_intent.set(True)
        outbox.drop(session, batch, error.reason)
        session.commit()
        counts["failed"] += len(batch.ids)
        return
    session.commit()  # nothing stays open while the network is waited on
    try:
        send(prepared)
    except Exception as error:  # noqa: BLE001 - whatever stopped it, the batch is tried again or failed
        reason, permanent = ((error.reason, error.permanent) if isinstance(error, channels.SendError)
                             else (f"{type(error).__name__}: {error}", False))
        if not isinstance(error, channels.SendError):
            log.exception("delivery %s", batch.key)
        write_intent.set(True)
        failed = outbox.mark_failed(session, batch, settings, reason, permanent=permanent, now=now)
        session.commit()
        counts["failed"] += failed
        counts["retry"] += len(batch.ids) - failed
        return
    write_intent.set(True)
    outbox.mark_sent(session, batch, now)
    session.commit()
    counts["sent"] += len(batch.ids)


# --- reading and composing ------------------------------------------------------------

def prepare(batch: outbox.Batch) -> Prepared:
    """Read what the batch's message needs. Raises :class:`Undeliverable`."""
    session = db.session
    rows = outbox.batch_rows(session, batch)
    prepared = Prepared(batch)
    if batch.channel == Channel.EMAIL.value:
        user = session.get(User, batch.recipient_id) if batch.recipient_id else None
        reader = session.get(ReaderSetting, batch.recipient_id) if batch.recipient_id else None
        if user is None or reader is None or not reader.email:
            raise Undeliverable(N_("收件人没有填写邮箱。"))
        if not user.active:
            raise Undeliverable(N_("收件人的账号已停用。"))
        prepared.to, prepared.reader, prepared.locale = reader.email, user.name, user.locale or "zh_CN"
        notes = {n.id: n for n in session.scalars(
            select(Notification).where(Notification.id.in_([d.notification_id for d in rows if d.notification_id])))}
        with force_locale(prepared.locale):
            prepared.items = [_personal_item(d, notes.get(d.notification_id or 0)) for d in rows]
        return prepared
    if batch.robot_id is None:
        key = "WECOM_ROBOT_URL" if batch.channel == Channel.WECOM.value else "DINGTALK_ROBOT_URL"
        prepared.url = str(current_app.config.get(key) or "")
        prepared.secret = str(current_app.config.get("DINGTALK_ROBOT_SECRET") or "") \
            if batch.channel == Channel.DINGTALK.value else ""
        if not prepared.url:
            raise Undeliverable(N_("没有配置企业微信群机器人的地址（WECOM_ROBOT_URL）。") if batch.channel == Channel.WECOM.value
                                else N_("没有配置钉钉群机器人的地址（DINGTALK_ROBOT_URL）。"))
    else:
        robot = session.get(Robot, batch.robot_id)
        if robot is None or not robot.active:
            raise Undeliverable(N_("该群机器人已停用。"))
        prepared.url, prepared.secret = robot.url, robot.secret
    with force_locale(GROUP_LOCALE):
        prepared.items = [Item(_(d.message, **d.params), _link(d.subject_kind, d.subject_id)) for d in rows]
    return prepared


def _personal_item(d: Delivery, note: Notification | None) -> Item:
    if note is None:  # a test message
        return Item(_(d.message, **d.params), None)
    return Item(_(note.message, **note.params), _link(note.subject_kind, note.subject_id))


def _link(kind: str, subject_id: int | None) -> str | None:
    if not kind or subject_id is None:
        return None
    try:
        path = registry.subject_url(kind, subject_id)
    except Exception:  # noqa: BLE001 - a kind whose page went away: the message still goes
        return None
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + path if path else None


def public_url(endpoint: str) -> str:
    from flask import url_for

    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + url_for(endpoint)


def compose_mail(prepared: Prepared) -> EmailMessage:
    """The mail: Chinese (or the reader's language) subject and body, plain text and HTML,
    each item linked on PUBLIC_URL, and the way to the reader's settings to stop it."""
    config = current_app.config
    host = urlsplit(str(config["PUBLIC_URL"])).hostname or "portal"
    settings_url = public_url("notify.settings")
    with force_locale(prepared.locale):
        school = _(str(config["SCHOOL_NAME"]))
        if prepared.batch.digest:
            subject = _("【%(school)s】每日消息汇总：%(n)d 条", school=school, n=len(prepared.items))
        else:
            subject = _("【%(school)s】%(text)s", school=school, text=prepared.items[0].text)
        context = dict(items=prepared.items, reader=prepared.reader, school=school, digest=prepared.batch.digest,
                       settings_url=settings_url, home_url=str(config["PUBLIC_URL"]))
        text = render_template("notify/email.txt", **context)
        html = render_template("notify/email.html", **context)
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())[:120]
    sender = str(config.get("MAIL_DEFAULT_SENDER") or config.get("MAIL_USERNAME") or f"portal@{host}")
    message["From"] = sender if "<" in sender else formataddr((school, sender))
    message["To"] = prepared.to
    message["Date"] = format_datetime(utcnow().replace(tzinfo=timezone.utc))
    # The batch key names the message for good: sent again after a crash, it is the same mail.
    message["Message-ID"] = f"<{prepared.batch.key}@{host}>"
    message["List-Unsubscribe"] = f"<{settings_url}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def compose_robot(prepared: Prepared) -> tuple[str, dict[str, Any]]:
    """The robot's URL (signed for 钉钉 when it has a secret) and its Markdown payload."""
    with force_locale(GROUP_LOCALE):
        school = _(str(current_app.config["SCHOOL_NAME"]))
        head = _("阳光校务 · %(school)s", school=school)
        view = _("查看")
        lines = [f"{item.text} [{view}]({item.link})" if item.link else item.text for item in prepared.items]
    if prepared.batch.channel == Channel.WECOM.value:
        return prepared.url, channels.wecom_payload("\n".join([f"**{head}**", *(f"> {line}" for line in lines)]))
    text = "\n\n".join([f"#### {head}", *(f"- {line}" for line in lines)])
    return channels.dingtalk_url(prepared.url, prepared.secret), channels.dingtalk_payload(head, text)


def send_prepared(prepared: Prepared) -> None:
    """The network call. Raises :class:`portal.notify.channels.SendError`."""
    if prepared.batch.channel == Channel.EMAIL.value:
        channels.send_mail(current_app.config, compose_mail(prepared))
    else:
        url, payload = compose_robot(prepared)
        channels.post_robot(url, payload)


# --- the small service ------------------------------------------------------------------

def deliver_loop(every: float, say: Callable[[Counter[str]], None]) -> None:
    """``flask deliver --loop``: a pass every ``every`` seconds until SIGTERM or SIGINT,
    finishing the batch in hand first."""
    stopping = {"now": False}

    def stop(_signum: int, _frame: Any) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping["now"]:
        counts = deliver_once()
        if counts:
            say(counts)
        slept = 0.0
        while slept < every and not stopping["now"]:
            time.sleep(0.2)
            slept += 0.2
