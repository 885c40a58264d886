"""One logging configuration: TOUCHPOINT_LOG_LEVEL and TOUCHPOINT_LOG_FORMAT=text|json.

Every record carries time (UTC), level, logger and the request id ("-" outside a
request), and goes to stderr, where systemd's journal (or the terminal) collects it.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import IO

from flask import Flask

from app.request_ids import current_request_id

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
FORMATS = ("text", "json")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record that passes through the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class TextFormatter(logging.Formatter):
    converter = time.gmtime

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT, datefmt="%Y-%m-%dT%H:%M:%SZ")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%SZ"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask, stream: IO[str] | None = None) -> logging.Handler:
    """Install (or replace) the app's handler on the root logger; returns it."""
    log_format = str(app.config["LOG_FORMAT"]).strip().lower()
    if log_format not in FORMATS:
        raise ValueError(f"TOUCHPOINT_LOG_FORMAT must be one of {FORMATS}, not {log_format!r}")
    level = str(app.config["LOG_LEVEL"]).strip().upper()
    if not isinstance(logging.getLevelName(level), int):
        raise ValueError(f"TOUCHPOINT_LOG_LEVEL {level!r} is not a logging level")
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "touchpoint", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.touchpoint = True
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    app.logger.setLevel(logging.NOTSET)  # Flask's own logger defers to the root's level
    return handler
