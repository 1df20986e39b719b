"""The order-join attack on a secret box (QUALITY.md 17 and 32), shared by the tests of every
feature that keeps one (congress polls, democratic evaluation, secret ballots in decisions).

A box is two tables: who voted (one row per voter) and what was voted (rows with a random
key and no voter). The attacker reads both as the database stores them and pairs the n-th
voter with the n-th ballot, by every order the database or the audit log gives away:

``stored``  PostgreSQL: ``ORDER BY ctid`` (heap order); SQLite: ``ORDER BY rowid``, or for a
            ``WITHOUT ROWID`` table its b-tree scanned ``NOT INDEXED`` (storage order).
``scan``    both tables read with no ORDER BY at all (what the planner happens to return).
``xmin``    PostgreSQL only: both ordered by the inserting transaction (``xmin``), then ctid;
            a ballot written in its voter's transaction shares the voter row's ``xmin``.
``audit``   voters ordered by the time (and sequence) of their audit event for the box,
            ballots in stored order.

A ballot row counts as recovered when its content equals the choice of the voter it was paired
with; the figure is the share recovered, to compare with :func:`chance`.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

MARGIN = 0.05  # QUALITY.md: no more than chance + 5 %


@dataclass(frozen=True)
class BoxTables:
    """Where one feature keeps its boxes (table and column names as in the database)."""

    ballots: str
    ballot_box: str
    content: str  # the ballot column compared with the voter's known choice
    voters: str
    voter_box: str
    voter: str
    audit_action: str  # the event a voter's casting writes (actor = voter, object = the box)
    audit_object: str


def _without_rowid(session: Session, table: str) -> bool:
    sql = session.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
                          {"t": table}).scalar_one()
    return "WITHOUT ROWID" in sql.upper()


def _column(session: Session, table: str, box_col: str, col: str, box_id: int, order: str) -> list:
    pg = session.get_bind().dialect.name == "postgresql"
    source = table
    if order == "stored":
        if pg:
            tail = "ORDER BY ctid"
        elif _without_rowid(session, table):
            source, tail = f"{table} NOT INDEXED", ""
        else:
            tail = "ORDER BY rowid"
    elif order == "xmin":
        tail = "ORDER BY xmin::text::bigint, ctid"
    else:
        tail = ""
    return list(session.scalars(text(f"SELECT {col} FROM {source} WHERE {box_col} = :b {tail}"), {"b": box_id}))


def _audit_order(session: Session, box: BoxTables, box_id: int) -> list[int]:
    return list(session.scalars(text(
        "SELECT actor_id FROM audit_event WHERE action = :a AND object_type = :t AND object_id = :o "
        "ORDER BY at, seq"), {"a": box.audit_action, "t": box.audit_object, "o": str(box_id)}))


def _hits(truth: dict[int, str], voters: Sequence[int], contents: Sequence[str]) -> int:
    assert len(voters) == len(truth) and set(voters) == set(truth)
    per_voter, rest = divmod(len(contents), len(voters))
    assert rest == 0 and per_voter >= 1  # evaluation: one row per voter and subject
    paired = [v for v in voters for _ in range(per_voter)]
    return sum(truth[v] == c for v, c in zip(paired, contents))


def attacks(session: Session, box: BoxTables, box_id: int, truth: dict[int, str]) -> dict[str, tuple[int, int]]:
    """For each way of ordering, (ballot rows recovered, ballot rows) for one box."""
    pg = session.get_bind().dialect.name == "postgresql"
    orders = ["stored", "scan", "xmin"] if pg else ["stored", "scan"]
    found: dict[str, tuple[int, int]] = {}
    for order in orders:
        who = _column(session, box.voters, box.voter_box, box.voter, box_id, order)
        what = _column(session, box.ballots, box.ballot_box, box.content, box_id, order)
        found[order] = (_hits(truth, who, what), len(what))
    what = _column(session, box.ballots, box.ballot_box, box.content, box_id, "stored")
    found["audit"] = (_hits(truth, _audit_order(session, box, box_id), what), len(what))
    return found


def chance(truth: dict[int, str]) -> float:
    """The expected share a random pairing recovers: the sum of each choice's share squared."""
    values = list(truth.values())
    return sum((values.count(c) / len(values)) ** 2 for c in set(values))


class Attack:
    """Figures pooled over several boxes: recovered share per order against pooled chance."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.rows: dict[str, int] = {}
        self.expected = 0.0
        self.total = 0

    def add(self, session: Session, box: BoxTables, box_id: int, truth: dict[int, str]) -> None:
        for order, (hits, rows) in attacks(session, box, box_id, truth).items():
            self.hits[order] = self.hits.get(order, 0) + hits
            self.rows[order] = self.rows.get(order, 0) + rows
        rows = self.rows["stored"] - self.total
        self.expected += chance(truth) * rows
        self.total += rows

    @property
    def chance(self) -> float:
        return self.expected / self.total

    def shares(self) -> dict[str, float]:
        return {order: self.hits[order] / self.rows[order] for order in self.hits}

    def report(self) -> str:
        figures = ", ".join(f"{order} {share:.1%}" for order, share in self.shares().items())
        return f"order-join over {self.total} ballot rows: {figures}; chance {self.chance:.1%}"

    def worst(self) -> float:
        return max(self.shares().values())


def seeded_keys(monkeypatch, seed: int) -> None:
    """Ballot keys from a seeded generator, so a figure is the same on every run (the keys are
    still independent of who voted and when, which is all that secrecy asks of them)."""
    from portal import ballots

    rng = random.Random(seed)
    monkeypatch.setattr(ballots, "new_ballot_key", lambda: f"{rng.getrandbits(128):032x}")
