"""Whole-page caching of the public pages, keyed by a data version.

Anonymous readers all see the same public notices, so the home page, the channel lists,
search results and feeds are rendered once per *data version* and served from memory
(per worker) until the data changes. The data version is the head of the audit chain:
every state change goes through a rule function that appends to it, so a publish,
withdrawal or correction changes the key and shows on the next request. The key also
holds the URL, the language, page-or-fragment, and the current minute (pages that show
公示 countdowns move on within a minute).

What is never cached: a response that is not 200, a request that carries flashed messages.
Each page carries its visitor's own CSRF token: it is cut out of the cached copy and the
current visitor's put back in.

Signed-in readers (``reader_page``): the pages staff open most are kept per worker *for each
reader*, keyed by the reader's id, the URL, language, page-or-fragment, the minute and the
reader data version (the audit head and the count of anonymous acts waiting to join it, see
``audit.rules.data_version``). What a reader may see follows dated memberships, roles and
accounts, which change only through rules that append to the audit chain, so a revoked seat
or role moves the version and the next request renders afresh (and asks permissions again);
a seat that ends at midnight turns with the minute. The user is checked on every request
before any cache is asked (a deactivated account or a signed-out session is refused), from
the worker's copy of its row at the same version (``web.load_user``).
"""
from __future__ import annotations

import hashlib
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from portal.audit.rules import chain_head
from portal.extensions import db

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
PLACEHOLDER = "\x1fcsrf-token\x1f"  # a control character: never in a rendered page


def init_app(app: Flask) -> None:
    # Off in tests unless a test asks for it: tests write rows directly, outside the rules.
    app.config.setdefault("PAGE_CACHE", os.environ.get("PAGE_CACHE", "1") == "1" and not app.config.get("TESTING"))
    app.config.setdefault("PAGE_CACHE_ENTRIES", 256)
    app.config.setdefault("READER_CACHE_ENTRIES", 512)  # pages of 2–40 KB: at most ~20 MB a worker
    app.extensions["page_cache"] = OrderedDict()
    app.extensions["reader_cache"] = OrderedDict()


def data_head() -> tuple[int, str]:
    """The audit chain's head (sequence number, hash), asked once per request; its
    sequence number is the data version."""
    if "data_head" not in g:
        g.data_head = chain_head(db.session)
    head: tuple[int, str] = g.data_head
    return head


def data_version() -> int:
    return data_head()[0]


def versioned(name: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per data version and worker, for small facts that every dashboard
    asks and that change only through a rule (so with the version), such as which
    evaluations are open and who has rated. Plain values only, never ORM objects. Outside a
    GET (a write may have moved the version mid-request) it simply computes."""
    if request.method != "GET":
        return compute()
    memo: OrderedDict[str, tuple[int, Any]] = current_app.extensions.setdefault("versioned", OrderedDict())
    version = data_version()
    hit = memo.get(name)
    if hit is not None and hit[0] == version:
        return cast(T, hit[1])
    value = compute()
    memo[name] = (version, value)
    memo.move_to_end(name)
    while len(memo) > current_app.config.get("VERSIONED_ENTRIES", 4096):
        memo.popitem(last=False)
    return value


def _cacheable(everyone: bool) -> bool:
    if not current_app.config["PAGE_CACHE"] or request.method != "GET":
        return False
    if "_flashes" in session:
        return False
    return everyone or not current_user.is_authenticated


Entry = tuple[bytes, int, dict[str, str], bool]  # body (CSRF token cut out), status, headers, revalidate


def _from_cache(hit: Entry) -> Response:
    body, status, headers, _revalidate = hit
    if PLACEHOLDER.encode() in body:
        body = body.replace(PLACEHOLDER.encode(), generate_csrf().encode())
    return Response(body, status, headers)


def _keep(cache: OrderedDict[tuple, Entry], key: tuple, resp: Response, limit: int,
          revalidate: bool = False) -> Entry | None:
    """Keep a rendered 200 response under ``key`` (its CSRF token cut out); None if it may not be kept."""
    if resp.status_code != 200 or resp.direct_passthrough or "_flashes" in session:
        return None
    body = resp.get_data()
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token:  # the page carries this visitor's token: keep a hole for the next one's
        body = body.replace(token.encode(), PLACEHOLDER.encode())
    headers = {k: v for k, v in resp.headers.items() if k in ("Content-Type", "Vary", "Cache-Control")}
    entry = (body, resp.status_code, headers, revalidate)
    cache[key] = entry
    while len(cache) > limit:
        cache.popitem(last=False)
    return entry


def reader_page(revalidate: bool = False) -> Callable[[F], F]:
    """Cache this view's response for each signed-in reader (see the module's docstring);
    anonymous visitors pass through (stack ``public_page`` above it for those).

    ``revalidate``: a fragment polled by htmx (the presence block) is sent with an ETag of its
    content and ``private, no-cache``, and answered 304 when the poller already holds it."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not (current_app.config["PAGE_CACHE"] and request.method == "GET" and "_flashes" not in session
                    and current_user.is_authenticated):
                return view(*args, **kwargs)
            from portal.web import is_partial, reader_version

            cache: OrderedDict[tuple, Entry] = current_app.extensions["reader_cache"]
            partial = is_partial()
            key = (current_user.id, request.full_path, str(get_locale()), partial, reader_version(),
                   int(time.time() // 60))
            hit = cache.get(key)
            if hit is not None:
                cache.move_to_end(key)
            else:
                resp = current_app.make_response(view(*args, **kwargs))
                hit = _keep(cache, key, resp, current_app.config["READER_CACHE_ENTRIES"], revalidate and partial)
                if hit is None:
                    return resp
                if not (revalidate and partial):
                    return resp
            if revalidate and partial:
                etag = hashlib.blake2b(hit[0], digest_size=12).hexdigest()
                if etag in request.if_none_match:
                    out = Response(status=304)
                else:
                    out = _from_cache(hit)
                out.set_etag(etag)
                out.headers["Cache-Control"] = "private, no-cache"
                return out
            return _from_cache(hit)

        return cast(F, wrapper)

    return decorate


def public_page(everyone: bool = False) -> Callable[[F], F]:
    """Cache this view's response for anonymous readers (``everyone``: for all readers,
    when the view shows only public data whoever asks, like the feeds)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not _cacheable(everyone):
                return view(*args, **kwargs)
            from portal.web import is_partial, reader_version

            cache: OrderedDict[tuple, Entry] = current_app.extensions["page_cache"]
            key = (request.full_path, str(get_locale()), is_partial(), data_version(), int(time.time() // 60))
            hit = cache.get(key)
            if hit is not None:
                cache.move_to_end(key)
                return _from_cache(hit)
            resp = current_app.make_response(view(*args, **kwargs))
            _keep(cache, key, resp, current_app.config["PAGE_CACHE_ENTRIES"])
            return resp

        return cast(F, wrapper)

    return decorate
