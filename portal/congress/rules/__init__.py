"""The congress rules, one module per sub-area: the roster (``roster``), sessions with
sign-in and the hall code (``sessions``), polls with their ballots (``polls``) and the
statutory results in words (``results``). No Flask."""
from __future__ import annotations

from portal.congress.rules.common import CongressError
from portal.congress.rules.roster import REPRESENTATIVE_WORD, enrol
from portal.org.roster import current_term, roster_ids

__all__ = ["REPRESENTATIVE_WORD", "CongressError", "current_term", "enrol", "roster_ids"]
