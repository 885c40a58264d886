"""Forum pages under /<locale>/community/: lists, topics, replies, votes, accepted answers."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from app.accounts.models import User
from app.errors import render_error
from app.events import buffer_count
from app.extensions import db, limiter
from app.flashes import flash_message
from app.forum import listing, services
from app.forum.errors import ForumError
from app.forum.forms import ActionForm, EditPostForm, ReplyForm
from app.forum.models import Post, Topic
from app.forum.paths import topic_slug
from app.forum.related_help import related_help
from app.forum.spam import honeypot_tripped
from app.forum.view_counts import TOPIC_VIEWS
from app.page_cache import beacon_response, public_page
from app.page_slots import add_to_slot

bp = Blueprint("forum", __name__, url_prefix="/<locale:locale>/community")


def posting_limit() -> str:
    return current_app.config["RATELIMIT_POSTING"]


def actions_limit() -> str:
    return current_app.config["RATELIMIT_FORUM_ACTIONS"]


def limit_key() -> str:
    """Signed-in posters are limited per account (not per shared office IP)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def viewer() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def get_topic_or_404(topic_id: int) -> Topic:
    """A topic the viewer may see (hidden ones only for moderators), else 404."""
    topic = listing.visible_topic(topic_id, viewer(), services.can_see_hidden(viewer()))
    if topic is None:
        abort(404)
    return topic


def get_post_or_404(post_id: int) -> Post:
    post = db.session.get(Post, post_id)
    if post is None:
        abort(404)
    if (post.is_hidden or post.topic.is_hidden) and not services.can_see_hidden(viewer()):
        abort(404)
    return post


def topic_url(topic: Topic, page: int = 1, **anchor) -> str:
    """A topic page's canonical URL (page 1 has no ?page=); keywords such as _anchor pass on."""
    return url_for(
        "forum.topic",
        locale=topic.locale,
        topic_id=topic.id,
        slug=topic_slug(topic.title),
        page=page if page > 1 else None,
        **anchor,
    )


def post_url(post: Post) -> str:
    """The topic page that shows this post to the viewer, scrolled to the post."""
    page = listing.post_page(post.topic, post.id, viewer())
    return topic_url(post.topic, page, _anchor=f"post-{post.id}")


def asked_for_json() -> bool:
    """A script (static/js/forum.js) asked for JSON instead of a redirect."""
    return request.accept_mimetypes.best == "application/json"


def forum_error_response(error: ForumError):
    """A refused action as a localized error page with the error's status."""
    return render_error(error.status, error.message)


bp.add_app_template_global(topic_url, "forum_topic_url")
bp.add_app_template_global(post_url, "forum_post_url")
bp.add_app_template_global(topic_slug, "forum_topic_slug")
bp.add_app_template_global(services.can_edit, "forum_can_edit")
bp.add_app_template_global(services.is_staff, "forum_is_staff")
add_to_slot(bp, "account_links", "forum/_header_notifications.html")


@bp.app_template_global("forum_unread_count")
def unread_for_viewer() -> int:
    """The signed-in viewer's unread notifications (the header's count)."""
    return services.unread_count(current_user) if current_user.is_authenticated else 0


def _list_page(template: str, category=None):
    sort = listing.parse_sort(request.args.get("sort"))
    page = listing.parse_page(request.args.get("page"))
    include_hidden = services.can_see_hidden(viewer())
    query = listing.topics_query(g.locale, sort, category, include_hidden)
    pagination = listing.paginate_topics(query, page, current_app.config["FORUM_TOPICS_PER_PAGE"])
    if page > 1 and not pagination.items:
        abort(404)
    return render_template(
        template,
        category=category,
        categories=listing.categories(),
        counts=listing.topic_counts(g.locale),
        sort=sort,
        sorts=listing.SORTS,
        pagination=pagination,
        topics=pagination.items,
    )


@bp.get("/")
@public_page
def index():
    return _list_page("forum/index.html")


