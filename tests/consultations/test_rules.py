"""Consultation rules without HTTP: the workflow, the window, the marks, the summary and
the matter link (each refusal with its Chinese message, nothing changed)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent, PendingAnonymousEvent
from portal.consultations import queries, rules
from portal.consultations.models import Comment, Consultation
from portal.notify.models import Notification
from portal.timeutil import to_local, utcnow
from tests.consultations.factories import after, opened
from tests.disclosure.factories import user


def test_draft_publish_comment_mark_summary(session, people):
    c = opened(session)
    assert c.status == "open" and c.opens_at is not None
    # the audience hears of it (every active staff member but the organiser)
    told = session.scalar(select(func.count()).select_from(Notification).where(
        Notification.subject_kind == "consultation", Notification.subject_id == c.id))
    assert told == len(people) - 1
    first = rules.comment(session, user(session, "staff"), c, "建议提高班主任津贴。", False)
    second = rules.comment(session, user(session, "rep"), c, "建议公布测算依据。", True)
    with pytest.raises(rules.ConsultationError, match="征求意见期结束后才能"):
        rules.mark(session, user(session, "union"), first, "adopted", "合理")
    later = after(c)
    with pytest.raises(rules.ConsultationError, match="不再受理"):
        rules.comment(session, user(session, "staff"), c, "晚到的意见", False, now=later)
    rules.mark(session, user(session, "union"), first, "adopted", "已调整系数。", now=later)
    with pytest.raises(rules.ConsultationError, match="还有 1 条意见未标注"):
        rules.publish_summary(session, user(session, "union"), c, "", now=later)
    assert c.status == "open" and c.summary_published_at is None
    rules.mark(session, user(session, "union"), second, "partly", "附件中已列出主要依据。", now=later)
    rules.publish_summary(session, user(session, "union"), c, "感谢大家。", now=later)
    assert c.status == "summarised"
    assert rules.adoption_counts(session, c) == {"adopted": 1, "partly": 1, "not_adopted": 0, "unmarked": 0}
    with pytest.raises(rules.ConsultationError, match="已经公布"):
        rules.mark(session, user(session, "union"), second, "adopted", "改主意", now=later)
    with pytest.raises(rules.ConsultationError, match="已经公布"):
        rules.publish_summary(session, user(session, "union"), c, "", now=later)


def test_summary_with_no_comments_and_not_before_the_window_ends(session, people):
    c = opened(session)
    with pytest.raises(rules.ConsultationError, match="结束后才能公布"):
        rules.publish_summary(session, user(session, "union"), c, "")
    rules.publish_summary(session, user(session, "union"), c, "未收到意见。", now=after(c))
    assert c.is_finished


def test_bad_input_changes_nothing(session, people):
    union = user(session, "union")
    today = to_local(utcnow()).date()
    for kwargs, message in [
        (dict(title="", body_md="x", audience="staff", closes_on=today), "请填写标题"),
        (dict(title="t", body_md=" ", audience="staff", closes_on=today), "请填写征求意见稿"),
        (dict(title="t", body_md="x", audience="everyone", closes_on=today), "范围无效"),
        (dict(title="t", body_md="x", audience="staff", closes_on=today - timedelta(days=1)), "不能早于今天"),
        (dict(title="t", body_md="x", audience="staff", closes_on=None), "请填写截止日期"),
        (dict(title="t", body_md="x", audience="staff", closes_on=today + timedelta(days=400)), "不能超过"),
    ]:
        with pytest.raises(rules.ConsultationError, match=message):
            rules.create_draft(session, union, **kwargs)
    assert session.scalar(select(func.count()).select_from(Consultation)) == 0
    c = opened(session)
    with pytest.raises(rules.ConsultationError, match="请填写意见内容"):
        rules.comment(session, user(session, "staff"), c, "   ", False)
    with pytest.raises(rules.ConsultationError, match="只有草稿可以发布"):
        rules.publish(session, union, c)
    with pytest.raises(rules.ConsultationError, match="只有草稿可以修改"):
        rules.update_draft(session, union, c, title="新", body_md="x", audience="staff", closes_on=today)
    item = rules.comment(session, user(session, "staff"), c, "意见", False)
    with pytest.raises(rules.ConsultationError, match="请选择采纳"):
        rules.mark(session, union, item, "maybe", "理由", now=after(c))
    with pytest.raises(rules.ConsultationError, match="请写明理由"):
        rules.mark(session, union, item, "adopted", " ", now=after(c))
    assert item.adoption is None


def test_reps_audience_is_fixed_to_the_current_term(session, people):
    c = opened(session, audience="reps")
    assert c.term_id is not None
    assert queries.audience_ids(session, c, to_local(utcnow()).date()) == [people["rep"]]


def test_party_audience(session, people):
    c = opened(session, audience="party")
    # the secretary sits on the Party committee; nobody else in the fixture is a marked member
    assert queries.audience_ids(session, c, to_local(utcnow()).date()) == [people["secretary"]]


def test_finished_for_and_the_picker(session, people):
    union = user(session, "union")
    c = opened(session)
    rules.link_matter(session, union, c, "agenda_item", 42)
    assert queries.finished_for(session, "agenda_item", 42) is None  # not finished yet
    rules.publish_summary(session, union, c, "", now=after(c))
    assert queries.finished_for(session, "agenda_item", 42) is c
    assert queries.finished_for(session, "agenda_item", 43) is None
    assert queries.finished_for(session, "policy", 42) is None
    other = opened(session, title="食堂承包合同")
    assert list(session.scalars(queries.finished(session))) == [c]
    assert other not in list(session.scalars(queries.finished(session)))
    with pytest.raises(rules.ConsultationError, match="事项类别"):
        rules.link_matter(session, union, other, "", 1)
    with pytest.raises(rules.ConsultationError, match="事项类别无效"):
        rules.link_matter(session, union, other, "议题; drop", 1)
    with pytest.raises(rules.ConsultationError, match="事项编号无效"):
        rules.link_matter(session, union, other, "agenda_item", 0)
    assert other.matter_kind == "" and other.matter_id is None


def test_anonymous_comment_leaves_no_linkable_trace(session, people):
    c = opened(session)
    now = utcnow()
    item = rules.comment(session, user(session, "rep"), c, "匿名意见", True, now=now)
    # stored with the day only, random key
    assert item.created_at == item.created_at.replace(hour=item.created_at.hour, minute=0, second=0, microsecond=0)
    assert to_local(item.created_at).hour == 0 and len(item.id) == 32
    # nothing in the chain today: it waits, without actor or id, to join in a later day's batch
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "consultation.commented")).all()
    assert events == []
    pending = session.scalars(select(PendingAnonymousEvent)).all()
    assert [(p.action, p.object_id) for p in pending] == [("consultation.commented", "")]
    assert str(people["rep"]) not in pending[0].summary and item.id not in pending[0].summary


def test_ending_early_and_extending_with_a_reason_everyone_invited_hears(session, people):
    """Issue 21.10: the organiser ends the window before its day or extends it, with a reason
    on record; the audience is told; marking may start once it has ended."""
    from sqlalchemy import select

    from portal.audit.models import AuditEvent
    from portal.notify.models import Notification

    union = user(session, "union")
    c = opened(session, days=7)
    first_close = c.closes_at
    with pytest.raises(rules.ConsultationError, match="新的截止日期须晚于原截止日期"):
        rules.extend(session, union, c, to_local(first_close).date(), "多听意见")
    with pytest.raises(rules.ConsultationError, match="请写明理由"):
        rules.extend(session, union, c, to_local(first_close).date() + timedelta(days=3), " ")
    rules.extend(session, union, c, to_local(first_close).date() + timedelta(days=3), "部分教师外出培训")
    assert c.closes_at > first_close
    told = session.scalars(select(Notification.message).where(Notification.recipient_id == user(session, "staff").id)).all()
    assert any("延长至" in m for m in told)
    item = rules.comment(session, user(session, "staff"), c, "建议分档更细。", False)
    with pytest.raises(rules.ConsultationError, match="征求意见期结束后"):
        rules.mark(session, union, item, "adopted", "合理")
    rules.end_early(session, union, c, "意见已充分，方案需提前上会")
    assert c.window(utcnow()) == "closed"
    rules.mark(session, union, item, "adopted", "合理")  # marking starts once it has ended
    with pytest.raises(rules.ConsultationError, match="提前结束"):
        rules.end_early(session, union, c, "再次结束")
    with pytest.raises(rules.ConsultationError, match="征求意见期已结束"):
        rules.comment(session, user(session, "rep"), c, "晚到的意见", False)
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("consultation.%"))))
    assert {"consultation.extended", "consultation.ended"} <= actions
    told = session.scalars(select(Notification.message).where(Notification.recipient_id == user(session, "rep").id)).all()
    assert any("提前结束" in m for m in told)
