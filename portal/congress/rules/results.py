"""A closed poll's statutory result, with the rule and the figures in words, computed from
the frozen figures only (roster and present at opening, counts at close) through
``portal.counting``: deactivating or removing people later changes nothing."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction

from portal import counting
from portal.congress.models import Poll
from portal.counting import Basis, BodyKind, Threshold, Translate, default_rules, fraction_words, smallest_count
from portal.i18n import N_


def _identity(text: str) -> str:
    return text


def motion_rules(poll: Poll) -> counting.BodyRules:
    """The congress's rules with this poll's majority (default: half of the roster, inclusive)."""
    return dataclasses.replace(default_rules(BodyKind.CONGRESS), majority=Threshold(
        Fraction(poll.rule_num, poll.rule_den), strict=poll.rule_strict, basis=Basis.ROSTER))


def election_threshold(poll: Poll) -> Threshold:
    """A candidate's share of the ballots cast (default: more than half)."""
    return Threshold(Fraction(poll.rule_num, poll.rule_den), strict=poll.rule_strict, basis=Basis.PRESENT)


@dataclass
class Outcome:
    lines: list[str]
    passed: bool | None = None  # motions
    elected: list[str] = field(default_factory=list)  # elections: candidate codes
    tied: list[str] = field(default_factory=list)
    votes: dict[str, int] = field(default_factory=dict)


def present_for(poll: Poll) -> int:
    """实到 for the result: those present at opening, or the ballots if latecomers voted too."""
    return max(poll.present_at_open or 0, poll.ballots_cast or 0)


def dropped_lines(poll: Poll, rules: counting.BodyRules, translate: Translate) -> list[str]:
    """When the hall fell below its quorum before the close: the sentence saying so (else [])."""
    members, at_close = poll.roster_size or 0, poll.present_at_close
    if not members or at_close is None or counting.quorum_met(rules, members, min(at_close, members)):
        return []
    return [translate(N_("结束表决时实到 %(present)d 人，已不足应到 %(members)d 人的三分之二（至少需 %(needed)d 人），"
                         "表决无效。")) % {"present": at_close, "members": members,
                                       "needed": counting.quorum_needed(rules, members)}]


def outcome(poll: Poll, counts: dict[str, int], translate: Translate = _identity) -> Outcome:
    """The result of a closed poll from its frozen counts. A poll whose hall fell below the
    quorum before it closed carries nothing: the motion is not carried, nobody is elected."""
    t = translate
    members = poll.roster_size or 0
    present = min(present_for(poll), members) if members else 0
    cast = poll.ballots_cast or 0
    rules = motion_rules(poll)
    dropped = dropped_lines(poll, rules, t)
    if poll.is_motion and dropped:
        yes = counts.get("yes", 0)
        lines = counting.describe_result(rules, members, present, translate=t)[:1] + dropped
        lines.append(t(N_("投票 %(cast)d 人：赞成 %(yes)d 票，反对 %(no)d 票，弃权 %(abstain)d 票。")) % {
            "cast": cast, "yes": yes, "no": counts.get("no", 0), "abstain": counts.get("abstain", 0)})
        lines.append(t(N_("未通过。")))
        return Outcome(lines, passed=False, votes=counts)
    if poll.is_motion:
        yes = counts.get("yes", 0)
        lines = counting.describe_result(rules, members, present, yes, translate=t)
        lines.append(t(N_("投票 %(cast)d 人：赞成 %(yes)d 票，反对 %(no)d 票，弃权 %(abstain)d 票。")) % {
            "cast": cast, "yes": yes, "no": counts.get("no", 0), "abstain": counts.get("abstain", 0)})
        return Outcome(lines, passed=counting.passed(rules, members, present, yes), votes=counts)
    lines = counting.describe_result(rules, members, present, translate=t) + dropped
    has_quorum = counting.quorum_met(rules, members, present) and not dropped
    rule = election_threshold(poll)
    needed = smallest_count(rule, cast)
    words = (N_("超过投票人数的%(fraction)s") if rule.strict else N_("达到投票人数的%(fraction)s以上（含本数）"))
    lines.append(t(N_("收回选票 %(cast)d 张，应选 %(seats)d 人；候选人得票须%(rule)s，即至少 %(needed)d 票方可当选。")) % {
        "cast": cast, "seats": poll.seats, "rule": t(words) % {"fraction": fraction_words(rule.fraction, t)},
        "needed": needed})
    by_code = {c.code: c.name for c in poll.candidates}
    qualified = sorted((c for c in by_code if counts.get(c, 0) >= needed and cast > 0),
                       key=lambda c: -counts.get(c, 0))
    elected: list[str] = []
    tied: list[str] = []
    if not has_quorum:
        lines.append(t(N_("到会人数不足，选举无效。")))
    elif len(qualified) <= poll.seats:
        elected = qualified
    else:
        cutoff = counts[qualified[poll.seats - 1]]
        elected = [c for c in qualified if counts[c] > cutoff]
        tied = [c for c in qualified if counts[c] == cutoff]
        if len(elected) + len(tied) == poll.seats:  # no tie at the boundary after all
            elected, tied = elected + tied, []
    if elected:
        lines.append(t(N_("当选 %(count)d 人：%(names)s。")) % {
            "count": len(elected), "names": t(N_("、")).join(f"{by_code[c]}（{counts[c]}）" for c in elected)})
    elif has_quorum:
        lines.append(t(N_("没有候选人达到当选票数。")))
    if tied:
        lines.append(t(N_("%(names)s 得票相同（各 %(votes)d 票），超出应选名额，须就此另行投票。")) % {
            "names": t(N_("、")).join(by_code[c] for c in tied), "votes": counts[tied[0]]})
    if has_quorum and len(elected) < poll.seats:
        lines.append(t(N_("尚缺 %(missing)d 名，按选举办法另行选举。")) % {"missing": poll.seats - len(elected)})
    return Outcome(lines, elected=elected, tied=tied, votes=counts)
