"""A generated help center at scale (fixed seed): N articles per locale and M forum topics.

Used by bench/pages.py and tests/test_page_scale.py. Rows go in with bulk INSERTs (ids
chosen here, so related articles and first posts can point at them without reading back).
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.forum.models import ForumCategory, Post, Topic
from app.kb.models import Article, Category
from app.kb.related import bump_content_version
from app.kb.related_models import RelatedArticle

SEED = 14
WORDS = {
    "en": [
        "invoice",
        "export",
        "password",
        "reset",
        "login",
        "calendar",
        "chart",
        "share",
        "project",
        "workspace",
        "member",
        "billing",
        "plan",
        "upgrade",
        "download",
        "import",
        "template",
        "report",
        "deadline",
        "task",
        "comment",
    ],
    "ja": [
        "請求書",
        "エクスポート",
        "パスワード",
        "ログイン",
        "カレンダー",
        "共有",
        "プロジェクト",
        "メンバー",
        "料金",
        "ダウンロード",
        "テンプレート",
        "レポート",
        "期限",
        "タスク",
        "コメント",
    ],
    "ar": [
        "فاتورة",
        "تصدير",
        "كلمة",
        "المرور",
        "تسجيل",
        "التقويم",
        "مشاركة",
        "مشروع",
        "عضو",
        "الفوترة",
        "خطة",
        "تنزيل",
        "قالب",
        "تقرير",
        "موعد",
        "مهمة",
        "تعليق",
    ],
}
BATCH = 5_000


def _next_id(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def _categories() -> list[int]:
    ids = list(db.session.scalars(sa.select(Category.id).order_by(Category.id)))
    if not ids:
        db.session.add_all(
            Category(slug=f"topic-{n}", position=n, names={"en": f"Topic {n}"}) for n in range(8)
        )
        db.session.flush()
        ids = list(db.session.scalars(sa.select(Category.id).order_by(Category.id)))
    return ids


def add_articles(per_locale: int, locales=("en", "ja", "ar"), seed: int = SEED) -> int:
    """per_locale published articles in each locale (translations of each other)."""
    rng = random.Random(seed)
    categories = _categories()
    first = _next_id(Article)
    start = datetime(2026, 1, 1)
    rows, related = [], []
    for n in range(per_locale):
        category = categories[n % len(categories)]
        tags = rng.sample(WORDS["en"], 2)
        for offset, locale in enumerate(locales):
            article_id = first + n * len(locales) + offset
            title = " ".join(rng.sample(WORDS[locale], 4))
            rows.append(
                {
                    "id": article_id,
                    "locale": locale,
                    "slug": f"gen-{first}-{n}",
                    "translation_key": f"gen-{first}-{n}",
                    "kind": "faq",
                    "status": "published",
                    "category_id": category,
                    "title": f"{title} {n}",
                    "summary": title,
                    "tags": tags,
                    "body_markdown": title,
                    "body_html": f"<p>{title}</p>" * 20,
                    "toc": [],
                    "view_count": rng.randrange(1000),
                    "updated_at": start + timedelta(minutes=n),
                    "created_at": start,
                }
            )
            for position in range(1, 6):  # five neighbours in the same category and locale
                other = n - position * len(categories)
                if other >= 0:
                    related.append(
                        {
                            "article_id": article_id,
                            "position": position,
                            "related_id": first + other * len(locales) + offset,
                        }
                    )
    for chunk in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(Article), rows[chunk : chunk + BATCH])
    for chunk in range(0, len(related), BATCH):
        db.session.execute(sa.insert(RelatedArticle), related[chunk : chunk + BATCH])
    bump_content_version(db.session)
    db.session.commit()
    return len(rows)


def add_topics(count: int, locales=("en", "ja", "ar"), seed: int = SEED) -> int:
    """count forum topics (each with its question post) spread over the locales."""
    rng = random.Random(seed)
    author = db.session.scalar(sa.select(User.id).order_by(User.id))
    if author is None:
        user = User(email="scale@example.com", display_name="Scale", password_hash="x")
        db.session.add(user)
        db.session.flush()
        author = user.id
    category = db.session.scalar(sa.select(ForumCategory.id).order_by(ForumCategory.id))
    if category is None:
        forum = ForumCategory(slug="questions", names={"en": "Questions"})
        db.session.add(forum)
        db.session.flush()
        category = forum.id
    first_topic, first_post = _next_id(Topic), _next_id(Post)
    start = datetime(2026, 1, 1)
    topics, posts = [], []
    for n in range(count):
        locale = locales[n % len(locales)]
        title = " ".join(rng.sample(WORDS[locale], 5)) + f" {n}"
        when = start + timedelta(seconds=n)
        topics.append(
            {
                "id": first_topic + n,
                "locale": locale,
                "category_id": category,
                "author_id": author,
                "title": title,
                "tags": [],
                "created_at": when,
                "updated_at": when,
                "last_activity_at": when,
            }
        )
        posts.append(
            {
                "id": first_post + n,
                "topic_id": first_topic + n,
                "author_id": author,
                "is_first": True,
                "body_markdown": title,
                "body_html": f"<p>{title}</p>",
                "body_digest": hashlib.sha256(title.encode()).hexdigest(),
                "created_at": when,
            }
        )
    for chunk in range(0, count, BATCH):
        db.session.execute(sa.insert(Topic), topics[chunk : chunk + BATCH])
        db.session.execute(sa.insert(Post), posts[chunk : chunk + BATCH])
    db.session.commit()
    return count
