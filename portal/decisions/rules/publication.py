"""A Party-meeting decision published to 党务公开 in one action by the secretary, through the
disclosure workflow (a draft in the Party channel submitted to its approver), linked both
ways. The notice says what was decided and when: the title, the decision and the date, never
the stances, votes or names of the members who spoke."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth.models import User
from portal.decisions.models import MeetingBody, Resolution, ResolutionKind, Visibility
from portal.decisions.rules import DecisionError
from portal.disclosure.models import Audience, CatalogItem, Channel, Notice
from portal.errors import Message
from portal.i18n import N_

# the kind of event a 党务公开 catalogue item receives (CatalogItem.receives)
PARTY_DECISION = "party_decision"


def publishable(res: Resolution) -> bool:
    """A Party meeting's resolution whose visibility lets it out (public or staff), not yet published."""
    return (res.kind == ResolutionKind.RESOLUTION.value and res.body == MeetingBody.PARTY.value
            and res.visibility in (Visibility.PUBLIC.value, Visibility.STAFF.value) and res.notice_id is None)


def notice_text(res: Resolution, meeting_title: str) -> tuple[str, str]:
    """Title and Markdown body of the notice: the decision and its date, nothing of the debate."""
    day = res.decided_on
    opening = Message(N_("%(year)d年%(month)d月%(day)d日，%(meeting)s研究决定："), year=day.year, month=day.month,
                      day=day.day, meeting=meeting_title)
    return res.title[:120], f"{opening}\n\n{res.text or res.title}"


def publish_decision(session: Session, actor: User, res: Resolution, item: CatalogItem, meeting_title: str,
                     now: datetime | None = None) -> Notice:
    """Draft the notice in the Party channel and submit it to the channel's approver, as one
    action; the resolution names the notice and the notice's page names the resolution."""
    from portal.disclosure.rules import create_draft, submit

    if res.notice_id is not None:
        raise DecisionError(N_("该决议已提交党务公开。"))
    if not publishable(res):
        raise DecisionError(N_("只有校内公开或社会公开的党组织会议决议可以提交党务公开。"))
    if item.channel != Channel.PARTY.value or not item.active:
        raise DecisionError(N_("请选择党务公开目录中的一项。"))
    title, body = notice_text(res, meeting_title)
    audience = Audience.PUBLIC.value if res.visibility == Visibility.PUBLIC.value else Audience.STAFF.value
    notice = create_draft(session, actor, item=item, audience=audience, title=title, body_md=body)
    submit(session, actor, notice, now)
    res.notice_id = notice.id
    record(session, actor, "resolution.disclosed", res, notice=notice.id, catalog_item=item.id)
    return notice
