"""The register costs the same at any size: the statements it runs are pinned and equal at
two sizes, and at 2,000 proposals every filter is served by an index that also gives the
order (SQLite ``EXPLAIN QUERY PLAN``; PostgreSQL ``EXPLAIN`` after ``ANALYZE``)."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select, text

from portal.auth.models import Department
from portal.congress.models import CongressTerm
from portal.extensions import db
from portal.proposals.models import Proposal
from portal.timeutil import utcnow
from tests.conftest import ON_POSTGRES, login_as
from tests.disclosure.factories import user
from tests.disclosure.test_scaling import _problems_postgres, statements
from tests.proposals.factories import department

REGISTER_STATEMENTS = 7 if ON_POSTGRES else 8  # pinned (SQLite also counts its BEGIN)
STATUSES = ["submitted", "accepted", "merged", "opinion", "assigned", "answered", "closed", "draft"]


def add_proposals(app, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with app.app_context():
        s = db.session
        term = s.scalar(select(CongressTerm))
        if term is None:
            term = CongressTerm(number=1, name="第一届", starts_on=date(2020, 1, 1), ends_on=date(2099, 1, 1),
                                is_current=True)
            s.add(term)
            s.flush()
        depts = [department(s, "总务处"), department(s, "德育处", head="leader"), department(s, "教务处", head=None)]
        proposer = user(s, "rep")
        now = utcnow()
        rows = []
        for i in range(n):
            status = rng.choice(STATUSES)
            handled = status in ("assigned", "answered", "closed")
            rows.append(dict(
                term_id=term.id, title=f"关于第{i}项工作的建议", reason="案由" * 20, measures="措施" * 20,
                category=rng.choice(["teaching", "welfare", "logistics", "management", "other"]),
                proposer_id=proposer.id, status=status, created_at=now, updated_at=now, submitted_at=now,
                lead_department_id=rng.choice(depts).id if handled else None,
                deadline=(now + timedelta(days=rng.randint(-30, 30))).date() if handled else None,
                round=1 if handled else 0, gram_count=0, review_reason="",
                answer_class=rng.choice(["solved", "planned", "cannot"]) if status in ("answered", "closed") else None,
                rating=rng.choice(["satisfied", "basic", "dissatisfied"]) if status == "closed" else None,
            ))
        if rows:
            s.execute(insert(Proposal), rows)
        s.commit()


def _paths(app) -> list[str]:
    with app.app_context():
        dept = db.session.scalar(select(Department.id).where(Department.name == "总务处"))
    return ["/proposals", "/proposals?page=2", "/proposals?status=assigned", f"/proposals?department={dept}",
            "/proposals?rating=satisfied", "/proposals?answer_class=solved", "/proposals?overdue=y",
            "/proposals?category=welfare"]


def test_register_statements_are_pinned(app, client, people):
    login_as(client, app, "staff")
    add_proposals(app, 45)
    counts: dict[str, list[int]] = {}
    for extra in (0, 400):
        add_proposals(app, extra, seed=extra)
        for path in _paths(app):
            client.get(path)
            with statements(app) as seen:
                assert client.get(path).status_code == 200
            counts.setdefault(path, []).append(len(seen))
    print(counts)
    for path, (small, large) in counts.items():
        assert small == large == REGISTER_STATEMENTS, (path, small, large)


def _problems_sqlite(plan: list[str]) -> list[str]:
    return [line for line in plan if (line.startswith("SCAN proposal") and "INDEX" not in line)
            or "TEMP B-TREE" in line]


@pytest.mark.parametrize("which", range(8))
def test_register_uses_an_index_for_filter_and_order(app, client, people, which):
    add_proposals(app, 2000)
    if ON_POSTGRES:
        with app.app_context():
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE proposal"))
    path = _paths(app)[which]
    login_as(client, app, "staff")
    client.get(path)
    with statements(app) as seen:
        assert client.get(path).status_code == 200
    report = []
    with app.app_context():
        conn = db.session.connection()
        for sql, params in seen:
            if not sql.lstrip().upper().startswith("SELECT") or "FROM proposal" not in sql:
                continue
            if ON_POSTGRES:
                plan = [r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql, params).all()]
                bad = _problems_postgres([p.replace("on proposal ", "on notice ") for p in plan], False,
                                         sql.lstrip().upper().startswith("SELECT COUNT("))
            else:
                plan = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()]
                bad = _problems_sqlite(plan)
            if bad:
                report.append((sql[:300], plan))
        db.session.rollback()
    assert not report, report


# --- a proposal's page: statements pinned, equal at two sizes (issue 23) ------------------------

PROPOSAL_STATEMENTS = 10 if ON_POSTGRES else 11  # SQLite also counts its BEGIN


@pytest.mark.parametrize("who", ["rep", "staff"])
def test_a_proposal_page_costs_the_same_at_two_sizes(app, client, people, who):
    add_proposals(app, 45)
    with app.app_context():
        pid = db.session.scalar(select(Proposal.id).where(Proposal.status == "assigned").order_by(Proposal.id))
    login_as(client, app, who)
    counts = []
    for extra in (0, 400):
        add_proposals(app, extra, seed=extra + 7)
        client.get(f"/proposals/{pid}")
        with statements(app) as seen:
            assert client.get(f"/proposals/{pid}").status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1] == PROPOSAL_STATEMENTS, counts
