"""State machines as data: every workflow is one table of transitions.

Each entity with a workflow declares its states as an enum and its transitions as
``Transition(source, action, target, permission)``; rules move an object only through
:meth:`Workflow.target`, and views and templates ask ``can(user, transition.permission, obj)``.
Pure Python: no database, no Flask.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Generic, TypeVar

S = TypeVar("S", bound=enum.Enum)


@dataclass(frozen=True)
class Transition(Generic[S]):
    source: S
    action: str
    target: S
    permission: str  # the registered permission that says who may take this step


class Workflow(Generic[S]):
    def __init__(self, *transitions: Transition[S]) -> None:
        self.transitions = transitions
        self._table = {(t.source, t.action): t for t in transitions}
        if len(self._table) != len(transitions):
            raise ValueError("two transitions share a source state and an action")

    def step(self, state: S, action: str) -> Transition[S] | None:
        """The transition ``action`` takes from ``state``, or None when it is not allowed there."""
        return self._table.get((state, action))

    def actions(self, state: S) -> list[Transition[S]]:
        """Every step that may be taken from ``state``."""
        return [t for t in self.transitions if t.source == state]
