"""Issue 20.4: 班子成员逐个发言，对决策事项明确表示同意、不同意或缓议的意见，并说明理由 — a reason
for every stance, agreement included; a 列席 remark needs its content. Rules only."""
from __future__ import annotations

import pytest

from portal.decisions.rules import DecisionError
from portal.decisions.rules import meetings as meeting_rules
from tests.decisions import factories as f
from tests.decisions.factories import ms, user


@pytest.fixture
def school(session, people):
    seated = f.school(session)
    session.commit()
    return seated


@pytest.mark.parametrize("stance", ["agree", "disagree", "defer"])
def test_every_stance_needs_its_reason(session, school, stance):
    it = f.item(session)
    m = f.settled(session, items=[it])
    first = session.get(type(school["leader"]), meeting_rules.speaking_order(m, ms(session))[0])
    rec = user(session, "recorder")
    with pytest.raises(DecisionError, match="须说明理由"):
        meeting_rules.record_stance(session, rec, ms(session), m, it, first, stance, "  ")
    assert it.stances == []
    row = meeting_rules.record_stance(session, rec, ms(session), m, it, first, stance, "经费已落实")
    assert (row.seq, row.reason) == (1, "经费已落实")


def test_a_remark_needs_its_content(session, school):
    it = f.item(session)
    m = f.settled(session, items=[it])
    rec, guest = user(session, "recorder"), user(session, "union")
    meeting_rules.set_attendance(session, rec, ms(session), m, guest, "nonvoting")
    with pytest.raises(DecisionError, match="发言内容"):
        meeting_rules.record_stance(session, rec, ms(session), m, it, guest, "remark", "")
    meeting_rules.record_stance(session, rec, ms(session), m, it, guest, "remark", "建议公开招标")
