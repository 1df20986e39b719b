"""Issue 20.10: a reconsideration links both ways: the new resolution names the one it
changed, the changed one names its successor; neither names what the reader may not see."""
from __future__ import annotations

from datetime import date

import pytest

from portal.decisions import queries
from portal.decisions.rules import outcomes
from portal.decisions.rules import resolutions as res_rules
from portal.extensions import db
from tests.conftest import login_as
from tests.decisions import factories as f
from tests.decisions.factories import ms

LATER = date(2026, 4, 10)


@pytest.fixture
def pair(app, people):
    with app.app_context():
        s = db.session
        school = f.school(s)
        old = f.resolution(s, visibility="public", title="食堂合同三年期OLDSENT")
        item = res_rules.propose_reconsideration(s, school["principal"], old, "复议食堂合同", "价格变动", "改为一年期")
        f.agree(s, item)
        m = f.settled(s, items=[item], on=LATER)
        f.stances_in_order(s, m, item, on=LATER)
        outcomes.vote(s, school["secretary"], ms(s, LATER), m, item, "hands", yes=7, no=0, abstain=0)
        new = res_rules.add_resolution(s, school["recorder"], item, title="食堂合同改为一年期NEWSENT", text="",
                                       owner=school["principal"], deadline=date(2026, 12, 31), visibility="internal")
        assert queries.changed_resolution(s, new).id == old.id and queries.successors(s, old) == [new]
        s.commit()
        return {"old": old.id, "new": new.id}


def test_both_ways_for_an_insider(app, client, pair):
    login_as(client, app, "secretary")
    new = client.get(f"/resolutions/{pair['new']}").get_data(as_text=True)
    assert "变更了原决议" in new and f"/resolutions/{pair['old']}" in new and "OLDSENT" in new
    old = client.get(f"/resolutions/{pair['old']}").get_data(as_text=True)
    assert "经复议变更" in old and f"/resolutions/{pair['new']}" in old and "NEWSENT" in old


def test_the_public_sees_the_change_but_not_an_internal_successor(app, client, pair):
    old = client.get(f"/resolutions/{pair['old']}").get_data(as_text=True)
    assert "经复议变更" in old and "变更后的决议为内部决议" in old
    assert "NEWSENT" not in old and f"/resolutions/{pair['new']}" not in old


def test_the_minutes_name_the_changed_resolution(app, pair):
    from portal.decisions.models import Resolution

    with app.app_context():
        new = db.session.get(Resolution, pair["new"])
        text = queries.minutes_text(new.item.meeting, queries.names_for(db.session, new.item.meeting))
        assert f"复议：变更第 {pair['old']} 号决议" in text
