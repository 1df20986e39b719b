"""Pages that cost the same at any size (issue 12), checked without timing anything:

* every list, search, feed and home page runs the same number of statements at two data
  sizes, for an anonymous reader and a signed-in one;
* the query plans of those pages at a few thousand notices use an index for the filter and
  the order: no full scan of ``notice`` and no temporary sort of it (SQLite
  ``EXPLAIN QUERY PLAN``; PostgreSQL ``EXPLAIN`` after ``ANALYZE``);
* list pages leave the notice bodies in the database; static files are fingerprinted,
  cached for a year and gzipped, as are pages.

Timings live only in ``make bench``.
"""
from __future__ import annotations

import gzip
import re
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import event, func, insert, select, text

from portal.disclosure.models import Notice
from portal.extensions import db
from portal.timeutil import utcnow
from tests.conftest import ON_POSTGRES, login_as, make_people
from tests.disclosure.factories import catalog, user

PAGES = [
    "/",
    "/notices/school",
    "/notices/school?page=2",
    "/notices/party",
    "/notices/search?q=" + quote("绩效工资"),
    "/feeds/school.atom",
    "/feeds/party.atom",
]


@contextmanager
def statements(app):
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def add_notices(app, n: int) -> None:
    """``n`` published notices across both channels and every audience, in one insert."""
    if n == 0:
        return
    with app.app_context():
        s = db.session
        items = {ch: catalog(s, channel=ch, name=f"规模-{ch}", gongshi=5) for ch in ("party", "school")}
        author, approver = user(s, "leader"), user(s, "principal")
        start = s.scalar(select(func.count(Notice.id))) or 0
        now = utcnow()
        rows = []
        for i in range(start, start + n):
            channel = "party" if i % 4 == 1 else "school"
            published = now - timedelta(hours=i + 1)
            rows.append(dict(
                channel=channel, catalog_item_id=items[channel].id, audience=("public", "staff", "party")[i % 3],
                title=f"关于绩效工资的通知 {i}" if i % 7 == 0 else f"通知 {i}", body_md="正文" * 200,
                body_html="<p>" + "正文" * 200 + "</p>", status="published" if i % 50 else "withdrawn",
                requires_ack=i % 10 == 0, gongshi_days=5 if i % 4 == 0 else 0,
                gongshi_start=published if i % 4 == 0 else None,
                gongshi_end=published + timedelta(days=7) if i % 4 == 0 else None,
                author_id=author.id, approver_id=approver.id, created_at=published, updated_at=published,
                submitted_at=published, published_at=published, is_current=True, version=1,
                return_reason="", withdraw_reason="",
            ))
        s.execute(insert(Notice), rows)
        s.execute(Notice.__table__.update().where(Notice.series_id.is_(None)).values(series_id=Notice.id))
        s.commit()


def _get(client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "teacher"])
def test_statements_per_page_do_not_grow_with_the_data(app, client, people, signed_in):
    if signed_in:
        login_as(client, app, "staff")
    add_notices(app, 45)
    counts: dict[str, list[int]] = {path: [] for path in PAGES}
    for extra in (0, 400):
        add_notices(app, extra)
        for path in PAGES:
            _get(client, path)  # warm
            with statements(app) as seen:
                _get(client, path)
            counts[path].append(len(seen))
    print({path: c for path, c in counts.items()})
    for path, (small, large) in counts.items():
        assert small == large <= 8, (path, small, large)


# --- query plans at a few thousand notices ---------------------------------------------------------

BIG_TABLES = ("notice", "notice_ack", "notice_objection", "audit_event")


def _problems_sqlite(plan: list[str], sorting_allowed: bool) -> list[str]:
    bad = []
    for line in plan:
        m = re.match(r"SCAN (\w+)", line)
        if m and m.group(1) in BIG_TABLES and "COVERING INDEX" not in line and " USING INDEX" not in line:
            bad.append(line)
        if "TEMP B-TREE" in line and not sorting_allowed:
            bad.append(line)
    return bad