@bp.get("/c/<slug>")
@public_page
def category(slug: str):
    found = listing.category_by_slug(slug)
    if found is None:
        abort(404)
    return _list_page("forum/category.html", category=found)


def _render_topic(
    topic: Topic, reply_form: ReplyForm | None = None, status: int = 200, page: int = 1
):
    include_hidden = services.can_see_hidden(viewer())
    shown = listing.topic_page(topic, include_hidden, page, listing.replies_per_page())
    articles, solved_topics = related_help(topic)
    html = render_template(
        "forum/topic.html",
        topic=topic,
        question=shown.question,
        accepted=shown.accepted,
        replies=shown.replies.items,
        pagination=shown.replies,
        voted=services.voted_post_ids(viewer(), [p.id for p in shown.posts]),
        following=services.is_following(viewer(), topic),
        may_accept=services.can_accept(viewer(), topic),
        may_reply=not topic.is_locked or services.is_moderator(viewer()),
        related_articles=articles,
        related_topics=solved_topics,
        faq_article=listing.published_faq_for(topic),
        reply_form=reply_form or ReplyForm(meta=_form_meta()),
        action_form=ActionForm(meta=_form_meta()),
        beacon_url=url_for("forum.topic_seen", topic_id=topic.id),
        # Messages about a post or the follow button show there (app/flashes.py).
        flash_anchors=[f"post-{p.id}" for p in shown.posts] + ["topic-actions"],
    )
    return make_response(html, status)


def _form_meta() -> dict:
    """Forms an anonymous reader is not shown make no CSRF token (no session, cacheable page)."""
    return {} if current_user.is_authenticated else {"csrf": False}


@bp.get("/topics/<int:topic_id>")
@bp.get("/topics/<int:topic_id>/<slug>")
@public_page
def topic(topic_id: int, slug: str | None = None):
    found = get_topic_or_404(topic_id)
    page = listing.parse_reply_page(request.args.get("page"))
    if slug != topic_slug(found.title):
        return redirect(topic_url(found, page), 301)
    return _render_topic(found, page=page)


@bp.get("/topic-views/<int:topic_id>")
def topic_seen(topic_id: int):
    """Count one view of a topic (from the page's script or <noscript> image; pages are cached)."""
    found = get_topic_or_404(topic_id)
    buffer_count(TOPIC_VIEWS, found.id)
    return beacon_response()


@bp.post("/topics/<int:topic_id>/reply")
@limiter.limit(posting_limit, key_func=limit_key)
@login_required
def reply(topic_id: int):
    found = get_topic_or_404(topic_id)
    form = ReplyForm()
    if honeypot_tripped(form):
        abort(400)
    if not form.validate_on_submit():
        return _render_topic(found, reply_form=form, status=400, page=listing.REPLY_PAGE_CAP)
    try:
        post = services.create_reply(viewer(), found, form.body.data)
    except ForumError as error:
        if error.status in (403, 404) and error.code != "suspended":
            abort(error.status)
        form.body.errors.append(error.message)
        return _render_topic(
            db.session.get(Topic, topic_id),
            reply_form=form,
            status=error.status,
            page=listing.REPLY_PAGE_CAP,  # the last page, where the reply would have gone
        )
    return redirect(post_url(post), 303)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@limiter.limit(posting_limit, key_func=limit_key, methods=["POST"])
@login_required
def edit_post(post_id: int):
    post = get_post_or_404(post_id)
    if post.author_id != current_user.id and not services.is_moderator(viewer()):
        abort(403)
    form = (
        EditPostForm(
            data={"body": post.body_markdown, "title": post.topic.title if post.is_first else ""}
        )
        if request.method == "GET"
        else EditPostForm()
    )
    status = 200
    if request.method == "POST":
        if honeypot_tripped(form):
            abort(400)
        if form.validate_on_submit():
            try:
                services.edit_post(
                    viewer(), post, form.body.data, form.title.data if post.is_first else None
                )
            except ForumError as error:
                if error.status in (403, 404) and error.code != "suspended":
                    abort(error.status)
                target = (
                    form.title if error.code in ("empty_title", "title_too_long") else form.body
                )
                target.errors.append(error.message)
                status = error.status
            else:
                flash_message(_l("Your changes were saved."), "success", at=f"post-{post.id}")
                return redirect(post_url(post), 303)
        else:
            status = 400
    return render_template("forum/edit_post.html", form=form, post=post, topic=post.topic), status


