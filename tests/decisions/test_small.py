"""Issue 20.13: every sheet named in Chinese, a failed vote announced as a warning, and 议事中
from the meeting's start, not from the settling of its agenda."""
from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook

from portal.decisions.models import Meeting
from portal.extensions import db
from tests.conftest import login_as
from tests.decisions import factories as f
from tests.decisions.test_views import world  # noqa: F401  (the fixture)


def test_every_decisions_sheet_is_named_in_chinese(app, client, world):  # noqa: F811
    login_as(client, app, "secretary")
    for path in ("/tracker.xlsx", "/decisions/congress-report.xlsx?since=2026-01-01"):
        titles = load_workbook(io.BytesIO(client.get(path).data)).sheetnames
        assert titles and not any(t.startswith("Sheet") for t in titles), (path, titles)
        assert "决议督办" in titles


def test_a_failed_vote_is_announced_as_a_warning(app, client, world):  # noqa: F811
    with app.app_context():
        m = db.session.get(Meeting, world["meeting"])
        it = m.items[0]
        f.stances_in_order(db.session, m, it)
        db.session.commit()
    login_as(client, app, "secretary")
    page = client.post(f"/decisions/meetings/{world['meeting']}/vote",
                       data={"method": "hands", "yes": "3", "no": "4", "abstain": "0"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert '<p class="flash flash-warning">表决结果：未通过。</p>' in html
    assert "flash-success\">表决结果" not in html


def test_sitting_begins_at_the_meeting_not_at_the_settling(app, world):  # noqa: F811
    with app.app_context():
        m = db.session.get(Meeting, world["meeting"])
        assert m.state == "settled"
        assert m.phase_at(m.starts_at - timedelta(minutes=1)) == "settled"
        assert m.phase_at(m.starts_at) == "sitting"
        m.state = "closed"
        assert m.phase_at(m.starts_at + timedelta(days=1)) == "closed"
