"""Issue 20.1: every important matter the office meeting passes goes on to the Party meeting
(000, 篇3: 凡涉及重大事项、重要问题的，校长办公会议讨论通过后，须提交党组织会议研究决定), and its
resolution is made there. Rules only, no HTTP."""
from __future__ import annotations

import pytest

from portal.decisions.rules import DecisionError
from portal.decisions.rules import meetings as meeting_rules
from portal.decisions.rules import outcomes
from portal.decisions.rules import resolutions as res_rules
from tests.decisions import factories as f
from tests.decisions.factories import ms, user


@pytest.fixture
def school(session, people):
    seated = f.school(session)
    session.commit()
    return seated


@pytest.mark.parametrize("flags,forwarded", [
    ({"important": True}, True),  # flagged 重要议题, no 三重一大 kind: the demo's CCTV upgrade
    ({"major_kind": "project"}, True),
    ({"staff_interest": True}, True),
    ({}, False),  # a routine matter: the office meeting decides it alone
])
def test_which_office_items_go_to_the_party_meeting(flags, forwarded):
    from portal.decisions.models import Item

    item = Item(important=False, major_kind="none", staff_interest=False)
    for key, value in flags.items():
        setattr(item, key, value)
    assert outcomes.needs_party_decision(item) is forwarded


def test_an_important_office_item_is_decided_and_resolved_by_the_party_meeting(session, school):
    it = f.item(session, "office", "校园安防监控系统升级", important=True)
    f.agree(session, it)
    office = f.settled(session, "office", [it])
    f.stances_in_order(session, office, it)
    party_item = outcomes.decide(session, school["principal"], ms(session), office, it, "pass", "同意，提交党委会")
    assert it.state == "forwarded" and party_item is not None
    assert (party_item.body, party_item.state, party_item.origin_id) == ("party", "proposed", it.id)
    with pytest.raises(DecisionError, match="只有会议通过的议题"):  # the office meeting makes no resolution
        res_rules.add_resolution(session, school["principal"], it, title="x", text="", owner=school["principal"],
                                 deadline=None)
    party = f.settled(session, "party", [party_item])  # on the secretary's queue, preconditions carried
    f.stances_in_order(session, party, party_item)
    assert outcomes.vote(session, school["secretary"], ms(session), party, party_item, "hands", yes=7, no=0,
                         abstain=0)
    res = res_rules.add_resolution(session, school["secretary"], party_item, title="监控升级", text="分两期实施",
                                   owner=school["principal"], deadline=None)
    assert res.body == "party" and res.item_id == party_item.id


def test_a_reconsidered_office_resolution_changes_only_when_the_party_meeting_passes_it(session, school):
    it = f.item(session, "office", "秋季运动会组织方案")
    office = f.settled(session, "office", [it])
    f.stances_in_order(session, office, it)
    assert outcomes.decide(session, school["principal"], ms(session), office, it, "pass", "同意") is None
    res = res_rules.add_resolution(session, school["principal"], it, title="运动会", text="", owner=school["leader"],
                                   deadline=None)
    recon = res_rules.propose_reconsideration(session, school["leader"], res, "复议运动会方案", "天气原因", "改为两天")
    f.agree(session, recon)
    office2 = f.settled(session, "office", [recon])
    f.stances_in_order(session, office2, recon)
    party_item = outcomes.decide(session, school["principal"], ms(session), office2, recon, "pass", "同意调整")
    assert party_item is not None and party_item.reconsiders_id == res.id
    assert res.state == "open"  # not changed by the office meeting
    party = f.settled(session, "party", [party_item])
    f.stances_in_order(session, party, party_item)
    outcomes.vote(session, school["secretary"], ms(session), party, party_item, "hands", yes=7, no=0, abstain=0)
    assert res.state == "changed" and res.changed_by_item_id == party_item.id
    assert meeting_rules.current_item(party) is None
