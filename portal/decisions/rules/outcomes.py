"""Deciding an item, the second step of 一事一议: at the Party meeting a vote by the method
chosen for the item (oral, show of hands, named or secret ballot) against the members who
should attend; at the office meeting the principal's decision, deferred on serious
disagreement and forwarded to the Party meeting for major matters; reconsideration marks
the original resolution changed."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from portal import counting
from portal.ballots import SecretBox, check_choices, tally
from portal.audit.rules import record
from portal.auth.models import User
from portal.decisions.models import (
    MEETING_FLOW,
    Item,
    ItemBallotVoter,
    ItemNamedVote,
    ItemSecretBallot,
    ItemState,
    MajorKind,
    Meeting,
    MeetingBody,
    Resolution,
    ResolutionState,
    StanceKind,
    VoteMethod,
)
from portal.decisions.rules import DecisionError
from portal.decisions.rules.items import copy_item
from portal.decisions.rules.meetings import (
    REASON_MAX, Count, require_all_stated, require_quorum, current_item, present_voters,
)
from portal.decisions.rules.procedure import counting_rules
from portal.i18n import N_
from portal.org.memberships import Memberships
from portal.org.models import Office
from portal.notify.rules import notify
from portal.timeutil import utcnow

REASON_MAX = 2000



def _decidable(meeting: Meeting, memberships: Memberships, item: Item) -> Count:
    if not MEETING_FLOW.allows(meeting, "decide") or item.meeting_id != meeting.id:
        raise DecisionError(N_("会议不在议事阶段，不能作出决定。"))
    if item is not current_item(meeting):
        raise DecisionError(N_("一事一议：请先议定议程中前面的议题。"))
    count = require_quorum(meeting, memberships, item)
    require_all_stated(meeting, memberships, item)
    return count


def _mark_reconsidered(session: Session, actor: User, item: Item, on: date) -> None:
    if item.reconsiders_id is None:
        return
    original = session.get(Resolution, item.reconsiders_id)
    if original is not None and original.state != ResolutionState.CHANGED.value:
        original.state = ResolutionState.CHANGED.value
        original.changed_by_item_id = item.id
        original.changed_on = on
        record(session, actor, "resolution.changed", original, by_item=item.id)


def vote(
    session: Session, actor: User, memberships: Memberships, meeting: Meeting, item: Item, method: str, *,
    yes: int | None = None, no: int | None = None, abstain: int | None = None,
    named: dict[int, str] | None = None,
) -> bool:
    """The Party meeting's vote on the current item; passes with yes votes from more than half
    of the members who should attend (the rules' setting). Returns whether it passed."""
    if meeting.body != MeetingBody.PARTY.value:
        raise DecisionError(N_("只有党组织会议以表决方式作出决定；校长办公会议由校长集中决定。"))
    count = _decidable(meeting, memberships, item)
    if item.vote_method:
        raise DecisionError(N_("本议题已开始表决。"))
    if method not in {m.value for m in VoteMethod}:
        raise DecisionError(N_("请选择表决方式。"))
    voters = present_voters(meeting, memberships)
    if method == VoteMethod.SECRET.value:
        raise DecisionError(N_("无记名投票请先开始投票，由出席成员各自投票后再结束计票。"))
    if method == VoteMethod.NAMED.value:
        named = named or {}
        if sorted(named) != sorted(voters) or any(c not in ("yes", "no", "abstain") for c in named.values()):
            raise DecisionError(N_("记名投票须记录每一位出席成员的选择。"))
        yes = sum(1 for c in named.values() if c == "yes")
        no = sum(1 for c in named.values() if c == "no")
        abstain = sum(1 for c in named.values() if c == "abstain")
    else:
        if yes is None or no is None or abstain is None or min(yes, no, abstain) < 0:
            raise DecisionError(N_("请填写赞成、反对、弃权票数。"))
        if yes + no + abstain > len(voters):
            raise DecisionError(N_("票数合计（%(total)d）超过出席成员人数（%(present)d）。"),
                                total=yes + no + abstain, present=len(voters))
    rules = counting_rules(meeting.procedure)
    passed = counting.passed(rules, count.members, count.present, yes, cadre=item.two_thirds)
    item.vote_method = method
    item.votes_yes, item.votes_no, item.votes_abstain = yes, no, abstain
    item.result_text = "\n".join(counting.describe_result(rules, count.members, count.present, yes,
                                                          cadre=item.two_thirds))
    item.decided_at = utcnow()
    item.state = ItemState.PASSED.value if passed else ItemState.REJECTED.value
    if method == VoteMethod.NAMED.value:
        for user_id, choice in sorted((named or {}).items()):
            session.add(ItemNamedVote(item_id=item.id, user_id=user_id, choice=choice))
    if passed:
        _mark_reconsidered(session, actor, item, meeting.held_on)
    session.flush()
    record(session, actor, "item.voted", item, method=method, yes=yes, no=no, abstain=abstain,
           members=count.members, present=count.present, passed=passed)
    return passed


def disagreement(meeting: Meeting, memberships: Memberships, item: Item) -> tuple[int, int, bool]:
    """(disagree or defer, present, serious): serious when the share reaches the rules' setting."""
    present = len(present_voters(meeting, memberships))
    against = sum(1 for s in item.stances if s.stance in (StanceKind.DISAGREE.value, StanceKind.DEFER.value))
    proc = meeting.procedure
    serious = present > 0 and against * proc.disagreement_den >= proc.disagreement_num * present
    return against, present, serious


def needs_party_decision(item: Item) -> bool:
    """凡涉及重大事项、重要问题的，校长办公会议讨论通过后，须提交党组织会议研究决定 (plan 000, 篇3):
    a 三重一大 kind, a matter touching staff interests, or any item flagged important
    (a reconsideration is always important)."""
    return item.important or item.major_kind != MajorKind.NONE.value or item.staff_interest


def decide(session: Session, actor: User, memberships: Memberships, meeting: Meeting, item: Item,
           outcome: str, decision: str = "") -> Item | None:
    """The office (or joint) meeting's decision, recorded by the principal having stated last.
    An important item meeting serious disagreement must be deferred; an important item agreed
    here (``needs_party_decision``) goes on to the Party meeting's queue as a new item (returned),
    whose vote there makes the resolution; the office item itself stays "forwarded" and makes none."""
    if meeting.body == MeetingBody.PARTY.value:
        raise DecisionError(N_("党组织会议的议题须经表决作出决定。"))
    count = _decidable(meeting, memberships, item)
    if outcome not in ("pass", "reject", "defer"):
        raise DecisionError(N_("请选择决定结果。"))
    decision = (decision or "").strip()
    if outcome != "defer" and not decision:
        raise DecisionError(N_("请写明决定内容。"))
    against, present, serious = disagreement(meeting, memberships, item)
    if outcome == "pass" and item.important and serious:
        raise DecisionError(N_("重要议题存在较大分歧（出席 %(present)d 人中 %(against)d 人不同意或主张缓议），应暂缓决策，不能作出通过的决定。"),
                            present=present, against=against)
    rules = counting_rules(meeting.procedure)
    forwarded: Item | None = None
    if outcome == "pass" and needs_party_decision(item):
        target = ItemState.FORWARDED
    else:
        target = {"pass": ItemState.PASSED, "reject": ItemState.REJECTED, "defer": ItemState.DEFERRED}[outcome]
    item.state = target.value
    item.decision = decision
    item.decided_at = utcnow()
    item.result_text = "\n".join(counting.describe_result(rules, count.members, count.present, cadre=item.two_thirds))
    session.flush()
    record(session, actor, "item.decided", item, outcome=target.value, against=against, present=present)
    if target is ItemState.FORWARDED:
        forwarded = copy_item(session, actor, item, MeetingBody.PARTY.value, "item.forwarded")
        notify(session, memberships.holders(Office.SECRETARY), N_("校长办公会议将“%(title)s”提交党组织会议决定。"),
               subject=("item", forwarded.id), actor_id=actor.id, title=item.title)
    elif target is ItemState.PASSED:
        _mark_reconsidered(session, actor, item, meeting.held_on)
    return forwarded


def defer_item(session: Session, actor: User, memberships: Memberships, meeting: Meeting, item: Item,
               reason: str) -> None:
    """The chair defers the current item (缓议) after discussion, with the reason."""
    if not MEETING_FLOW.allows(meeting, "decide") or item is not current_item(meeting):
        raise DecisionError(N_("会议不在议事阶段，不能作出决定。"))
    reason = (reason or "").strip()
    if not reason:
        raise DecisionError(N_("请写明缓议的原因。"))
    item.state = ItemState.DEFERRED.value
    item.decision = reason[:REASON_MAX]
    item.decided_at = utcnow()
    record(session, actor, "item.deferred", item, reason=reason)


# --- secret ballot (无记名投票) ----------------------------------------------------------------

CHOICES = ("yes", "no", "abstain")

BOX = SecretBox(
    name="decisions-item", key=ItemSecretBallot.key, box=ItemSecretBallot.item_id, content=(ItemSecretBallot.choice,),
    voter_box=ItemBallotVoter.item_id, voter=ItemBallotVoter.user_id,
    refusal=lambda: DecisionError(N_("您已经投过票了。")),
)


def secret_open(item: Item) -> bool:
    return item.vote_method == VoteMethod.SECRET.value and item.decided_at is None


def open_secret_ballot(session: Session, actor: User, memberships: Memberships, meeting: Meeting, item: Item) -> None:
    """The chair opens a secret ballot on the current item; each present member then votes."""
    if meeting.body != MeetingBody.PARTY.value:
        raise DecisionError(N_("只有党组织会议以表决方式作出决定；校长办公会议由校长集中决定。"))
    _decidable(meeting, memberships, item)
    if item.vote_method:
        raise DecisionError(N_("本议题已开始表决。"))
    item.vote_method = VoteMethod.SECRET.value
    record(session, actor, "item.secret_ballot_opened", item,
           voters=len(present_voters(meeting, memberships)))


def cast_secret_ballot(session: Session, voter: User, memberships: Memberships, meeting: Meeting, item: Item,
                       choice: str) -> None:
    """A present voting member casts a secret ballot into the item's box (``portal.ballots``):
    who voted and what was voted are two tables, the ballot row has a random key and no voter
    or time; voting twice is refused."""
    if not secret_open(item) or item.meeting_id != meeting.id or not MEETING_FLOW.allows(meeting, "cast_ballot"):
        raise DecisionError(N_("本议题没有进行中的无记名投票。"))
    if voter.id not in present_voters(meeting, memberships):
        raise DecisionError(N_("只有出席会议的成员可以投票。"))
    ballot = check_choices([choice], CHOICES, max_choices=1, min_choices=1)
    BOX.cast(session, item.id, voter.id, (ballot,))
    record(session, voter, "item.secret_ballot_cast", item)  # who voted, never what


def close_secret_ballot(session: Session, actor: User, memberships: Memberships, meeting: Meeting, item: Item) -> bool:
    """Count the box from the raw ballots; the result and the box's digest are frozen, and the
    box is written again so that its stored order cannot pair a ballot with a voter."""
    if not secret_open(item) or item.meeting_id != meeting.id:
        raise DecisionError(N_("本议题没有进行中的无记名投票。"))
    count = require_quorum(meeting, memberships, item)
    if not BOX.voted(session, item.id):
        raise DecisionError(N_("还没有人投票，不能结束计票。"))
    closed = BOX.close(session, item.id)
    ballots = [choice for (choice,) in closed.contents]
    assert closed.voters == len(ballots)
    counts = tally(ballots, CHOICES, max_choices=1, min_choices=1).counts
    rules = counting_rules(meeting.procedure)
    yes = counts["yes"]
    passed = counting.passed(rules, count.members, count.present, yes, cadre=item.two_thirds)
    item.votes_yes, item.votes_no, item.votes_abstain = yes, counts["no"], counts["abstain"]
    item.ballot_digest = closed.digest
    item.result_text = "\n".join(counting.describe_result(rules, count.members, count.present, yes,
                                                          cadre=item.two_thirds))
    item.decided_at = utcnow()
    item.state = ItemState.PASSED.value if passed else ItemState.REJECTED.value
    if passed:
        _mark_reconsidered(session, actor, item, meeting.held_on)
    session.flush()
    record(session, actor, "item.voted", item, method="secret", yes=yes, no=counts["no"], abstain=counts["abstain"],
           members=count.members, present=count.present, passed=passed, digest=item.ballot_digest)
    return passed


def has_voted(session: Session, item: Item, user_id: int) -> bool:
    return BOX.has_voted(session, item.id, user_id)


def ballots_cast(session: Session, item: Item) -> int:
    """How many have cast a secret ballot on the item (the number, never the split)."""
    return BOX.voted(session, item.id)
