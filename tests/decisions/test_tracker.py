"""The arithmetic of reporting back, with time frozen by choosing ``today``."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.decisions.rules.tracker import (
    TrackStatus,
    add_months,
    due_soon,
    next_report_due,
    on_time_share,
    track_status,
)

START = date(2026, 3, 10)


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 10), -12) == date(2025, 3, 10)


def test_due_dates_by_cadence():
    assert next_report_due("monthly", START, None, None) == date(2026, 4, 10)
    assert next_report_due("monthly", START, date(2026, 4, 8), None) == date(2026, 5, 8)
    assert next_report_due("term", START, None, None) == date(2026, 9, 10)
    assert next_report_due("once", START, None, date(2026, 6, 30)) == date(2026, 6, 30)
    assert next_report_due("once", START, date(2026, 6, 1), date(2026, 6, 30)) is None
    assert next_report_due("monthly", None, None, None) is None  # awaiting approval


@pytest.mark.parametrize("today,status", [
    (date(2026, 4, 10), TrackStatus.ON_TRACK),  # due today: not late
    (date(2026, 4, 11), TrackStatus.REPORT_LATE),  # due yesterday: late
])
def test_a_report_due_today_is_not_late_due_yesterday_is(today, status):
    due = next_report_due("monthly", START, None, None)
    assert track_status("open", today, date(2026, 12, 31), due) is status


def test_deadline_edges_and_final_states():
    assert track_status("open", date(2026, 6, 30), date(2026, 6, 30), None) is TrackStatus.ON_TRACK
    assert track_status("open", date(2026, 7, 1), date(2026, 6, 30), None) is TrackStatus.PAST_DEADLINE
    assert track_status("done", date(2030, 1, 1), date(2026, 6, 30), None) is TrackStatus.DONE
    assert track_status("changed", date(2030, 1, 1), date(2026, 6, 30), None) is TrackStatus.CHANGED
    assert track_status("awaiting_approval", date(2030, 1, 1), None, None) is TrackStatus.AWAITING_APPROVAL


@pytest.mark.parametrize("today,warn", [(date(2026, 4, 6), False), (date(2026, 4, 7), True),
                                        (date(2026, 4, 10), True), (date(2026, 4, 11), False)])
def test_owner_warned_three_days_ahead(today, warn):
    due = date(2026, 4, 10)
    assert due_soon(today, due, track_status("open", today, None, due)) is warn


def test_on_time_share_over_twelve_months_counts_missing_reports():
    today = date(2026, 12, 1)
    reports = [(date(2025, 11, 30), False), (date(2026, 1, 5), True), (date(2026, 6, 1), True), (date(2026, 9, 1), False)]
    share = on_time_share(reports, missing_now=1, today=today)
    assert (share.on_time, share.due, share.percent) == (2, 4, "50%")
    assert on_time_share([], 0, today).percent == "—"


# --- the tracker page: statements pinned, and the anonymous page cache stays fresh and public ---

from sqlalchemy import select  # noqa: E402

from portal.decisions.rules import resolutions as res_rules  # noqa: E402
from portal.extensions import db  # noqa: E402
from tests.conftest import ON_POSTGRES, login_as  # noqa: E402
from tests.decisions import factories as f  # noqa: E402
from tests.decisions.test_views import _many, counting, world  # noqa: E402,F401

# Statements of one /tracker request (SQLite also counts its BEGIN), anonymous and as staff.
TRACKER_STATEMENTS = {None: 4 if ON_POSTGRES else 5, "staff": 6 if ON_POSTGRES else 7}


@pytest.mark.parametrize("role", [None, "staff"])
def test_tracker_statements_are_pinned_and_equal_at_two_sizes(app, client, world, role):  # noqa: F811
    if role:
        login_as(client, app, role)
    client.get("/tracker")
    with counting(app) as small:
        assert client.get("/tracker").status_code == 200
    _many(app, 500)
    with counting(app) as large:
        assert client.get("/tracker").status_code == 200
    assert len(small) == len(large) == TRACKER_STATEMENTS[role], large


def test_anonymous_tracker_is_cached_but_fresh_and_public_only(cached_app):
    from tests.conftest import ROLES, make_user

    app = cached_app
    with app.app_context():
        s = db.session
        for role in ROLES:
            make_user(role, {role})
        s.commit()
        f.school(s)
        ids = {}
        for vis in ("public", "staff", "internal"):
            _m, it = f.passed_item(s, f"决议{vis.upper()}SENT", on=date(2026, 2, 10))
            ids[vis] = res_rules.add_resolution(s, f.user(s, "recorder"), it, title=f"决议{vis.upper()}SENT", text="内容",
                                                owner=f.user(s, "principal"), deadline=date(2026, 12, 31),
                                                visibility=vis).id
        s.commit()
    anon, staff = app.test_client(), app.test_client()
    login_as(staff, app, "staff")
    assert "STAFFSENT" in staff.get("/tracker").get_data(as_text=True)  # the signed-in page is not the cached one
    page = anon.get("/tracker").get_data(as_text=True)
    assert "PUBLICSENT" in page and "STAFFSENT" not in page and "INTERNALSENT" not in page
    with counting(app) as seen:
        again = anon.get("/tracker").get_data(as_text=True)
    assert again.count("PUBLICSENT") == page.count("PUBLICSENT")
    assert not [q for q in seen if "dec_resolution" in q]  # served from the cache
    staff_page = staff.get("/tracker").get_data(as_text=True)
    assert "STAFFSENT" in staff_page and "INTERNALSENT" not in staff_page
    # a report, then an urging, show at once (each moves the data version)
    before_reports = page.count("2026-")
    principal = app.test_client()
    login_as(principal, app, "principal")
    assert principal.post(f"/resolutions/{ids['public']}/report",
                          data={"text": "合同已签订", "percent": "40"}).status_code == 303
    after = anon.get("/tracker").get_data(as_text=True)
    assert after != page and after.count("2026-") >= before_reports
    with app.app_context():
        from portal.decisions.models import Report
        filed = db.session.scalar(select(Report.filed_on).where(Report.resolution_id == ids["public"]))
    assert filed is not None and filed.isoformat() in after
    secretary = app.test_client()
    login_as(secretary, app, "secretary")
    assert secretary.post(f"/resolutions/{ids['public']}/urge", data={"note": "请按月报告"}).status_code == 303
    urged = anon.get("/tracker").get_data(as_text=True)
    assert "催报 1 次" in urged


# --- a resolution's page and a meeting's page: statements pinned, equal at two sizes (issue 23) ---

# SQLite also counts its BEGIN.
RESOLUTION_STATEMENTS = 10 if ON_POSTGRES else 11
MEETING_STATEMENTS = 7 if ON_POSTGRES else 8


@pytest.mark.parametrize("page", ["resolution", "meeting"])
def test_resolution_and_meeting_pages_cost_the_same_at_two_sizes(app, client, world, page):  # noqa: F811
    login_as(client, app, "secretary")
    path = f"/resolutions/{world['staff']}" if page == "resolution" else f"/decisions/meetings/{world['meeting']}"
    assert client.get(path).status_code == 200
    with counting(app) as small:
        assert client.get(path).status_code == 200
    _many(app, 500, urgings=True)
    with counting(app) as large:
        assert client.get(path).status_code == 200
    pinned = RESOLUTION_STATEMENTS if page == "resolution" else MEETING_STATEMENTS
    assert len(small) == len(large), (len(small), len(large))
    assert len(large) == pinned, "\n\n".join(large)


# --- the tracker's rows kept per data version and visibility condition (issue 23, third pass) ---

def _tracker_school(app):
    from tests.conftest import ROLES, make_user
    from portal.org.models import BodyKind
    from portal.org.rules import seat_member
    from portal.timeutil import to_local, utcnow

    with app.app_context():
        s = db.session
        for role in ROLES:
            make_user(role, {role})
        make_user("staff2", {"staff"})
        member = make_user("newmember", set())
        s.commit()
        f.school(s)
        seat_member(s, None, BodyKind.PARTY_COMMITTEE, member, starts_on=to_local(utcnow()).date() - timedelta(days=30))
        _m, it = f.passed_item(s, "决议INTERNALOWNED", on=date(2026, 2, 10))
        res_rules.add_resolution(s, f.user(s, "recorder"), it, title="决议INTERNALOWNED", text="内容",
                                 owner=f.user(s, "staff"), deadline=date(2026, 12, 31), visibility="internal")
        _m, it = f.passed_item(s, "决议INTERNALOTHER", on=date(2026, 2, 11))
        res_rules.add_resolution(s, f.user(s, "recorder"), it, title="决议INTERNALOTHER", text="内容",
                                 owner=f.user(s, "principal"), deadline=date(2026, 12, 31), visibility="internal")
        s.commit()


def test_tracker_rows_are_shared_only_by_readers_who_see_the_same(cached_app):
    """With the cache on, the rows are read once per data version for each visibility
    condition: a second insider is served them without reading resolutions, but the owner of
    an internal resolution and another teacher each get their own, and ending a seat hides
    internal resolutions on the very next request."""
    from portal.org.models import BodyMember
    from portal.org.rules import end_seat
    from portal.timeutil import to_local, utcnow
    from portal.auth.models import User

    app = cached_app
    _tracker_school(app)
    owner, other, insider, member = (app.test_client() for _ in range(4))
    for client, name in ((owner, "staff"), (other, "staff2"), (insider, "secretary"), (member, "newmember")):
        login_as(client, app, name)
    page = owner.get("/tracker").get_data(as_text=True)
    assert "INTERNALOWNED" in page and "INTERNALOTHER" not in page
    page = other.get("/tracker").get_data(as_text=True)
    assert "INTERNALOWNED" not in page and "INTERNALOTHER" not in page
    page = insider.get("/tracker").get_data(as_text=True)
    assert "INTERNALOWNED" in page and "INTERNALOTHER" in page
    with counting(app) as seen:  # another insider: same condition, same version: no resolution read
        page = member.get("/tracker").get_data(as_text=True)
    assert "INTERNALOWNED" in page and "INTERNALOTHER" in page
    assert not [q for q in seen if "dec_resolution" in q], seen
    with app.app_context():
        s = db.session
        seat = s.scalar(select(BodyMember).join(User, User.id == BodyMember.user_id).where(User.username == "newmember"))
        end_seat(s, None, seat, to_local(utcnow()).date() - timedelta(days=1))
        s.commit()
    page = member.get("/tracker").get_data(as_text=True)
    assert "INTERNALOWNED" not in page and "INTERNALOTHER" not in page
    page = insider.get("/tracker").get_data(as_text=True)
    assert "INTERNALOWNED" in page and "INTERNALOTHER" in page
