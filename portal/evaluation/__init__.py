"""Democratic evaluation (民主评议/测评) of the leadership by the congress representatives
(or all staff): anonymous ratings 优秀 / 称职 / 基本称职 / 不称职, aggregates only, none for a
group under five. Same rooms as every feature (README, "Layout")."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the permissions, the navigation entry and the to-dos."""
    from flask_babel import lazy_gettext as _l

    from portal import registry
    from portal.evaluation import permissions  # noqa: F401 - registers the checks on import
    from portal.evaluation.views import bp
    from portal.evaluation.views.evaluations import rating_todos

    app.register_blueprint(bp)
    registry.add_nav("evaluation.index", _l("民主评议"), "evaluation.list", 40)
    registry.add_todos(rating_todos)
    registry.add_subject_link("evaluation", "evaluation.show", "evaluation_id")
