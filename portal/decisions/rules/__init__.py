"""Decision rules, one module per sub-area: procedure (rules of procedure and cadence),
items (agenda items and their preconditions), meetings (attendance, stances, votes,
minutes), resolutions (reports, urging, approval, reconsideration) and tracker (the pure
arithmetic of due dates and overdue). Plain functions over a session; no Flask."""
from __future__ import annotations

from portal.errors import DomainError


class DecisionError(DomainError):
    """A request the decision rules refuse; the message explains why."""
