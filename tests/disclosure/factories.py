"""Building disclosure objects for tests, through the real rule functions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from portal.auth.models import User
from portal.disclosure import rules
from portal.disclosure.models import CatalogItem, Notice


def catalog(session, channel: str = "school", name: str | None = None, cadence: str = "event",
            gongshi: int = 5, audience: str = "staff") -> CatalogItem:
    name = name or f"{channel}-{cadence}-{gongshi}"
    item = session.scalar(select(CatalogItem).where(CatalogItem.channel == channel, CatalogItem.name == name))
    if item is None:
        item = CatalogItem(channel=channel, name=name, cadence=cadence, default_gongshi_days=gongshi,
                           default_audience=audience)
        session.add(item)
        session.flush()
    return item


def user(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def draft(session, author: str = "leader", *, channel: str = "school", title: str = "测试公告",
          body: str = "正文", audience: str = "staff", gongshi: int = 0, ack: bool = False) -> Notice:
    return rules.create_draft(session, user(session, author), item=catalog(session, channel), audience=audience,
                              title=title, body_md=body, requires_ack=ack, gongshi_days=gongshi)


def published(session, author: str = "leader", approver: str | None = None, *, now: datetime | None = None,
              **kw) -> Notice:
    notice = draft(session, author, **kw)
    rules.submit(session, user(session, author), notice, now=now)
    approver = approver or ("secretary" if notice.channel == "party" else "principal")
    rules.publish(session, user(session, approver), notice, now=now)
    return notice