def _problems_postgres(plan: list[str], sorting_allowed: bool, counting: bool) -> list[str]:
    """Sequential scans of the big tables, and full sorts of more than a handful of rows.

    An Incremental Sort reads rows already in index order (it only orders ties), and a
    handful of 公示 rows found by an index may be sorted. A count of a large share of the
    table touches every matching row whichever way; PostgreSQL may rightly read the heap.
    """
    bad = [] if counting else [line for line in plan if re.search(r"Seq Scan on (%s)\b" % "|".join(BIG_TABLES), line)]
    if not sorting_allowed:
        for line in plan:
            m = re.search(r"(?<!Incremental )\bSort\s+\(cost=[\d.]+\.\.[\d.]+ rows=(\d+)", line)
            if m and int(m.group(1)) > 50:
                bad.append(line)
    return bad


def _thousands(app) -> int:
    """3,000 notices, as autovacuum would leave them on PostgreSQL (statistics and the
    visibility map); returns a catalogue item of the school channel."""
    with app.app_context():
        make_people()
    add_notices(app, 3000)
    with app.app_context():
        item = db.session.scalar(select(Notice.catalog_item_id).where(Notice.channel == "school").limit(1))
        if ON_POSTGRES:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE notice"))
    return item


@pytest.fixture
def thousands(on_snapshot):
    """(the app on a copy of the school with 3,000 notices, made once per module; a catalogue item)."""
    return on_snapshot(_thousands)


@pytest.mark.parametrize("path", PAGES + ["/notices/school?item=ITEM", "/notices/school?year=YEAR"])
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "teacher"])
def test_list_queries_use_an_index_for_filter_and_order(thousands, path, signed_in):
    app, item = thousands
    client = app.test_client()
    path = path.replace("ITEM", str(item)).replace("YEAR", str(utcnow().year))
    if signed_in:
        login_as(client, app, "staff")
    _get(client, path)
    with statements(app) as seen:
        _get(client, path)
    # A search sorts what the trigram index found; every other list reads in index order.
    sorting_allowed = "/search" in path
    report = []
    with app.app_context():
        conn = db.session.connection()
        for sql, params in seen:
            if not sql.lstrip().upper().startswith("SELECT") or "notice" not in sql:
                continue
            if ON_POSTGRES:
                plan = [r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql, params).all()]
                bad = _problems_postgres(plan, sorting_allowed, sql.lstrip().upper().startswith("SELECT COUNT("))
            else:
                plan = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()]
                bad = _problems_sqlite(plan, sorting_allowed)
            if bad:
                report.append((sql[:300], plan))
        db.session.rollback()
    for sql, plan in report:
        print(sql, *plan, sep="\n")
    assert not report, report


# --- bodies, static files, compression --------------------------------------------------------

def test_list_pages_do_not_load_notice_bodies(app, client, people):
    add_notices(app, 30)
    login_as(client, app, "staff")
    for path in ("/", "/notices/school", "/notices/search?q=" + quote("绩效工资")):
        with statements(app) as seen:
            _get(client, path)
        loading = [sql for sql, _ in seen if re.search(r"notice\.body_(md|html)\s*(,|FROM)", sql)]
        assert not loading, (path, loading)
    with statements(app) as seen:  # the feed carries the rendered bodies
        _get(client, "/feeds/school.atom")
    assert any("notice.body_html" in sql for sql, _ in seen)


def test_static_files_are_fingerprinted_cached_and_gzipped(app, client, people):
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert len(urls) >= 3 and all(re.search(r"\?v=[0-9a-f]{12}$", u) for u in urls), urls
    for url in urls:
        r = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200
        assert "immutable" in r.headers["Cache-Control"] and "max-age=31536000" in r.headers["Cache-Control"]
        assert "Accept-Encoding" in r.headers.get("Vary", "")
        if len(gzip.decompress(r.data) if r.headers.get("Content-Encoding") == "gzip" else r.data) > 1024:
            assert r.headers["Content-Encoding"] == "gzip"
    plain = client.get(urls[0].split("?")[0])  # without the current fingerprint: revalidate as before
    assert "immutable" not in (plain.headers.get("Cache-Control") or "")
    login_as(client, app, "staff")  # the same for signed-in readers, without no-store
    r = client.get(urls[0])
    assert "immutable" in r.headers["Cache-Control"] and "no-store" not in r.headers["Cache-Control"]


