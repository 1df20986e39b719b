"""Democratic evaluation through HTTP: pages and fragments, rating in place, bad input."""
from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import User
from portal.evaluation import queries, rules
from portal.evaluation.models import Evaluation, EvaluationRating
from portal.extensions import db
from tests.conftest import login_as


def _evaluation(app, people, opened: bool = True) -> int:
    with app.app_context():
        union, leader = db.session.get(User, people["union"]), db.session.get(User, people["leader"])
        ev = rules.create_evaluation(db.session, union, title="2026 年度民主评议", period="2026 年度", raters="reps",
                                     subjects=[(leader.id, "副校长")])
        if opened:
            rules.open_evaluation(db.session, union, ev)
        db.session.commit()
        return ev.id


def _subject(app, eid: int) -> int:
    with app.app_context():
        return queries.subjects_of(db.session, db.session.get(Evaluation, eid))[0].id


def test_the_union_sets_one_up_and_opens_it(app, client, people):
    login_as(client, app, "union")
    form = client.get("/evaluations/new").get_data(as_text=True)
    assert "被评议人" in form
    resp = client.post("/evaluations/new", data={"title": "2026 年度民主评议", "period": "2026 年度", "raters": "reps",
                                                 "subjects": [str(people["principal"])]})
    assert resp.status_code == 303
    eid = int(resp.headers["Location"].rsplit("/", 1)[1])
    opened = client.hx(f"/evaluations/{eid}/open", method="POST").get_data(as_text=True)
    assert "评议已开始。" in opened and "应参加 1 人。" in opened and "<html" not in opened
    again = client.hx(f"/evaluations/{eid}/open", method="POST").get_data(as_text=True)
    assert "只有未开始的评议可以开始。" in again


def test_setting_up_with_nobody_to_rate_says_so_and_keeps_the_text(app, client, people):
    login_as(client, app, "union")
    resp = client.hx("/evaluations/new", method="POST", data={"title": "我的评议", "period": "2026", "raters": "reps"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "请至少选择一名被评议人。" in body and 'value="我的评议"' in body


def test_a_representative_rates_in_place_once(app, client, people):
    eid = _evaluation(app, people)
    sid = _subject(app, eid)
    login_as(client, app, "rep")
    page = client.get(f"/evaluations/{eid}").get_data(as_text=True)
    assert "评议表" in page and f'name="grade-{sid}"' in page
    missing = client.hx(f"/evaluations/{eid}/rate", method="POST", data={}).get_data(as_text=True)
    assert "请为每位被评议人选择等次" in missing
    done = client.hx(f"/evaluations/{eid}/rate", method="POST", data={f"grade-{sid}": "competent"}).get_data(as_text=True)
    assert "评议已提交" in done and "<html" not in done
    twice = client.hx(f"/evaluations/{eid}/rate", method="POST", data={f"grade-{sid}": "excellent"}).get_data(as_text=True)
    assert "每人只能评议一次" in twice or "您已参加本次评议" in twice
    with app.app_context():
        assert [g for (g,) in db.session.execute(select(EvaluationRating.grade))] == ["competent"]


def test_no_one_sees_counts_before_close_and_small_groups_stay_hidden(app, client, people):
    eid = _evaluation(app, people)
    sid = _subject(app, eid)
    login_as(client, app, "rep")
    client.post(f"/evaluations/{eid}/rate", data={f"grade-{sid}": "excellent"})
    for who in ("union", "secretary", "admin", "supervisor"):
        login_as(client, app, who)
        page = client.get(f"/evaluations/{eid}").get_data(as_text=True)
        assert "评议结果" not in page, who
        assert client.get(f"/evaluations/{eid}/results.xlsx").status_code == 403, who
    login_as(client, app, "union")
    closed = client.hx(f"/evaluations/{eid}/close", method="POST").get_data(as_text=True)
    assert "评议人数不足 5 人，不显示结果。" in closed and "实参加 1 人。" in closed
    login_as(client, app, "secretary")
    from openpyxl import load_workbook
    import io

    wb = load_workbook(io.BytesIO(client.get(f"/evaluations/{eid}/results.xlsx").data))
    cells = [c.value for row in wb.active.iter_rows() for c in row if c.value is not None]
    assert "评议人数不足 5 人，不显示结果" in cells and 1 not in cells[4:]
    # The representatives who rated see the (aggregate) result too, and were told (issue 21.4).
    login_as(client, app, "rep")
    page = client.get(f"/evaluations/{eid}").get_data(as_text=True)
    assert "评议结果" in page and "评议人数不足 5 人，不显示结果。" in page
    assert "可以查看汇总结果" in client.get("/inbox").get_data(as_text=True)
    login_as(client, app, "staff")
    assert "评议结果" not in client.get(f"/evaluations/{eid}").get_data(as_text=True)


def test_list_shows_drafts_only_to_the_union(app, client, people):
    _evaluation(app, people, opened=False)
    login_as(client, app, "staff")
    assert "2026 年度民主评议" not in client.get("/evaluations/").get_data(as_text=True)
    login_as(client, app, "union")
    assert "2026 年度民主评议" in client.hx("/evaluations/").get_data(as_text=True)
