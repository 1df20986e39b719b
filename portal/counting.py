"""Quorum and majority for every body: pure integer arithmetic, no database, no Flask.

Chinese legal texts count "以上" *including* the number itself (Civil Code art. 1259), while
"超过" and "过半数" are strict (see DOMAIN.md "Counting rules"). Each body's thresholds are
settings: a fraction, inclusive or strict, counted against the roster (应到) or against those
present (实到). The defaults follow the national opinion and MoE order 32; a school may
replace them with its own implementing rules (``dataclasses.replace``).

Every sentence is a message id marked with ``N_()`` and formatted with %-style named
parameters, so ``describe(..., translate=gettext)`` gives it in the reader's language.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from portal.i18n import N_

Translate = Callable[[str], str]


def _identity(text: str) -> str:
    return text


class Basis(enum.Enum):
    """What a threshold is counted against."""

    ROSTER = "roster"  # 应到: every member who should attend
    PRESENT = "present"  # 实到: those present


class BodyKind(enum.Enum):
    PARTY = "party"  # 党组织会议 (Party committee)
    OFFICE = "office"  # 校长办公会议 (the administrative team)
    CONGRESS = "congress"  # 教职工代表大会


class CountingError(ValueError):
    """Impossible figures (no members, more present than members, ...), with a marked message."""

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params)

    def render(self, translate: Translate = _identity) -> str:
        return translate(self.message) % self.params


@dataclass(frozen=True)
class Threshold:
    """At least (``strict=False``, 以上) or more than (``strict=True``, 超过/过半数) ``fraction`` of the basis."""

    fraction: Fraction
    strict: bool
    basis: Basis = Basis.ROSTER

    def __post_init__(self) -> None:
        if not isinstance(self.fraction, Fraction):
            raise TypeError("fraction must be a fractions.Fraction")
        if not (0 < self.fraction <= 1) or (self.strict and self.fraction == 1):
            raise ValueError(f"no count can satisfy {'>' if self.strict else '>='} {self.fraction}")

    def needed(self, base: int) -> int:
        """The smallest count that satisfies this threshold out of ``base``."""
        return smallest_count(self, base)

    def satisfied(self, count: int, base: int) -> bool:
        return count >= smallest_count(self, base)


def smallest_count(rule: Threshold, base: int) -> int:
    """The smallest integer k with k ≥ f·base (inclusive) or k > f·base (strict); exact, no floats."""
    if base < 0:
        raise ValueError("base must not be negative")
    num, den = rule.fraction.numerator, rule.fraction.denominator
    if rule.strict:
        return num * base // den + 1
    return -(-num * base // den)


@dataclass(frozen=True)
class BodyRules:
    """One body's thresholds. Quorum is always counted against the roster."""

    kind: BodyKind
    quorum: Threshold
    important_quorum: Threshold  # cadre appointments and other important matters (干部任免等重要事项)
    majority: Threshold
    # At the principal's office meeting the principal decides after hearing everyone:
    # the majority is gathered as advice, not as a binding vote.
    majority_advisory: bool = False

    def __post_init__(self) -> None:
        if self.quorum.basis is not Basis.ROSTER or self.important_quorum.basis is not Basis.ROSTER:
            raise ValueError("a quorum is counted against the roster")


HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)

DEFAULTS: dict[BodyKind, BodyRules] = {
    # seed: 半数以上委员到会；干部任免等重要事项三分之二以上；赞成票超过应到会委员半数.
    BodyKind.PARTY: BodyRules(
        kind=BodyKind.PARTY,
        quorum=Threshold(HALF, strict=False),
        important_quorum=Threshold(TWO_THIRDS, strict=False),
        majority=Threshold(HALF, strict=True, basis=Basis.ROSTER),
    ),
    # seed: 半数以上成员到会; the principal decides, gathering the majority view of those present.
    BodyKind.OFFICE: BodyRules(
        kind=BodyKind.OFFICE,
        quorum=Threshold(HALF, strict=False),
        important_quorum=Threshold(HALF, strict=False),
        majority=Threshold(HALF, strict=True, basis=Basis.PRESENT),
        majority_advisory=True,
    ),
    # MoE 32: 三分之二以上代表出席；代表总数半数以上赞成 (a school may set 过半数 → strict).
    BodyKind.CONGRESS: BodyRules(
        kind=BodyKind.CONGRESS,
        quorum=Threshold(TWO_THIRDS, strict=False),
        important_quorum=Threshold(TWO_THIRDS, strict=False),
        majority=Threshold(HALF, strict=False, basis=Basis.ROSTER),
    ),
}


def default_rules(kind: BodyKind | str) -> BodyRules:
    return DEFAULTS[BodyKind(kind)]


