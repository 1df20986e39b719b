"""Secret ballots at the Party meeting (无记名投票) as QUALITY.md 17, 18 and 32 ask: the order-join
attack on both tables (stored order, scan order, transaction ids, audit times) recovers no more
than chance + 5 %, and no audit event, log line or page ties a choice to a voter."""
from __future__ import annotations

import json

import logging
import random
import re

import pytest
from sqlalchemy import DateTime, Date, inspect, select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.decisions.rules import meetings as meeting_rules
from portal.decisions.rules import outcomes
from portal.extensions import db
from tests.conftest import login_as
from tests.decisions import factories as f
from tests.decisions.factories import ms, user
from tests.secrecy import MARGIN, Attack, BoxTables, seeded_keys

BOX = BoxTables(ballots="dec_secret_ballot", ballot_box="item_id", content="choice", voters="dec_ballot_voter",
                voter_box="item_id", voter="user_id", audit_action="item.secret_ballot_cast", audit_object="Item")
CHOICES = ("yes", "no", "abstain")
CHOICE_VALUE = re.compile(r':\s*"(yes|no|abstain)"')  # a choice as a value, not a count's key
ITEMS = 12
MEMBERS = 15


def _box_tables_carry_no_time_and_no_voter() -> None:
    ballot = {c["name"]: c for c in inspect(db.engine).get_columns(BOX.ballots)}
    who = {c["name"]: c for c in inspect(db.engine).get_columns(BOX.voters)}
    assert set(ballot) == {"key", "item_id", "choice"} and set(who) == {"item_id", "user_id"}
    assert not any(isinstance(c["type"], (DateTime, Date)) for c in [*ballot.values(), *who.values()])


def vote_on_items(session, close_last: bool = True) -> tuple[int, dict[int, dict[int, str]]]:
    """A Party committee of 15 deciding 12 items in turn (一事一议) by secret ballot: on each item
    every member votes a known random choice, in a shuffled order, each ballot its own request
    (committed) as in the meeting room; then the chair closes the box and the next item comes
    up. Returns the meeting and, per item, voter id → choice."""
    f.school(session, party_size=MEMBERS)
    items = [f.item(session, title=f"议题{n}") for n in range(ITEMS)]
    m = f.settled(session, items=items)
    session.commit()
    rng = random.Random(2026)
    truths: dict[int, dict[int, str]] = {}
    for it in items:
        f.stances_in_order(session, m, it)
        outcomes.open_secret_ballot(session, user(session, "secretary"), ms(session), m, it)
        session.commit()
        voters = meeting_rules.present_voters(m, ms(session))
        rng.shuffle(voters)
        truth = truths[it.id] = {}
        for uid in voters:
            truth[uid] = rng.choice(CHOICES)
            outcomes.cast_secret_ballot(session, session.get(User, uid), ms(session), m, it, truth[uid])
            session.commit()
        if close_last or it is not items[-1]:
            outcomes.close_secret_ballot(session, user(session, "secretary"), ms(session), m, it)
            session.commit()
    return m.id, truths


def test_order_join_attack_recovers_no_more_than_chance(session, people, monkeypatch):
    """QUALITY.md 32 for decisions: after close, both tables read by every order the database
    or the audit log gives away pair voters and ballots no better than chance + 5 %."""
    seeded_keys(monkeypatch, 32)
    _box_tables_carry_no_time_and_no_voter()
    _, truths = vote_on_items(session)
    session.expire_all()
    attack = Attack()
    for item_id, truth in truths.items():
        attack.add(session, BOX, item_id, truth)
    print(attack.report())
    assert attack.total == ITEMS * MEMBERS
    assert attack.worst() <= attack.chance + MARGIN, attack.report()


def test_no_audit_event_log_line_or_page_ties_a_choice_to_a_voter(app, session, people, caplog):
    """QUALITY.md 18 for decisions: who voted is on record (to stop a second ballot), what they
    voted never is: not in their audit events, not in the chair's result event, not in a log
    line, not in a cookie, and no split of the open box in the meeting page or its fragment
    for the chair, a voter who has voted, or an admin."""
    caplog.set_level(logging.DEBUG)
    meeting_id, truths = vote_on_items(session, close_last=False)
    voters = set().union(*truths.values())
    cast = session.scalars(select(AuditEvent).where(AuditEvent.action == BOX.audit_action)).all()
    assert len(cast) == ITEMS * MEMBERS and {e.actor_id for e in cast} == voters
    assert {e.summary for e in cast} == {"{}"}  # that they voted, nothing more
    for e in session.scalars(select(AuditEvent).where(AuditEvent.actor_id.in_(voters))):
        assert not CHOICE_VALUE.search(e.summary) and "choice" not in e.summary, (e.action, e.summary)
    chair = user(session, "secretary").id
    results = session.scalars(select(AuditEvent).where(AuditEvent.action == "item.voted")).all()
    assert len(results) == ITEMS - 1 and {e.actor_id for e in results} == {chair}
    assert all('"method": "secret"' in e.summary and "user" not in e.summary for e in results)
    session.rollback()  # end the test's transaction: SQLite lets one writer in at a time
    split = re.compile(r"赞成 \d+，反对 \d+，弃权 \d+")
    for who in ("secretary", "principal", "admin"):
        client = app.test_client()
        login_as(client, app, who)
        url = f"/decisions/meetings/{meeting_id}"
        for resp in (client.get(url), client.hx(url)):
            body = resp.get_data(as_text=True)
            assert resp.status_code == 200 and "无记名投票进行中" in body, who
            assert len(split.findall(body)) == ITEMS - 1, who  # the decided items only
            assert f"议题{ITEMS - 1}：" not in body, who
            for cookie in resp.headers.getlist("Set-Cookie"):  # what the signed cookie holds
                name, value = cookie.split(";", 1)[0].split("=", 1)
                held = value  # random signatures may spell "no"; the session's content may not
                if name == app.config["SESSION_COOKIE_NAME"] and value:
                    held = json.dumps(app.session_interface.get_signing_serializer(app).loads(value))
                assert not any(f'"{c}"' in held for c in CHOICES), held
    assert not any(c in rec.getMessage() for rec in caplog.records for c in ('"yes"', "'yes'", "abstain"))
