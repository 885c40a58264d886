"""Forum pages under /<locale>/community/: lists, topics, replies, votes, accepted answers."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("forum", __name__, url_prefix="/<locale:locale>/community")
