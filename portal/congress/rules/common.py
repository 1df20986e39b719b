"""What every congress rule shares: its refusal. (The roster of a term on a day is
``portal.org.roster``'s.)"""
from __future__ import annotations

from portal.errors import DomainError


class CongressError(DomainError):
    """A congress request the rules refuse (the message says why)."""


class AlreadyVoted(CongressError):
    """A second ballot by the same voter (also the loser of two requests at once)."""