BODY_NAMES = {
    BodyKind.PARTY: N_("党组织会议"),
    BodyKind.OFFICE: N_("校长办公会议"),
    BodyKind.CONGRESS: N_("教职工代表大会"),
}


# --- checking figures ------------------------------------------------------------------

def check_figures(members: int, present: int | None = None, yes: int | None = None) -> None:
    """Raise CountingError for figures no meeting can have."""
    if members < 1:
        raise CountingError(N_("应到人数须至少为 1 人（现为 %(members)d）。"), members=members)
    if present is not None and not 0 <= present <= members:
        raise CountingError(
            N_("实到人数须在 0 到应到人数之间（应到 %(members)d 人，实到 %(present)d 人）。"),
            members=members, present=present,
        )
    if yes is not None:
        ceiling = members if present is None else present
        if not 0 <= yes <= ceiling:
            raise CountingError(
                N_("赞成票须在 0 到实到人数之间（最多 %(ceiling)d 票，赞成 %(yes)d 票）。"),
                ceiling=ceiling, yes=yes,
            )


# --- the questions -------------------------------------------------------------------

def quorum_rule(rules: BodyRules, cadre: bool = False) -> Threshold:
    return rules.important_quorum if cadre else rules.quorum


def quorum_needed(rules: BodyRules, members: int, cadre: bool = False) -> int:
    """How many must be present for the meeting to proceed."""
    check_figures(members)
    return smallest_count(quorum_rule(rules, cadre), members)


def quorum_met(rules: BodyRules, members: int, present: int, cadre: bool = False) -> bool:
    check_figures(members, present)
    return present >= smallest_count(quorum_rule(rules, cadre), members)


def yes_needed(rules: BodyRules, members: int, present: int | None = None) -> int | None:
    """Yes votes a motion needs; None when it depends on attendance that is not known yet."""
    check_figures(members, present)
    if rules.majority.basis is Basis.ROSTER:
        return smallest_count(rules.majority, members)
    if present is None:
        return None
    return smallest_count(rules.majority, present)


def passed(rules: BodyRules, members: int, present: int, yes: int, cadre: bool = False) -> bool:
    """A motion passes when the meeting has its quorum and the yes votes reach the majority.

    Absent members' views are not counted; without a quorum there is no valid vote.
    """
    check_figures(members, present, yes)
    needed = yes_needed(rules, members, present)
    assert needed is not None
    return quorum_met(rules, members, present, cadre) and yes >= needed


# --- in words --------------------------------------------------------------------------

FRACTION_WORDS = {
    Fraction(1, 2): N_("半数"),
    Fraction(2, 3): N_("三分之二"),
    Fraction(3, 4): N_("四分之三"),
    Fraction(1, 3): N_("三分之一"),
    Fraction(3, 5): N_("五分之三"),
    Fraction(4, 5): N_("五分之四"),
}

_PHRASES = {
    (Basis.ROSTER, False): N_("达到应到人数的%(fraction)s以上（含本数）"),
    (Basis.ROSTER, True): N_("超过应到人数的%(fraction)s"),
    (Basis.PRESENT, False): N_("达到实到人数的%(fraction)s以上（含本数）"),
    (Basis.PRESENT, True): N_("超过实到人数的%(fraction)s"),
}


def fraction_words(fraction: Fraction, translate: Translate = _identity) -> str:
    if fraction in FRACTION_WORDS:
        return translate(FRACTION_WORDS[fraction])
    return translate(N_("%(den)d 分之 %(num)d")) % {"den": fraction.denominator, "num": fraction.numerator}


def rule_phrase(rule: Threshold, translate: Translate = _identity) -> str:
    """e.g. "达到应到人数的三分之二以上（含本数）" or "超过应到人数的半数"."""
    return translate(_PHRASES[(rule.basis, rule.strict)]) % {"fraction": fraction_words(rule.fraction, translate)}


def describe_rule(
    rules: BodyRules, members: int, present: int | None = None, cadre: bool = False,
    translate: Translate = _identity,
) -> list[str]:
    """The rule in words, with the figures it gives for this body size."""
    check_figures(members, present)
    t = translate
    q = quorum_rule(rules, cadre)
    lines = [
        t(N_("%(body)s，应到 %(members)d 人。")) % {"body": t(BODY_NAMES[rules.kind]), "members": members},
        t(_quorum_sentence(rules, cadre)) % {"rule": rule_phrase(q, t), "needed": smallest_count(q, members)},
    ]
    if rules.majority_advisory:  # the office meeting does not vote: no vote threshold is stated
        lines.append(t(N_("校长办公会议不表决，由校长在充分听取与会人员意见的基础上集中作出决定。")))
        return lines
    needed = yes_needed(rules, members, present)
    majority = rule_phrase(rules.majority, t)
    if needed is None:
        lines.append(t(N_("表决须赞成票%(rule)s，所需票数按实到人数计算。")) % {"rule": majority})
    else:
        lines.append(t(N_("表决须赞成票%(rule)s：至少 %(needed)d 票赞成方可通过。")) % {"rule": majority, "needed": needed})
    return lines


