"""The database refuses what the rules never write (migration 0015), on SQLite and PostgreSQL:
a number given twice, a second open poll or current term, a username that differs only in
case, a state no workflow has, a percentage over 100, a negative count, an election for no
seat, more ballots than the roster, an end before its start, an item reconsidering no
resolution. Where a person could meet one, the rule answers in Chinese instead."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import CheckConstraint, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.admin import rules as admin_rules
from portal.congress.models import CongressTerm, PollCount, Representative
from portal.congress.rules import CongressError, polls
from portal.decisions.models import Item, Report, Stance
from portal.decisions.rules import meetings as meeting_rules
from portal.decisions.rules import resolutions as res_rules
from portal.decisions.rules.items import schedule_item
from portal.disclosure import rules as disclosure_rules
from portal.evaluation.models import Evaluation
from portal.extensions import Base, db
from portal.org.models import BodyMember
from tests.congress import factories as cf
from tests.decisions import factories as df
from tests.disclosure import factories as nf


def refused(session: Session, change: Callable[[], object]) -> None:
    """``change`` (a flush) is refused by the database; the test's transaction goes on."""
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            change()
            session.flush()


def test_every_check_the_models_declare_is_in_the_database(app):
    """Alembic does not compare CHECK constraints: this does, by name."""
    with app.app_context():
        import portal.models  # noqa: F401

        declared = {(t.name, c.name) for t in Base.metadata.tables.values() for c in t.constraints
                    if isinstance(c, CheckConstraint)}
        inspector = inspect(db.engine)
        present = {(t, c["name"]) for t in inspector.get_table_names() for c in inspector.get_check_constraints(t)}
    assert len(declared) == 29 and declared == present, sorted(declared ^ present)


def test_numbers_given_twice_are_refused(session, people):
    union = cf.user(session, "union")
    cs = cf.open_session(session, union)
    first, second = (polls.create_poll(session, union, cs, polls.PollSpec(title=t)) for t in ("甲", "乙"))
    refused(session, lambda: setattr(second, "position", first.position))

    df.school(session)
    m, it = df.passed_item(session)
    seqs = list(session.scalars(select(Stance).where(Stance.item_id == it.id).order_by(Stance.seq)))
    refused(session, lambda: setattr(seqs[1], "seq", seqs[0].seq))

    meeting = df.meeting(session)
    a, b = df.item(session, title="甲"), df.item(session, title="乙")
    for x in (a, b):
        schedule_item(session, df.user(session, "secretary"), df.ms(session), x, meeting)
    refused(session, lambda: setattr(b, "position", a.position))

    v1 = nf.published(session)
    v2 = disclosure_rules.start_correction(session, df.user(session, "leader"), v1)
    refused(session, lambda: setattr(v2, "version", v1.version))


def test_one_open_poll_per_session_and_one_current_term(session, people):
    union = cf.user(session, "union")
    cf.reps(session, 3)
    cs = cf.open_session(session, union)
    open_one = cf.poll(session, union, cs)
    draft = cf.poll(session, union, cs, opened=False)
    refused(session, lambda: setattr(draft, "status", "open"))
    with pytest.raises(CongressError, match=f"请先结束正在进行的表决“{open_one.title}”"):
        polls.open_poll(session, union, draft)
    polls.close_poll(session, union, open_one)
    polls.open_poll(session, union, draft)  # one at a time, as many as the session needs
    assert draft.is_open

    second = CongressTerm(number=2, name="第二届", starts_on=date(2030, 1, 1), ends_on=date(2034, 12, 31),
                          is_current=False)
    session.add(second)
    session.flush()
    refused(session, lambda: setattr(second, "is_current", True))


def test_usernames_are_unique_whatever_their_case(session, people):
    admin = cf.user(session, "admin")
    with pytest.raises(admin_rules.AdminError, match="用户名“STAFF”或工号“T-new”已被使用"):
        admin_rules.create_user(session, admin, username="STAFF", staff_no="T-new", name="新同事", department=None,
                                is_party_member=False, roles=[], password="x", password_hash="-")
    staff = cf.user(session, "staff")  # the refusal left the rest of the transaction alone
    assert staff.username == "staff"
    refused(session, lambda: setattr(cf.user(session, "union"), "username", "Staff"))


