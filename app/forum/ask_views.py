"""The ask flow at /<locale>/community/ask: suggestions while typing, deflection events."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ask", __name__, url_prefix="/<locale:locale>/community")
