"""The board poll's shortcut: an unchanged board's poll answered 304 before Flask.

Hundreds of screens poll every 30 s and nearly every poll finds nothing changed. Going
through Flask for it (request and app contexts, the session cookie, the readiness and session
hooks, the security-header hook asking who is signed in, the ORM session) costs more than
the answer. This WSGI layer answers such a poll itself when everything it needs is already
held by the worker, and otherwise hands the request to Flask unchanged:

* the board's settings and the 公示 boundaries, kept per worker and data version by the
  screen view (``pagecache.versioned``): a changed or removed board, or a new address, moves
  the data version (each is a rule with an audit event), so the entry no longer matches and
  Flask answers (the old address's 404 included);
* the current data version, asked of the database (one Core query, no ORM session);
* the headers of a 304 that Flask itself sent for a board poll (security headers and all),
  so the shortcut's answer is the view's answer byte for byte but for the ETag.

Only a plain htmx poll qualifies: GET, ``HX-Request``, not boosted or a history restore, an
``If-None-Match``, no cookie, an app that is ready. The poll still counts as the screen's
report (``screen.keep_report``); when the reports are due to be written it writes them in an
app context of its own.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from sqlalchemy import select
from werkzeug.http import parse_etags, quote_etag

from portal.audit.models import AuditEvent
from portal.boards import queries, rules
from portal.boards.views import screen
from portal.extensions import db, write_intent
from portal.web import begin_write

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
POLL = re.compile(r"/boards/([A-Za-z0-9_-]{16,64})")
HEAD_SEQ = select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)  # pagecache.data_version's figure


class PollShortcut:
    """WSGI middleware in front of the Flask app (installed by ``portal.boards.init_app``)."""

    def __init__(self, app: Flask, wsgi_app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.headers: list[tuple[str, str]] | None = None  # a 304 from the view, without its ETag
        self.head_sql: tuple[str, str] | None = None  # (dialect, the statement)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        token = self._poll_token(environ)
        if token is None:
            return self.wsgi_app(environ, start_response)
        tag = self._unchanged(environ, token) if self.headers is not None else None
        if tag is None:
            return self.wsgi_app(environ, self._learning(start_response))
        start_response("304 NOT MODIFIED", [*(self.headers or []), ("ETag", quote_etag(tag))])
        return []

    @staticmethod
    def _poll_token(environ: dict[str, Any]) -> str | None:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_HX_REQUEST") != "true" \
                or "HTTP_IF_NONE_MATCH" not in environ or "HTTP_COOKIE" in environ \
                or environ.get("HTTP_HX_BOOSTED") or environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST"):
            return None
        found = POLL.fullmatch(environ.get("PATH_INFO", ""))
        return found.group(1) if found else None

    def _unchanged(self, environ: dict[str, Any], token: str) -> str | None:
        """The deck's ETag when the poll's If-None-Match holds it and the worker knows the board
        at the current data version (the poll then reported); None to let Flask answer."""
        app = self.app
        memo = app.extensions.get("versioned")
        if not app.extensions.get("ready") or memo is None:
            return None
        now = screen.utcnow()  # the view's clock (a test may fix it there)
        held, (bounds_name, _hour) = memo.get(screen.board_memo(token)), screen.bounds_memo(now)
        bounds = memo.get(bounds_name)
        if held is None or held[1] is None or bounds is None:
            return None
        version = self._data_version()
        if version is None or held[0] != version or bounds[0] != version:
            return None
        board: queries.BoardKey = held[1]
        tag, _quiet = screen.deck_etag(board, version, now, bounds[1])
        if not parse_etags(environ["HTTP_IF_NONE_MATCH"]).contains(tag):
            return None
        shown = parse_qs(environ.get("QUERY_STRING", "")).get("shown", [""])[0]
        if shown:
            due = screen.keep_report(app, board.id, shown, now)
            if due:
                self._write(due)
        return tag

    def _data_version(self) -> int | None:
        """The audit head's sequence number, on a pooled DB-API connection: a single SELECT
        needs no transaction of its own (SQLite autocommits it; PostgreSQL's is rolled back
        when the pool takes the connection back). None when the database does not answer."""
        engine = db.engine
        if self.head_sql is None or self.head_sql[0] != engine.dialect.name:
            compiled = HEAD_SEQ.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
            self.head_sql = (engine.dialect.name, str(compiled))
        try:
            conn = engine.raw_connection()
            try:
                cursor = conn.cursor()
                cursor.execute(self.head_sql[1])
                row = cursor.fetchone()
                cursor.close()
            finally:
                conn.close()
        except Exception:  # noqa: BLE001 - Flask answers, with its own error handling
            return None
        return int(row[0]) if row else 0

    def _write(self, due: list[rules.Report]) -> None:
        """The reports this worker held, in one statement, as the view writes them."""
        reset = write_intent.set(False)  # begin_write sets it for this write only
        try:
            with self.app.app_context():
                begin_write()
                rules.record_seen(db.session, due)
                db.session.commit()
        except Exception:  # noqa: BLE001 - a minute of "last seen" lost; the screen still gets its 304
            log.warning("writing the boards' reports failed", exc_info=True)
        finally:
            write_intent.reset(reset)

    def _learning(self, start_response: StartResponse) -> StartResponse:
        """Keep the headers of the view's 304 for a board poll: the shortcut's answers carry
        the same (never a cookie)."""
        def start(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            if status.startswith("304") and self.headers is None:
                self.headers = [(k, v) for k, v in headers if k.lower() not in ("etag", "set-cookie", "content-length")]
            return start_response(status, headers, *args)

        return start
