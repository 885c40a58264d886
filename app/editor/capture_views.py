"""Knowledge capture: "Turn into FAQ" on a solved forum topic."""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.editor import capture
from app.editor.blueprint import bp
from app.editor.errors import EditorError
from app.editor.forms import ActionForm
from app.errors import render_error
from app.extensions import db
from app.flashes import flash_message
from app.forum.models import Topic


@bp.post("/topics/<int:topic_id>/capture")
def capture_topic(topic_id: int):
    """A new FAQ draft from the topic's question and accepted answer; opens it in the editor."""
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        article = capture.capture_topic(topic, current_user.id)
        db.session.commit()
    except EditorError as error:
        db.session.rollback()
        if topic.article_id:
            flash_message(error.message, "info")
            return redirect(url_for("editor.edit_article", article_id=topic.article_id), 303)
        return render_error(error.status, error.message)
    flash_message(_l("FAQ draft created from the forum topic. Edit it, then publish."), "success")
    return redirect(url_for("editor.edit_article", article_id=article.id), 303)
