"""The editor's domain errors; views turn them into form errors and 4xx pages."""

from __future__ import annotations


class EditorError(Exception):
    """An editorial action that cannot be done; `message` is ready to show the editor."""

    def __init__(self, message: str, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


class ConflictError(EditorError):
    """The article changed since the editor's form was loaded: their save is refused."""

    def __init__(self, message: str, latest_number: int):
        super().__init__(message, status=409)
        self.latest_number = latest_number
