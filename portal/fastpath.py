"""The cached-page fast path: a page already in the page caches, served before Flask.

A hit in ``pagecache.public_page`` / ``reader_page`` still paid the whole Flask request: the
request and app contexts, the session cookie, Flask-Login, the request hooks, the data version
through the ORM, the CSRF token, the locale, the after-request hooks. This WSGI layer answers a
GET itself when the page caches already hold the answer the view would give, and otherwise
hands the request to Flask unchanged. It checks exactly what the cache keys and the request
hooks depend on:

* the data version and the audit head, in one prepared query on a pooled DB-API connection
  (``audit.rules.data_version``'s statement);
* who asks: no cookie, or a session cookie verified as Flask verifies it (signature and age).
  A session with flashed messages, a remember cookie, a session that has expired: Flask
  answers. What Flask would change in a session the fast path changes the same way and writes
  the cookie as Flask would: the "last seen" stamp, moved on at most once a minute
  (``web.session_expired``), and Flask-Login's "not fresh" mark (basic session protection);
* a signed-in reader only from the worker's copy of the user row at the current reader version
  (``web._reader``): missing, another version, deactivated, another session version (signed
  out, "end all sessions", password changed or reset), a password to change, an inspector's
  account (its views are recorded and confined): Flask answers;
* the locale (the account's, else the ``lang`` cookie, else the browser's), page or fragment
  (htmx headers), the minute, the URL: the cache's own key;
* the visitor's CSRF token put into the page (the session's, signed as Flask-WTF signs it); a
  visitor without a cookie gets a new session holding a new token, as Flask would give;
* ``If-None-Match`` for the polled fragments cached with ``revalidate`` and for the unread
  badge, whose validator is the reader's unread count and newest unread id (one query: the
  notifications are not audited, so the data version does not cover them).

The answer carries the headers the slow path would send (``web.SECURITY_HEADERS``, Vary,
Cache-Control, gzip as ``portal.delivery`` does it); ``tests/test_reader_cache.py`` compares
the two. Off with ``PAGE_CACHE`` (tests) or ``FAST_PATH`` = False.
"""
from __future__ import annotations

import gzip
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import dump_cookie, parse_accept_header, parse_cookie, parse_etags, quote_etag

from portal.audit.rules import DATA_VERSION_STATEMENT
from portal.delivery import COMPRESSIBLE
from portal.extensions import db
from portal.notify.queries import UNREAD_STATE, badge_etag
from portal.pagecache import PLACEHOLDER
from portal.web import LOCALES, SECURITY_HEADERS, USER_COLUMNS, choose_locale, session_expired

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
BADGE = "/inbox/badge"
HEALTHZ = "/healthz"
HEALTHY = b'{"database":"ok","status":"ok"}\n'  # home.views.healthz's jsonify(status="ok", database="ok")
_COL = {name: i for i, name in enumerate(USER_COLUMNS)}
LOCALE_NAMES = {code: str(locale) for code, locale in LOCALES.items()}


class Declined(Exception):
    """Flask answers this request."""


