"""Imports every area's models so SQLAlchemy and Alembic see the whole schema."""

from app.accounts.models import PasswordResetToken, User
from app.ask.models import AskDraft
from app.audit import AuditEntry
from app.editor.models import MediaFile
from app.events import Event
from app.forum.models import (
    Flag,
    ForumCategory,
    Notification,
    Post,
    PostRevision,
    PostVote,
    Topic,
    TopicFollow,
)
from app.insights.milestone_models import Milestone
from app.insights.need_models import NeedLink, NeedSynonymGroup
from app.insights.rollup_models import (
    DailyArticle,
    DailyCount,
    DailyQuery,
    DailySession,
    DailySessionCount,
    RolledDay,
    WeeklyQuery,
)
from app.insights.task_models import ApiToken, GapAlert, GapTask
from app.jobs.models import Job
from app.kb.models import (
    Article,
    ArticleFeedback,
    ArticleRedirect,
    ArticleRevision,
    Category,
    GuideProgress,
    GuideStep,
)
from app.kb.related_models import ArticleTerm, ContentVersion, RelatedArticle
from app.site_search.models import Synonym
from app.surveys.models import SurveyResponse

__all__ = [
    "ApiToken",
    "Article",
    "ArticleFeedback",
    "ArticleRedirect",
    "ArticleRevision",
    "ArticleTerm",
    "AskDraft",
    "AuditEntry",
    "Category",
    "ContentVersion",
    "DailyArticle",
    "DailyCount",
    "DailyQuery",
    "DailySession",
    "DailySessionCount",
    "Event",
    "Flag",
    "ForumCategory",
    "GapAlert",
    "GapTask",
    "GuideProgress",
    "GuideStep",
    "Job",
    "MediaFile",
    "Milestone",
    "NeedLink",
    "NeedSynonymGroup",
    "Notification",
    "PasswordResetToken",
    "Post",
    "PostRevision",
    "PostVote",
    "RelatedArticle",
    "RolledDay",
    "SurveyResponse",
    "Synonym",
    "Topic",
    "TopicFollow",
    "User",
    "WeeklyQuery",
]
