"""Building consultations for tests, through the real rule functions."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from portal.consultations import rules
from portal.consultations.models import Consultation
from portal.timeutil import to_local, utcnow
from tests.disclosure.factories import user


def opened(session, organiser: str = "union", *, audience: str = "staff", title: str = "绩效工资分配方案（征求意见稿）",
           days: int = 7, now: datetime | None = None) -> Consultation:
    now = now or utcnow()
    c = rules.create_draft(session, user(session, organiser), title=title, body_md="## 方案\n\n正文",
                           audience=audience, closes_on=to_local(now).date() + timedelta(days=days), now=now)
    rules.publish(session, user(session, organiser), c, now=now)
    return c


def after(c: Consultation, days: int = 1) -> datetime:
    assert c.closes_at is not None
    return c.closes_at + timedelta(days=days)


TODAY = date.today
