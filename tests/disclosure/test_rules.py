"""Disclosure rules without HTTP: workflow, who may do each step, 公示 windows, objections,
acknowledgements, sanitisation and cadence."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal import markup
from portal.audit.models import AuditEvent
from portal.audit.rules import flush_anonymous
from portal.auth.permissions import can
from portal.disclosure import rules
from portal.disclosure.queries import catalogue_status, due_date, is_overdue
from portal.disclosure.models import Acknowledgement, Notice
from portal.disclosure.queries import ack_report
from tests.disclosure.factories import catalog, draft, published, user

pytestmark = pytest.mark.usefixtures("people")


# --- workflow ---------------------------------------------------------------------------

def test_school_notice_from_draft_to_published(session):
    notice = draft(session, "leader")
    assert notice.status == "draft" and notice.series_id == notice.id
    rules.submit(session, user(session, "leader"), notice)
    assert notice.status == "submitted"
    rules.publish(session, user(session, "principal"), notice)
    assert notice.status == "published" and notice.approver_id == user(session, "principal").id
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions == ["notice.drafted", "notice.submitted", "notice.published"]


@pytest.mark.parametrize("channel,wrong,right", [("school", "secretary", "principal"), ("party", "principal", "secretary")])
def test_only_the_channels_approver_publishes(session, channel, wrong, right):
    notice = draft(session, "leader", channel=channel)
    rules.submit(session, user(session, "leader"), notice)
    with pytest.raises(rules.DisclosureError, match="须由"):
        rules.publish(session, user(session, wrong), notice)
    assert notice.status == "submitted"
    rules.publish(session, user(session, right), notice)


def test_no_self_approval(session):
    notice = draft(session, "principal")
    rules.submit(session, user(session, "principal"), notice)
    with pytest.raises(rules.DisclosureError, match="不能审批自己起草"):
        rules.publish(session, user(session, "principal"), notice)


def test_steps_out_of_order_are_refused(session):
    notice = draft(session)
    with pytest.raises(rules.DisclosureError):
        rules.publish(session, user(session, "principal"), notice)
    with pytest.raises(rules.DisclosureError):
        rules.withdraw(session, user(session, "principal"), notice, "原因")
    rules.submit(session, user(session, "leader"), notice)
    with pytest.raises(rules.DisclosureError):
        rules.submit(session, user(session, "leader"), notice)


def test_send_back_needs_a_reason_and_returns_a_draft(session):
    notice = draft(session)
    rules.submit(session, user(session, "leader"), notice)
    with pytest.raises(rules.DisclosureError, match="原因"):
        rules.send_back(session, user(session, "principal"), notice, "  ")
    rules.send_back(session, user(session, "principal"), notice, "数据需核对")
    assert notice.status == "draft" and notice.return_reason == "数据需核对"


def test_published_notices_are_not_edited_in_place(session):
    notice = published(session)
    with pytest.raises(rules.DisclosureError, match="更正"):
        rules.update_draft(session, user(session, "leader"), notice, item=catalog(session),
                           audience="staff", title="改", body_md="", requires_ack=False, gongshi_days=0)


def test_withdrawal_keeps_the_record_and_reason(session):
    notice = published(session)
    with pytest.raises(rules.DisclosureError, match="原因"):
        rules.withdraw(session, user(session, "principal"), notice, "")
    rules.withdraw(session, user(session, "principal"), notice, "信息有误")
    assert session.get(Notice, notice.id).status == "withdrawn"
    assert notice.withdraw_reason == "信息有误" and notice.withdrawn_at


def test_correction_is_a_new_version_and_the_old_stays_readable(session):
    v1 = published(session, title="收费标准")
    v2 = rules.start_correction(session, user(session, "leader"), v1)
    assert rules.start_correction(session, user(session, "leader"), v1) is v2  # one pending correction
    with pytest.raises(rules.DisclosureError, match="已在更正此公告"):
        rules.start_correction(session, user(session, "principal"), v1)
    assert (v2.version, v2.supersedes_id, v2.series_id, v2.status) == (2, v1.id, v1.id, "draft")
    assert v1.is_current  # until the correction is published
    rules.update_draft(session, user(session, "leader"), v2, item=catalog(session), audience="staff",
                       title="收费标准（更正）", body_md="新", requires_ack=False, gongshi_days=0)
    rules.submit(session, user(session, "leader"), v2)
    rules.publish(session, user(session, "principal"), v2)
    assert not v1.is_current and v1.superseded_at and v1.status == "published"
    assert [v.version for v in rules.versions(session, v1)] == [2, 1]


@pytest.mark.parametrize("title,message", [("", "请填写标题"), ("长" * 121, "不能超过 120")])
def test_bad_titles(session, title, message):
    with pytest.raises(rules.DisclosureError, match=message):
        draft(session, title=title)
    assert session.scalar(select(func.count()).select_from(Notice)) == 0


# --- permissions on notices ----------------------------------------------------------------

def test_who_may_do_each_step(session):
    d = draft(session, "leader")
    assert can(user(session, "leader"), "notice.edit", d)
    assert not can(user(session, "principal"), "notice.edit", d)
    assert can(user(session, "principal"), "notice.view", d)  # the approver sees drafts of the channel
    assert not can(user(session, "secretary"), "notice.view", d)
    assert not can(user(session, "staff"), "notice.view", d) and not can(None, "notice.view", d)
    rules.submit(session, user(session, "leader"), d)
    assert can(user(session, "principal"), "notice.approve", d)
    assert not can(user(session, "admin"), "notice.approve", d)
    assert not can(user(session, "staff"), "notice.create", "school")
    assert can(user(session, "handler"), "notice.create", "school")
    assert not can(user(session, "handler"), "notice.create", "party")  # not a Party member


def test_audiences(session):
    staff, member = user(session, "staff"), user(session, "rep")
    member.is_party_member = True
    for_party = published(session, audience="party", title="党内")
    for_staff = published(session, audience="staff", title="校内")
    for_all = published(session, audience="public", title="社会")
    assert [can(None, "notice.view", n) for n in (for_party, for_staff, for_all)] == [False, False, True]
    assert [can(staff, "notice.view", n) for n in (for_party, for_staff, for_all)] == [False, True, True]
    assert [can(member, "notice.view", n) for n in (for_party, for_staff, for_all)] == [True, True, True]


# --- 公示 windows ---------------------------------------------------------------------------

@pytest.mark.parametrize("start,days,end", [
    (date(2026, 11, 16), 5, date(2026, 11, 20)),  # Monday: Mon..Fri
    (date(2026, 11, 20), 5, date(2026, 11, 26)),  # Friday: Fri, Mon..Thu
    (date(2026, 11, 21), 5, date(2026, 11, 27)),  # Saturday: Mon..Fri
    (date(2026, 11, 16), 1, date(2026, 11, 16)),
])
def test_working_days(start, days, end):
    assert rules.add_working_days(start, days) == end


def test_window_is_five_working_days_to_the_end_of_the_day_school_time(session):
    monday_10am_beijing = datetime(2026, 11, 16, 2, 0)  # 10:00 +08:00 as naive UTC
    notice = published(session, gongshi=5, now=monday_10am_beijing)
    assert notice.gongshi_start == monday_10am_beijing
    assert notice.gongshi_end == datetime(2026, 11, 20, 15, 59, 59)  # Friday 23:59:59 +08:00


def test_objection_window_edges(session):
    notice = published(session, gongshi=5, now=datetime(2026, 11, 16, 2, 0))
    rep = user(session, "rep")
    end = notice.gongshi_end
    with pytest.raises(rules.DisclosureError, match="尚未开始"):
        rules.lodge_objection(session, rep, notice, "早了", False, now=notice.gongshi_start - timedelta(seconds=1))
    rules.lodge_objection(session, rep, notice, "最后一秒", False, now=end - timedelta(seconds=1))
    rules.lodge_objection(session, rep, notice, "正好截止", False, now=end)
    with pytest.raises(rules.DisclosureError, match="公示期已满"):
        rules.lodge_objection(session, rep, notice, "晚了", False, now=end + timedelta(seconds=1))
    assert rules.gongshi_state(notice, end + timedelta(seconds=1)) == "closed"


def test_no_objection_without_a_window_or_text(session):
    notice = published(session, gongshi=0)
    with pytest.raises(rules.DisclosureError, match="没有公示期"):
        rules.lodge_objection(session, user(session, "rep"), notice, "x", False)
    notice2 = published(session, gongshi=5, title="另一则")
    with pytest.raises(rules.DisclosureError, match="请填写异议内容"):
        rules.lodge_objection(session, user(session, "rep"), notice2, "   ", False)


def test_anonymous_objection_hides_the_author_from_readers_not_the_approver(session):
    notice = published(session, gongshi=5)
    objection = rules.lodge_objection(session, user(session, "rep"), notice, "有异议", True)
    assert can(user(session, "principal"), "objection.see_author", (objection, notice))
    for reader in ("staff", "leader", "secretary", "admin", "supervisor"):
        assert not can(user(session, reader), "objection.see_author", (objection, notice)), reader
    # An anonymous act joins the audit chain only with its day's batch (see audit.rules).
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "objection.lodged")) is None
    flush_anonymous(session, today=date.today() + timedelta(days=2))
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "objection.lodged"))
    assert event.actor_id is None and "rep" not in event.summary
    rules.answer_objection(session, user(session, "leader"), objection, "已研究")
    assert objection.answer == "已研究" and objection.answered_by_id == user(session, "leader").id


# --- acknowledgements -------------------------------------------------------------------------

def test_acknowledging_twice_counts_once_and_the_report_groups_by_department(session):
    notice = published(session, ack=True)
    assert rules.acknowledge(session, user(session, "staff"), notice) is True
    assert rules.acknowledge(session, user(session, "staff"), notice) is False
    rules.acknowledge(session, user(session, "rep"), notice)
    assert session.scalar(select(func.count()).select_from(Acknowledgement)) == 2
    groups = ack_report(session, notice)
    assert sum(len(g.done) for g in groups) == 2
    assert sum(len(g.missing) for g in groups) == 8  # ten people in the fixture
    not_required = published(session, title="无需确认")
    with pytest.raises(rules.DisclosureError):
        rules.acknowledge(session, user(session, "staff"), not_required)


# --- rich text ---------------------------------------------------------------------------------

@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    '<div hx-get="/admin/users" hx-trigger="load">x</div>',
    '<p hx-on:click="alert(1)">x</p>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://example.com"></iframe>',
    '<a href="/x" style="color:red" onclick="x()">x</a>',
    "{{ config.SECRET_KEY }}",
])
def test_markdown_is_sanitised(payload):
    html = markup.render_markdown(payload)
    lowered = html.lower()
    for bad in ("<script", "onerror", "onload", "onclick", "javascript:", "hx-", "<iframe", "<svg", "style=", "<img"):
        assert bad not in lowered, (payload, html)


HOSTILE_MARKDOWN = {
    "brackets": "[" * 50_000,
    "open links": "[a](" * 12_500,
    "emphasis": "_a" * 25_000,
    "labels": "[x" * 25_000,
    "images": "![[" * 16_666,
    "strong": "**a" * 16_666,
    "angle links": "[](<" * 12_500,
    "quotes": "> " * 25_000,
    "table": "|a" * 12_499 + "\n" + "|-" * 12_499,
    "nested lists": "".join(" " * (2 * i) + "- x\n" for i in range(200)),
    "quotes and lists": "> - " * 12_500,
    "html": "<" * 50_000,
    "unclosed tags": "<a" * 25_000,
}


@pytest.mark.parametrize("name", HOSTILE_MARKDOWN)
def test_markdown_renders_any_input_up_to_the_cap_in_bounded_time(name):
    import time

    text = HOSTILE_MARKDOWN[name]
    assert len(text) <= rules.BODY_MAX
    started = time.perf_counter()
    markup.render_markdown(text)
    elapsed = time.perf_counter() - started
    print(f"markdown {name}: {len(text):,} chars in {elapsed * 1000:.0f} ms")
    assert elapsed < 2.0  # a bound, not a benchmark: it was minutes for 50,000 "["


def test_a_link_whose_address_is_removed_renders_as_its_text():
    html = markup.render_markdown("看 [点我](javascript:alert(1)) 和 [官网](https://example.org)")
    assert "点我" in html and html.count("<a ") == 1 and 'href="https://example.org"' in html


def test_markdown_keeps_tables_lists_and_links():
    html = markup.render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n- 甲\n- 乙\n\n[链接](https://example.org)")
    assert "<table>" in html and "<li>甲</li>" in html
    assert 'href="https://example.org"' in html and "noopener" in html


# --- cadence -------------------------------------------------------------------------------------

@pytest.mark.parametrize("cadence,last,now,overdue", [
    ("monthly", datetime(2026, 9, 30), datetime(2026, 10, 30), False),
    ("monthly", datetime(2026, 9, 30), datetime(2026, 10, 31), True),
    ("term", datetime(2026, 3, 10), datetime(2026, 9, 10), False),
    ("term", datetime(2026, 3, 10), datetime(2026, 9, 11), True),
    ("yearly", datetime(2025, 12, 1), datetime(2026, 11, 30), False),
    ("yearly", datetime(2025, 12, 1), datetime(2026, 12, 2), True),
    ("event", datetime(2020, 1, 1), datetime(2026, 12, 2), False),
])
def test_overdue_by_cadence(cadence, last, now, overdue):
    assert is_overdue(cadence, last, datetime(2019, 1, 1), now) is overdue


def test_never_published_counts_from_when_the_item_was_added():
    added = datetime(2026, 1, 1)
    assert due_date("yearly", None, added) == datetime(2027, 1, 1)
    assert not is_overdue("yearly", None, added, datetime(2026, 12, 31))


def test_catalogue_status_uses_the_latest_publication(session):
    item = catalog(session, name="党费", cadence="term", gongshi=0)
    item.created_at = datetime(2025, 1, 1)
    for when in (datetime(2025, 3, 1), datetime(2026, 3, 1)):
        n = rules.create_draft(session, user(session, "leader"), item=item, audience="staff", title="党费",
                               body_md="", requires_ack=False, gongshi_days=0)
        rules.submit(session, user(session, "leader"), n, now=when)
        rules.publish(session, user(session, "principal"), n, now=when)
    rows = {r.item.name: r for r in catalogue_status(session, datetime(2026, 11, 21))}
    row = rows["党费"]
    assert row.last_published == datetime(2026, 3, 1) and row.count == 2 and row.overdue


def test_an_answer_is_final_and_a_clarification_keeps_it(session):
    from portal.disclosure.models import Clarification

    notice = published(session, gongshi=5)
    objection = rules.lodge_objection(session, user(session, "rep"), notice, "有异议", False)
    leader = user(session, "leader")
    with pytest.raises(rules.DisclosureError, match="尚未答复"):
        rules.clarify_answer(session, leader, objection, "补充")
    rules.answer_objection(session, leader, objection, "第一次答复")
    with pytest.raises(rules.DisclosureError, match="答复不能修改"):
        rules.answer_objection(session, leader, objection, "改写的答复")
    rules.clarify_answer(session, leader, objection, "补充：时间另行通知")
    assert objection.answer == "第一次答复"
    assert [c.body for c in session.scalars(select(Clarification))] == ["补充：时间另行通知"]
    summaries = [e.summary_data for e in session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(["objection.answered", "objection.clarified"])).order_by(AuditEvent.seq))]
    assert [s.get("text") for s in summaries] == ["第一次答复", "补充：时间另行通知"]


def test_answers_on_party_only_notices_leave_only_their_hash_in_the_audit_log(session):
    import hashlib

    notice = published(session, audience="party", gongshi=5, title="党内公示")
    objection = rules.lodge_objection(session, user(session, "rep"), notice, "有异议", False)
    rules.answer_objection(session, user(session, "leader"), objection, "党内答复")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "objection.answered"))
    assert "党内答复" not in event.summary
    assert event.summary_data["text_sha256"] == hashlib.sha256("党内答复".encode()).hexdigest()
