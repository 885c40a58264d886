"""Imports every area's models so SQLAlchemy and Alembic see the whole schema."""

from app.accounts.models import PasswordResetToken, User
from app.forum.models import (
    Flag,
    ForumCategory,
    ModerationAction,
    Notification,
    Post,
    PostRevision,
    PostVote,
    Topic,
    TopicFollow,
)
from app.insights.models import Event
from app.kb.models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    Category,
    GuideProgress,
    GuideStep,
)
from app.site_search.models import SearchOutbox, Synonym

__all__ = [
    "Article",
    "ArticleFeedback",
    "ArticleRevision",
    "Category",
    "Event",
    "Flag",
    "ForumCategory",
    "GuideProgress",
    "GuideStep",
    "ModerationAction",
    "Notification",
    "PasswordResetToken",
    "Post",
    "PostRevision",
    "PostVote",
    "SearchOutbox",
    "Synonym",
    "Topic",
    "TopicFollow",
    "User",
]
