"""Secret ballots for every body that votes: the arithmetic (pure Python) and the box that keeps
them in the database (:class:`SecretBox`, SQLAlchemy). No Flask.

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

The box in the database, :class:`SecretBox` (the one implementation every feature with secret
ballots uses: congress polls, democratic evaluation, secret ballots at the Party meeting):

Who voted and what was voted are two tables. The *voter table* has one row per voter and box
(its primary key, or a unique constraint, on (box, voter) is what refuses a second vote); the
*ballot table* has a random key, the box and the content columns, and nothing else: no voter,
no time, no sequential key, ``WITHOUT ROWID`` on SQLite. A feature declares its box once,
naming those columns, and its rules call:

``box.cast(session, box_id, voter_id, *rows)``
    Record that the voter voted and put their ballot rows (tuples of content values; usually
    one row, several where one voter fills several, as in an evaluation) into the box with
    fresh keys. A second vote, also from a request that raced this one, raises the box's
    refusal (a ``DomainError`` with a Chinese message), never an ``IntegrityError``.

``box.close(session, box_id) -> ClosedBox``
    At close: read the box, then write both tables of this box again, the ballots in the order
    of their random keys and the voters in the order of their ids, so that nothing the database
    keeps of the order rows came in (PostgreSQL heap order and ``xmin``, SQLite rowids) can
    pair a voter with a ballot. Done on every database. Returns the contents and the digest.

``box.has_voted``, ``box.voted`` (how many), ``box.contents`` (the raw rows, no voter) and
``box.digest(rows, box_id)``: :func:`box_digest` over each row as one canonical string (its
content values joined by ``"."``, so a one-column box digests its ballots unchanged) with the
context ``"<name>:<box id>"``.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Executable, Table, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import InstrumentedAttribute, Session

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


# --- the box in the database ----------------------------------------------------------------

@dataclass(frozen=True)
class ClosedBox:
    """What a box held at close: its raw content rows (no voter), how many voted, the digest."""

    contents: list[tuple[Any, ...]]
    voters: int
    digest: str


@dataclass(frozen=True)
class SecretBox:
    """One feature's secret box: the columns of its ballot table and of its voter table.

    ``key``, ``box`` and ``content`` are columns of the ballot table (its random primary key,
    the box it belongs to, what was voted); ``voter_box`` and ``voter`` columns of the voter
    table, whose primary key is (box, voter). ``refusal`` makes the error a second vote raises.
    ``name`` prefixes the digest's context.
    """

    name: str
    key: InstrumentedAttribute[str]
    box: InstrumentedAttribute[int]
    content: tuple[InstrumentedAttribute[Any], ...]
    voter_box: InstrumentedAttribute[int]
    voter: InstrumentedAttribute[int]
    refusal: Callable[[], DomainError]

    def context(self, box_id: int) -> str:
        return f"{self.name}:{box_id}"

    def has_voted(self, session: Session, box_id: int, voter_id: int) -> bool:
        return session.scalar(select(self.voter).where(self.voter_box == box_id, self.voter == voter_id)) is not None

    def voted(self, session: Session, box_id: int) -> int:
        """How many have voted (the number, never the split)."""
        return session.scalar(select(func.count()).select_from(self.voter.class_)
                              .where(self.voter_box == box_id)) or 0

    def cast(self, session: Session, box_id: int, voter_id: int, *rows: tuple[Any, ...]) -> None:
        """The voter's row, then their ballot rows with fresh random keys; a second vote is refused.

        The voter's row goes in with ``ON CONFLICT DO NOTHING ... RETURNING`` (SQLite and
        PostgreSQL alike): when the primary key already holds it (a second vote, or the loser of
        two requests at once) nothing is written or returned and the refusal is raised, without a
        savepoint to undo. The statements are built once per box and database (a vote runs them under the write lock)."""
        voter_row, ballot_rows = _cast_statements(self, session.get_bind().dialect.name)
        if session.execute(voter_row, {self.voter_box.key: box_id, self.voter.key: voter_id}).first() is None:
            raise self.refusal()  # the row was there: nothing written, nothing returned
        if rows:
            names = [c.key for c in self.content]
            session.execute(ballot_rows, [
                {self.key.key: new_ballot_key(), self.box.key: box_id, **dict(zip(names, row, strict=True))}
                for row in rows])

    def contents(self, session: Session, box_id: int) -> list[tuple[Any, ...]]:
        """Every ballot row of the box, content only, in key order (which says nothing)."""
        return [tuple(r) for r in session.execute(select(*self.content).where(self.box == box_id)
                                                  .order_by(self.key))]

    def digest(self, rows: Iterable[Sequence[Any]], box_id: int) -> str:
        return box_digest((".".join(str(v) for v in row) for row in rows), self.context(box_id))

    def close(self, session: Session, box_id: int) -> ClosedBox:
        """Read the box and write both of its tables again in an order that carries nothing:
        ballots by their random key, voters by id. A table's stored order is otherwise the
        order rows came in (PostgreSQL's heap and its ``xmin``, SQLite's rowids), which is the
        order people voted, in both tables alike."""
        names = [c.key for c in self.content]
        ballots = session.execute(select(self.key, *self.content).where(self.box == box_id)
                                  .order_by(self.key)).all()
        voters = list(session.scalars(select(self.voter).where(self.voter_box == box_id).order_by(self.voter)))
        session.execute(delete(self.key.class_).where(self.box == box_id))
        session.execute(delete(self.voter.class_).where(self.voter_box == box_id))
        if ballots:
            session.execute(insert(self.key.class_), [
                {self.key.key: key, self.box.key: box_id, **dict(zip(names, rest, strict=True))}
                for key, *rest in ballots])
        if voters:
            session.execute(insert(self.voter.class_),
                            [{self.voter_box.key: box_id, self.voter.key: v} for v in voters])
        contents = [tuple(rest) for _key, *rest in ballots]
        return ClosedBox(contents=contents, voters=len(voters), digest=self.digest(contents, box_id))


_CAST: dict[tuple[str, str], tuple[Executable, Executable]] = {}


def _cast_statements(box: SecretBox, dialect: str) -> tuple[Executable, Executable]:
    """The two inserts of :meth:`SecretBox.cast` for one box on one kind of database (Core
    statements on the tables: built and keyed once, not per vote)."""
    found = _CAST.get((box.name, dialect))
    if found is None:
        voters: Table = box.voter.class_.__table__
        ballots: Table = box.key.class_.__table__
        returned = voters.c[box.voter.key]
        if dialect == "postgresql":
            voter_row: Executable = pg_insert(voters).on_conflict_do_nothing().returning(returned)
        elif dialect == "sqlite":
            voter_row = sqlite_insert(voters).on_conflict_do_nothing().returning(returned)
        else:  # pragma: no cover - the portal runs on these two
            raise NotImplementedError(dialect)
        found = _CAST[(box.name, dialect)] = (voter_row, insert(ballots))
    return found