def test_pages_are_gzipped_when_the_client_accepts_it(app, client, people):
    add_notices(app, 30)
    plain = client.get("/notices/school")
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    packed = client.get("/notices/school", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert 'class="notice-list"' in gzip.decompress(packed.data).decode()
    assert len(packed.data) < len(plain.data) / 2
    feed = client.get("/feeds/school.atom", headers={"Accept-Encoding": "gzip"})
    assert feed.headers["Content-Encoding"] == "gzip" and b"<feed" in gzip.decompress(feed.data)
    tiny = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in tiny.headers  # under a kilobyte: not worth it


# --- the public page cache ---------------------------------------------------------------------

def test_public_pages_are_cached_until_the_data_changes(cached_app):
    from tests.conftest import make_user
    from tests.disclosure.factories import published

    app = cached_app
    with app.app_context():
        for role in ("leader", "principal", "secretary", "staff"):
            make_user(role, {role})
        published(db.session, title="第一条公开通知", audience="public")
        db.session.commit()
    first, second = app.test_client(), app.test_client()
    assert "第一条公开通知" in first.get("/notices/school").get_data(as_text=True)
    with statements(app) as seen:
        page = second.get("/notices/school").get_data(as_text=True)
    selects = [sql for sql, _ in seen if sql.lstrip().upper().startswith("SELECT")]
    # served from the cache: only the data version asked (by portal.fastpath on a DB-API cursor,
    # which SQLAlchemy's events do not see; by the view when Flask answers)
    assert len(selects) <= 1 and "第一条公开通知" in page
    # each visitor gets their own CSRF token, never the one of whoever filled the cache
    tokens = {re.search(r'"X-CSRFToken": "([^"]+)"', c.get("/notices/school").get_data(as_text=True)).group(1)
              for c in (first, second)}
    assert len(tokens) == 2
    with second.session_transaction() as s:
        assert s["csrf_token"]
    # a publish through the rules shows on the next request
    with app.app_context():
        published(db.session, title="第二条公开通知", audience="public")
        db.session.commit()
    assert "第二条公开通知" in second.get("/notices/school").get_data(as_text=True)
    # a signed-in reader is never served the anonymous page, nor cached
    with app.app_context():
        published(db.session, title="校内通知仅限教职工", audience="staff")
        db.session.commit()
    assert "校内通知仅限教职工" not in first.get("/notices/school").get_data(as_text=True)
    login_as(first, app, "staff")
    assert "校内通知仅限教职工" in first.get("/notices/school").get_data(as_text=True)
    assert "校内通知仅限教职工" not in second.get("/notices/school").get_data(as_text=True)
    # htmx fragments and full pages are kept apart
    fragment = second.get("/notices/school", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert not fragment.lstrip().startswith("<!doctype")
    assert second.get("/notices/school").get_data(as_text=True).lstrip().startswith("<!doctype")


# --- a notice's page, signed in: statements pinned, equal at two sizes (issue 23) ---------------

NOTICE_STATEMENTS = 8 if ON_POSTGRES else 9  # SQLite also counts its BEGIN


def test_a_notice_page_costs_the_same_at_two_sizes(app, client, people):
    from portal.disclosure import rules
    from tests.disclosure import factories as df

    with app.app_context():
        s = db.session
        notice = df.published(s, title="公示NOTICE", gongshi=5, ack=True)
        rules.lodge_objection(s, df.user(s, "rep"), notice, "异议", anonymous=False)
        s.commit()
        path = f"/notices/{notice.id}"
    login_as(client, app, "staff")
    counts = []
    for extra in (45, 400):
        add_notices(app, extra)
        _get(client, path)
        with statements(app) as seen:
            _get(client, path)
        counts.append(len(seen))
    assert counts[0] == counts[1] == NOTICE_STATEMENTS, counts
