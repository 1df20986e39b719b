"""The register page reads plain columns (``queries.register_lines``, issue 23) instead of ORM
proposals: for every filter, the same rows in the same order, showing the same values."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.auth.models import Department
from portal.congress.models import CongressTerm
from portal.extensions import db
from portal.proposals import queries
from tests.proposals.test_scaling import add_proposals

TODAY = date(2026, 12, 1)


def _shown(p) -> tuple:
    return (p.id, p.title, p.category, p.status, p.deadline, p.answer_class or None, p.rating or None,
            p.merged_into_id, p.proposer.name, p.lead_department.name if p.lead_department else None,
            p.is_overdue(TODAY))


@pytest.mark.parametrize("which", ["all", "status", "department", "rating", "answer", "overdue", "category"])
def test_register_lines_show_what_the_orm_rows_show(app, people, which):
    add_proposals(app, 120, seed=3)
    with app.app_context():
        s = db.session
        term = s.scalar(select(CongressTerm.id))
        dept = s.scalar(select(Department.id).where(Department.name == "总务处"))
        f = {"all": queries.RegisterFilter(), "status": queries.RegisterFilter(status="assigned"),
             "department": queries.RegisterFilter(department_id=dept),
             "rating": queries.RegisterFilter(rating="satisfied"), "answer": queries.RegisterFilter(answer_class="solved"),
             "overdue": queries.RegisterFilter(overdue=True), "category": queries.RegisterFilter(category="welfare")}[which]
        orm = [_shown(p) for p in s.scalars(queries.register(term, f, TODAY))]
        lines = [_shown(queries.RegisterLine(*r)) for r in s.execute(queries.register_lines(term, f, TODAY))]
    assert orm and lines == orm
