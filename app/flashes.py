"""Flash messages in the language of the page that shows them, next to what they are about.

A view flashes `flash_message(_l("..."), "success", at="post-12")`: the session keeps the
message's msgid and values, not a translation, so the page after the redirect translates
it in its own language (an English topic page says "Thank you" in English to a user whose
profile is Japanese). `at` names the element id the redirect scrolls to (`#post-12`): the
page shows the message there (`flashes_at("post-12")`) instead of at the top, off-screen.
A page says which anchors it shows (`flash_anchors` in its context); a message for an
anchor the page does not show falls back to the top.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, flash, g, get_flashed_messages
from flask_babel import gettext, ngettext
from flask_babel.speaklater import LazyString

FLASHES_KEY = "shown_flashes"


@dataclass(frozen=True)
class ShownFlash:
    category: str
    text: str
    at: str | None = None


def _stored(message: object, at: str | None) -> dict:
    """What the session keeps: the msgid and values of a lazy message, else the text itself."""
    record: dict = {"at": at}
    if isinstance(message, LazyString) and message._func in (gettext, ngettext):
        # _l("Saved as revision %(number)s.", number=3) keeps (msgid,) and {"number": 3}.
        record["args"] = list(message._args)
        record["params"] = dict(message._kwargs)
    else:
        record["text"] = str(message)
    return record


def flash_message(message: object, category: str = "info", *, at: str | None = None) -> None:
    """Flash a message (preferably lazy: `_l(...)`) for the next page, optionally at an anchor."""
    flash(_stored(message, at), category)


def _shown(category: str, message: object) -> ShownFlash:
    if not isinstance(message, dict):  # a plain flask.flash() elsewhere
        return ShownFlash(category, str(message))
    at = message.get("at") or None
    if "args" in message:
        args, params = message["args"], message.get("params") or {}
        text = gettext(*args, **params) if len(args) == 1 else ngettext(*args, **params)
        return ShownFlash(category, text, at)
    return ShownFlash(category, str(message.get("text", "")), at)


def shown_flashes() -> list[ShownFlash]:
    """This request's flashes, taken from the session once and translated now."""
    if FLASHES_KEY not in g:
        messages = get_flashed_messages(with_categories=True)
        setattr(g, FLASHES_KEY, [_shown(category, message) for category, message in messages])
    return getattr(g, FLASHES_KEY)


def flashes_at(anchor: str) -> list[ShownFlash]:
    """The messages about the element with id `anchor`."""
    return [item for item in shown_flashes() if item.at == anchor]


def top_flashes(anchors=()) -> list[ShownFlash]:
    """The messages the top of the page shows: all but those placed at one of `anchors`."""
    placed = set(anchors or ())
    return [item for item in shown_flashes() if item.at is None or item.at not in placed]


def init_flashes(app: Flask) -> None:
    app.add_template_global(flashes_at)
    app.add_template_global(top_flashes)
