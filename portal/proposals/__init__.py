"""Proposals (提案): a representative's proposal from draft through co-signing (附议),
review (立案 / 并案 / 转为意见建议), assignment (交办), answer and the proposer's rating, with
one more round after 不满意; the register of each term, its report, and similar-proposal
search.

Importing the package loads no Flask; :func:`init_app` wires the feature into an app.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the permissions, the navigation entry, to-dos and links."""
    from flask_babel import lazy_gettext as _l

    from portal import registry
    from portal.proposals import permissions  # noqa: F401 - registers the checks on import
    from portal.proposals.rules import SETTINGS
    from portal.proposals.views import bp
    from portal.proposals.views.handling import proposal_todos
    from portal.proposals.views.register import my_proposals_section

    SETTINGS["min_cosigners"] = max(1, int(app.config.get("PROPOSAL_MIN_COSIGNERS", 2)))
    app.register_blueprint(bp)
    registry.add_nav("proposals.register", _l("提案"), "proposal.list", 30)
    registry.add_todos(proposal_todos)
    registry.add_sections(my_proposals_section)
    registry.add_subject_link("proposal", "proposals.show", "proposal_id")
