"""Versioned static URLs: /static/css/site.css?v=<content hash>.

A changed file gets a new URL, so nginx (deploy/nginx.conf) and browsers may cache
/static/ for a year ("immutable") and still see every release at once.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask


@lru_cache(maxsize=512)
def _content_version(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def init_static_urls(app: Flask) -> None:
    static_root = Path(app.static_folder or "")

    @app.url_defaults
    def _version_static(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "v" in values:
            return
        path = static_root / str(values.get("filename", ""))
        try:
            values["v"] = _content_version(str(path), path.stat().st_mtime_ns)
        except OSError:  # a missing file keeps its plain URL (and gets a 404)
            return
