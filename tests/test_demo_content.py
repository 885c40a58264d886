"""The shipped demo content is complete: every article in every language, all categories used."""

from collections import Counter, defaultdict

from sqlalchemy import select

from app.kb.models import Article, Category


def test_demo_content_is_complete(demo_app):
    from app.extensions import db

    articles = db.session.scalars(select(Article).where(Article.status == "published")).all()
    per_locale = Counter(a.locale for a in articles)
    assert all(per_locale[locale] >= 30 for locale in ("en", "ja", "ar")), per_locale
    english = [a for a in articles if a.locale == "en"]
    kinds = Counter(a.kind for a in english)
    assert kinds["faq"] >= 25 and kinds["guide"] >= 5, kinds
    languages = defaultdict(set)
    for article in articles:
        languages[article.translation_key].add(article.locale)
    assert {key for key, found in languages.items() if found != {"en", "ja", "ar"}} == set()
    used = {a.category.slug for a in articles}
    assert len(used) >= 6 and used == {c.slug for c in db.session.scalars(select(Category))}
    for article in english:
        assert article.toc, f"{article.slug} has no sections for a table of contents"
        if article.kind == "guide":
            assert len(article.steps) >= 3
