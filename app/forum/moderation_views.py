"""Moderator pages under /moderation/: flags, hide, lock, pin, move, suspend."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
