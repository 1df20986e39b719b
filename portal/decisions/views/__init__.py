"""Decision pages. The blueprint lives here; each sub-area's routes are a module below,
imported at the end so every module can import ``bp`` from this package without a cycle."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app
from werkzeug.datastructures import FileStorage

from portal.extensions import db

bp = Blueprint("decisions", __name__)


def get_or_404(model: Any, obj_id: int) -> Any:
    return db.session.get(model, obj_id) or abort(404)


def stored_attachment(upload: FileStorage | None) -> tuple[str, str, str] | None:
    """Store an uploaded file (checked by content, random name) and return (name, stored, sha256);
    None when no file was chosen. Raises the disclosure rules' error for a refused file."""
    if upload is None or not getattr(upload, "filename", ""):
        return None
    from portal.disclosure.files import store

    stored = store(current_app.config["UPLOAD_DIR"], upload.filename or "", upload.read())
    return stored.filename, stored.stored_name, stored.sha256


from portal.decisions.views import congress_report, items, meetings, procedure, resolutions, tracker  # noqa: E402,F401
