"""Imported documentation and callouts in a real browser: axe-clean, titled in the page's
language, and laid out right to left in Arabic (the callout's bar on the right)."""

import threading
from importlib.resources import files
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from app.extensions import db
from tests.browser.conftest import QuietHandler
from tests.browser.test_accessibility import assert_no_axe_violations, expect_language
from tests.conftest import make_app
from tests.kb.test_docs_corpus import CORPUS

# (locale, path, callout kind, its title in that language)
CALLOUT_PAGES = [
    ("ar", "/ar/articles/locked-out-of-account", "warning", "تحذير"),
    ("ja", "/ja/articles/locked-out-of-account", "warning", "警告"),
    ("ja", "/ja/articles/usage-reports", "note", "メモ"),
    ("en", "/en/articles/troubleshoot-confluence-onpremises-connector", "note", "Note"),
]


@pytest.fixture(scope="module")
def axe_source() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def docs_server(demo_db_file, tmp_path_factory):
    """The demo content plus the docs-msearch corpus (en + ja), served on a free port."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    folder = tmp_path_factory.mktemp("docs-live")
    db_path = folder / "live.sqlite3"
    db_path.write_bytes(Path(demo_db_file).read_bytes())
    app = make_app(folder, f"sqlite:///{db_path}")
    result = app.test_cli_runner().invoke(args=["content", "import-docs", str(CORPUS)])
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="docs-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


def callout_bar_side(page: Page, kind: str) -> str:
    """Which side the callout's coloured bar is drawn on."""
    widths = page.locator(f".admonition.{kind}").first.evaluate(
        "el => [getComputedStyle(el).borderLeftWidth, getComputedStyle(el).borderRightWidth]"
    )
    return {("4px", "0px"): "left", ("0px", "4px"): "right"}.get(tuple(widths), str(widths))


@pytest.mark.slow
@pytest.mark.parametrize(("locale", "path", "kind", "title"), CALLOUT_PAGES)
def test_callouts_read_in_the_page_language_and_pages_pass_axe(
    new_page, docs_server, axe_source, screenshot, locale, path, kind, title
):
    page = new_page(locale={"en": "en-US", "ja": "ja-JP", "ar": "ar"}[locale])
    response = page.goto(docs_server + path)
    assert response is not None and response.status == 200
    expect_language(page, locale)
    callout = page.locator(f".admonition.{kind}").first
    expect(callout.locator(".admonition-title")).to_have_text(title)
    assert callout_bar_side(page, kind) == ("right" if locale == "ar" else "left")
    callout.scroll_into_view_if_needed()
    screenshot(page, f"docs-callout-{locale}-{path.rsplit('/', 1)[-1]}")
    assert_no_axe_violations(page, axe_source, f"{path} ({locale})")
