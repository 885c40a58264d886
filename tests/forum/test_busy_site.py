"""A reply sent while the host's writers all have their turn (app/write_gate.py)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.forum.models import Post
from app.write_gate import WriteGate, gate_folder
from tests.conftest import csrf_token_from, sign_in
from tests.forum.conftest import PASSWORD, make_topic

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def replies(body: str) -> int:
    return db.session.scalar(sa.select(sa.func.count(Post.id)).where(Post.body_markdown == body))


def test_a_reply_refused_while_busy_is_told_so_in_japanese_and_sent_again_in_one_click(people, app):
    app.config["WRITE_GATE_TIMEOUT_SECONDS"] = 0.3
    topic = make_topic(people.asker, "エクスポートの方法", "CSV が必要です。", locale="ja")
    client = app.test_client()
    assert sign_in(client, people.helper.email, PASSWORD).status_code in (302, 303)
    page = client.get(f"/ja/community/topics/{topic.id}", follow_redirects=True)
    token = csrf_token_from(page.get_data(as_text=True))
    action = f"/ja/community/topics/{topic.id}/reply"
    other_process = WriteGate(gate_folder(app), 1)  # another server process's writer
    held = other_process.enter(timeout=1)
    assert held is not None
    try:
        refused = client.post(action, data={"csrf_token": token, "body": "設定から書き出せます。"})
    finally:
        other_process.leave(held)

    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    html = refused.get_data(as_text=True)
    assert "ただいま混み合っています" in html
    assert "送信内容は保存されませんでした" in html
    assert replies("設定から書き出せます。") == 0
    form = dict(HIDDEN.findall(html))
    assert form["body"] == "設定から書き出せます。"
    assert "もう一度送信" in html

    sent_again = client.post(action, data=form)  # the page's one button
    assert sent_again.status_code == 303
    assert replies("設定から書き出せます。") == 1
