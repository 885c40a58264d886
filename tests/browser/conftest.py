"""Browser tests: the real app on a live server, driven by Debian's Chromium through Playwright.

Every test in this folder is marked `browser`. A test fails when the page logs a console
error (a Content-Security-Policy violation is one), throws an uncaught exception, or gets a
5xx response — things a visitor would notice even when the assertions pass.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, format_date, gettext
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from app.extensions import db
from tests.conftest import make_app

BROWSER_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = BROWSER_DIR / "screenshots"
CHROMIUM = os.environ.get("TOUCHPOINT_CHROMIUM", "/usr/bin/chromium")
"""Debian's Chromium, the whole browser: the journeys marked ``full_chromium`` run in it."""
CHROMIUM_SHELL = os.environ.get("TOUCHPOINT_CHROMIUM_SHELL", "/usr/bin/chromium-headless-shell")
"""Debian's build of Chromium's headless shell (package chromium-headless-shell): the same
Blink and V8 without the desktop browser around them, what Playwright itself runs headless
tests in. The other browser tests run here: it loads and checks a page in about half the CPU
(tests/browser/test_accessibility.py's page matrix, 85.6 → 46.7 s on 2 workers). Set it to
/usr/bin/chromium to run every browser test in the whole browser."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
# The Accept-Language a visitor of each locale sends (pages without a locale in the URL negotiate).
BROWSER_LOCALES = {"en": "en-US", "ja": "ja-JP", "ar": "ar"}
ERRORS_KEY = pytest.StashKey["BrowserErrors"]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(BROWSER_DIR):
            item.add_marker(pytest.mark.browser)


@cache
def axe_source() -> str:
    """axe-core's script, as axe-playwright-python ships it."""
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@contextmanager
def launched(playwright: Playwright, executable: str) -> Iterator[Browser]:
    if not os.path.exists(executable):
        # A missing browser fails the setup, never a silent skip; `dev.py test` installs it.
        pytest.fail(f"no browser at {executable}: install chromium and chromium-headless-shell")
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """After a passing test body, fail it if the browser saw errors along the way."""
    result = yield
    errors = item.stash.get(ERRORS_KEY, None)
    if errors is not None:
        errors.check()
    return result


class QuietHandler(WSGIRequestHandler):
    """No access log lines in the test output; errors are still logged."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@dataclass
class LiveServer:
    """The app served on 127.0.0.1 from a private copy of the demo database."""

    url: str
    app: Flask
    db_path: Path

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the live database directly, as a check independent of the app's code."""
        with closing(sqlite3.connect(self.db_path)) as connection:
            return connection.execute(sql, params).fetchall()

    def gettext(self, locale: str, message: str, **variables: Any) -> str:
        """A UI string as the app shows it in `locale` (English while untranslated)."""
        with self.app.test_request_context(), force_locale(locale):
            return gettext(message, **variables)

    def format_date(self, locale: str, value: datetime) -> str:
        with self.app.test_request_context(), force_locale(locale):
            return format_date(value, "medium")


@pytest.fixture(scope="session")
def live_server(
    demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with serve_copy(demo_db_file, tmp_path_factory.mktemp("live")) as server:
        yield server


def closing_before_sending(app: Flask):
    """The app's answer read and closed before the server writes it.

    Werkzeug's development server skips closing a response (an open static file) when the
    browser drops the connection while it drains the request, and the file's
    ResourceWarning then fails whichever test is running when it is collected.
    """

    def wsgi(environ: dict, start_response):
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            if hasattr(answer, "close"):
                answer.close()

    return wsgi


@contextmanager
def serve_copy(db_file: Path, folder: Path) -> Iterator[LiveServer]:
    """Serve the app on 127.0.0.1 from a copy of the SQLite file `db_file` in `folder`."""
    db_path = folder / "live.sqlite3"
    db_path.write_bytes(db_file.read_bytes())
    app = make_app(folder, f"sqlite:///{db_path}")
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, closing_before_sending(app), threaded=True, request_handler=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, db_path)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()


