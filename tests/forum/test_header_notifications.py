"""The unread notification count is in every page's header for a signed-in user (issue 18, 8).

Anonymous pages stay what the caches keep (public, no count, no cookie); signed-in pages,
which carry the count, are never stored by a shared cache.
"""

from __future__ import annotations

from app.extensions import db
from app.forum.models import Notification
from tests.conftest import sign_in
from tests.forum.conftest import PASSWORD, make_topic

PAGES = ["/en/", "/ar/articles/reset-your-password", "/ja/search?q=export", "/account/profile"]


def notify(user, topic, count: int) -> None:
    for _ in range(count):
        db.session.add(Notification(user_id=user.id, kind="reply", topic_id=topic.id))
    db.session.commit()


def test_signed_in_pages_show_the_count_and_are_private(people, client):
    topic = make_topic(people.asker)
    notify(people.other, topic, 2)
    assert sign_in(client, people.other.email, PASSWORD).status_code == 303
    for path in PAGES:
        response = client.get(path)
        page = response.get_data(as_text=True)
        header = page[page.index('<nav class="account-links"') : page.index("</header>")]
        assert 'class="header-notifications"' in header, path
        assert '<span class="badge">2</span>' in header, path
        assert "public" not in response.headers.get("Cache-Control", ""), path
    # On the notifications page itself the link is the current page, and after reading them
    # all there is no count.
    inbox = client.get("/en/community/notifications").get_data(as_text=True)
    assert 'aria-current="page">' in inbox
    for notification in db.session.scalars(db.select(Notification)):
        notification.read_at = notification.created_at
    db.session.commit()
    home = client.get("/en/").get_data(as_text=True)
    assert 'class="header-notifications"' in home and '<span class="badge">' not in home


def test_anonymous_pages_have_no_count_and_stay_cacheable(people, client):
    response = client.get("/en/")
    assert "header-notifications" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"].startswith("public")
    assert "Set-Cookie" not in response.headers
