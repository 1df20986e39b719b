"""Democratic evaluation pages; the routes are in the module below."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("evaluation", __name__, url_prefix="/evaluations")


@bp.context_processor
def _labels() -> dict[str, object]:
    """Labels of the stored codes for this feature's templates."""
    from portal.evaluation.forms import GRADE_LABELS, RATERS_LABELS, STATUS_LABELS
    from portal.evaluation.models import Grade

    return {
        "grade_labels": GRADE_LABELS,
        "status_label": lambda code: STATUS_LABELS.get(code, code),
        "raters_label": lambda code: RATERS_LABELS.get(code, code),
        "competent_or_better": (Grade.EXCELLENT, Grade.COMPETENT),
        "percent": lambda share: f"{float(share):.1%}",
    }


from portal.evaluation.views import evaluations  # noqa: E402,F401
