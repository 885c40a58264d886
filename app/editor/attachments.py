"""Files attached to articles: typed by their content, limited in size, stored under
MEDIA_DIR/attachments/, listed under the article, and removed with it (or one by one)."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app, has_app_context
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.editor.drafts import one_line
from app.editor.errors import EditorError
from app.editor.file_types import TYPES, FileType, sniff
from app.editor.media import media_dir, save_new_file
from app.editor.models import Attachment
from app.extensions import db
from app.kb.models import Article
from app.kb.related import bump_content_version

REMOVE_KEY = "editor_attachment_files"  # session.info: files to delete once the commit is done


def attachment_dir() -> Path:
    return media_dir() / "attachments"


def allowed_types() -> list[FileType]:
    """EDITOR_ATTACHMENT_TYPES as file types (unknown keys are ignored)."""
    keys = current_app.config["EDITOR_ATTACHMENT_TYPES"]
    return [TYPES[key] for key in keys if key in TYPES]


def max_bytes() -> int:
    return int(current_app.config["EDITOR_ATTACHMENT_MAX_BYTES"])


def size_label(size: int) -> str:
    """A file size as readers expect it: "820 KB", "1.4 MB" (digits in the page's locale)."""
    if size < 1_000_000:
        return _("%(size)s KB", size=format_decimal(max(1, round(size / 1000))))
    return _("%(size)s MB", size=format_decimal(round(size / 1_000_000, 1)))


def download_name(filename: str, file_type: FileType) -> str:
    """The name a download is saved as: what was uploaded, with the extension of its type.

    Format characters go: a right-to-left override (U+202E) could make an ".exe" look harmless.
    """
    visible = "".join(ch for ch in filename or "" if unicodedata.category(ch) != "Cf")
    base = one_line(os.path.basename(visible.replace("\\", "/")))
    stem = base.rsplit(".", 1)[0].strip(" .") if "." in base else base.strip(" .")
    suffix = f".{file_type.extension}"
    return f"{stem[: 200 - len(suffix)] or 'attachment'}{suffix}"


def _refused() -> EditorError:
    labels = ", ".join(str(t.label) for t in allowed_types())
    return EditorError(_("Attach one of these types of file: %(types)s.", types=labels), "file")


def store_attachment(
    article: Article, stream: BinaryIO, filename: str, *, user_id: int | None
) -> Attachment:
    """Check and store an upload for `article`; the caller commits."""
    limit = max_bytes()
    data = stream.read(limit + 1)
    if not data:
        raise EditorError(_("Choose a file to attach."), field="file")
    if len(data) > limit:
        raise EditorError(
            _("That file is larger than %(size)s.", size=size_label(limit)), field="file"
        )
    file_type = sniff(data, filename)
    if file_type is None or file_type not in allowed_types():
        raise _refused()
    name = save_new_file(attachment_dir(), file_type.extension, data)
    attachment = Attachment(
        name=name,
        original_name=download_name(filename, file_type),
        kind=file_type.key,
        content_type=file_type.content_type,
        size=len(data),
        article_id=article.id,
        uploaded_by_id=user_id,
    )
    db.session.add(attachment)
    _remove_if_rolled_back(db.session, name)
    bump_content_version(db.session)  # the article's cached pages list its files
    return attachment


def attachments_of(article_id: int) -> list[Attachment]:
    query = select(Attachment).where(Attachment.article_id == article_id)
    return list(db.session.scalars(query.order_by(Attachment.created_at, Attachment.id)))


def find_attachment(attachment_id: int, name: str) -> Attachment | None:
    attachment = db.session.get(Attachment, attachment_id)
    return attachment if attachment is not None and attachment.name == name else None


def file_type_of(attachment: Attachment) -> FileType | None:
    return TYPES.get(attachment.kind)


def delete_attachment(attachment: Attachment) -> None:
    """Remove the row now and the file after the commit; the caller commits."""
    db.session.delete(attachment)
    _remove_after_commit(db.session, attachment.name)
    bump_content_version(db.session)


# --- files follow the rows: removed after the commit that deletes them ----------------------


def _remove_after_commit(session: Session, name: str) -> None:
    session.info.setdefault(REMOVE_KEY, {"commit": set(), "rollback": set()})["commit"].add(name)


def _remove_if_rolled_back(session: Session, name: str) -> None:
    session.info.setdefault(REMOVE_KEY, {"commit": set(), "rollback": set()})["rollback"].add(name)


def _delete_files(names: set[str]) -> None:
    if not has_app_context():
        return
    folder = attachment_dir()
    for name in names:
        (folder / name).unlink(missing_ok=True)


def _with_deleted_articles(session: Session, flush_context, instances) -> None:
    """before_flush: an article deleted takes its attachments along (SQLite has no cascade)."""
    gone = [obj.id for obj in session.deleted if isinstance(obj, Article) and obj.id]
    if not gone:
        return
    for attachment in session.scalars(select(Attachment).where(Attachment.article_id.in_(gone))):
        session.delete(attachment)
        _remove_after_commit(session, attachment.name)


def _after_commit(session: Session) -> None:
    files = session.info.pop(REMOVE_KEY, None)
    if files and files["commit"]:
        _delete_files(files["commit"])


def _after_rollback(session: Session) -> None:
    files = session.info.pop(REMOVE_KEY, None)
    if files and files["rollback"]:
        _delete_files(files["rollback"])


def init_attachments(app: Flask) -> None:
    """Listen to the app's sessions so files leave the disk with their rows."""
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "before_flush", _with_deleted_articles):
        event.listen(session_class, "before_flush", _with_deleted_articles)
        event.listen(session_class, "after_commit", _after_commit)
        event.listen(session_class, "after_rollback", _after_rollback)
