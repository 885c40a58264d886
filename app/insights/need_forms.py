"""Forms of the "one need, every language" page; terms are read per language by the view."""

from __future__ import annotations

from flask_wtf import FlaskForm


class NeedForm(FlaskForm):
    """CSRF only: merging rows, splitting an item off, adding or removing a synonym group."""