@pytest.fixture(scope="session")
def shell_browser(playwright: Playwright, live_server: LiveServer) -> Iterator[Browser]:
    # Depends on live_server so the browser closes its connections before the server stops.
    with launched(playwright, CHROMIUM_SHELL) as browser:
        yield browser


@pytest.fixture(scope="session")
def full_chromium(playwright: Playwright, live_server: LiveServer) -> Iterator[Browser]:
    with launched(playwright, CHROMIUM) as browser:
        yield browser


@pytest.fixture
def browser(request: pytest.FixtureRequest) -> Browser:
    """The whole Chromium for a test marked ``full_chromium``, else its headless shell."""
    whole = request.node.get_closest_marker("full_chromium") is not None
    return request.getfixturevalue("full_chromium" if whole else "shell_browser")


@dataclass
class BrowserErrors:
    """Console errors, uncaught exceptions and 5xx responses seen during one test."""

    seen: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Expect console errors matching `pattern` (e.g. the 404 a 404 page itself logs)."""
        self.allowed.append(re.compile(pattern))

    def watch(self, context: BrowserContext) -> None:
        context.on("console", self._on_console)
        context.on("weberror", self._on_weberror)
        context.on("response", self._on_response)

    def _on_weberror(self, error) -> None:
        self.seen.append(f"page error: {error.error}")

    def _on_console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.seen.append(f"console error: {message.text} ({where})")

    def _on_response(self, response) -> None:
        if response.status >= 500:
            self.seen.append(
                f"HTTP {response.status} from {response.request.method} {response.url}"
            )

    def unexpected(self) -> list[str]:
        return [line for line in self.seen if not any(p.search(line) for p in self.allowed)]

    def check(self) -> None:
        unexpected = self.unexpected()
        if unexpected:
            pytest.fail("the browser reported errors:\n  " + "\n  ".join(unexpected))


@pytest.fixture
def browser_errors(request: pytest.FixtureRequest) -> BrowserErrors:
    errors = BrowserErrors()
    request.node.stash[ERRORS_KEY] = errors
    return errors


@pytest.fixture
def new_page(
    browser: Browser, live_server: LiveServer, browser_errors: BrowserErrors
) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context (own cookies); keyword arguments go to new_context."""
    contexts: list[BrowserContext] = []

    def open_page(**options: Any) -> Page:
        settings = {"base_url": live_server.url, "locale": "en-US", "viewport": DESKTOP, **options}
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        browser_errors.watch(context)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def signed_in(shell_browser: Browser, live_server: LiveServer) -> Callable[..., dict]:
    """The cookies of an account signed in through the sign-in form, once per worker.

    `signed_in(email, password)` gives a storage state for `new_page(storage_state=…)`: a
    test that looks at a signed-in page starts there instead of going through the form again
    (two page loads per test). The session remembers no language (app/locales.py: the URL,
    the profile, then Accept-Language), so one state serves every locale. The form itself is
    checked by the sign-in journeys and the axe test of its page.
    """
    states: dict[tuple[str, str], dict] = {}

    def state(email: str, password: str, base_url: str = "") -> dict:
        key = (email, base_url or live_server.url)
        if key not in states:
            context = shell_browser.new_context(base_url=key[1], viewport=DESKTOP)
            try:
                page = context.new_page()
                page.goto("/account/sign-in")
                page.locator("#email").fill(email)
                page.locator("#password").fill(password)
                with page.expect_navigation():
                    page.locator("main form button[type=submit]").click()
                assert "/account/sign-in" not in page.url, f"{email} could not sign in"
                states[key] = context.storage_state()
            finally:
                context.close()
        return states[key]

    return state


