"""Similar-proposal search: trigram sets computed in Python, the same lookup on SQLite and
PostgreSQL; a near-duplicate in Chinese is found, unrelated ones are not."""
from __future__ import annotations

from portal.extensions import db
from portal.proposals import similar
from tests.conftest import login_as
from tests.proposals.factories import submitted


def test_grams_ignore_filler_and_punctuation():
    assert similar.grams("关于……的建议") == set()
    assert similar.grams("教师午休室") == {"教师午", "师午休", "午休室"}
    assert similar.grams("ＡＢＣ午休") == {"abc", "bc午", "c午休"}  # full width folded


def test_near_duplicate_found_unrelated_ignored(session, people):
    rest = submitted(session, title="关于增设教师午休室的建议", reason="中午没有教师午休的地方，老师只能趴在办公桌上休息。")
    canteen = submitted(session, title="关于改善食堂饭菜质量的建议", reason="食堂菜品单一，口味偏咸，价格偏高。")
    parking = submitted(session, title="关于规范校园停车管理的建议", reason="上下学时段校门口车辆拥堵，存在安全隐患。")
    found = similar.find(session, "建议为老师设立午休室", "老师中午没有地方午休")
    assert [m.proposal.id for m in found] == [rest.id]
    found = similar.find(session, "食堂饭菜质量有待提高", "")
    assert [m.proposal.id for m in found] == [canteen.id]
    assert similar.find(session, "关于加强青年教师培训的建议", "新教师成长需要系统培训。") == []
    assert parking.id not in [m.proposal.id for m in similar.find(session, "教师午休", "午休室")]


def test_drafts_are_never_offered(session, people):
    from tests.proposals.factories import drafted

    drafted(session, title="关于增设教师午休室的建议")
    assert similar.find(session, "增设教师午休室", "") == []


def test_active_search_fragment(app, client, people):
    with app.app_context():
        submitted(db.session, title="关于增设教师午休室的建议")
        db.session.commit()
    login_as(client, app, "rep")
    resp = client.hx("/proposals/similar?title=%E6%95%99%E5%B8%88%E5%8D%88%E4%BC%91%E5%AE%A4&reason=")
    assert resp.status_code == 200 and "增设教师午休室" in resp.text and "<html" not in resp.text
    assert 'id="similar"' in resp.text
    assert client.get("/proposals/similar?title=x").status_code == 200
    anon = app.test_client()
    assert anon.get("/proposals/similar?title=%E6%95%99%E5%B8%88%E5%8D%88%E4%BC%91%E5%AE%A4").status_code == 302
