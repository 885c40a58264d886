"""A topic page's related help: articles and solved topics like it, kept per process.

Found by the search index's lean "related" ranking on the topic's title (no facets,
snippets or spelling), then kept per (topic, title, locale, published content version)
for FORUM_RELATED_HELP_SECONDS in a bounded LRU. A publish changes the version, so a new
article shows on the next view (another process within a second, when it rereads the
version); a topic solved since shows within FORUM_RELATED_HELP_SECONDS.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app

from app.forum.models import Topic
from app.page_cache import content_version, fresh_value, keep_value

log = logging.getLogger(__name__)

RELATED_LIMIT = 5
RANKED_LIMIT = 20  # results ranked to fill both lists (other topics are often unsolved)
MAX_ENTRIES = 2_000
STORE_KEY = "forum_related_help"  # app.extensions: (lock, OrderedDict key -> (expires, lists))


@dataclass(frozen=True)
class RelatedLink:
    title: str
    url: str
    solved: bool = False


RelatedLists = tuple[tuple[RelatedLink, ...], tuple[RelatedLink, ...]]


def related_help(topic: Topic) -> tuple[list[RelatedLink], list[RelatedLink]]:
    """Articles and other solved topics like this one (never raises: a broken index is none)."""
    try:
        key = (topic.id, topic.locale, topic.title, content_version())
        found = fresh_value(_store(), key)
        if found is None:
            found = _find(topic)
            seconds = current_app.config["FORUM_RELATED_HELP_SECONDS"]
            keep_value(_store(), key, found, seconds, MAX_ENTRIES)
    except Exception:  # a missing or broken index must not break the topic page
        log.warning("related help for topic %s failed", topic.id, exc_info=True)
        return [], []
    return list(found[0]), list(found[1])


def _find(topic: Topic) -> RelatedLists:
    from app.site_search.services import related_results

    articles: list[RelatedLink] = []
    topics: list[RelatedLink] = []
    own_id = f"topic:{topic.id}"
    for hit in related_results(topic.title, topic.locale, RANKED_LIMIT):
        if hit.type == "topic":
            if hit.doc_id != own_id and hit.solved and len(topics) < RELATED_LIMIT:
                topics.append(RelatedLink(hit.title, hit.url, True))
        elif len(articles) < RELATED_LIMIT:
            articles.append(RelatedLink(hit.title, hit.url))
    return tuple(articles), tuple(topics)


def _store() -> tuple[threading.Lock, OrderedDict]:
    return current_app.extensions.setdefault(STORE_KEY, (threading.Lock(), OrderedDict()))