class PagePool:
    """Pages kept open across tests that only look: one per language and colour scheme.

    A new context costs Chromium a renderer process and its first page load, about a
    second of CPU on this machine, more than most pages' axe run. A test that only opens
    pages with GET and reads them (no form sent, no click that writes) borrows a page
    here instead, signed out or with an account's cookies; when it gives the page back
    its cookies and the site's storage are cleared and it shows a blank page of the site
    (/robots.txt: about:blank would cost a new renderer process at the next page, ~0.15 s
    of CPU). The errors a pooled page reports go to the test that holds it.

    Every document in a pooled page has axe-core defined (an init script, sent to
    Chromium once per context): the axe checks that borrow these pages skip sending its
    570 KB through Playwright on each page (~0.08 s of CPU).
    """

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.idle: dict[tuple[str, str], Page] = {}
        self.errors: BrowserErrors | None = None

    def borrow(
        self, errors: BrowserErrors, locale: str, color_scheme: str, cookies: list | None = None
    ) -> Page:
        self.errors = errors
        page = self.idle.pop((locale, color_scheme), None)
        if page is None:
            context = self.browser.new_context(
                base_url=self.base_url, locale=locale, color_scheme=color_scheme, viewport=DESKTOP
            )
            context.set_default_timeout(10_000)
            context.add_init_script(axe_source())
            context.on("console", lambda message: self.errors._on_console(message))
            context.on("weberror", lambda error: self.errors._on_weberror(error))
            context.on("response", lambda response: self.errors._on_response(response))
            page = context.new_page()
        if cookies:
            page.context.add_cookies(cookies)
        return page

    def give_back(self, page: Page, locale: str, color_scheme: str) -> None:
        """Clear what the test left; a page that cannot be cleared is closed, not kept."""
        try:
            if page.url.startswith(self.base_url):
                page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
            page.goto(f"{self.base_url}/robots.txt")
            page.context.clear_cookies()
        except Exception:
            page.context.close()
            return
        finally:
            self.errors = None
        if (locale, color_scheme) in self.idle:
            page.context.close()
        else:
            self.idle[(locale, color_scheme)] = page

    def close(self) -> None:
        for page in self.idle.values():
            page.context.close()
        self.idle.clear()


@pytest.fixture(scope="session")
def page_pool(shell_browser: Browser, live_server: LiveServer) -> Iterator[PagePool]:
    pool = PagePool(shell_browser, live_server.url)
    yield pool
    pool.close()


@pytest.fixture
def looking_page(
    page_pool: PagePool, browser_errors: BrowserErrors
) -> Iterator[Callable[..., Page]]:
    """`looking_page(locale, color_scheme, storage_state)`: a clean page for a test that
    only looks (GET), signed in when given a state from `signed_in`."""
    borrowed: list[tuple[Page, str, str]] = []

    def borrow(
        locale: str = "en", color_scheme: str = "light", storage_state: dict | None = None
    ) -> Page:
        cookies = storage_state["cookies"] if storage_state else None
        page = page_pool.borrow(browser_errors, BROWSER_LOCALES[locale], color_scheme, cookies)
        borrowed.append((page, BROWSER_LOCALES[locale], color_scheme))
        return page

    yield borrow
    for page, locale, color_scheme in borrowed:
        page_pool.give_back(page, locale, color_scheme)


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A desktop-sized page, locale en-US, JavaScript on."""
    return new_page()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    return SCREENSHOT_DIR


@pytest.fixture
def screenshot(screenshot_dir: Path) -> Callable[[Page, str], Path]:
    """Save a full-page screenshot as tests/browser/screenshots/<name>.png."""

    def take(page: Page, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


FORUM_DEMO_PASSWORD = "demo passphrase for axe"


@pytest.fixture(scope="session")
def forum_demo(live_server):
    """The live server with the default categories and the demo topics (idempotent)."""
    from app.forum.seeding import seed_demo

    with live_server.app.app_context():
        seed_demo(FORUM_DEMO_PASSWORD)
        db.session.remove()
    return live_server
