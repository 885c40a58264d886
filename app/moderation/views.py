"""Moderator pages under /moderation/: flags, hide, lock, pin, move, suspend."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.accounts.guards import role_required
from app.accounts.models import ROLE_LABELS, Role, User
from app.extensions import db
from app.flashes import flash_message
from app.forum import listing
from app.forum.models import ForumCategory, Post, Topic
from app.forum.paths import topic_slug
from app.locales import current_locale
from app.moderation import services as moderation
from app.moderation.forms import FlagForm, MoveTopicForm, ReasonForm, SuspendForm
from app.page_slots import add_to_slot
from app.pagination import page_number
from app.security import safe_next_url

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
add_to_slot(bp, "topic_tools", "moderation/_topic_tools.html")
add_to_slot(bp, "post_tools", "moderation/_post_tools.html")

LOG_PER_PAGE = 50
QUEUE_PER_PAGE = 25  # flagged posts per page of the queue


@bp.app_template_global()
def moderation_categories() -> list[ForumCategory]:
    """The categories a moderator can move a topic to (used by _topic_tools.html)."""
    return moderation.categories()


@bp.app_template_global()
def is_moderator(user=None) -> bool:
    return moderation.is_moderator(user if user is not None else current_user)


moderator_required = role_required(Role.MODERATOR.value)


def topic_url(topic: Topic, post: Post | None = None) -> str:
    """The topic page at the post (on its page) once the forum's views exist; else queue/home."""
    if "forum.topic" in current_app.view_functions:
        anchor = f"post-{post.id}" if post is not None and not post.is_first else None
        page = listing.post_page(topic, post.id, current_user) if anchor else 1
        return url_for(
            "forum.topic",
            locale=topic.locale,
            topic_id=topic.id,
            slug=topic_slug(topic.title),
            page=page if page > 1 else None,
            _anchor=anchor,
        )
    if moderation.is_moderator(current_user):
        return url_for("moderation.queue")
    return url_for("kb.home", locale=topic.locale)


def back_to(form, fallback: str):
    return redirect(safe_next_url(form.next.data, fallback), 303)


def load_post(post_id: int) -> Post:
    """The post, or 404 when missing or hidden from this viewer."""
    post = db.session.get(Post, post_id)
    if post is None or not moderation.post_visible_to(current_user, post):
        abort(404)
    return post


