"""Forum URLs built without a request (search documents, mail, mention links)."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from markdown.extensions.toc import slugify_unicode

SLUG_MAX = 80


@lru_cache(maxsize=4096)  # a topic page links its own topic from every post's tools
def topic_slug(title: str) -> str:
    """A readable slug for the URL; the id decides which topic it is, the slug is decoration."""
    return slugify_unicode(title or "", "-")[:SLUG_MAX].strip("-") or "topic"


def topic_path(
    locale: str, topic_id: int, title: str = "", page: int = 1, post_id: int | None = None
) -> str:
    """Same as url_for('forum.topic', ...): /<locale>/community/topics/<id>/<slug>.

    With a page (from listing.post_page) and a post: ?page=<n>#post-<id>, where the post is.
    """
    path = f"/{locale}/community/topics/{topic_id}/{quote(topic_slug(title))}"
    if page > 1:
        path += f"?page={page}"
    return path + (f"#post-{post_id}" if post_id is not None else "")


def profile_path(locale: str, user_id: int) -> str:
    """Same as url_for('forum.user_profile', ...): /<locale>/community/users/<id>."""
    return f"/{locale}/community/users/{user_id}"
