"""The OpenAPI 3.1 document, built from the URL map and each view's declared contract."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app

from app.api.contract import OPERATIONS, Operation, Param, Reply
from app.api.schemas import COMPONENT_SCHEMAS

BASE_PATH = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

HEADERS = {
    "Allow": {"description": "The methods this path accepts.", "schema": {"type": "string"}},
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "WWW-Authenticate": {"description": "The scheme to use: Bearer.", "schema": {"type": "string"}},
}

DESCRIPTION = """\
The help center's JSON API: search and suggestions over articles and forum topics, the
instant-search record, and the insights tables for staff.

**Errors** are always JSON under /api/ — `{"error": {"status", "code", "title", "message",
"parameter"?}}` — with `code` for programs and `title`/`message` in the request's language
(Accept-Language: en, ja, ar). 405 answers carry `Allow`, 429 answers `Retry-After`, 401
answers `WWW-Authenticate`.

**Limits**: a request target (path and query, percent-encoded) of at most 126,000 bytes
(longer: 414), a request body of at most 128 KiB (larger: 413), and each header line,
name and value (a cookie included), shorter than 128 KiB (longer: 431, code
`header_too_large`). Every documented parameter fits inside them at its maximum length.

**Validation** is what this document says: an empty value is a value and must fit the
schema; unknown parameters are ignored.
"""


def _openapi_path(rule: str) -> str:
    return RULE_ARGUMENT.sub(r"{\1}", rule.removeprefix(BASE_PATH)) or "/"


def _parameter(param: Param) -> dict[str, Any]:
    found = {
        "name": param.name,
        "in": param.where,
        "required": param.required or param.where == "path",
        "schema": dict(param.resolved()),
    }
    if param.description:
        found["description"] = param.description
    if param.example is not None:
        found["example"] = param.example
    return found


def _form_body(fields: list[Param]) -> dict[str, Any]:
    schema = {
        "type": "object",
        "required": [p.name for p in fields if p.required],
        "properties": {
            p.name: {**p.resolved(), **({"description": p.description} if p.description else {})}
            for p in fields
        },
    }
    return {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": schema}},
    }


def _response(reply: Reply) -> dict[str, Any]:
    schema = (
        {"$ref": f"#/components/schemas/{reply.schema}"}
        if isinstance(reply.schema, str)
        else dict(reply.schema)
    )
    found: dict[str, Any] = {
        "description": reply.description,
        "content": {"application/json": {"schema": schema}},
    }
    if reply.headers:
        found["headers"] = {
            name: {"$ref": f"#/components/headers/{name}"} for name in reply.headers
        }
    return found


def _operation(spec: Operation) -> dict[str, Any]:
    found: dict[str, Any] = {
        "operationId": spec.operation_id,
        "summary": spec.summary,
        "tags": [spec.tag],
    }
    if spec.description:
        found["description"] = spec.description
    parameters = [_parameter(p) for p in spec.params if p.where != "form"]
    if parameters:
        found["parameters"] = parameters
    fields = [p for p in spec.params if p.where == "form"]
    if fields:
        found["requestBody"] = _form_body(fields)
    found["responses"] = {str(reply.status): _response(reply) for reply in spec.replies}
    found["responses"]["default"] = {
        "description": "Any other error (404, 405, 413, 414, 431, …), in the same JSON shape.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for status, links in spec.links.items():
        found["responses"][str(status)]["links"] = dict(links)
    found["security"] = [{name: [] for name in names} for names in spec.security] or []
    return found


def _security_schemes() -> dict[str, Any]:
    cookie = current_app.config["SESSION_COOKIE_NAME"]
    return {
        "bearerToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (tpi_…) that product and CS staff create "
            "on the insights token page; shown once.",
        },
        "sessionCookie": {
            "type": "apiKey",
            "in": "cookie",
            "name": cookie,
            "description": "The site's session cookie: a signed-in staff member's, or the "
            "one GET /csrf-token starts for anyone.",
        },
        "csrfToken": {
            "type": "apiKey",
            "in": "header",
            "name": "X-CSRFToken",
            "description": "The token from GET /csrf-token, valid only with the session "
            "cookie that response set (a form field csrf_token works too).",
        },
    }


def build_document() -> dict[str, Any]:
    """The whole document for the running app (its locales and categories included)."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        spec = OPERATIONS.get(rule.endpoint)
        if spec is None:
            continue
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            paths.setdefault(_openapi_path(rule.rule), {})[method.lower()] = _operation(spec)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Touchpoint API",
            "version": "1.1.0",
            "description": DESCRIPTION,
        },
        "servers": [{"url": BASE_PATH}],
        "tags": [
            {"name": "search", "description": "Search and suggestions; open to everyone."},
            {"name": "insights", "description": "Export tables for product and CS staff."},
            {"name": "meta", "description": "This document."},
        ],
        "paths": paths,
        "components": {
            "schemas": COMPONENT_SCHEMAS,
            "headers": HEADERS,
            "securitySchemes": _security_schemes(),
        },
    }
