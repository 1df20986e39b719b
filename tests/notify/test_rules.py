"""Notifications without HTTP: who gets one, marking read, other channels."""
from __future__ import annotations

import pytest

from portal.i18n import N_
from portal.notify import queries, rules
from portal.notify.models import Notification
from tests.conftest import make_user

MESSAGE = N_("公开事项“%(title)s”等待您审批。")


def test_each_recipient_once_and_never_the_actor(session):
    a, b, actor = make_user("a"), make_user("b"), make_user("actor")
    rows = rules.notify(session, [a.id, b.id, a.id, actor.id, None], MESSAGE, subject=("proposal", 7),
                        actor_id=actor.id, title="食堂")
    assert sorted(n.recipient_id for n in rows) == sorted([a.id, b.id])
    assert rows[0].params == {"title": "食堂"} and rows[0].subject_kind == "proposal" and rows[0].subject_id == 7
    assert queries.unread_state(session, a.id) == (1, rows[0].id if rows[0].recipient_id == a.id else rows[1].id)
    assert queries.unread_state(session, actor.id) == (0, 0)


def test_mark_read_only_ones_own(session):
    a, b = make_user("a"), make_user("b")
    (note,) = rules.notify(session, [a.id], MESSAGE, subject=("proposal", 1), title="x")
    with pytest.raises(rules.NotifyError, match="不是发给您的"):
        rules.mark_read(session, b, note)
    assert note.read_at is None
    rules.mark_read(session, a, note)
    first = note.read_at
    rules.mark_read(session, a, note)  # twice is harmless and keeps the first time
    assert note.read_at == first and queries.unread_state(session, a.id) == (0, 0)


def test_mark_all_read_touches_only_the_reader(session):
    a, b = make_user("a"), make_user("b")
    for i in range(3):
        rules.notify(session, [a.id, b.id], MESSAGE, subject=("proposal", i), title=str(i))
    assert rules.mark_all_read(session, a) == 3
    session.expire_all()
    assert queries.unread_state(session, a.id)[0] == 0 and queries.unread_state(session, b.id)[0] == 3


def test_other_channels_receive_every_new_notification(session, monkeypatch):
    seen: list[int] = []
    monkeypatch.setattr(rules, "DELIVERERS", [lambda s, rows: seen.extend(n.recipient_id for n in rows)])
    a = make_user("a")
    rules.notify(session, [a.id], MESSAGE, subject=("proposal", 1), title="x")
    assert seen == [a.id] and session.query(Notification).count() == 1


def test_the_publication_workflow_tells_who_must_act_next(session, people):
    from portal.disclosure import rules as disclosure
    from tests.disclosure.factories import draft, user

    author, principal = user(session, "leader"), user(session, "principal")
    notice = draft(session, "leader")
    disclosure.submit(session, author, notice)
    assert [(n.recipient_id, n.message) for n in session.query(Notification)] == [
        (principal.id, "公开事项“%(title)s”等待您审批。")]
    disclosure.send_back(session, principal, notice, "请补充附件")
    disclosure.submit(session, author, notice)
    disclosure.publish(session, principal, notice)
    assert [n.message for n in session.query(Notification).filter_by(recipient_id=author.id).order_by(Notification.id)] == [
        "您起草的“%(title)s”被退回修改：%(reason)s", "您起草的“%(title)s”已审批发布。"]
