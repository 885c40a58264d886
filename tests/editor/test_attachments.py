"""Article attachments: typed by content, limited in size, listed under the article, served as
downloads with safe headers, removed one by one or with their article."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from app.editor.attachments import attachment_dir, download_name
from app.editor.file_types import sniff
from app.editor.models import Attachment
from app.extensions import db
from tests.conftest import csrf_token_from
from tests.editor.conftest import article

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def office_file(folder: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<doc/>")
    return out.getvalue()


def test_the_type_comes_from_the_content_not_the_name():
    assert sniff(PDF, "invoice.txt").key == "pdf"
    assert sniff(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "a.pdf").key == "png"
    assert sniff(office_file("word"), "letter.zip").key == "docx"
    assert sniff(office_file("xl"), "sheet").key == "xlsx"
    assert sniff(office_file("misc"), "bundle.docx").key == "zip"
    assert sniff(b"PK\x03\x04 truncated", "broken.zip") is None
    assert sniff("名前,金額\n請求書,100\n".encode(), "table.CSV").key == "csv"
    assert sniff("مرحبا\n".encode(), "note").key == "txt"
    assert sniff(EXE, "invoice.pdf") is None
    assert sniff(b"\xff\xfe\x00\x00binary", "x.txt") is None


def test_download_names_keep_the_upload_name_with_the_true_extension():
    pdf = sniff(PDF)
    assert download_name("C:\\Users\\me\\Rechnung März.PDF", pdf) == "Rechnung März.pdf"
    assert download_name("invoice\u202efdp.exe", pdf) == "invoicefdp.pdf"  # no RTL override
    assert download_name("../../", pdf) == "attachment.pdf"


def upload(client, article_id: int, data: bytes, filename: str, token: str | None = None):
    page = f"/editor/articles/{article_id}/attachments"
    token = token or csrf_token_from(client.get(page).text)
    return client.post(
        page,
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def stored_files(app) -> list[Path]:
    with app.test_request_context():
        folder = attachment_dir()
    return sorted(folder.iterdir()) if folder.exists() else []


def test_an_attached_file_is_listed_under_the_article_and_downloads_safely(editor_client, demo_app):
    target = article("ar", "reset-your-password")
    response = upload(editor_client, target.id, PDF, "دليل الاستخدام.pdf")
    assert response.status_code == 303
    [stored] = db.session.query(Attachment).all()
    assert stored.original_name == "دليل الاستخدام.pdf" and stored.kind == "pdf"
    listing = editor_client.get(f"/editor/articles/{target.id}/attachments").text
    assert "دليل الاستخدام.pdf" in listing and "PDF document" in listing
    reader = demo_app.test_client()
    page = reader.get("/ar/articles/reset-your-password").text
    assert 'class="attachments"' in page and "دليل الاستخدام.pdf" in page
    assert "مستند PDF" in page and "1 كيلوبايت" in page  # type and size in the page's language
    url = f"/attachments/{stored.id}/{stored.name}"
    download = reader.get(url)
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    download.close()
    assert reader.get(f"/attachments/{stored.id}/{'0' * 32}.pdf").status_code == 404
    assert reader.get(f"/attachments/{stored.id}/../../secret").status_code == 404


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (EXE, "invoice.pdf", "Attach one of these types of file"),
        (b"", "empty.pdf", "Choose a file to attach"),
        (PDF + b"x" * 3000, "big.pdf", "That file is larger than 2 KB"),
    ],
)
def test_files_of_the_wrong_type_or_size_are_refused(
    editor_client, demo_app, data, filename, message
):
    demo_app.config["EDITOR_ATTACHMENT_MAX_BYTES"] = 2000
    response = upload(editor_client, article().id, data, filename)
    assert response.status_code == 400 and message in response.text
    assert db.session.query(Attachment).count() == 0 and stored_files(demo_app) == []


def test_the_accepted_types_are_a_setting(editor_client, demo_app):
    demo_app.config["EDITOR_ATTACHMENT_TYPES"] = ("pdf",)
    refused = upload(editor_client, article().id, office_file("xl"), "sheet.xlsx")
    assert refused.status_code == 400 and "PDF document." in refused.text
    assert upload(editor_client, article().id, PDF, "ok.pdf").status_code == 303


def test_a_drafts_files_are_for_editors_only_and_need_a_token(editor_client, demo_app):
    target = article()
    target.status = "draft"
    db.session.commit()
    assert upload(editor_client, target.id, PDF, "x.pdf", token="bad").status_code == 400
    assert upload(editor_client, target.id, PDF, "draft.pdf").status_code == 303
    [stored] = db.session.query(Attachment).all()
    url = f"/attachments/{stored.id}/{stored.name}"
    assert demo_app.test_client().get(url).status_code == 404
    seen = editor_client.get(url)
    assert seen.status_code == 200 and seen.headers["Cache-Control"] == "private, no-store"
    seen.close()


def test_files_leave_with_their_row_or_their_article(editor_client, demo_app):
    first, second = article("en"), article("ja")
    upload(editor_client, first.id, PDF, "one.pdf")
    upload(editor_client, second.id, PDF, "two.pdf")
    assert len(stored_files(demo_app)) == 2
    one = db.session.query(Attachment).filter_by(article_id=first.id).one()
    page = f"/editor/articles/{first.id}/attachments"
    removed = editor_client.post(
        f"{page}/{one.id}/remove",
        data={"csrf_token": csrf_token_from(editor_client.get(page).text)},
    )
    assert removed.status_code == 303
    assert [p.name for p in stored_files(demo_app)] == [db.session.query(Attachment).one().name]
    db.session.delete(article("ja"))
    db.session.commit()
    assert db.session.query(Attachment).count() == 0 and stored_files(demo_app) == []


def test_a_reader_with_a_session_sees_files_come_and_go_at_once(editor_client, demo_app):
    target = article("en", "reset-your-password")
    page = "/en/articles/reset-your-password"
    assert 'class="attachments"' not in editor_client.get(page).text  # kept by the worker
    upload(editor_client, target.id, PDF, "setup-guide.pdf")
    assert "setup-guide.pdf" in editor_client.get(page).text
    stored = db.session.query(Attachment).one()
    listing = f"/editor/articles/{target.id}/attachments"
    editor_client.post(
        f"{listing}/{stored.id}/remove",
        data={"csrf_token": csrf_token_from(editor_client.get(listing).text)},
    )
    assert 'class="attachments"' not in editor_client.get(page).text
