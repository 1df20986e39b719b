"""State machines as data: every workflow is one table of transitions.

Each entity with a workflow declares its states as an enum and its transitions as
``Transition(source, action, target, permission)``; a step that keeps the state (filing a
report on an open resolution) is a transition back to its source. Rules take a step through
:meth:`Workflow.move`, or ask :meth:`Workflow.allows` before one whose target depends on the
outcome (a vote passes or fails). Templates show :meth:`Workflow.available`, the steps the
reader may take now (the transitions from the object's state whose permission ``can()``
grants), through ``actions(obj)``: no template compares a state with a literal. No Flask.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from portal.auth.permissions import Context, can
from portal.errors import DomainError

S = TypeVar("S", bound=enum.Enum)


@dataclass(frozen=True)
class Transition(Generic[S]):
    source: S
    action: str
    target: S
    permission: str  # the registered permission that says who may take this step
    # the attribute naming what the permission is asked about, when not the object itself
    # (an agenda item's outcome is the meeting's to record); a step with none there is not available
    on: str | None = None


class Workflow(Generic[S]):
    """The transitions of one kind of object, whose state is stored as the enum's value in the
    attribute ``column`` (``status`` or ``state``)."""

    def __init__(self, *transitions: Transition[S], column: str = "status") -> None:
        self.transitions = transitions
        self.column = column
        self.states: type[S] = type(transitions[0].source)
        self._table = {(t.source, t.action): t for t in transitions}
        if len(self._table) != len(transitions):
            raise ValueError("two transitions share a source state and an action")

    def step(self, state: S, action: str) -> Transition[S] | None:
        """The transition ``action`` takes from ``state``, or None when it is not allowed there."""
        return self._table.get((state, action))

    def actions(self, state: S) -> list[Transition[S]]:
        """Every step that may be taken from ``state``."""
        return [t for t in self.transitions if t.source == state]

    def allows(self, obj: Any, action: str) -> bool:
        """Whether ``action`` is a step from the object's state (whoever asks)."""
        return self.step(self.state_of(obj), action) is not None

    def state_of(self, obj: Any) -> S:
        return self.states(getattr(obj, self.column))

    def available(self, user: Any, obj: Any, ctx: Context | None = None) -> list[Transition[S]]:
        """The steps ``user`` may take on ``obj`` now: from its state, and granted by ``can()``."""
        found = []
        for t in self.actions(self.state_of(obj)):
            subject = getattr(obj, t.on) if t.on else obj
            if subject is not None and can(user, t.permission, subject, ctx):
                found.append(t)
        return found

    def move(self, obj: Any, action: str, refusal: DomainError) -> Transition[S]:
        """Take ``action`` from the object's state, or raise ``refusal`` when it is not a step from there."""
        step = self.step(self.state_of(obj), action)
        if step is None:
            raise refusal
        setattr(obj, self.column, step.target.value)
        return step
