"""An unfinished question put back into the ask form is announced, and can be discarded."""

from __future__ import annotations

from sqlalchemy import select

from app.ask.models import AskDraft
from app.extensions import db
from tests.ask.conftest import ASK, form_tokens, preview
from tests.conftest import csrf_token_from

RESTORED = "<p>Your unfinished question from earlier was put back into the form.</p>"


def test_an_older_draft_in_a_new_question_is_announced_with_a_way_out(asker, categories):
    preview(asker, categories["questions"].id, title="Can I get a refund after cancelling")
    # Later, "Ask the community" from a search: the old draft comes back, and says so.
    html = asker.get(f"{ASK}?title=How+do+I+reset+my+password").get_data(as_text=True)
    assert 'value="Can I get a refund after cancelling"' in html
    assert RESTORED in html and 'role="status"' in html
    assert "cancellingHow" not in html and "How do I reset my password" in html  # kept apart
    csrf, flow = form_tokens(html)
    discarded = asker.post(
        f"{ASK}/discard",
        data={"csrf_token": csrf, "flow": flow, "title": "How do I reset my password"},
    )
    assert discarded.status_code == 303
    assert discarded.headers["Location"] == f"{ASK}?title=How+do+I+reset+my+password"
    assert db.session.scalars(select(AskDraft)).all() == []
    fresh = asker.get(discarded.headers["Location"]).get_data(as_text=True)
    assert '<p class="flash flash-success" role="status">Draft discarded' in fresh
    assert RESTORED not in fresh
    assert 'value="How do I reset my password"' in fresh
    assert form_tokens(fresh)[1] != flow  # a new question, a new flow


def test_returning_to_ones_own_draft_needs_no_notice(asker, categories):
    html = preview(asker, categories["questions"].id).get_data(as_text=True)
    _csrf, flow = form_tokens(html)
    back = asker.get(f"{ASK}?draft={flow}").get_data(as_text=True)
    assert "How do I reset my password?" in back and RESTORED not in back


def test_the_notice_is_translated_and_discarding_needs_a_token(asker, categories):
    preview(asker, categories["questions"].id)
    for locale, text in (("ja", "<p>以前に書きかけた質問"), ("ar", "<p>أعدنا سؤالك غير المكتمل")):
        html = asker.get(f"/{locale}/community/ask").get_data(as_text=True)
        assert text in html
    _csrf, flow = form_tokens(asker.get(ASK).get_data(as_text=True))
    assert asker.post(f"{ASK}/discard", data={"flow": flow}).status_code == 400
    assert len(db.session.scalars(select(AskDraft)).all()) == 1
    assert csrf_token_from(asker.get(ASK).get_data(as_text=True))
