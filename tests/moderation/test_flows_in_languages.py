"""A topic page and the flag queue as a Japanese- or Arabic-speaking user sees them (issue 18).

Item 2: a flash follows the page it is shown on and sits next to the post it is about.
Item 3: Latin titles and names in the Arabic queue are isolated (<bdi>).
Item 8: no empty "Other replies" heading, one visible "Your reply", the queue shows the post
rendered (sanitized HTML), not its Markdown.
"""

from __future__ import annotations

from flask_babel import force_locale, gettext

from app.extensions import db
from app.forum import services as forum_services
from tests.moderation.test_flags import signed_in

THANKS = "Thank you. Moderators will review this post."


def translated(app, locale: str, message: str) -> str:
    with app.test_request_context(), force_locale(locale):
        return gettext(message)


def test_a_flash_is_in_the_pages_language_and_next_to_the_flagged_post(forum, client):
    forum.asker.locale = "ja"  # the profile says Japanese; the topic page is English
    db.session.commit()
    token = signed_in(client, forum.asker)
    flagged = client.post(
        f"/moderation/posts/{forum.reply.id}/flag", data={"csrf_token": token, "reason": "spam"}
    )
    assert flagged.status_code == 303
    assert flagged.location.endswith(f"#post-{forum.reply.id}")
    page = client.get(flagged.location).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    assert THANKS in page and translated(forum.app, "ja", THANKS) not in page
    # Shown once, inside the flagged post's <article>, not at the top of the page.
    assert page.count(THANKS) == 1
    post_start = page.index(f'id="post-{forum.reply.id}"')
    assert post_start < page.index(THANKS) < page.index("</article>", post_start)


def test_a_flash_for_a_post_not_on_the_page_falls_back_to_the_top(forum, client):
    token = signed_in(client, forum.asker)
    client.post(
        f"/moderation/posts/{forum.reply.id}/flag",
        data={"csrf_token": token, "reason": "spam", "next": "/en/community/"},
    )
    page = client.get("/en/community/").get_data(as_text=True)
    assert page.count(THANKS) == 1 and 'class="flashes"' in page


def test_only_an_accepted_answer_shows_no_empty_other_replies_heading(forum, client):
    forum_services.accept_answer(forum.asker, forum.topic, forum.reply)
    db.session.commit()
    signed_in(client, forum.asker)
    page = client.get(f"/en/community/topics/{forum.topic.id}", follow_redirects=True).text
    assert "Accepted answer" in page and "Other replies" not in page
    # "Your reply" is the section's heading; the text box's label is for screen readers only.
    assert page.count(">Your reply<") == 2
    assert '<label class="visually-hidden" for="body">Your reply</label>' in page


def test_the_queue_shows_the_rendered_post_with_latin_titles_isolated_in_arabic(forum, client):
    forum.reply.body_markdown = "Open **Settings** then `Export`."
    forum.reply.body_html = "<p>Open <strong>Settings</strong> then <code>Export</code>.</p>"
    forum.moderator.locale = "ar"
    db.session.commit()
    token = signed_in(client, forum.asker)
    client.post(
        f"/moderation/posts/{forum.reply.id}/flag", data={"csrf_token": token, "reason": "spam"}
    )
    client.post("/account/sign-out", data={"csrf_token": token})
    signed_in(client, forum.moderator)
    page = client.get("/moderation/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "<strong>Settings</strong>" in page and "**Settings**" not in page
    assert "<bdi>How do I export?</bdi>" in page  # the Latin topic title in the Arabic queue
    assert "<bdi>Replier</bdi>" in page  # the author's name inside "By %(name)s"
