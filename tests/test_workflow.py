"""Workflow tables: what a reader may do now (``available``), one way to take a step (``move``),
and every table's permissions exist and accept the object they are asked about."""
from __future__ import annotations

import enum
from dataclasses import dataclass

import pytest

from portal.auth.permissions import RULES, Context
from portal.errors import DomainError
from portal.workflow import Transition, Workflow
from tests.disclosure.factories import user


class Door(str, enum.Enum):
    SHUT = "shut"
    OPEN = "open"


@dataclass
class Thing:
    status: str = Door.SHUT.value
    frame: object | None = None


FLOW: Workflow[Door] = Workflow(
    Transition(Door.SHUT, "open", Door.OPEN, "users.manage"),  # admins only
    Transition(Door.SHUT, "knock", Door.SHUT, "portal.view"),  # anyone; the state stays
    Transition(Door.OPEN, "shut", Door.SHUT, "portal.view", on="frame"),  # asked about the frame
)


def test_move_takes_a_step_from_the_state_or_raises_the_refusal():
    thing = Thing()
    assert FLOW.move(thing, "open", DomainError("no")).target is Door.OPEN and thing.status == "open"
    with pytest.raises(DomainError, match="already open"):
        FLOW.move(thing, "open", DomainError("already open"))
    assert thing.status == "open"
    assert FLOW.allows(thing, "shut") and not FLOW.allows(thing, "knock")


def test_available_is_the_steps_from_the_state_that_can_grants(session, people):
    ctx = Context.for_session(session)
    shut = Thing()
    assert [t.action for t in FLOW.available(user(session, "admin"), shut, ctx)] == ["open", "knock"]
    assert [t.action for t in FLOW.available(user(session, "staff"), shut, ctx)] == ["knock"]
    assert [t.action for t in FLOW.available(None, Thing(Door.OPEN.value), ctx)] == []  # no frame to ask about
    assert [t.action for t in FLOW.available(None, Thing(Door.OPEN.value, frame=object()), ctx)] == ["shut"]


def test_every_workflow_names_registered_permissions(app):
    from portal.congress.models import CongressSession, Poll
    from portal.consultations.models import Consultation
    from portal.decisions.models import Item, Meeting, Resolution
    from portal.disclosure.models import Notice
    from portal.evaluation.models import Evaluation
    from portal.proposals.models import Proposal

    for model in (CongressSession, Poll, Consultation, Item, Meeting, Resolution, Notice, Evaluation, Proposal):
        flow = model.flow
        assert hasattr(model, flow.column), model
        missing = [t.permission for t in flow.transitions if t.permission not in RULES]
        assert not missing, (model.__name__, missing)
