"""The demo's history told in the order it happened.

The seed replays a school year in a few seconds, feature after feature (notices for the
whole year, then the congress, then the meetings...). It runs inside
``portal.audit.rules.replaying``: each step says when it happened (:func:`happened`), its
audit events carry that time, and they join the chain in the order of those times when the
seed ends. The log then reads as the year went, and ``flask audit verify`` checks it like
any other chain; nothing in the chain is ever rewritten.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.audit.rules import replay_at


def happened(moment: datetime) -> None:
    """The steps replayed from here on happened at ``moment`` (naive UTC), until the next call
    (nothing outside a replay: the benchmark's seed appends as it goes)."""
    replay_at(moment)


def now_again() -> None:
    """Back to the present: the steps from here on happen now."""
    replay_at(None)


class Replayed:
    """A feature's rules module whose calls that say when they happen (``now=``) record their
    audit events at that time too: ``rules = Replayed(rules)`` in a seed module."""

    def __init__(self, module: Any) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._module, name)
        if not callable(found) or isinstance(found, type):
            return found

        def call(*args: Any, **kwargs: Any) -> Any:
            if kwargs.get("now") is not None:
                happened(kwargs["now"])
            return found(*args, **kwargs)

        return call
