"""Issue 20.9: every figure of the self-check links to its records: meetings held, periods
without a meeting, late papers, decided items with their stances, overdue, changed and urged
resolutions, and the reports behind the on-time share."""
from __future__ import annotations

import re
from datetime import date, time, timedelta

from portal.decisions.rules import meetings as meeting_rules
from portal.decisions.rules import procedure as pr
from portal.decisions.rules import resolutions as res_rules
from portal.extensions import db
from portal.timeutil import local_to_utc
from tests.conftest import login_as
from tests.decisions import factories as f


def test_each_figure_links_to_a_list_of_its_records(app, client, people):
    with app.app_context():
        s = db.session
        f.school(s)
        pr.adopt_procedure(s, None, "party", adopted_on=date(2025, 9, 1))
        on = date(2026, 3, 10)
        m, it = f.passed_item(s, "图书馆借阅办法", on=on)
        m.papers_sent_at = local_to_utc(on, time(9))  # on the day: late
        res = res_rules.add_resolution(s, f.user(s, "recorder"), it, title="修订借阅办法", text="",
                                       owner=f.user(s, "principal"), deadline=on + timedelta(days=30))
        meeting_rules.close_meeting(s, f.user(s, "secretary"), m)
        res_rules.urge(s, f.user(s, "secretary"), res, "请报告")
        s.commit()
        ids = {"meeting": m.id, "item": it.id, "res": res.id}
    login_as(client, app, "supervisor")
    html = client.get("/decisions/self-check?year=2025").get_data(as_text=True)
    anchors = set(re.findall(r'href="#([\w-]+)"', html))
    for anchor in anchors:
        assert f'id="{anchor}"' in html, anchor  # every figure's link lands on its list
    assert {"sc-party-meetings", "sc-party-gaps", "sc-party-late", "sc-party-items", "sc-res-overdue",
            "sc-res-urged", "sc-res-all"} <= anchors
    late = html.split('id="sc-party-late"', 1)[1].split("</ul>", 1)[0]
    assert f"/decisions/meetings/{ids['meeting']}" in late
    items = html.split('id="sc-party-items"', 1)[1].split("</ul>", 1)[0]
    assert f"/decisions/items/{ids['item']}" in items and "表态 7 人" in items
    urged = html.split('id="sc-res-urged"', 1)[1].split("</ul>", 1)[0]
    assert f"/resolutions/{ids['res']}" in urged
    gaps = html.split('id="sc-party-gaps"', 1)[1].split("</ul>", 1)[0]
    assert "2025-09-01 — 2025-09-30" in gaps and "2026-03-01" not in gaps
