"""A scripted month of help-center traffic (March 2025), built directly as events with fixed times.

Every number the replay test expects is worked out by hand in test_metrics_replay.py from
the script below; keep the two in step.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.events import Event
from app.extensions import db
from app.forum.models import ForumCategory, Post, Topic
from app.kb.models import Article, ArticleFeedback, Category

NOW = datetime(2025, 3, 31, 20, 0)  # "today" is the 31st: it is computed from raw events
START, END = date(2025, 3, 1), date(2025, 3, 31)


def at(day: int, hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return datetime(2025, 3, day, int(hours), int(minutes))


class Script:
    """Small builders so the month reads like a log."""

    def __init__(self):
        self.articles: dict[str, Article] = {}
        self.topics: dict[str, Topic] = {}

    def event(self, name, when, session, locale="en", subject=None, **data) -> Event:
        event = Event(
            name=name,
            occurred_at=when,
            session_key=session,
            locale=locale,
            subject_type=subject[0] if subject else None,
            subject_id=subject[1] if subject else None,
            data=data,
        )
        db.session.add(event)
        db.session.flush()
        return event

    def search(self, session, when, query, results, locale="en", category=None, source=None):
        from search.analysis import normalize_query_text

        return self.event(
            "search",
            when,
            session,
            locale,
            query=query,
            normalized=normalize_query_text(query, locale),
            results=results,
            source=source or "search_page",
            kind=None,
            category=category,
            page=1,
        )

    def click(self, search, position, slug, when, locale="en"):
        self.event(
            "search_click",
            when,
            search.session_key,
            locale,
            search_event=search.id,
            position=position,
            url=f"/{locale}/articles/{slug}",
        )

    def view(self, session, article, when):
        a = self.articles[article]
        self.event("article_view", when, session, a.locale, subject=("article", a.id))

    def vote(self, session, article, helpful, when, reason=None, comment=None):
        a = self.articles[article]
        self.event(
            "article_feedback", when, session, a.locale, subject=("article", a.id), helpful=helpful
        )
        db.session.add(
            ArticleFeedback(
                article_id=a.id,
                helpful=helpful,
                reason=reason,
                comment=comment,
                session_key=session,
                created_at=when,
            )
        )

    def ask(self, name, session, when, topic=None, locale="en"):
        subject = ("topic", self.topics[topic].id) if topic else None
        self.event(name, when, session, locale, subject=subject)


_HASHES: dict[str, str] = {}


def quick_user(email: str, role: str, name: str, password: str = "correct horse battery"):
    """A user whose password hash is computed once per test session (Argon2 is slow on purpose)."""
    from app.accounts.models import User

    if password not in _HASHES:
        probe = User(email=email, display_name=name, role=role)
        probe.set_password(password)
        _HASHES[password] = probe.password_hash
    user = User(email=email, display_name=name, role=role, password_hash=_HASHES[password])
    db.session.add(user)
    db.session.commit()
    return user


def build_month() -> Script:
    s = Script()
    billing = Category(slug="billing", names={"en": "Billing"})
    account = Category(slug="account", names={"en": "Account"})
    db.session.add_all([billing, account])
    db.session.flush()
    for key, locale, slug, category, title in [
        ("A1", "en", "invoices", billing, "Download invoices"),
        ("A2", "en", "reset-password", account, "Reset your password"),
        ("A3", "ja", "reset-password", account, "パスワードの再設定"),
    ]:
        article = Article(
            locale=locale,
            slug=slug,
            translation_key=slug,
            category_id=category.id,
            title=title,
            status="published",
            updated_at=datetime(2025, 1, 15),
        )
        db.session.add(article)
        db.session.flush()
        s.articles[key] = article

    asker = quick_user("asker@example.com", "customer", "Asker")
    helper = quick_user("helper@example.com", "customer", "Helper")
    questions = ForumCategory(slug="questions", kind="questions", names={"en": "Questions"})
    ideas = ForumCategory(slug="ideas", kind="ideas", names={"en": "Ideas"})
    db.session.add_all([questions, ideas])
    db.session.flush()

    def topic(key, title, created, category=questions, votes=0):
        t = Topic(
            locale="en",
            category_id=category.id,
            author_id=asker.id,
            title=title,
            created_at=created,
            last_activity_at=created,
            vote_count=votes,
        )
        db.session.add(t)
        db.session.flush()
        db.session.add(
            Post(
                topic_id=t.id,
                author_id=asker.id,
                is_first=True,
                body_markdown=title,
                body_html=title,
                body_digest=key,
                created_at=created,
            )
        )
        s.topics[key] = t
        return t

    def reply(topic_key, when, author=helper, accept=False):
        post = Post(
            topic_id=s.topics[topic_key].id,
            author_id=author.id,
            body_markdown="answer",
            body_html="answer",
            body_digest=f"{topic_key}{when}",
            created_at=when,
        )
        db.session.add(post)
        db.session.flush()
        if accept:
            s.topics[topic_key].accepted_post_id = post.id

    topic("T1", "How do I export to CSV?", at(10, "09:30"))
    topic("T2", "Where is the invoice list?", at(10, "14:10"))
    topic("T3", "Can I merge two workspaces?", at(21, "00:10"))
    topic("I1", "Dark mode", at(5, "10:00"), ideas, votes=5)
    topic("I2", "Gantt charts", at(6, "10:00"), ideas, votes=9)
    reply("T1", at(10, "11:30"), accept=True)  # 2 h
    reply("T1", at(10, "11:40"), author=asker)  # the asker's own reply is not an answer
    reply("T2", at(13, "14:10"))  # 72 h: answered, but after 48 h

    # --- 3 March ---------------------------------------------------------------------------
    e = s.search("s1", at(3, "10:00"), "reset password", 4)
    s.click(e, 1, "reset-password", at(3, "10:01"))
    s.view("s1", "A2", at(3, "10:01"))
    s.vote("s1", "A2", True, at(3, "10:03"))
    s.search("s2", at(3, "11:00"), "pasword reset", 0)  # refined (typo, then fixed)
    e = s.search("s2", at(3, "11:02"), "password reset", 4)
    s.click(e, 2, "reset-password", at(3, "11:03"))
    s.view("s2", "A2", at(3, "11:03"))
    s.search("s3", at(3, "12:00"), "invoice pdf", 2)  # abandoned
    s.ask("ask_opened", "s3", at(3, "12:10"))
    s.ask("ask_suggestions_shown", "s3", at(3, "12:11"))
    s.ask("ask_suggestion_opened", "s3", at(3, "12:12"))
    s.ask("ask_deflected", "s3", at(3, "12:13"))  # explicit deflection

    # --- 10 March --------------------------------------------------------------------------
    s.search("s4", at(10, "09:00"), "export csv", 0)  # abandoned, then asked
    s.ask("ask_opened", "s4", at(10, "09:20"))
    s.ask("ask_suggestions_shown", "s4", at(10, "09:21"))
    s.ask("ask_posted", "s4", at(10, "09:30"), topic="T1")
    s.ask("ask_opened", "s5", at(10, "14:00"))
    s.search("s5", at(10, "14:00"), "how to export", 1, source="ask")  # not a search metric
    s.ask("ask_suggestions_shown", "s5", at(10, "14:01"))
    s.ask("ask_suggestion_opened", "s5", at(10, "14:02"))
    s.ask("ask_not_answered", "s5", at(10, "14:05"))
    s.ask("ask_posted", "s5", at(10, "14:10"), topic="T2")  # posted: no implicit deflection
    s.ask("ask_opened", "s6", at(10, "15:00"))
    s.ask("ask_suggestions_shown", "s6", at(10, "15:01"))
    s.ask("ask_suggestion_opened", "s6", at(10, "15:02"))  # followed by another open
    s.ask("ask_suggestion_opened", "s6", at(10, "15:03"))  # implicit deflection
    s.view("s6", "A1", at(10, "15:04"))

    # --- 11 March: s6 again (one distinct reader across days) -----------------------------
    s.view("s6", "A1", at(11, "08:00"))

    # --- 20 March (Japanese) and a question posted across midnight ---------------------------
    e = s.search("s7", at(20, "10:00"), "パスワード", 3, locale="ja")
    s.click(e, 3, "reset-password", at(20, "10:01"), locale="ja")
    s.view("s7", "A3", at(20, "10:01"))
    s.vote("s7", "A3", False, at(20, "10:05"), reason="did_not_solve", comment="古い画面です")
    s.ask("ask_opened", "s8", at(20, "23:50"))
    s.ask("ask_suggestions_shown", "s8", at(20, "23:51"))
    s.ask("ask_suggestion_opened", "s8", at(20, "23:55"))
    s.ask("ask_posted", "s8", at(21, "00:10"), topic="T3")  # within 30 min, next day

    # --- 25 March --------------------------------------------------------------------------
    s.search("s9", at(25, "08:00"), "export csv", 0)  # repeated (same normalized query)
    s.search("s9", at(25, "08:01"), "csv export", 0)  # abandoned
    s.search("s10", at(25, "09:00"), "expotr csv", 0)  # typo of the same gap; abandoned
    s.view("s10", "A1", at(25, "09:05"))
    s.vote("s10", "A1", True, at(25, "09:06"))
    s.vote("s11", "A1", False, at(25, "10:00"), reason="outdated", comment="Screens changed")
    s.vote("s12", "A1", False, at(25, "10:05"), reason="unclear")
    s.vote("s13", "A1", False, at(25, "10:10"), reason="outdated")

    # --- 31 March ("today", not rolled up; now is 20:00) -----------------------------------
    e = s.search("s14", at(31, "10:00"), "invoice pdf", 2, category="billing")
    s.click(e, 1, "invoices", at(31, "10:01"))
    s.view("s14", "A1", at(31, "10:01"))
    s.ask("ask_opened", "s16", at(31, "10:00"))
    s.ask("ask_suggestion_opened", "s16", at(31, "10:02"))  # implicit: 30 min have passed
    s.ask("ask_opened", "s15", at(31, "19:45"))
    s.ask("ask_suggestions_shown", "s15", at(31, "19:46"))
    s.ask("ask_suggestion_opened", "s15", at(31, "19:50"))  # pending: window still open
    db.session.commit()
    return s


def days(first: int, last: int) -> list[date]:
    return [date(2025, 3, first) + timedelta(days=n) for n in range(last - first + 1)]