class FastPath:
    """WSGI middleware in front of the app (installed last by ``create_app``: outermost)."""

    def __init__(self, app: Flask, wsgi_app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.sql: dict[str, tuple[str, Any]] = {}
        self._serializer: Any = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        app = self.app
        if environ.get("REQUEST_METHOD") != "GET" or not app.config["PAGE_CACHE"] \
                or not app.config.get("FAST_PATH", True) or not app.extensions.get("ready"):
            return self.wsgi_app(environ, start_response)
        try:
            answer = self._answer(environ)
        except Declined:
            return self.wsgi_app(environ, start_response)
        except Exception:  # noqa: BLE001 - Flask answers, with its own error handling
            log.warning("fast path failed; Flask answers", exc_info=True)
            return self.wsgi_app(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body] if body else []

    # --- who asks ------------------------------------------------------------------

    def serializer(self) -> Any:
        if self._serializer is None:
            self._serializer = self.app.session_interface.get_signing_serializer(self.app)  # type: ignore[attr-defined]
        return self._serializer

    def _session(self, cookies: dict[str, str]) -> dict[str, Any] | None:
        """The verified session of the cookie, None without one; Declined when Flask must see it."""
        app = self.app
        name = app.config["SESSION_COOKIE_NAME"]
        if app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
            raise Declined
        value = cookies.get(name)
        if value is None:
            return None
        try:
            data = self.serializer().loads(value, max_age=int(app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            raise Declined from None
        if not isinstance(data, dict) or "_flashes" in data or data.get("_permanent"):
            raise Declined
        return data

    def _mark_not_fresh(self, environ: dict[str, Any], session: dict[str, Any]) -> bool:
        """As Flask-Login's basic session protection: a session (not empty) whose address or
        browser is not the one it was made for is marked not fresh. True when it was marked
        (the cookie is written again)."""
        if session.get("_fresh") is False or not session:
            return False
        if self.app.config["PROXY_COUNT"]:
            raise Declined  # the address is ProxyFix's, behind this layer
        address = environ.get("HTTP_X_FORWARDED_FOR", environ.get("REMOTE_ADDR"))
        addr = address.encode("utf-8").split(b",")[0].strip() if address is not None else None
        agent = environ.get("HTTP_USER_AGENT")
        base = f"{addr}|{agent.encode('utf-8') if agent is not None else None}"
        if hashlib.sha512(base.encode("utf8")).hexdigest() == session.get("_id"):
            return False
        session["_fresh"] = False
        return True

    def _user(self, session: dict[str, Any], version: tuple[int, int]) -> tuple[tuple[Any, ...], bool]:
        """The reader's row from the worker's copy at this version, when Flask would serve them as
        they are (``web.load_user`` and ``web.check_session``), and whether the session's "last
        seen" stamp was moved on (``web.session_expired`` does it at most once a minute)."""
        try:
            user_id, session_version = (int(p) for p in str(session["_user_id"]).split(":", 1))
        except (KeyError, ValueError):
            raise Declined from None
        hit = self.app.extensions["user_cache"].get(user_id)
        if hit is None or hit[0] != version:
            raise Declined
        _version, values, roles = hit
        if not values[_COL["active"]] or values[_COL["session_version"]] != session_version \
                or values[_COL["must_change_password"]] or "inspector" in roles:
            raise Declined
        seen_at = session.get("seen_at")
        if session_expired(session, self.app.config):
            raise Declined  # expired or idle too long: Flask signs out and says so
        return values, session.get("seen_at") != seen_at

    # --- the answer ----------------------------------------------------------------

    def _answer(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        app = self.app
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/") or not path.isascii() or path.startswith("/static/"):
            raise Declined
        query = environ.get("QUERY_STRING", "")
        if not query.isascii():
            raise Declined
        full_path = f"{path}?{query}"
        if path == HEALTHZ and not query and "HTTP_COOKIE" not in environ:
            return self._healthz()
        cookies = parse_cookie(environ) if "HTTP_COOKIE" in environ else {}
        session = self._session(cookies)
        signed_in = session is not None and "_user_id" in session
        rewrite = session is not None and self._mark_not_fresh(environ, session)
        version = self._data_version()
        values = None
        if signed_in:
            assert session is not None
            values, seen = self._user(session, version)
            rewrite = rewrite or seen
        hx = environ.get("HTTP_HX_REQUEST", "").lower() == "true"
        partial = hx and environ.get("HTTP_HX_BOOSTED", "").lower() != "true" \
            and environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST", "").lower() != "true"
        if values is not None and path == BADGE and not query:
            return self._badge(environ, values, self._cookie(session) if rewrite else None)
        locale = LOCALE_NAMES[choose_locale(  # as the cache keys hold it: str(get_locale())
            values[_COL["locale"]] if values is not None else None, cookies.get("lang"),
            parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept))]
        minute = int(time.time() // 60)
        if values is not None:
            cache = app.extensions["reader_cache"]
            key: tuple = (values[_COL["id"]], full_path, locale, partial, version, minute)
        else:
            cache = app.extensions["page_cache"]
            key = (full_path, locale, partial, version[0], minute)
        hit = cache.get(key)
        if hit is None:
            raise Declined
        try:
            cache.move_to_end(key)
        except KeyError:  # another thread dropped it meanwhile: the entry in hand is still good
            pass
        body, status, kept, revalidate = hit
        headers = [(k, v) for k, v in kept.items() if k != "Vary"]
        vary = [v.strip() for v in kept.get("Vary", "").split(",") if v.strip()]
        if PLACEHOLDER.encode() in body:
            session, token, changed = self._csrf(session)
            rewrite = rewrite or changed
            body = body.replace(PLACEHOLDER.encode(), token.encode())
        set_cookie = self._cookie(session) if rewrite and session is not None else None
        etag = None
        if revalidate and partial:  # pagecache.reader_page(revalidate=True)
            etag = hashlib.blake2b(hit[0], digest_size=12).hexdigest()
            headers = [(k, v) for k, v in headers if k != "Cache-Control"] + [("Cache-Control", "private, no-cache")]
            if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains(etag):
                # as the view's bare 304: no body, no type, varying by the cookie alone
                status, body, vary = 304, b"", []
                headers = [("Cache-Control", "private, no-cache")]
        if values is not None and dict(headers).get("Cache-Control") != "private, no-cache":
            headers = [(k, v) for k, v in headers if k != "Cache-Control"] + [("Cache-Control", "no-store")]
        headers.extend(SECURITY_HEADERS)
        if "Cookie" not in vary:
            vary.append("Cookie")
        weak = False
        content_type = dict(headers).get("Content-Type", "")
        if status == 200 and app.config["COMPRESS_RESPONSES"] and content_type.split(";")[0].strip() in COMPRESSIBLE:
            if "Accept-Encoding" not in vary:
                vary.append("Accept-Encoding")
            if parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING")).quality("gzip") and len(body) >= app.config["COMPRESS_MIN_BYTES"]:
                body = gzip.compress(body, app.config["COMPRESS_LEVEL"], mtime=0)
                headers.append(("Content-Encoding", "gzip"))
                weak = True
        if etag is not None:
            headers.append(("ETag", ("W/" if weak else "") + quote_etag(etag)))
        headers.append(("Vary", ", ".join(vary)))
        if set_cookie:
            headers.append(("Set-Cookie", set_cookie))
        if status != 304:
            headers.append(("Content-Length", str(len(body))))
        return f"{status} {'OK' if status == 200 else 'NOT MODIFIED' if status == 304 else ''}".strip(), headers, body

    def _csrf(self, session: dict[str, Any] | None) -> tuple[dict[str, Any], str, bool]:
        """The visitor's session, CSRF token as Flask-WTF signs it, and whether the session
        changed: a session without a token gets one, as Flask-WTF gives it (a visitor without a
        cookie, a session just signed in), and its cookie is written."""
        app = self.app
        field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        assert secret, "a SECRET_KEY is configured"
        changed = False
        if session is None:
            # Flask-Login would mark a new session not fresh on its next request (writing the
            # cookie once more): the mark is written at once here.
            session = {"_fresh": False}
        if field not in session:
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
            changed = True
        token = URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(session[field])
        return session, str(token), changed

    def _cookie(self, session: dict[str, Any] | None) -> str:
        """The session cookie as Flask writes it for a changed session (not permanent)."""
        app, iface = self.app, self.app.session_interface
        return dump_cookie(
            iface.get_cookie_name(app), self.serializer().dumps(session),
            domain=iface.get_cookie_domain(app), path=iface.get_cookie_path(app),
            secure=iface.get_cookie_secure(app), httponly=iface.get_cookie_httponly(app),
            samesite=iface.get_cookie_samesite(app), partitioned=iface.get_cookie_partitioned(app))

    def _badge(self, environ: dict[str, Any], values: tuple[Any, ...],
               set_cookie: str | None) -> tuple[str, list[tuple[str, str]], bytes]:
        """``notify.views.inbox.badge``'s 304, when the browser holds the current count."""
        if "HTTP_IF_NONE_MATCH" not in environ:
            raise Declined
        user_id = values[_COL["id"]]
        count, newest = self._query("unread", UNREAD_STATE, {"uid": user_id})
        etag = badge_etag(user_id, int(count or 0), int(newest or 0))
        if not parse_etags(environ["HTTP_IF_NONE_MATCH"]).contains(etag):
            raise Declined
        headers = [("ETag", quote_etag(etag)), ("Cache-Control", "private, no-cache"), *SECURITY_HEADERS, ("Vary", "Cookie")]
        if set_cookie:
            headers.append(("Set-Cookie", set_cookie))
        return "304 NOT MODIFIED", headers, b""

    def _healthz(self) -> tuple[str, list[tuple[str, str]], bytes]:
        """``home.views.healthz``'s 200 for a probe without a cookie: the database answered
        (a failure of any kind goes to Flask, which says what is wrong)."""
        if self._query("healthz", select(1), {}) != (1,):
            raise Declined
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(HEALTHY))), *SECURITY_HEADERS,
                   ("Vary", "Cookie, Accept-Encoding" if self.app.config["COMPRESS_RESPONSES"] else "Cookie")]
        return "200 OK", headers, HEALTHY

    # --- the database ----------------------------------------------------------------

    def _data_version(self) -> tuple[int, int]:
        seq, pending = self._query("version", DATA_VERSION_STATEMENT, {})
        return (seq or 0, pending or 0)

    def _query(self, name: str, statement: Any, params: dict[str, Any]) -> tuple[Any, ...]:
        """One row of a prepared statement on a pooled DB-API connection: a single SELECT needs
        no transaction of its own (SQLite autocommits it; PostgreSQL's is rolled back when the
        pool takes the connection back)."""
        engine = db.engine
        held = self.sql.get(name)
        if held is None or held[1].dialect is not engine.dialect:
            compiled = statement.compile(dialect=engine.dialect)
            held = self.sql[name] = (str(compiled), compiled)
        sql, compiled = held
        bound = compiled.construct_params(params)
        args: Any = tuple(bound[k] for k in compiled.positiontup) if compiled.positional else bound
        conn = engine.raw_connection()
        try:
            cursor = conn.cursor()
            cursor.execute(sql, args)
            row = cursor.fetchone()
            cursor.close()
        finally:
            conn.close()
        if row is None:
            raise Declined
        return tuple(row)

