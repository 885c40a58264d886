"""The forum's service interface in one import; the logic lives in small modules beside it.

    create_topic(author, category, locale, title, body_markdown, tags) -> Topic
    create_reply(author, topic, body_markdown) -> Post
    edit_post(editor, post, body_markdown, title=None) -> Post
    toggle_vote(user, post) -> bool            (True: the user now votes for it)
    accept_answer(actor, topic, post) -> Topic / unaccept(actor, topic) -> Topic
    follow(user, topic) / unfollow(user, topic) / is_following(user, topic) -> bool
    mark_all_read(user) / unread_count(user)
    recount_replies(topic)                     (after moderation hides or restores a reply)

Every refusal is a ForumError with a stable `.code` and a localized `.message`
(`.status` is the HTTP status a view should answer with). Spam rules from
app/forum/spam.py surface as ForumError("rejected", <its message>).
"""

from app.forum.errors import ForumError, error_message
from app.forum.notifications import (
    follow,
    is_following,
    mark_all_read,
    unfollow,
    unread_count,
)
from app.forum.permissions import can_accept, can_edit, can_see_hidden, is_moderator, is_staff
from app.forum.posting import (
    body_digest,
    create_reply,
    create_topic,
    edit_post,
    recount_replies,
    render_post,
)
from app.forum.voting import accept_answer, has_voted, toggle_vote, unaccept, voted_post_ids

__all__ = [
    "ForumError",
    "accept_answer",
    "body_digest",
    "can_accept",
    "can_edit",
    "can_see_hidden",
    "create_reply",
    "create_topic",
    "edit_post",
    "error_message",
    "follow",
    "has_voted",
    "is_following",
    "is_moderator",
    "is_staff",
    "mark_all_read",
    "recount_replies",
    "render_post",
    "toggle_vote",
    "unaccept",
    "unfollow",
    "unread_count",
    "voted_post_ids",
]
