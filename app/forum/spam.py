"""Spam defences for new posts: suspension, new-account limits, duplicates and the honeypot."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.accounts.models import Role, User
from app.clock import utcnow
from app.config import Config
from app.extensions import db
from app.markdown import markdown_to_html

HONEYPOT_FIELD = "website"
STAFF_ROLES = (Role.MODERATOR.value, Role.CS_EDITOR.value, Role.PRODUCT.value, Role.ADMIN.value)

# A bare URL in running text: a scheme, or "www." (browsers and mail clients linkify both).
BARE_URL = re.compile(r"(?i)\b(?:(?:https?|ftp)://|www\.)[^\s<>\"'`]+")
# Zero-width and other invisible format characters a spammer inserts to dodge duplicates.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
_WHITESPACE = re.compile(r"\s+")


class PostRejected(Exception):
    """A post refused by a spam rule; `.code` is stable for tests, `.message` is localized."""

    def __init__(self, code: str, message: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def _setting(name: str) -> int:
    """The app's value of a SPAM_* setting; Config's default outside an app."""
    return int(current_app.config[name] if has_app_context() else getattr(Config, name))


def normalize_body(text: str) -> str:
    """What two posts saying the same thing share: NFKC, case-folded, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _INVISIBLE.sub("", text).casefold()
    return _WHITESPACE.sub(" ", text).strip()


def body_digest(text: str) -> str:
    """SHA-256 (hex, 64 chars) of the normalized body: stored as Post.body_digest."""
    return hashlib.sha256(normalize_body(text).encode("utf-8")).hexdigest()


class _LinkCounter(HTMLParser):
    """Count <a href> elements plus bare URLs in text outside links and code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.count = 0
        self._in_link = 0
        self._in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._in_link += 1
            if any(name == "href" and (value or "").strip() for name, value in attrs):
                self.count += 1
        elif tag in ("code", "pre"):
            self._in_code += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._in_link:
            self._in_link -= 1
        elif tag in ("code", "pre") and self._in_code:
            self._in_code -= 1

    def handle_data(self, data: str) -> None:
        if not self._in_link and not self._in_code:
            self.count += len(BARE_URL.findall(data))


def count_links(body_markdown: str) -> int:
    """How many links a Markdown post carries once rendered.

    Counts what the Markdown renderer turns into links (inline `[x](y)`, reference
    links, `<https://…>` autolinks, raw `<a href>` HTML) plus bare URLs in text,
    since readers' browsers and mail clients make those clickable too. URLs inside
    code spans and blocks are not links and are not counted.
    """
    html = markdown_to_html(body_markdown or "")
    counter = _LinkCounter()
    counter.feed(html)
    counter.close()
    return counter.count


def is_staff(user: User) -> bool:
    return bool(user.has_role(*STAFF_ROLES))


def is_new_account(user: User, now=None) -> bool:
    """Younger than SPAM_NEW_ACCOUNT_HOURS and not staff."""
    if is_staff(user):
        return False
    now = now or utcnow()
    created = user.created_at or now
    return now - created < timedelta(hours=_setting("SPAM_NEW_ACCOUNT_HOURS"))


def _posts_since(author_id: int, since) -> sa.Select:
    from app.forum.models import Post

    return sa.select(sa.func.count(Post.id)).where(
        Post.author_id == author_id, Post.created_at >= since
    )


def check_new_post(author: User, body_markdown: str, title: str | None = None) -> None:
    """Raise PostRejected if `author` may not publish this post now; return None if fine.

    The caller runs this before adding the post to the session. `title` (a new
    topic's) counts toward links; duplicates compare the body only.
    """
    from app.forum.models import Post

    if author.is_suspended:
        raise PostRejected("suspended", _l("Your account is suspended, so you cannot post."))
    now = utcnow()
    if is_new_account(author, now):
        max_links = _setting("SPAM_NEW_ACCOUNT_MAX_LINKS")
        links = count_links(body_markdown) + (len(BARE_URL.findall(title)) if title else 0)
        if links > max_links:
            raise PostRejected(
                "too_many_links",
                ngettext(
                    "New accounts can include at most %(num)d link in a post. "
                    "Please remove some links and try again.",
                    "New accounts can include at most %(num)d links in a post. "
                    "Please remove some links and try again.",
                    max_links,
                ),
            )
        per_hour = _setting("SPAM_NEW_ACCOUNT_POSTS_PER_HOUR")
        recent = db.session.scalar(_posts_since(author.id, now - timedelta(hours=1)))
        if recent >= per_hour:
            raise PostRejected(
                "too_many_posts",
                ngettext(
                    "New accounts can post at most %(num)d time an hour. "
                    "Please wait a while and try again.",
                    "New accounts can post at most %(num)d times an hour. "
                    "Please wait a while and try again.",
                    per_hour,
                ),
            )
    window = timedelta(minutes=_setting("SPAM_DUPLICATE_WINDOW_MINUTES"))
    duplicate = db.session.scalar(
        sa.select(Post.id)
        .where(
            Post.author_id == author.id,
            Post.body_digest == body_digest(body_markdown),
            Post.created_at >= now - window,
        )
        .limit(1)
    )
    if duplicate is not None:
        raise PostRejected(
            "duplicate",
            _l("You posted the same text a moment ago. Please don't post it twice."),
        )


def honeypot_tripped(form: Any) -> bool:
    """True if the hidden `website` field came back filled in: only bots fill it.

    Accepts a WTForms form (with or without a `website` field) or a request.form mapping.
    """
    field = getattr(form, HONEYPOT_FIELD, None)
    if field is not None and hasattr(field, "data"):
        value = field.data
    elif hasattr(form, "get"):
        value = form.get(HONEYPOT_FIELD)
    elif has_request_context():
        # A form class without the field: the input is still in the submitted data.
        value = request.form.get(HONEYPOT_FIELD)
    else:
        value = None
    return bool(str(value).strip()) if value is not None else False
