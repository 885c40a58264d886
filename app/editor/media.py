"""Article images: checked by decoding with Pillow, re-encoded (no metadata), stored locally."""

from __future__ import annotations

import io
import os
import re
import secrets
import warnings
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from app.editor.errors import EditorError
from app.editor.models import MediaFile
from app.extensions import db

# Pillow format → (extension, content type, save options)
FORMATS = {
    "PNG": ("png", "image/png", {"optimize": True}),
    "JPEG": ("jpg", "image/jpeg", {"quality": 88}),
    "GIF": ("gif", "image/gif", {}),
    "WEBP": ("webp", "image/webp", {"quality": 88}),
}
NAME_PATTERN = re.compile(r"^[0-9a-f]{32}\.(?:png|jpg|gif|webp)$")
MAX_PIXELS = 40_000_000


def media_dir() -> Path:
    """TOUCHPOINT_MEDIA_DIR (shared storage for several hosts), else instance/media."""
    configured = current_app.config["MEDIA_DIR"]
    return Path(configured) if configured else Path(current_app.instance_path) / "media"


def max_bytes() -> int:
    return current_app.config["EDITOR_MEDIA_MAX_BYTES"]


def save_new_file(folder: Path, extension: str, data: bytes) -> str:
    """Write `data` under a new random name (whole or not at all); returns the name."""
    name = f"{secrets.token_hex(16)}.{extension}"
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.part"
    partial.write_bytes(data)
    os.replace(partial, folder / name)
    return name


def _decode(data: bytes) -> Image.Image:
    """Open and fully decode; anything that is not a whole, supported image is refused."""
    refused = EditorError(_("That file is not a PNG, JPEG, GIF or WebP image."), field="file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise refused
                if probe.width * probe.height > MAX_PIXELS:
                    raise EditorError(_("That image has too many pixels."), field="file")
                probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except EditorError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        EOFError,
    ):
        raise refused from None
    return image


def _reencode(image: Image.Image) -> bytes:
    fmt = image.format
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if fmt == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    out = io.BytesIO()
    image.save(out, format=fmt, **FORMATS[fmt][2])  # a new file: no EXIF, no trailing payload
    return out.getvalue()


def store_image(
    stream: BinaryIO, filename: str, *, user_id: int | None, article_id: int | None = None
) -> MediaFile:
    """Validate, re-encode and store an upload; the caller commits."""
    limit = max_bytes()
    data = stream.read(limit + 1)
    if not data:
        raise EditorError(_("Choose an image file to upload."), field="file")
    if len(data) > limit:
        raise EditorError(
            ngettext(
                "That image is larger than %(num)d KB.",
                "That image is larger than %(num)d KB.",
                limit // 1000,
            ),
            field="file",
        )
    image = _decode(data)
    fmt = image.format
    encoded = _reencode(image)
    extension, content_type, _options = FORMATS[fmt]
    name = save_new_file(media_dir(), extension, encoded)
    media = MediaFile(
        name=name,
        original_name=os.path.basename(filename or "")[:200],
        content_type=content_type,
        size=len(encoded),
        width=image.width,
        height=image.height,
        article_id=article_id,
        uploaded_by_id=user_id,
    )
    db.session.add(media)
    return media


def find_media(name: str) -> MediaFile | None:
    if not NAME_PATTERN.match(name):
        return None
    return db.session.scalar(select(MediaFile).filter_by(name=name))


def recent_media(article_id: int | None = None, limit: int = 30) -> list[MediaFile]:
    query = select(MediaFile).order_by(MediaFile.created_at.desc(), MediaFile.id.desc())
    if article_id:
        query = query.where(MediaFile.article_id == article_id)
    return list(db.session.scalars(query.limit(limit)))


def import_image(data: bytes, filename: str) -> MediaFile:
    """Store an image read by an import once: the same picture imported again is reused."""
    encoded = _reencode(_decode(data))
    name = os.path.basename(filename or "")[:200]
    same_size = select(MediaFile).filter_by(original_name=name, size=len(encoded))
    for existing in db.session.scalars(same_size):
        stored = media_dir() / existing.name
        if stored.is_file() and stored.read_bytes() == encoded:
            return existing
    return store_image(io.BytesIO(data), filename, user_id=None)
