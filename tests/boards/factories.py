"""A school with public and non-public things side by side, each non-public one carrying a
sentinel in its title: a board, poster or chart that shows a sentinel has leaked."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.congress.rules import polls
from portal.decisions.rules import resolutions as res_rules
from portal.extensions import db
from portal.timeutil import to_local, utcnow
from tests.congress import factories as cf
from tests.decisions import factories as df
from tests.disclosure import factories as nf

# never on a board, poster or board fragment
SENTINELS = ("STAFFONLY-NOTICE", "PARTYONLY-NOTICE", "STAFF-RESOLUTION", "INTERNAL-RESOLUTION", "INTERNAL-POLL",
             "STAFF-GONGSHI")
# on the board
PUBLIC = ("PUBLIC-NOTICE", "PUBLIC-GONGSHI", "PUBLIC-RESOLUTION", "PUBLIC-POLL")


def world(session) -> dict[str, int]:
    """Public and non-public notices (with 公示 windows open), resolutions with reports, and
    closed congress polls with and without public results."""
    nf.published(session, audience="public", title="PUBLIC-NOTICE 关于学校开放日的通知")
    nf.published(session, audience="public", gongshi=5, title="PUBLIC-GONGSHI 评优评先结果公示")
    nf.published(session, audience="staff", title="STAFFONLY-NOTICE 教职工内部通知")
    nf.published(session, audience="staff", gongshi=5, title="STAFF-GONGSHI 校内公示")
    nf.published(session, channel="party", audience="party", title="PARTYONLY-NOTICE 党员内部通知")
    df.school(session)
    ids = {}
    for visibility, title in (("public", "PUBLIC-RESOLUTION 改造学生食堂"), ("staff", "STAFF-RESOLUTION 调整绩效"),
                              ("internal", "INTERNAL-RESOLUTION 干部考察")):
        res = df.resolution(session, visibility=visibility, title=title, deadline=date(2099, 1, 1))
        res_rules.file_report(session, df.user(session, "principal"), res, f"{title} 进展报告", 40,
                              to_local(utcnow()).date())
        ids[visibility] = res.id
    union = cf.user(session, "union")
    cs = cf.current_open_session(session, union)
    public_poll = cf.poll(session, union, cs)
    public_poll.title = "PUBLIC-POLL 关于校历的表决"
    polls.close_poll(session, union, public_poll)
    polls.set_results_public(session, union, public_poll, True)
    internal_poll = cf.poll(session, union, cs)
    internal_poll.title = "INTERNAL-POLL 不公开的表决"
    polls.close_poll(session, union, internal_poll)
    session.flush()
    ids["poll"] = public_poll.id
    return ids


def notice_id(title_start: str) -> int:
    from portal.disclosure.models import Notice

    found = db.session.scalar(select(Notice.id).where(Notice.title.startswith(title_start)))
    assert found is not None
    return found