def load_topic(topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        abort(404)
    return topic


def invalid_action(form, title: str, target_label: str, status: int = 400):
    """Re-render a failed action on its own page: the message and the typed reason stay."""
    return render_template(
        "moderation/action.html",
        form=form,
        title=title,
        target_label=target_label,
        action_url=request.path,
    ), status


def error_status(error: moderation.ModerationError) -> int:
    return {"forbidden": 403, "not_found": 404, "own_post": 403}.get(error.code, 400)


# --- Flagging (any signed-in user) ------------------------------------------------------


@bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
@login_required
def flag_post(post_id: int):
    post = load_post(post_id)
    form = FlagForm(next=request.args.get("next", ""))
    if post.author_id == current_user.id:
        abort(403)
    if form.validate_on_submit():
        try:
            moderation.flag_post(post, current_user, form.reason.data, form.note.data)
            moderation.commit_flag(post, current_user)
        except moderation.ModerationError as error:
            if error.code != "already_flagged":
                return render_template(
                    "moderation/flag.html", form=form, post=post, error=error.message
                ), error_status(error)
            # A double click lands here: nothing to undo.
            flash_message(error.message, "info", at=f"post-{post.id}")
        else:
            flash_message(
                _l("Thank you. Moderators will review this post."), "success", at=f"post-{post.id}"
            )
        return back_to(form, topic_url(post.topic, post))
    status = 400 if form.is_submitted() else 200
    return render_template("moderation/flag.html", form=form, post=post, error=None), status


# --- The queue and the log (moderators) -------------------------------------------------


@bp.get("/")
@moderator_required
def queue():
    items, pagination = moderation.flag_queue_page(
        page_number(request.args.get("page")), QUEUE_PER_PAGE
    )
    return render_template(
        "moderation/queue.html", items=items, pagination=pagination, topic_url=topic_url
    )


@bp.get("/log")
@moderator_required
def log():
    page = page_number(request.args.get("page"))
    entries, pagination = moderation.moderation_log(page=page, per_page=LOG_PER_PAGE)
    return render_template(
        "moderation/log.html", entries=entries, pagination=pagination, topic_url=topic_url
    )


# --- Post actions ----------------------------------------------------------------------


def _post_action(post_id: int, service: Callable, done: object, title: str):
    post = db.session.get(Post, post_id)
    if post is None:
        abort(404)
    form = ReasonForm()
    label = _("Post #%(id)d in “%(topic)s”", id=post.id, topic=post.topic.title)
    if not form.validate_on_submit():
        return invalid_action(form, title, label)
    try:
        service(current_user, post, form.reason.data)
    except moderation.ModerationError as error:
        db.session.rollback()
        form.reason.errors.append(error.message)
        return invalid_action(form, title, label, error_status(error))
    db.session.commit()
    flash_message(done, "success", at=f"post-{post.id}")
    return back_to(form, url_for("moderation.queue"))


@bp.post("/posts/<int:post_id>/hide")
@moderator_required
def hide_post(post_id: int):
    return _post_action(post_id, moderation.hide_post, _l("The post is hidden."), _("Hide post"))


@bp.post("/posts/<int:post_id>/restore")
@moderator_required
def restore_post(post_id: int):
    return _post_action(
        post_id, moderation.restore_post, _l("The post is visible again."), _("Restore post")
    )


@bp.post("/posts/<int:post_id>/dismiss")
@moderator_required
def dismiss_flags(post_id: int):
    return _post_action(
        post_id, moderation.dismiss_flags, _l("The flags are dismissed."), _("Dismiss flags")
    )


# --- Topic actions ---------------------------------------------------------------------


def _topic_action(topic_id: int, action: str):
    topic = load_topic(topic_id)
    messages = {
        "lock": (_("Lock topic"), _l("The topic is locked.")),
        "unlock": (_("Unlock topic"), _l("The topic is unlocked.")),
        "pin": (_("Pin topic"), _l("The topic is pinned.")),
        "unpin": (_("Unpin topic"), _l("The topic is unpinned.")),
        "hide": (_("Hide topic"), _l("The topic is hidden.")),
        "restore": (_("Restore topic"), _l("The topic is visible again.")),
    }
    title, done = messages[action]
    form = ReasonForm()
    if not form.validate_on_submit():
        return invalid_action(form, title, topic.title)
    try:
        moderation.set_topic_state(current_user, topic, action, form.reason.data)
    except moderation.ModerationError as error:
        db.session.rollback()
        form.reason.errors.append(error.message)
        return invalid_action(form, title, topic.title, error_status(error))
    db.session.commit()
    flash_message(done, "success")
    return back_to(form, topic_url(topic))


@bp.post("/topics/<int:topic_id>/lock")
@moderator_required
def lock_topic(topic_id: int):
    return _topic_action(topic_id, "lock")


@bp.post("/topics/<int:topic_id>/unlock")
@moderator_required
def unlock_topic(topic_id: int):
    return _topic_action(topic_id, "unlock")


@bp.post("/topics/<int:topic_id>/pin")
@moderator_required
def pin_topic(topic_id: int):
    return _topic_action(topic_id, "pin")


@bp.post("/topics/<int:topic_id>/unpin")
@moderator_required
def unpin_topic(topic_id: int):
    return _topic_action(topic_id, "unpin")


@bp.post("/topics/<int:topic_id>/hide")
@moderator_required
def hide_topic(topic_id: int):
    return _topic_action(topic_id, "hide")


@bp.post("/topics/<int:topic_id>/restore")
@moderator_required
def restore_topic(topic_id: int):
    return _topic_action(topic_id, "restore")


@bp.post("/topics/<int:topic_id>/move")
@moderator_required
def move_topic(topic_id: int):
    topic = load_topic(topic_id)
    form = MoveTopicForm()
    form.category_id.choices = [
        SelectChoice(category.id, category.name_in(current_locale()))
        for category in moderation.categories()
    ]
    title = _("Move topic")
    if not form.validate_on_submit():
        return invalid_action(form, title, topic.title)
    category = db.session.get(ForumCategory, form.category_id.data)
    try:
        moderation.move_topic(current_user, topic, category, form.reason.data)
    except moderation.ModerationError as error:
        db.session.rollback()
        form.reason.errors.append(error.message)
        return invalid_action(form, title, topic.title, error_status(error))
    db.session.commit()
    flash_message(_l("The topic is moved."), "success")
    return back_to(form, topic_url(topic))


# --- Users -----------------------------------------------------------------------------


@bp.get("/users/<int:user_id>")
@moderator_required
def user(user_id: int):
    member = db.session.get(User, user_id) or abort(404)
    return render_template(
        "moderation/user.html",
        member=member,
        role_label=ROLE_LABELS.get(member.role, member.role),
        summary=moderation.user_summary(member),
        suspend_form=SuspendForm(),
        unsuspend_form=ReasonForm(),
    )


def _user_action(user_id: int, suspend: bool):
    member = db.session.get(User, user_id) or abort(404)
    form = SuspendForm() if suspend else ReasonForm()
    title = _("Suspend account") if suspend else _("Lift suspension")
    if not form.validate_on_submit():
        return invalid_action(form, title, member.display_name)
    try:
        if suspend:
            hidden = moderation.suspend_user(
                current_user, member, form.reason.data, hide_posts=form.hide_posts.data
            )
            done = ngettext(
                "%(name)s is suspended; %(num)d post hidden.",
                "%(name)s is suspended; %(num)d posts hidden.",
                hidden,
                name=member.display_name,
            )
        else:
            moderation.unsuspend_user(current_user, member, form.reason.data)
            done = _("%(name)s can sign in again.", name=member.display_name)
    except moderation.ModerationError as error:
        db.session.rollback()
        form.reason.errors.append(error.message)
        return invalid_action(form, title, member.display_name, error_status(error))
    db.session.commit()
    flash_message(done, "success")
    return back_to(form, url_for("moderation.user", user_id=member.id))


@bp.post("/users/<int:user_id>/suspend")
@moderator_required
def suspend_user(user_id: int):
    return _user_action(user_id, suspend=True)


@bp.post("/users/<int:user_id>/unsuspend")
@moderator_required
def unsuspend_user(user_id: int):
    return _user_action(user_id, suspend=False)
