"""Decision objects for tests, made through the real rules: a Party committee of 7 and an
administrative team of 6 around the ``people`` fixture's users, meetings, items, resolutions."""
from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from portal.auth.models import User
from portal.decisions.models import Item, Meeting, Resolution
from portal.decisions.rules import items as item_rules
from portal.decisions.rules import meetings as meeting_rules
from portal.decisions.rules import outcomes
from portal.decisions.rules import procedure as procedure_rules
from portal.decisions.rules import resolutions as res_rules
from portal.org.memberships import Memberships
from portal.org.models import BodyKind, BodyMember, Seat
from portal.org.rules import body_of
from portal.timeutil import local_to_utc
from tests.conftest import make_user

DAY = date(2026, 3, 10)
START = date(2020, 1, 1)


def user(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def _seat(session, kind: BodyKind, u: User, seat: Seat = Seat.MEMBER, title: str = "委员") -> None:
    body = body_of(session, kind)
    if session.scalar(select(BodyMember).where(BodyMember.body_id == body.id, BodyMember.user_id == u.id)) is None:
        session.add(BodyMember(body_id=body.id, user_id=u.id, seat=seat.value, title=title, starts_on=START))
        session.flush()


def school(session, party_size: int = 7) -> dict[str, User]:
    """Seats on top of ``people``: secretary chairs the Party committee (principal its deputy),
    principal chairs the administrative team; members m1… fill the bodies."""
    people = {name: user(session, name) for name in ("secretary", "principal", "leader", "recorder", "supervisor")}
    _seat(session, BodyKind.PARTY_COMMITTEE, people["principal"], Seat.DEPUTY, "副书记")
    _seat(session, BodyKind.PARTY_COMMITTEE, people["leader"])
    _seat(session, BodyKind.ADMIN_TEAM, people["leader"], Seat.DEPUTY, "副校长")
    for i in range(1, party_size - 2):
        m = user(session, f"m{i}") or make_user(f"m{i}", {"leader"}, name=f"委员{i}")
        people[f"m{i}"] = m
        _seat(session, BodyKind.PARTY_COMMITTEE, m)
    for i in range(1, 5):
        a = user(session, f"a{i}") or make_user(f"a{i}", {"leader"}, name=f"行政{i}")
        people[f"a{i}"] = a
        _seat(session, BodyKind.ADMIN_TEAM, a)
    session.flush()
    return people


def ms(session, on: date = DAY) -> Memberships:
    return Memberships(session, on)


def meeting(session, body: str = "party", on: date = DAY, title: str = "党委会") -> Meeting:
    p = {n: user(session, n) for n in ("secretary", "principal", "recorder", "supervisor")}
    actor = p["secretary"] if body != "office" else p["principal"]
    return meeting_rules.create_meeting(session, actor, ms(session, on), body, title,
                                        local_to_utc(on, time(15, 0)), on, recorder=p["recorder"],
                                        supervisor=p["supervisor"])


def item(session, body: str = "party", title: str = "议题", **flags) -> Item:
    proposer = flags.pop("proposer", None) or user(session, "leader")
    return item_rules.propose_item(session, proposer, body, title, **flags)


def agree(session, it: Item, on: date = DAY) -> None:
    for name in ("secretary", "principal"):
        item_rules.record_view(session, user(session, name), ms(session, on), it, True, "")


def settled(session, body: str = "party", items: list[Item] | None = None, on: date = DAY) -> Meeting:
    """A meeting with its agenda settled and the papers sent two days ahead."""
    m = meeting(session, body, on)
    for it in items or [item(session, body)]:
        item_rules.schedule_item(session, user(session, "secretary"), ms(session, on), it, m)
    setter = user(session, "principal" if body == "office" else "secretary")
    meeting_rules.settle_agenda(session, setter, m)
    meeting_rules.send_papers(session, setter, m, now=local_to_utc(on - timedelta(days=3), time(9, 0)))
    return m


def stances_in_order(session, m: Meeting, it: Item, stance: str = "agree", on: date = DAY) -> None:
    memberships = ms(session, on)
    recorder = user(session, "recorder")
    for uid in meeting_rules.speaking_order(m, memberships):
        speaker = session.get(User, uid)
        meeting_rules.record_stance(session, recorder, memberships, m, it, speaker, stance,
                                    "同意，方案可行" if stance == "agree" else "理由")


def write_minutes(session, m: Meeting) -> None:
    """The recorder writes each item's discussion (讨论情况), as the minutes need before signing."""
    meeting_rules.save_minutes(session, user(session, "recorder"), m,
                               {i.id: f"与会成员就“{i.title}”进行了讨论。" for i in m.items}, "")


def passed_item(session, title: str = "食堂承包合同", staff_interest: bool = False, on: date = DAY) -> tuple[Meeting, Item]:
    """An item decided at a Party meeting by a show of hands, 7 of 7 in favour."""
    it = item(session, "party", title)
    m = settled(session, "party", [it], on)
    stances_in_order(session, m, it, on=on)
    outcomes.vote(session, user(session, "secretary"), ms(session, on), m, it, "hands", yes=len(
        meeting_rules.present_voters(m, ms(session, on))), no=0, abstain=0)
    return m, it


def resolution(session, deadline: date | None = date(2026, 9, 1), visibility: str = "staff", cadence: str = "monthly",
               owner: str = "principal", needs_approval: bool = False, title: str = "食堂承包合同签订并执行",
               on: date = DAY) -> Resolution:
    m, it = passed_item(session, title, on=on)
    return res_rules.add_resolution(session, user(session, "recorder"), it, title=title, text="按决议执行", owner=user(
        session, owner), deadline=deadline, visibility=visibility, cadence=cadence, needs_approval=needs_approval)


def procedure(session, body: str = "party"):
    return procedure_rules.ensure_procedure(session, body, START)
