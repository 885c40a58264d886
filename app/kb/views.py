"""Knowledge-base pages under /<locale>/: home, categories, articles, feedback, guide steps."""

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
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.events import anonymous_session_key, buffer_event, visitor_session_key
from app.extensions import db, limiter
from app.flashes import flash_message
from app.kb import listing_cache, services
from app.kb.article_pages import ArticlePage, article_page, kept_section
from app.kb.feed import atom_feed
from app.kb.feedback import FeedbackError, add_details, record_vote
from app.kb.forms import FeedbackDetailsForm, GuideStepForm, HelpfulVoteForm
from app.kb.guide_progress import done_steps, mark_step
from app.kb.models import Article, ArticleFeedback
from app.kb.related import content_state
from app.kb.view_counts import ARTICLE_VIEWS
from app.page_cache import beacon_response, public_page
from app.pagination import page_number

bp = Blueprint("kb", __name__, url_prefix="/<locale:locale>")
bp.add_app_template_global(kept_section)

PENDING_FEEDBACK = "feedback_pending"  # article id -> feedback id awaiting a reason
VOTED = "feedback_voted"  # article ids this session has voted on


def feedback_limit() -> str:
    return current_app.config["RATELIMIT_FEEDBACK"]


def get_article_or_404(slug: str) -> Article:
    """The published article at (current locale, slug), or a localized 404."""
    article = services.published_article(g.locale, slug)
    if article is None:
        abort(404)
    return article


@bp.get("/")
@public_page
def home():
    return render_template(
        "kb/home.html",
        categories=listing_cache.category_cards(g.locale),
        popular=listing_cache.popular(g.locale),
        recent=listing_cache.recent(g.locale),
    )


@bp.get("/categories/<slug>")
@public_page
def category(slug: str):
    found = services.category_by_slug(slug)
    if found is None:
        abort(404)
    per_page = current_app.config["KB_ARTICLES_PER_PAGE"]
    pagination = services.articles_in_category(
        g.locale, found, page_number(request.args.get("page")), per_page
    )
    return render_template(
        "kb/category.html", category=found, articles=pagination.items, pagination=pagination
    )


def _render_article(page: ArticlePage, details_form: FeedbackDetailsForm | None = None, status=200):
    """The article page; an anonymous reader's copy holds nothing of theirs (it may be cached)."""
    done = done_steps(page) if page.is_guide else set()
    g.alternate_urls = {
        locale: url_for("kb.article", locale=locale, slug=slug)
        for locale, slug in page.translations.items()
    }
    awaiting_reason = str(page.id) in session.get(PENDING_FEEDBACK, {})
    if awaiting_reason and details_form is None:
        details_form = FeedbackDetailsForm()
    html = render_template(
        "kb/article.html",
        article=page,
        done=done,
        details_form=details_form,
        awaiting_reason=awaiting_reason,
        voted=page.id in session.get(VOTED, []),
        beacon_url=url_for("kb.article_seen", slug=page.slug, a=page.id),
        flash_anchors=["feedback"],  # the answer to "Was this helpful?" shows in that section
    )
    response = make_response(html, status)
    response.last_modified = max(page.updated_at, content_state()[1] or page.updated_at)
    return response


@bp.get("/articles/<slug>")
@public_page
def article(slug: str):
    found = article_page(g.locale, slug)
    if found is None:
        moved = services.redirected_article(g.locale, slug)
        if moved is not None:
            return redirect(url_for("kb.article", slug=moved.slug), 301)
        elsewhere = services.versions_elsewhere(g.locale, slug)
        if not elsewhere:
            abort(404)
        return render_template("kb/not_in_language.html", versions=elsewhere), 404
    return _render_article(found)


