"""Decision pages. The blueprint lives here; each sub-area's routes are a module below,
imported at the end so every module can import ``bp`` from this package without a cycle."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort
from werkzeug.datastructures import FileStorage

from portal.extensions import db
from portal.web import store_upload

bp = Blueprint("decisions", __name__)


def get_or_404(model: Any, obj_id: int) -> Any:
    return db.session.get(model, obj_id) or abort(404)


def stored_attachment(upload: FileStorage | None) -> tuple[str, str, str] | None:
    """Store an uploaded file (``portal.web.store_upload``: before the write lock, which it then
    takes) and return (name, stored, sha256) for the inline columns; None when no file was
    chosen. Raises ``portal.files.FileRefused`` for a refused file."""
    stored = store_upload(upload)
    return (stored.filename, stored.stored_name, stored.sha256) if stored else None


from portal.decisions.views import congress_report, items, meetings, minutes, outcomes, papers, procedure, resolutions, supervision, tracker  # noqa: E402,F401,I001
