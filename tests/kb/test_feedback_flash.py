"""The answer to "Was this helpful?" shows in the feedback section, in the page's language."""

from __future__ import annotations

from app.extensions import db
from tests.conftest import make_user, reader_token, sign_in


def test_the_thanks_is_in_the_articles_language_inside_the_feedback_section(
    demo_app, demo_client, fast_hashing
):
    user = make_user()
    user.locale = "ar"  # the profile says Arabic; the article is English
    db.session.commit()
    assert sign_in(demo_client).status_code == 303
    voted = demo_client.post(
        "/en/articles/reset-your-password/feedback",
        data={"helpful": "yes", "csrf_token": reader_token(demo_client)},
    )
    assert voted.status_code == 303 and voted.location.endswith("#feedback")
    page = demo_client.get(voted.location).get_data(as_text=True)
    section = page[
        page.index('id="feedback"') : page.index("</section>", page.index('id="feedback"'))
    ]
    assert "Thanks for letting us know!" in section
    assert page.count("Thanks for letting us know!") == 1