@pytest.mark.parametrize("table,column,value", [
    ("congress_poll", "status", "paused"), ("congress_session", "status", "suspended"),
    ("dec_item", "state", "tabled"), ("dec_meeting", "state", "postponed"), ("notice", "status", "approved"),
])
def test_states_outside_the_workflow_are_refused(session, people, table, column, value):
    union = cf.user(session, "union")
    cf.reps(session, 2)
    cs = cf.open_session(session, union)
    cf.poll(session, union, cs)
    df.school(session)
    df.passed_item(session)
    nf.published(session)
    t = Base.metadata.tables[table]
    refused(session, lambda: session.execute(update(t).values({column: value})))


def test_counts_percentages_seats_and_rosters_are_checked(session, people):
    union = cf.user(session, "union")
    reps = cf.reps(session, 3)
    cs = cf.open_session(session, union)
    cf.sign_in_all(session, cs, reps)
    poll = cf.poll(session, union, cs)
    refused(session, lambda: setattr(poll, "seats", 0))
    refused(session, lambda: setattr(poll, "ballots_cast", poll.roster_size + 1))
    refused(session, lambda: setattr(poll, "present_at_open", -1))
    polls.close_poll(session, union, poll)
    count = session.scalar(select(PollCount).where(PollCount.poll_id == poll.id).limit(1))
    refused(session, lambda: setattr(count, "count", -1))

    paper = cf.poll(session, union, cs, paper=True)
    paper.roster_size = 2  # as if two had been on the roster: the tellers' three ballots are too many
    with pytest.raises(CongressError, match="超过开始表决时的代表人数 2 人"):
        polls.close_paper_poll(session, union, paper, {"yes": 3, "no": 0, "abstain": 0})

    df.school(session)
    res = df.resolution(session)
    report = res_rules.file_report(session, df.user(session, "principal"), res, "已完成一半", 50, df.DAY)
    refused(session, lambda: setattr(report, "percent", 101))
    refused(session, lambda: setattr(report, "percent", -1))
    item = session.get(Item, res.item_id)
    refused(session, lambda: setattr(item, "votes_no", -1))

    evaluation = Evaluation(title="评议", period="2026 年度", created_by_id=union.id)
    session.add(evaluation)
    session.flush()
    refused(session, lambda: setattr(evaluation, "eligible_count", -1))
    assert session.get(Report, report.id).percent == 50


def test_ends_before_starts_and_unknown_resolutions_are_refused(session, people):
    term = cf.term(session)
    refused(session, lambda: setattr(term, "ends_on", date(2019, 12, 31)))
    rep = cf.reps(session, 1)[0]
    place = session.scalar(select(Representative).where(Representative.user_id == rep.id))
    refused(session, lambda: setattr(place, "left_on", date(2019, 1, 1)))
    seat = session.scalar(select(BodyMember).limit(1))
    refused(session, lambda: setattr(seat, "ends_on", date(1999, 1, 1)))
    item = df.item(session)
    refused(session, lambda: setattr(item, "reconsiders_id", 999_999))


def test_a_stance_number_taken_meanwhile_is_a_message_not_an_error(session, people):
    """Were two recorders' stances not serialised (a write begun without the lock), the
    second would meet the number the first took: the recorder is asked to refresh."""
    from portal.decisions.rules import DecisionError

    df.school(session)
    it = df.item(session)
    m = df.settled(session, items=[it])
    guest = cf.user(session, "staff")
    recorder = df.user(session, "recorder")
    meeting_rules.set_attendance(session, recorder, df.ms(session), m, guest, "nonvoting")
    assert it.stances == []  # what the recorder's request read
    session.execute(insert(Stance).values(item_id=it.id, user_id=cf.user(session, "union").id, seq=1,
                                          stance="remark"))  # another recorder, meanwhile
    with pytest.raises(DecisionError, match="请刷新页面后重试"):
        meeting_rules.record_stance(session, recorder, df.ms(session), m, it, guest, "remark", "建议")
    assert list(session.scalars(select(Stance.seq).where(Stance.item_id == it.id))) == [1]
