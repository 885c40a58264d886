"""The API reference for developers: a page rendered from the OpenAPI document itself."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from markupsafe import Markup

from app.api.document import build_document
from app.markdown import render_markdown

bp = Blueprint("api_reference", __name__)

SHOWN_KEYWORDS = ("minLength", "maxLength", "minimum", "maximum", "pattern", "format", "default")


def schema_summary(schema: dict[str, Any], components: dict[str, Any]) -> str:
    """One line for a parameter's schema: its type and every constraint, as the document says."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "object")
    parts = [" | ".join(kind) if isinstance(kind, list) else kind]
    if "enum" in schema:
        parts.append("enum: " + " | ".join(str(v) for v in schema["enum"]))
    parts.extend(f"{key}: {schema[key]}" for key in SHOWN_KEYWORDS if key in schema)
    return " · ".join(parts)


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of the document with its method and path, in the document's order."""
    found = []
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            body = spec.get("requestBody", {}).get("content", {})
            form = next(iter(body.values()), {}).get("schema", {})
            found.append(
                {
                    "method": method.upper(),
                    "path": document["servers"][0]["url"] + path,
                    "spec": spec,
                    "fields": [
                        (name, field, name in form.get("required", []))
                        for name, field in form.get("properties", {}).items()
                    ],
                }
            )
    return found


@bp.get("/<locale:locale>/developers/api")
def reference():
    """Anyone may read it; it says nothing the JSON document does not."""
    document = build_document()
    return render_template(
        "api/reference.html",
        document=document,
        operations=operations(document),
        overview=Markup(render_markdown(document["info"]["description"]).html),
        summary=lambda schema: schema_summary(schema, document["components"]),
    )