@bp.get("/posts/<int:post_id>/history")
def post_history(post_id: int):
    post = get_post_or_404(post_id)
    revisions = listing.revisions(post)
    return render_template(
        "forum/history.html",
        post=post,
        topic=post.topic,
        revisions=revisions,
        editors=listing.editor_names(revisions),
    )


def _action_form_or_400() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.post("/posts/<int:post_id>/vote")
@limiter.limit(actions_limit, key_func=limit_key)
@login_required
def vote(post_id: int):
    """Toggle the viewer's upvote; forum.js asks for JSON to update the button in place."""
    post = get_post_or_404(post_id)
    _action_form_or_400()
    try:
        voted = services.toggle_vote(viewer(), post)
    except ForumError as error:
        if asked_for_json():
            return jsonify(error=error.message), error.status
        return forum_error_response(error)
    if asked_for_json():
        score = post.vote_count
        label = ngettext("%(num)d vote", "%(num)d votes", score)
        return jsonify(score=score, voted=voted, label=label)
    return redirect(post_url(post), 303)


@bp.post("/posts/<int:post_id>/accept")
@limiter.limit(actions_limit, key_func=limit_key)
@login_required
def accept(post_id: int):
    post = get_post_or_404(post_id)
    _action_form_or_400()
    try:
        services.accept_answer(viewer(), post.topic, post)
    except ForumError as error:
        return forum_error_response(error)
    flash_message(
        _l("Marked as the accepted answer: the topic is solved."), "success", at=f"post-{post.id}"
    )
    return redirect(post_url(post), 303)


@bp.post("/topics/<int:topic_id>/unaccept")
@limiter.limit(actions_limit, key_func=limit_key)
@login_required
def unaccept(topic_id: int):
    found = get_topic_or_404(topic_id)
    _action_form_or_400()
    try:
        services.unaccept(viewer(), found)
    except ForumError as error:
        return forum_error_response(error)
    flash_message(_l("The accepted answer was cleared."), "success")
    return redirect(topic_url(found), 303)


@bp.post("/topics/<int:topic_id>/follow")
@limiter.limit(actions_limit, key_func=limit_key)
@login_required
def follow(topic_id: int):
    found = get_topic_or_404(topic_id)
    _action_form_or_400()
    services.follow(viewer(), found)
    flash_message(
        _l("You follow this topic: you will be notified of replies."), "success", at="topic-actions"
    )
    return redirect(topic_url(found, _anchor="topic-actions"), 303)


@bp.post("/topics/<int:topic_id>/unfollow")
@limiter.limit(actions_limit, key_func=limit_key)
@login_required
def unfollow(topic_id: int):
    found = get_topic_or_404(topic_id)
    _action_form_or_400()
    services.unfollow(viewer(), found)
    flash_message(_l("You no longer follow this topic."), "success", at="topic-actions")
    return redirect(topic_url(found, _anchor="topic-actions"), 303)


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def notifications():
    """GET lists the newest notifications; POST marks them all read."""
    if request.method == "POST":
        _action_form_or_400()
        services.mark_all_read(viewer())
        flash_message(_l("All notifications are marked as read."), "success")
        return redirect(url_for("forum.notifications"), 303)
    response = make_response(
        render_template(
            "forum/notifications.html",
            items=listing.notification_items(viewer()),
            action_form=ActionForm(),
        )
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/users/<int:user_id>")
def user_profile(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return render_template(
        "forum/profile.html",
        profile=user,
        stats=listing.profile_stats(user),
        topics=listing.topics_by(user),
    )
