"""The inbox as pages and fragments; the badge answers 304 when nothing changed."""
from __future__ import annotations

from portal.extensions import db
from portal.i18n import N_
from portal.notify.rules import notify
from tests.conftest import login_as

MESSAGE = N_("公开事项“%(title)s”等待您审批。")


def _send(app, user_id: int, n: int = 1, kind: str = "test") -> list[int]:
    with app.app_context():
        ids = [notify(db.session, [user_id], MESSAGE, subject=(kind, i + 1), title=f"通知{i}")[0].id for i in range(n)]
        db.session.commit()
    return ids


def test_inbox_lists_translated_messages_page_and_fragment(app, client, people):
    _send(app, people["staff"], 2)
    login_as(client, app, "staff")
    page = client.get("/inbox").get_data(as_text=True)
    assert "公开事项“通知1”等待您审批。" in page and "未读 2 条" in page and "<html" in page
    fragment = client.hx("/inbox").get_data(as_text=True)
    assert "公开事项“通知0”等待您审批。" in fragment and "<html" not in fragment
    client.post("/language", data={"lang": "en"})
    english = client.get("/inbox").get_data(as_text=True)
    assert "The notice “通知1” is waiting for your approval." in english


def test_badge_counts_and_answers_304_until_something_changes(app, client, people):
    login_as(client, app, "staff")
    first = client.hx("/inbox/badge")
    assert first.status_code == 200 and "消息（" not in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert client.hx("/inbox/badge", headers={"If-None-Match": etag}).status_code == 304
    _send(app, people["staff"], 3)
    changed = client.hx("/inbox/badge", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "消息（3）" in changed.get_data(as_text=True)


def test_opening_marks_read_and_follows_the_subject_link(app, client, people):
    (nid,) = _send(app, people["staff"], kind="notice")
    login_as(client, app, "staff")
    resp = client.post(f"/inbox/{nid}/open")
    assert resp.status_code == 303 and resp.headers["Location"] == "/notices/1"
    assert "未读 0 条" in client.get("/inbox").get_data(as_text=True)


def test_someone_elses_notification_cannot_be_opened(app, client, people):
    (nid,) = _send(app, people["staff"])
    login_as(client, app, "rep")
    assert client.post(f"/inbox/{nid}/open").status_code == 403
    login_as(client, app, "staff")
    assert "未读 1 条" in client.get("/inbox").get_data(as_text=True)


def test_read_all_swaps_the_inbox_in_place(app, client, people):
    _send(app, people["staff"], 2)
    login_as(client, app, "staff")
    resp = client.hx("/inbox/read-all", method="POST")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "已将 2 条消息标为已读。" in body and "<html" not in body
