"""The forum's one domain error and the localized message for each of its codes."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

# code -> HTTP status a view answers with (anything not listed is a 400 with a message).
STATUS = {
    "not_found": 404,
    "not_author": 403,
    "not_allowed": 403,
    "staff_only": 403,
    "suspended": 403,
    "not_signed_in": 403,
    "locked": 409,
}


class ForumError(Exception):
    """A refused forum action; `code` is stable (tests, API), `message` is localized."""

    def __init__(self, code: str, message: str | None = None, reason: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.reason = reason  # for "rejected": the spam rule's own code (duplicate, ...)
        self._message = message

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)

    @property
    def message(self) -> str:
        return str(self._message) if self._message else error_message(self.code)

    def __str__(self) -> str:
        return self.code


def error_message(code: str) -> str:
    """The message shown to the user for a ForumError code, in the current language."""
    messages = {
        "empty_title": _("Please write a title."),
        "title_too_long": ngettext(
            "Please keep the title under %(num)d character.",
            "Please keep the title under %(num)d characters.",
            200,
        ),
        "empty_body": _("Please write something: the text is empty."),
        "body_too_long": _("This post is too long. Please shorten it and try again."),
        "locked": _("This topic is locked: it no longer accepts replies or edits."),
        "not_found": _("This topic or post does not exist or was removed."),
        "not_author": _("You can only edit your own posts."),
        "not_allowed": _("You do not have permission to do that."),
        "own_post": _("You cannot vote for your own post."),
        "staff_only": _("Only staff can start topics in this category."),
        "suspended": _("Your account is suspended, so you cannot post."),
        "not_an_answer": _("Only a visible reply to this topic can be the accepted answer."),
        "not_signed_in": _("Please sign in first."),
        "rejected": _("This post was refused. Please change it and try again."),
    }
    return messages.get(code, _("That did not work. Please try again."))
