"""What a page must never contain after hostile input: anything the browser would run or fetch.

The page is parsed (html.parser), not searched for one literal, so `<img onerror=…>`,
`<a href="javascript:…">` or `<svg onload=…>` are caught however they are spelled.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Attributes whose value is a URL the browser follows or loads.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "srcset"}
)
# Elements whose URL the browser fetches by itself (a link is only followed when clicked).
LOADED = frozenset(
    {"img", "script", "iframe", "frame", "embed", "object", "source", "video", "audio", "track",
     "input", "image", "use", "link", "base"}
)  # fmt: skip
FETCHED_LINKS = frozenset(
    {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest"}
)
RUNNABLE_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)
REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
# As the URL parser reads it (WHATWG URL): C0 controls and spaces around it are trimmed,
# and tabs and newlines anywhere are dropped ("java\tscript:" is javascript:).
TRIMMED = "".join(chr(code) for code in range(0x21))
TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
SAFE_SCRIPT_TYPES = frozenset({"application/json", "application/ld+json"})


class _LiveContent(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script_start: str | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>: an event handler attribute")
            if name in URL_ATTRIBUTES:
                self._check_url(tag, name, value or "", values.get("rel", "").lower())
        if tag == "script":
            kind = values.get("type", "").strip().lower()
            if kind in SAFE_SCRIPT_TYPES:
                return
            self._script_start = self.get_starttag_text() or "<script>"
            self._script_text = []
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        if self._script_start is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script_start is not None:
            if "".join(self._script_text).strip():
                self.found.append(f"{self._script_start}: an inline script")
            self._script_start = None

    def _check_url(self, tag: str, name: str, value: str, rel: str = "") -> None:
        urls = (
            [part.strip().split(" ")[0] for part in value.split(",")]
            if name == "srcset"
            else [value]
        )
        for url in urls:
            bare = TAB_OR_NEWLINE.sub("", url.strip(TRIMMED))
            if RUNNABLE_SCHEME.match(bare):
                self.found.append(f"<{tag} {name}={url[:40]!r}>: a javascript:/data: URL")
            elif self._loaded(tag, name, rel) and REMOTE.match(bare):
                self.found.append(f"<{tag} {name}={url[:40]!r}>: a remote resource")

    @staticmethod
    def _loaded(tag: str, name: str, rel: str) -> bool:
        """Whether the browser fetches this URL by itself (not a link followed on a click)."""
        if tag == "link":
            return bool(set(rel.split()) & FETCHED_LINKS)
        return tag in LOADED and name not in ("action", "formaction")


def live_content(html: str) -> list[str]:
    """Everything in `html` a browser would run or fetch from elsewhere; [] when clean."""
    parser = _LiveContent()
    parser.feed(html)
    parser.close()
    return parser.found


def assert_nothing_live(html: str, given: str = "") -> None:
    found = live_content(html)
    assert not found, f"input {given[:60]!r} came back live: {found}"
