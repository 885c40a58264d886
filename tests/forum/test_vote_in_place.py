"""Votes sent by forum.js: JSON in, JSON out; the plain form still posts and redirects."""

from __future__ import annotations

from app.extensions import db
from app.forum import services
from tests.conftest import csrf_token_from, sign_in
from tests.forum.conftest import PASSWORD, make_topic

JSON = {"Accept": "application/json"}


def signed_in(app, user):
    client = app.test_client()
    assert sign_in(client, user.email, PASSWORD).status_code in (302, 303)
    return client


def topic_page(client, topic) -> str:
    return client.get(f"/en/community/topics/{topic.id}", follow_redirects=True).get_data(
        as_text=True
    )


def test_a_vote_asked_as_json_answers_with_the_score(people, app):
    topic = make_topic(people.asker)
    reply = services.create_reply(people.helper, topic, "Try the export page.")
    services.toggle_vote(people.other, reply)
    client = signed_in(app, people.asker)
    token = csrf_token_from(topic_page(client, topic))
    action = f"/en/community/posts/{reply.id}/vote"

    response = client.post(action, data={"csrf_token": token}, headers=JSON)
    assert response.status_code == 200 and response.is_json
    assert response.get_json() == {"score": 2, "voted": True, "label": "2 votes"}
    again = client.post(action, data={"csrf_token": token}, headers=JSON)
    assert again.get_json() == {"score": 1, "voted": False, "label": "1 vote"}
    db.session.refresh(reply)
    assert reply.vote_count == 1


def test_a_refused_vote_answers_with_the_message(people, app):
    topic = make_topic(people.asker)
    client = signed_in(app, people.asker)
    token = csrf_token_from(topic_page(client, topic))
    response = client.post(
        f"/en/community/posts/{topic.posts[0].id}/vote", data={"csrf_token": token}, headers=JSON
    )
    assert response.status_code == 400
    assert response.get_json() == {"error": "You cannot vote for your own post."}


def test_an_expired_form_is_an_html_page_the_script_falls_back_to(people, app):
    topic = make_topic(people.asker)
    client = signed_in(app, people.helper)
    response = client.post(
        f"/en/community/posts/{topic.posts[0].id}/vote", data={"csrf_token": "x"}, headers=JSON
    )
    assert response.status_code == 400 and not response.is_json


def test_the_vote_button_is_a_toggle_described_by_its_count(people, app):
    topic = make_topic(people.asker)
    question = topic.posts[0]
    client = signed_in(app, people.helper)
    html = topic_page(client, topic)
    assert 'class="inline-form post-vote" data-once' in html
    assert (
        f'aria-pressed="false" aria-describedby="post-{question.id}-votes">Upvote'
        '<span class="visually-hidden"> (post by <bdi>Ada Asker</bdi>)</span></button>'
    ) in html
    assert f'<span class="vote-count" id="post-{question.id}-votes" aria-live="polite">' in html
    assert "data-vote-busy=" in html and "data-vote-failed=" in html
