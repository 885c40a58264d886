"""The JSON bodies the API answers with, as JSON Schema (components/schemas of the document)."""

from __future__ import annotations

from typing import Any

Q_MAX_LENGTH = 10_000
"""Longest query. Fully percent-encoded (12 bytes for a 4-byte character) it is 120,000
bytes, under MAX_URL_BYTES (app/api/limits.py), nginx's 128k request line and gunicorn's."""

ERROR_CODES = (
    "bad_request",
    "invalid_parameter",
    "missing_parameter",
    "invalid_range",
    "unauthorized",
    "forbidden",
    "csrf_failed",
    "not_found",
    "method_not_allowed",
    "payload_too_large",
    "uri_too_long",
    "header_too_large",
    "rate_limited",
    "server_error",
    "busy",
)

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "title", "message"],
            "properties": {
                "status": {"type": "integer", "description": "The HTTP status again."},
                "code": {
                    "type": "string",
                    "enum": list(ERROR_CODES),
                    "description": "What went wrong, for programs; stable across releases.",
                },
                "title": {
                    "type": "string",
                    "description": "Short title, in the request's language.",
                },
                "message": {
                    "type": "string",
                    "description": "What to do about it, in the request's language "
                    "(Accept-Language: en, ja or ar).",
                },
                "parameter": {
                    "type": "string",
                    "description": "The parameter that was missing or invalid, if one was.",
                },
            },
        }
    },
    "examples": [
        {
            "error": {
                "status": 400,
                "code": "invalid_parameter",
                "title": "Bad request",
                "message": "'kind': Use one of: faq, guide, topic.",
                "parameter": "kind",
            }
        }
    ],
}

SEARCH_HIT = {
    "type": "object",
    "required": ["type", "id", "title", "url", "snippet", "score"],
    "properties": {
        "type": {"type": "string", "enum": ["article", "topic"]},
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "url": {"type": "string", "description": "Path on this site."},
        "snippet": {
            "type": "string",
            "description": "Escaped text; only <mark> tags around matches.",
        },
        "score": {"type": "number"},
        "kind": {"type": ["string", "null"], "enum": ["faq", "guide", "topic", None]},
        "category": {"type": ["string", "null"]},
        "solved": {"type": ["boolean", "null"]},
    },
}

COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}

SEARCH_RESULTS = {
    "type": "object",
    "required": ["total", "page", "pages", "results", "facets", "did_you_mean"],
    "properties": {
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 0},
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/SearchHit"}},
        "facets": {
            "type": "object",
            "properties": {"kind": COUNTS, "category": COUNTS},
        },
        "did_you_mean": {"type": ["string", "null"]},
    },
    "examples": [
        {
            "total": 1,
            "page": 1,
            "pages": 1,
            "results": [
                {
                    "type": "article",
                    "id": 12,
                    "title": "Reset your password",
                    "url": "/en/articles/reset-your-password",
                    "snippet": "<mark>Reset</mark> it from the sign-in page…",
                    "score": 7.3125,
                    "kind": "faq",
                    "category": "account-and-sign-in",
                    "solved": None,
                }
            ],
            "facets": {"kind": {"faq": 1}, "category": {"account-and-sign-in": 1}},
            "did_you_mean": None,
        }
    ],
}

SUGGESTIONS = {
    "type": "object",
    "required": ["suggestions"],
    "properties": {
        "suggestions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "title", "url"],
                "properties": {
                    "type": {"type": "string", "enum": ["article", "topic"]},
                    "title": {"type": "string"},
                    "url": {"type": "string"},
                    "kind": {"type": ["string", "null"]},
                },
            },
        }
    },
    "examples": [
        {
            "suggestions": [
                {
                    "type": "article",
                    "title": "Reset your password",
                    "url": "/en/articles/reset-your-password",
                    "kind": "faq",
                }
            ]
        }
    ],
}

CSRF_TOKEN = {
    "type": "object",
    "required": ["token"],
    "properties": {
        "token": {
            "type": "string",
            "description": "Send it as the X-CSRFToken header (or the csrf_token field) "
            "together with the session cookie set by this response.",
        }
    },
}

INSTANT_SEARCH = {
    "type": "object",
    "required": ["event_id", "results"],
    "properties": {
        "event_id": {
            "type": ["integer", "null"],
            "description": "Pass as 'e' to the click-through link; null when nothing searchable "
            "was left of the query and nothing was recorded.",
        },
        "results": {"type": "integer", "minimum": 0},
    },
    "examples": [{"event_id": 4711, "results": 3}],
}

INSIGHTS_INDEX = {
    "type": "object",
    "required": ["tables", "parameters", "definitions"],
    "properties": {
        "tables": {"type": "array", "items": {"type": "string"}},
        "parameters": {"type": "object"},
        "definitions": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}

INSIGHTS_TABLE = {
    "type": "object",
    "required": ["table", "filters", "columns", "rows"],
    "properties": {
        "table": {"type": "string"},
        "filters": {
            "type": "object",
            "required": ["start", "end"],
            "properties": {
                "start": {"type": "string", "format": "date"},
                "end": {"type": "string", "format": "date"},
                "locale": {"type": "string"},
                "category": {"type": "string"},
            },
        },
        "columns": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "object"}},
    },
}

COMPONENT_SCHEMAS: dict[str, Any] = {
    "Error": ERROR,
    "SearchHit": SEARCH_HIT,
    "SearchResults": SEARCH_RESULTS,
    "Suggestions": SUGGESTIONS,
    "CsrfToken": CSRF_TOKEN,
    "InstantSearch": INSTANT_SEARCH,
    "InsightsIndex": INSIGHTS_INDEX,
    "InsightsTable": INSIGHTS_TABLE,
}
