"""Decisions and resolution tracking (议事决策 与 决议督办): each body's rules of procedure,
agenda items and their preconditions, meetings by the rules (quorum, 末位表态, the vote or
the principal's decision, forwarding, minutes), resolutions with their reports, urging and
reconsideration, the tracker and the report to the congress.

Importing the package loads no Flask; :func:`init_app` wires the feature into an app.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the permissions, the navigation entries and the to-dos."""
    from flask_babel import lazy_gettext as _l

    from portal import registry
    from portal.decisions import permissions  # noqa: F401 - registers the checks on import
    from portal.decisions.views import bp
    from portal.decisions.views.items import view_todos
    from portal.decisions.views.meetings import meeting_todos
    from portal.decisions.views.procedure import cadence_todos
    from portal.decisions.views.resolutions import report_todos

    app.register_blueprint(bp)
    registry.add_nav("decisions.tracker", _l("决议督办"), "resolution.tracker", 30)
    registry.add_nav("decisions.workspace", _l("议事决策"), "decisions.workspace", 31)
    registry.add_nav("decisions.self_check", _l("自查"), "self_check.view", 32)
    registry.add_subject_link("item", "decisions.item", "item_id")
    registry.add_subject_link("meeting", "decisions.meeting", "meeting_id")
    registry.add_subject_link("resolution", "decisions.resolution", "resolution_id")
    for source in (cadence_todos, view_todos, meeting_todos, report_todos):
        registry.add_todos(source)
    from portal.decisions.queries import notice_origins, party_decision_events
    from portal.decisions.rules.publication import PARTY_DECISION

    registry.add_event_source(PARTY_DECISION, party_decision_events, _l("党组织会议的决定事项"), "party")
    registry.add_origin("notice", notice_origins)
    from portal.audit.sentences import add_sentences
    from portal.decisions.sentences import NAMERS, SENTENCES

    add_sentences(SENTENCES, NAMERS)
