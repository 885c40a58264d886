"""One page of a staff list: the page number from the query string, the page, its links."""

from __future__ import annotations

import sqlalchemy as sa
from flask import request, url_for
from flask_sqlalchemy.pagination import Pagination

from app.extensions import db
from app.request_numbers import whole_number

PAGE_MAX = 100_000  # ?page= above this (or anything that is not a number) is page 1


def page_number(value: object) -> int:
    """A page number from the query string; anything odd is page 1, never an error."""
    number = whole_number(str(value or "").strip(), max_digits=len(str(PAGE_MAX)))
    return number if number is not None and 1 <= number <= PAGE_MAX else 1


def paginate(query: sa.Select, page: int, per_page: int) -> Pagination:
    """One page of `query`; a page past the end shows the last page."""
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    if page > 1 and not pagination.items and pagination.pages:
        pagination = db.paginate(query, page=pagination.pages, per_page=per_page)
    return pagination


def page_url(number: int) -> str:
    """The current page's URL at another page number, keeping every other query argument."""
    args = {k: v for k, v in request.args.items(multi=False) if k != "page"}
    args.update(request.view_args or {})
    return url_for(request.endpoint, **args, page=number if number > 1 else None)
