"""Secret-ballot arithmetic shared by every body that votes: pure Python, no database, no Flask.

A *ballot* is what one voter put in the box: a set of option codes (short ASCII strings
such as ``"yes"``, ``"no"``, ``"abstain"`` or a candidate code ``"c12"``). A motion ballot
holds exactly one code; an election ballot holds up to N codes and may be empty (places
left blank). Order and repetition do not matter: ``{"c3", "c1"}`` is the ballot ``"c1,c3"``.

The whole API (stable; other features import it):

``new_ballot_key() -> str``
    A random primary key for a ballot row (32 hex characters, 128 bits from ``secrets``).
    Ballot rows must never carry a sequential id, a voter id or a fine timestamp, so row
    order cannot re-link a ballot to a voter (QUALITY.md); on SQLite declare the table
    ``WITHOUT ROWID`` (``sqlite_with_rowid=False``) so storage order follows this key.

``canonical_ballot(choices) -> str``
    The one text form of a ballot: codes deduplicated, sorted, joined by ``","``
    (``""`` for an empty ballot). Store this string; :func:`parse_ballot` undoes it.
    Raises :class:`BallotError` for a code that is empty, longer than 40 characters or not
    made of ``[A-Za-z0-9_.-]``.

``parse_ballot(text) -> tuple[str, ...]``
    The codes of a stored canonical ballot (``()`` for ``""``).

``box_digest(ballots, context="") -> str``
    The ballot-box digest: SHA-256 (hex) over ``context`` and the sorted canonical ballots,
    exactly ``"ballot-box v1\\n" + context + "\\n" + "".join(b + "\\n" for b in sorted(canonicals))``
    encoded as UTF-8, where ``sorted`` is plain code-point order (codes are ASCII). It does
    not depend on the order the ballots come in, so anyone holding the raw ballot rows can
    recompute it. ``context`` names the box (e.g. ``"congress-poll:12"``) so two boxes with
    the same ballots still differ; it must not contain a newline.

``tally(ballots, options, max_choices=1, min_choices=0) -> Tally``
    Counts from the raw ballots: every option's count (zeros included), ballots cast, empty
    ballots. Every ballot is checked: an unknown code, more than ``max_choices`` codes or
    fewer than ``min_choices`` raise :class:`BallotError` (a box that holds such a ballot is
    corrupt; rules validate before storing). There is deliberately no way to tally a subset
    of voters: the input is ballots, which carry no voter.

``check_choices(choices, options, max_choices=1, min_choices=0) -> str``
    Validate one voter's choices before storing them; returns the canonical ballot.

:class:`BallotError` carries an ``N_()``-marked Chinese message with named %-parameters,
like ``portal.errors.DomainError`` (of which it is a subclass).
"""
from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from portal.errors import DomainError
from portal.i18n import N_

DIGEST_HEADER = "ballot-box v1"
_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,40}")


class BallotError(DomainError):
    """A ballot that is not valid for its box (unknown option, too many or too few choices)."""


def new_ballot_key() -> str:
    """A random 128-bit key, hex: the primary key of a ballot row."""
    return secrets.token_hex(16)


def _checked_codes(choices: Iterable[str]) -> list[str]:
    codes = set()
    for code in choices:
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise BallotError(N_("选票中有无效的选项。"))
        codes.add(code)
    return sorted(codes)


def canonical_ballot(choices: Iterable[str]) -> str:
    """Deduplicated, sorted option codes joined by commas; ``""`` for an empty ballot."""
    if isinstance(choices, str):
        choices = [choices]
    return ",".join(_checked_codes(choices))


def parse_ballot(text: str) -> tuple[str, ...]:
    """The option codes of a canonical ballot."""
    return tuple(text.split(",")) if text else ()


def box_digest(ballots: Iterable[str], context: str = "") -> str:
    """SHA-256 hex of the ballot box: header, context, then the sorted canonical ballots."""
    if "\n" in context:
        raise ValueError("context must be one line")
    lines = sorted(canonical_ballot(parse_ballot(b)) for b in ballots)
    data = DIGEST_HEADER + "\n" + context + "\n" + "".join(line + "\n" for line in lines)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def check_choices(choices: Iterable[str], options: Sequence[str], max_choices: int = 1,
                  min_choices: int = 0) -> str:
    """One voter's choices as a canonical ballot, or BallotError when they do not fit the box."""
    if isinstance(choices, str):
        choices = [choices]
    codes = _checked_codes(choices)
    allowed = set(options)
    if any(code not in allowed for code in codes):
        raise BallotError(N_("选票中有不在本次表决中的选项。"))
    if len(codes) > max_choices:
        raise BallotError(N_("最多可选 %(max)d 项，您选了 %(chosen)d 项。"), max=max_choices, chosen=len(codes))
    if len(codes) < min_choices:
        raise BallotError(N_("请至少选择 %(min)d 项。"), min=min_choices)
    return ",".join(codes)


@dataclass(frozen=True)
class Tally:
    """What the box holds: ``counts[code]`` for every option, ballots cast, empty ballots."""

    counts: dict[str, int] = field(default_factory=dict)
    cast: int = 0
    empty: int = 0


def tally(ballots: Iterable[str], options: Sequence[str], max_choices: int = 1,
          min_choices: int = 0) -> Tally:
    """Count canonical ballots; every ballot is checked against the box's options and limits."""
    counts = {code: 0 for code in options}
    cast = empty = 0
    for ballot in ballots:
        codes = parse_ballot(check_choices(parse_ballot(ballot), options, max_choices, min_choices))
        cast += 1
        if not codes:
            empty += 1
        for code in codes:
            counts[code] += 1
    return Tally(counts=counts, cast=cast, empty=empty)
