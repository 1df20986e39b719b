"""The object check ``notice.view`` and its SQL listing agree, on random notices and people;
and approval never dead-ends: someone who is not the author can always take the next step."""
from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import select

from portal.auth.permissions import Context, can, listing
from portal.disclosure import rules
from portal.disclosure.models import Notice, Status
from portal.org.models import BodyKind, BodyMember, Seat
from portal.org.rules import body_of
from tests.conftest import make_user
from tests.disclosure.factories import catalog, draft, user

pytestmark = pytest.mark.usefixtures("people")


def _random_notices(session, rng: random.Random, people: list, n: int) -> list[Notice]:
    notices = []
    for i in range(n):
        author = rng.choice(people)
        item = catalog(session, rng.choice(["party", "school"]))
        notice = Notice(
            channel=item.channel, catalog_item_id=item.id, audience=rng.choice(["public", "staff", "party"]),
            title=f"n{i}", status=rng.choice([s.value for s in Status]), author_id=author.id,
            approver_id=rng.choice([None, rng.choice(people).id]), is_current=rng.random() < 0.8,
        )
        session.add(notice)
        notices.append(notice)
    session.flush()
    return notices


@pytest.mark.parametrize("seed", range(5))
def test_view_check_and_listing_agree(session, seed):
    rng = random.Random(seed)
    deputy = make_user(f"deputy{seed}", is_party_member=True)
    session.add(BodyMember(body_id=body_of(session, BodyKind.PARTY_COMMITTEE).id, user_id=deputy.id,
                           seat=Seat.DEPUTY.value, title="副书记", starts_on=date(2020, 1, 1)))
    people = [user(session, u) for u in ("staff", "rep", "leader", "secretary", "principal", "admin")] + [deputy]
    for p in people:
        p.is_party_member = rng.random() < 0.5
    notices = _random_notices(session, rng, people, 80)
    ctx = Context.for_session(session)
    for viewer in [None, *people]:
        listed = set(session.scalars(select(Notice.id).where(listing(viewer, "notice.view", ctx))))
        allowed = {n.id for n in notices if can(viewer, "notice.view", n, ctx)}
        assert listed == allowed, getattr(viewer, "username", "anonymous")


def test_the_principals_own_notice_goes_to_the_secretary(session):
    notice = draft(session, "principal")
    rules.submit(session, user(session, "principal"), notice)
    assert not can(user(session, "principal"), "notice.approve", notice)
    assert can(user(session, "secretary"), "notice.approve", notice)
    rules.publish(session, user(session, "secretary"), notice)
    assert notice.is_published and notice.approver_id == user(session, "secretary").id


def test_a_correction_the_principal_starts_goes_to_the_secretary(session):
    original = draft(session, "leader")
    rules.submit(session, user(session, "leader"), original)
    rules.publish(session, user(session, "principal"), original)
    correction = rules.start_correction(session, user(session, "principal"), original)
    rules.submit(session, user(session, "principal"), correction)
    assert can(user(session, "secretary"), "notice.approve", correction)
    rules.publish(session, user(session, "secretary"), correction)
    assert correction.is_published and not original.is_current


def test_with_nobody_to_approve_submitting_names_the_office_to_fill(session):
    # 一肩挑 without a deputy: the one person is both chain members for Party affairs.
    for member in session.scalars(select(BodyMember)):
        session.delete(member)
    session.flush()
    notice = draft(session, "secretary", channel="party")
    with pytest.raises(rules.DisclosureError, match="请先由系统管理员配备党组织书记、党组织副书记"):
        rules.submit(session, user(session, "secretary"), notice)
    assert notice.is_draft


def test_the_approval_order_follows_the_dated_seats(session):
    """A new principal from today takes over approvals; the old seat stays on record."""
    from portal.org.rules import seat_member
    from portal.timeutil import to_local, utcnow

    newcomer = make_user("newprincipal")
    seat_member(session, user(session, "admin"), BodyKind.ADMIN_TEAM, newcomer, seat=Seat.CHAIR,
                title="校长", starts_on=to_local(utcnow()).date())
    notice = draft(session, "leader")
    rules.submit(session, user(session, "leader"), notice)
    assert can(newcomer, "notice.approve", notice)
    assert not can(user(session, "principal"), "notice.approve", notice)
