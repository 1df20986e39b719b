"""Getting responses to the browser cheaply: gzip and long-lived caching of static files.

* ``url_for('static', filename=...)`` gets ``?v=<content hash>``; a static request with the
  current hash is cached for a year as immutable, so a returning visitor's page view costs
  one request. A changed file gets a new hash, hence a new URL.
* Text responses (HTML, CSS, JS, Atom, JSON, SVG) above ``COMPRESS_MIN_BYTES`` are gzipped
  when the client accepts it (``COMPRESS_RESPONSES``; switch it off when the reverse proxy
  compresses). Static files are compressed once per content and kept in memory.
"""
from __future__ import annotations

import gzip
import hashlib
import os
from typing import Any

from flask import Flask, Response, request

COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
    "application/atom+xml", "application/xml", "application/json", "image/svg+xml",
})
YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    """Register before ``web.init_app`` so this after-request hook runs last (it compresses)."""
    app.config.setdefault("COMPRESS_RESPONSES", True)
    app.config.setdefault("COMPRESS_MIN_BYTES", 1024)
    app.config.setdefault("COMPRESS_LEVEL", 6)
    static_folder = app.static_folder or ""
    versions: dict[str, tuple[float, str]] = {}
    compressed: dict[tuple[str, str], bytes] = {}

    def version_of(filename: str) -> str | None:
        path = os.path.join(static_folder, filename)
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return None
        cached = versions.get(filename)
        if cached is None or cached[0] != mtime:
            with open(path, "rb") as fh:
                cached = (mtime, hashlib.sha256(fh.read()).hexdigest()[:12])
            versions[filename] = cached
        return cached[1]

    @app.url_defaults
    def _static_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = version_of(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _deliver(resp: Response) -> Response:
        if request.endpoint == "static" and resp.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            if request.args.get("v") and request.args.get("v") == version_of(filename):
                resp.cache_control.no_cache = None
                resp.cache_control.public = True
                resp.cache_control.max_age = YEAR
                resp.cache_control.immutable = True
        if app.config["COMPRESS_RESPONSES"]:
            _compress(app, resp, compressed)
        return resp


def _compress(app: Flask, resp: Response, static_cache: dict[tuple[str, str], bytes]) -> None:
    if resp.status_code != 200 or "Content-Encoding" in resp.headers or resp.mimetype not in COMPRESSIBLE:
        return
    resp.vary.add("Accept-Encoding")
    if not request.accept_encodings.quality("gzip"):
        return
    if request.endpoint == "static":
        key = (request.path, resp.get_etag()[0] or "")
        body = static_cache.get(key)
        if body is not None and hasattr(resp.response, "close"):
            resp.response.close()  # the open file is not needed: its gzip is in memory
        if body is None:
            resp.direct_passthrough = False
            raw = resp.get_data()
            if len(raw) < app.config["COMPRESS_MIN_BYTES"]:
                return
            body = static_cache[key] = gzip.compress(raw, app.config["COMPRESS_LEVEL"], mtime=0)
    else:
        if resp.direct_passthrough or resp.is_streamed:
            return
        raw = resp.get_data()
        if len(raw) < app.config["COMPRESS_MIN_BYTES"]:
            return
        body = gzip.compress(raw, app.config["COMPRESS_LEVEL"], mtime=0)
    resp.direct_passthrough = False
    resp.set_data(body)
    resp.headers["Content-Encoding"] = "gzip"
    etag, weak = resp.get_etag()
    if etag and not weak:  # another byte sequence: the strong validator no longer applies
        resp.set_etag(etag, weak=True)
