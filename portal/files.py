"""Uploaded files on disk, for every feature: checked by content, stored under a random name
outside ``static/``, and the columns a table keeps about one. Imports no Flask; the web side
(storing a request's upload before the write lock, sending a file back) is in ``portal.web``."""
from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import filetype
from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.errors import DomainError
from portal.i18n import N_
from portal.timeutil import utcnow

MAX_FILE_BYTES = 10 * 1024 * 1024

# Detected type -> (MIME type, file-name extensions that may carry it).
ALLOWED = {
    "pdf": ("application/pdf", {"pdf"}),
    "jpg": ("image/jpeg", {"jpg", "jpeg"}),
    "png": ("image/png", {"png"}),
    "gif": ("image/gif", {"gif"}),
    "webp": ("image/webp", {"webp"}),
    "doc": ("application/msword", {"doc"}),
    "xls": ("application/vnd.ms-excel", {"xls"}),
    "ppt": ("application/vnd.ms-powerpoint", {"ppt"}),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {"docx"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {"xlsx"}),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", {"pptx"}),
}
ALLOWED_HINT = N_("PDF、图片（JPG、PNG、GIF、WebP）、Word、Excel、PowerPoint")
UNKNOWN_TYPE = "application/octet-stream"


class FileRefused(DomainError):
    """An upload the checks refuse (empty, too large, a web page, not what its name says)."""


@dataclass(frozen=True)
class StoredFile:
    """A file written by :func:`store`: what a table keeps about it."""

    filename: str
    stored_name: str
    content_type: str
    size: int
    sha256: str

    def columns(self) -> dict[str, str | int]:
        """The :class:`StoredFileColumns` values, for ``Model(**stored.columns(), ...)``."""
        return {"filename": self.filename, "stored_name": self.stored_name, "content_type": self.content_type,
                "size": self.size, "sha256": self.sha256}


class StoredFileColumns:
    """The columns of a table whose row is one stored file (mixed into the model)."""

    filename: Mapped[str] = mapped_column(String(200))  # as uploaded, shown and offered on download
    stored_name: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def stored_file(self) -> StoredFile:
        """The same file, to attach it again elsewhere (a new version shares it on disk)."""
        return StoredFile(self.filename, self.stored_name, self.content_type, self.size, self.sha256)


def clean_filename(name: str) -> str:
    """Keep the uploader's (Chinese) name for display and download, minus paths and controls."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[-200:] or N_("附件")


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_upload(filename: str, data: bytes) -> tuple[str, str]:
    """Return (clean name, MIME type) or raise :class:`FileRefused` with a Chinese message."""
    name = clean_filename(filename)
    if not data:
        raise FileRefused(N_("上传的文件是空的。"))
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(N_("单个附件不能超过 %(mb)d MB。"), mb=MAX_FILE_BYTES // (1024 * 1024))
    ext = _extension(name)
    if ext in {"svg", "svgz", "html", "htm", "xhtml", "xml", "js"}:
        raise FileRefused(N_("出于安全原因，不接受 SVG、HTML 等网页类文件。"))
    kind = filetype.guess(data)
    if kind is None or kind.extension not in ALLOWED:
        raise FileRefused(N_("不支持该文件类型。可以上传：%(allowed)s。"), allowed=ALLOWED_HINT)
    mime, extensions = ALLOWED[kind.extension]
    if ext not in extensions:
        raise FileRefused(N_("文件内容（%(kind)s）与扩展名“.%(ext)s”不符。"), kind=kind.extension.upper(), ext=ext)
    return name, mime


def content_type_for(filename: str) -> str:
    """The MIME type a checked file of this name has (for rows that keep no type); anything
    else is sent as opaque bytes."""
    ext = _extension(filename)
    return next((mime for mime, extensions in ALLOWED.values() if ext in extensions), UNKNOWN_TYPE)


def store(upload_dir: str, filename: str, data: bytes) -> StoredFile:
    """Check and write the file; the name on disk is random, never the uploader's.
    Slow work (hashing, fsync): call it before the request's write transaction begins."""
    name, mime = check_upload(filename, data)
    folder = Path(upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16)
    tmp = folder / (stored + ".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / stored)
    return StoredFile(name, stored, mime, len(data), hashlib.sha256(data).hexdigest())


def path_of(upload_dir: str, stored_name: str) -> Path:
    """Where a stored file is; only names :func:`store` makes (hex) are looked up."""
    if not stored_name or not all(c in "0123456789abcdef" for c in stored_name):
        raise FileNotFoundError(stored_name)
    return Path(upload_dir) / stored_name
