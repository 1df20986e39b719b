"""Attachments on disk: checked by content, stored under a random name outside static/."""
from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype

from portal.disclosure.rules import DisclosureError
from portal.i18n import N_

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


@dataclass(frozen=True)
class StoredFile:
    filename: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def clean_filename(name: str) -> str:
    """Keep the uploader's (Chinese) name for display and download, minus paths and controls."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[-200:] or N_("附件")


def check_upload(filename: str, data: bytes) -> tuple[str, str]:
    """Return (clean name, MIME type) or raise with a Chinese message."""
    name = clean_filename(filename)
    if not data:
        raise DisclosureError(N_("上传的文件是空的。"))
    if len(data) > MAX_FILE_BYTES:
        raise DisclosureError(N_("单个附件不能超过 %(mb)d MB。"), mb=MAX_FILE_BYTES // (1024 * 1024))
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in {"svg", "svgz", "html", "htm", "xhtml", "xml", "js"}:
        raise DisclosureError(N_("出于安全原因，不接受 SVG、HTML 等网页类文件。"))
    kind = filetype.guess(data)
    if kind is None or kind.extension not in ALLOWED:
        raise DisclosureError(N_("不支持该文件类型。可以上传：%(allowed)s。"), allowed=ALLOWED_HINT)
    mime, extensions = ALLOWED[kind.extension]
    if ext not in extensions:
        raise DisclosureError(N_("文件内容（%(kind)s）与扩展名“.%(ext)s”不符。"), kind=kind.extension.upper(), ext=ext)
    return name, mime


def store(upload_dir: str, filename: str, data: bytes) -> StoredFile:
    """Check and write the file; the name on disk is random, never the uploader's."""
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
    if not stored_name or not all(c in "0123456789abcdef" for c in stored_name):
        raise FileNotFoundError(stored_name)
    return Path(upload_dir) / stored_name
