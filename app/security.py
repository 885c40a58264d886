"""Security headers on every response, and the one check for redirect targets from requests."""

from __future__ import annotations

import re
from typing import TypeVar
from urllib.parse import unquote

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_security(app: Flask) -> None:
    app.after_request(add_security_headers)


Fallback = TypeVar("Fallback", str, None)
# Longer than any page of ours; a target this long is someone's experiment.
REDIRECT_TARGET_MAX = 2048
# Percent-decoding rounds checked: "%252F" is "%2F" once decoded, "/" twice.
DECODE_ROUNDS = 3


def _has_control_or_backslash(text: str, *, space: bool) -> bool:
    """C0 controls (tab, CR, LF...), DEL, a backslash, and optionally a space."""
    return any(
        ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7F or (space and ch == " ") for ch in text
    )


def _leaves_site(path: str) -> bool:
    """A path a browser could read as another host, or no absolute path at all."""
    return not path.startswith("/") or "//" in path or _has_control_or_backslash(path, space=False)


def safe_next_url(target: object, fallback: Fallback) -> str | Fallback:
    """`target` if it is a path on this site, else `fallback`.

    For every redirect whose target comes from the request (`next=`, `to=`). Browsers drop
    tabs and newlines anywhere, strip controls and spaces at the ends and read a backslash
    as a slash, so any of those makes the target unsafe; then it must have no scheme or host
    and its path must start with exactly one slash, also after percent-decoding
    (`/%2F/example.com`, `/%252F/...`).
    """
    if not isinstance(target, str) or not target or len(target) > REDIRECT_TARGET_MAX:
        return fallback
    if _has_control_or_backslash(target, space=True):
        return fallback
    path = re.split(r"[?#]", target, maxsplit=1)[0]  # not urlsplit: it reads "///x" as "/x"
    for _ in range(DECODE_ROUNDS):
        if _leaves_site(path):
            return fallback
        path, previous = unquote(path), path
        if path == previous:
            return target
    return fallback  # still changing after the rounds: nobody links like that
