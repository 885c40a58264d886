"""Each API endpoint's contract, declared once: it validates requests and becomes the document.

A view is decorated with ``@operation(...)``; ``checked_args(...)`` reads its declared
parameters from the request (or refuses it with a JSON 400 naming the parameter), and
``app/api/document.py`` turns the same declarations into the OpenAPI 3.1 document, so the
two cannot drift. The schemas use the small part of JSON Schema checked here: string
(enum, minLength, maxLength, pattern) and integer (minimum, maximum).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from flask_babel import ngettext

from app.errors import json_error

Schema = Mapping[str, Any]
SchemaSource = Schema | Callable[[], Schema]
"""A schema, or a function that builds it from the app (configured locales, category slugs)."""

INTEGER = re.compile(r"-?[0-9]{1,18}")
NOT_BLANK = r"\S"
"""The pattern of a text that must have a character other than white space. Checked with
Python's re, as schemathesis generates it; ECMA-262 differs only on U+FEFF and U+001C–1F."""


@dataclass(frozen=True)
class Param:
    """One input: a query, path or header parameter, or a field of a form body."""

    name: str
    schema: SchemaSource
    where: str = "query"  # query | path | header | form
    required: bool = False
    description: str = ""
    example: Any = None

    def resolved(self) -> Schema:
        return self.schema() if callable(self.schema) else self.schema


@dataclass(frozen=True)
class Reply:
    """One documented response: a status, what it means, and its JSON schema (a name in
    components/schemas or an inline schema)."""

    status: int
    description: str
    schema: str | Schema = "Error"
    headers: tuple[str, ...] = ()  # names in components/headers


@dataclass(frozen=True)
class Operation:
    operation_id: str
    summary: str
    description: str = ""
    tag: str = "search"
    params: tuple[Param, ...] = ()
    replies: tuple[Reply, ...] = ()
    security: tuple[tuple[str, ...], ...] = ()  # alternatives, each a set of scheme names
    links: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)  # status → links


OPERATIONS: dict[str, Operation] = {}
"""Endpoint name → its operation, filled by ``@operation`` as the views are imported."""


def operation(endpoint: str, spec: Operation):
    """Declare the contract of the view registered as ``endpoint`` (``blueprint.function``)."""

    def register(view):
        OPERATIONS[endpoint] = spec
        return view

    return register


class ParamError(ValueError):
    """A parameter outside its declared schema; ``code`` and ``param`` go into the JSON error."""

    def __init__(self, param: str, message: str, code: str = "invalid_parameter"):
        super().__init__(message)
        self.param, self.code = param, code


def _string_error(value: str, schema: Schema) -> str | None:
    if "enum" in schema and value not in schema["enum"]:
        return _("Use one of: %(values)s.", values=", ".join(map(str, schema["enum"])))
    if len(value) < schema.get("minLength", 0):
        return _("This parameter may not be empty.")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        return ngettext(
            "Use at most %(num)d character.", "Use at most %(num)d characters.", schema["maxLength"]
        )
    if schema.get("pattern") == NOT_BLANK and not re.search(NOT_BLANK, value):
        return _("This parameter may not be empty.")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        return _("This value has the wrong form.")
    if schema.get("format") == "date" and not _is_date(value):
        return _("Use a date of the form YYYY-MM-DD.")
    return None


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _integer_error(value: str, schema: Schema) -> str | None:
    low, high = schema.get("minimum"), schema.get("maximum")
    if (
        not INTEGER.fullmatch(value)
        or (low is not None and int(value) < low)
        or (high is not None and int(value) > high)
    ):
        return _("Use a whole number from %(low)s to %(high)s.", low=low, high=high)
    return None


def check_value(param: Param, value: str) -> Any:
    """``value`` as the schema's type, or ParamError with a message in the request's language."""
    schema = param.resolved()
    if schema.get("type") == "integer":
        message = _integer_error(value, schema)
        if message is None:
            return int(value)
    else:
        message = _string_error(value, schema)
        if message is None:
            return value
    raise ParamError(param.name, _("'%(name)s': %(problem)s", name=param.name, problem=message))


def _source(param: Param) -> Mapping[str, str]:
    return {"query": request.args, "form": request.form, "header": request.headers}.get(
        param.where, {}
    )


def checked_args(spec: Operation) -> dict[str, Any]:
    """The declared query/form/header parameters of this request, checked against the schema.

    Absent optional ones take their default (or None); an empty value is a value like any
    other, so it must fit the schema too. Unknown parameters are ignored.
    """
    values: dict[str, Any] = {}
    for param in spec.params:
        if param.where == "path":
            continue
        given = _source(param).get(param.name)
        if given is None:
            if param.required:
                raise ParamError(
                    param.name, _("'%(name)s' is required.", name=param.name), "missing_parameter"
                )
            values[param.name] = param.resolved().get("default")
            continue
        values[param.name] = check_value(param, given)
    return values


def refuse(error: ParamError):
    """The JSON 400 for a parameter outside its schema."""
    return json_error(400, str(error), code=error.code, parameter=error.param)


def abort_unless_declared(spec: Operation, name: str, value: str) -> None:
    """404 for a path parameter outside its enum (a path that names nothing)."""
    param = next(p for p in spec.params if p.name == name)
    try:
        check_value(param, value)
    except ParamError:
        abort(404)