@bp.get("/articles/<slug>/seen")
def article_seen(slug: str):
    """Count one view of an article: called by the page's script, or its <noscript> image.

    Pages are cached, so the view is counted here rather than when the page is rendered
    (app/insights/EVENTS.md). `k` is the browser's visitor key; nothing is stored in a cookie.
    """
    article_id = request.args.get("a", "")
    if not article_id.isdigit():
        abort(404)
    found = services.published_article_by_id(g.locale, int(article_id))
    if found is None or found.slug != slug:
        abort(404)
    buffer_event(
        "article_view",
        locale=g.locale,
        subject=("article", found.id),
        session_key=visitor_session_key(request.args.get("k")),
        counter=ARTICLE_VIEWS,
    )
    return beacon_response()


@bp.post("/articles/<slug>/feedback")
@limiter.limit(feedback_limit)
def feedback(slug: str):
    found = get_article_or_404(slug)
    form = HelpfulVoteForm()
    if not form.validate_on_submit():
        abort(400)
    helpful = form.helpful.data == "yes"
    vote = record_vote(
        found,
        helpful,
        session_key=anonymous_session_key(),
        user_id=current_user.id if current_user.is_authenticated else None,
    )
    db.session.commit()
    session[VOTED] = sorted(set(session.get(VOTED, [])) | {found.id})
    if helpful:
        flash_message(_l("Thanks for letting us know!"), "success", at="feedback")
    else:
        session[PENDING_FEEDBACK] = {**session.get(PENDING_FEEDBACK, {}), str(found.id): vote.id}
        flash_message(
            _l("Thanks. What went wrong? Your answer helps us fix this article."),
            "info",
            at="feedback",
        )
    return redirect(url_for("kb.article", slug=found.slug, _anchor="feedback"), 303)


@bp.post("/articles/<slug>/feedback/details")
@limiter.limit(feedback_limit)
def feedback_details(slug: str):
    found = article_page(g.locale, slug)
    if found is None:
        abort(404)
    pending = session.get(PENDING_FEEDBACK, {})
    vote = db.session.get(ArticleFeedback, pending.get(str(found.id), 0))
    if vote is None or vote.article_id != found.id:
        flash_message(_l("Please answer “Was this helpful?” first."), "error", at="feedback")
        return redirect(url_for("kb.article", slug=found.slug, _anchor="feedback"), 303)
    form = FeedbackDetailsForm()
    if not form.validate_on_submit():
        return _render_article(found, details_form=form, status=400)
    try:
        add_details(
            vote,
            form.reason.data,
            form.comment.data or "",
            current_app.config["FEEDBACK_COMMENT_MAX"],
        )
    except FeedbackError:
        abort(400)
    db.session.commit()
    session[PENDING_FEEDBACK] = {k: v for k, v in pending.items() if k != str(found.id)}
    flash_message(_l("Thank you — your feedback was sent to our team."), "success", at="feedback")
    return redirect(url_for("kb.article", slug=found.slug, _anchor="feedback"), 303)


@bp.post("/articles/<slug>/steps/<key>")
def guide_step(slug: str, key: str):
    found = get_article_or_404(slug)
    if key not in {step.key for step in found.steps}:
        abort(404)
    form = GuideStepForm()
    if not form.validate_on_submit():
        abort(400)
    mark_step(found, key, form.done.data == "1")
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        done = done_steps(found)
        return jsonify(done=sorted(done), done_count=len(done), total=len(found.steps))
    return redirect(url_for("kb.article", slug=found.slug, _anchor=f"step-{key}"), 303)


@bp.get("/feed.atom")
@public_page
def feed():
    document = atom_feed(
        services.published_for_feed(g.locale),
        locale=g.locale,
        title=f"{current_app.config['SITE_NAME']} — {_('Recently updated articles')}",
        self_url=url_for("kb.feed", _external=True),
        home_url=url_for("kb.home", _external=True),
        article_url=lambda article: url_for("kb.article", slug=article.slug, _external=True),
    )
    response = make_response(document)
    response.mimetype = "application/atom+xml"
    return response
