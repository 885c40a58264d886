"""What an uploaded attachment is, read from its bytes (magic numbers, a ZIP's members,
text that decodes), never from its name or the browser's claim."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class FileType:
    key: str
    label: object  # a lazy string: "PDF document"
    content_type: str
    extension: str


TYPES = {
    t.key: t
    for t in (
        FileType("pdf", _l("PDF document"), "application/pdf", "pdf"),
        FileType("png", _l("PNG image"), "image/png", "png"),
        FileType("jpeg", _l("JPEG image"), "image/jpeg", "jpg"),
        FileType("gif", _l("GIF image"), "image/gif", "gif"),
        FileType("webp", _l("WebP image"), "image/webp", "webp"),
        FileType(
            "docx",
            _l("Word document"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        FileType(
            "xlsx",
            _l("Excel spreadsheet"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        FileType(
            "pptx",
            _l("PowerPoint presentation"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
        ),
        FileType("zip", _l("ZIP archive"), "application/zip", "zip"),
        FileType("csv", _l("CSV table"), "text/csv; charset=utf-8", "csv"),
        FileType("txt", _l("Text file"), "text/plain; charset=utf-8", "txt"),
    )
}
_OFFICE = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
_TEXT_CONTROLS = set("\t\n\r\f")


def _zip_kind(data: bytes) -> str | None:
    """ "zip", or the Office format a ZIP holds; None for a damaged archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "[Content_Types].xml" in names:
        for prefix, kind in _OFFICE.items():
            if any(name.startswith(prefix) for name in names):
                return kind
    return "zip"


def _is_text(data: bytes) -> bool:
    """UTF-8 text with no NUL or other control characters (an executable is not)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(ch) < 32 and ch not in _TEXT_CONTROLS for ch in text)


def sniff(data: bytes, filename: str = "") -> FileType | None:
    """The type of `data` by its content; None when it is none we know."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith((b"GIF87a", b"GIF89a")):
        kind = "gif"
    elif head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        kind = "webp"
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
    elif _is_text(data):
        kind = "csv" if filename.lower().endswith(".csv") else "txt"
    else:
        kind = None
    return TYPES.get(kind) if kind else None