def _quorum_sentence(rules: BodyRules, cadre: bool) -> str:
    """Only the Party committee has a quorum for cadre appointments (干部任免); another body
    asked about its important matters names them as such, and only when its rule differs."""
    if not cadre or rules.important_quorum == rules.quorum:
        return N_("开会须到会人数%(rule)s：至少 %(needed)d 人到会方可开会。")
    if rules.kind is BodyKind.PARTY:
        return N_("干部任免等重要事项须到会人数%(rule)s：至少 %(needed)d 人到会方可开会。")
    return N_("重要事项须到会人数%(rule)s：至少 %(needed)d 人到会方可开会。")


def describe_result(
    rules: BodyRules, members: int, present: int, yes: int | None = None, cadre: bool = False,
    translate: Translate = _identity,
) -> list[str]:
    """Whether the meeting may proceed and whether the motion passes, with the figures."""
    check_figures(members, present, yes)
    t = translate
    q = quorum_rule(rules, cadre)
    has_quorum = quorum_met(rules, members, present, cadre)
    figures = {
        "members": members, "present": present, "rule": rule_phrase(q, t),
        "needed": smallest_count(q, members),
    }
    lines = [
        t(N_("应到 %(members)d 人，实到 %(present)d 人，已%(rule)s，可以开会。") if has_quorum
          else N_("应到 %(members)d 人，实到 %(present)d 人（至少需 %(needed)d 人），未%(rule)s，不能开会。"))
        % figures
    ]
    if yes is None or rules.majority_advisory:
        return lines
    needed = yes_needed(rules, members, present)
    assert needed is not None
    votes = {"yes": yes, "rule": rule_phrase(rules.majority, t), "needed": needed}
    if not has_quorum:
        lines.append(t(N_("赞成 %(yes)d 票，但到会人数不足，表决无效，未通过。")) % votes)
    elif yes >= needed:
        lines.append(t(N_("赞成 %(yes)d 票（至少需 %(needed)d 票），已%(rule)s，通过。")) % votes)
    else:
        lines.append(t(N_("赞成 %(yes)d 票（至少需 %(needed)d 票），未%(rule)s，未通过。")) % votes)
    return lines


def describe(
    rules: BodyRules, members: int, present: int | None = None, yes: int | None = None,
    cadre: bool = False, translate: Translate = _identity,
) -> str:
    """The rule in words and, with attendance (and votes), the outcome; one sentence a line."""
    lines = describe_rule(rules, members, present, cadre, translate)
    if present is not None:
        lines += describe_result(rules, members, present, yes, cadre, translate)
    return "\n".join(lines)


# --- a school's own settings ------------------------------------------------------------

def parse_fraction(text: str) -> Fraction:
    """"1/2", "2/3" (or "0.5") as a fraction strictly between 0 and 1, or 1; CountingError otherwise."""
    try:
        value = Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        raise CountingError(N_("“%(text)s”不是比例（例如 1/2、2/3）。"), text=text) from None
    if not 0 < value <= 1:
        raise CountingError(N_("比例须大于 0、不超过 1（现为 %(text)s）。"), text=text)
    return value


def with_settings(
    rules: BodyRules, *, majority: Fraction | None = None, strict: bool | None = None, basis: Basis | None = None,
    quorum: Fraction | None = None, important_quorum: Fraction | None = None,
) -> BodyRules:
    """``rules`` with a school's own settings: the vote's fraction, whether it is "more than"
    (strict) or "at least" (inclusive) and what it counts against; the quorum fractions
    ("at least", against the roster). The office meeting does not vote: setting its vote is refused."""
    if rules.majority_advisory and (majority is not None or strict is not None or basis is not None):
        raise CountingError(N_("校长办公会议不表决，没有表决比例可设。"))
    try:
        vote = Threshold(majority if majority is not None else rules.majority.fraction,
                         rules.majority.strict if strict is None else strict,
                         rules.majority.basis if basis is None else basis)
        return replace(
            rules, majority=vote,
            quorum=Threshold(quorum, False) if quorum is not None else rules.quorum,
            important_quorum=Threshold(important_quorum, False) if important_quorum is not None
            else rules.important_quorum,
        )
    except ValueError:
        raise CountingError(N_("“超过”全体（1）的比例不可能达到，请改用“以上”或更小的比例。")) from None
