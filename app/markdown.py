"""The one place Markdown becomes safe HTML: render with Python-Markdown, then sanitize with nh3."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from html import unescape

import markdown
import markdown.extensions
import markdown.inlinepatterns
import nh3
from markdown.extensions.toc import slugify_unicode

_TAG = re.compile(r"<[^>]+>")


def html_to_text(html: str) -> str:
    """Plain text from our own sanitized HTML (for search; never user-supplied raw HTML)."""
    return " ".join(unescape(_TAG.sub(" ", html or "")).split())


MARKDOWN_EXTENSIONS = [
    "tables",
    "fenced_code",
    "footnotes",
    "abbr",
    "sane_lists",
    "admonition",
    "toc",
    "pymdownx.tasklist",
]
MARKDOWN_EXTENSION_CONFIGS = {
    "toc": {"slugify": slugify_unicode, "toc_depth": "2-3", "permalink": False},
    "pymdownx.tasklist": {"custom_checkbox": False, "clickable_checkbox": False},
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol",
    "p", "pre", "s", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title"},
    "a": {"href"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
}
# Classes the renderer itself produces; anything else a writer types is dropped.
ALLOWED_CLASS = re.compile(
    r"^(admonition|admonition-title|note|tip|warning|danger|important|info|caution|"
    r"task-list|task-list-item|task-box|task-box-done|footnote|footnote-ref|footnote-backref|"
    r"language-[a-z0-9_+-]{1,30})$"
)
# Task-list checkboxes become plain marks: a disabled, unlabelled input is noise to a screen reader.
TASK_BOX = re.compile(r'<input type="checkbox" disabled(?:="")?( checked(?:="")?)?\s*/?>')
SAFE_ID = re.compile(r"^[\w\-]{1,100}$", re.UNICODE)
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class Heading:
    """One entry of an article's table of contents."""

    level: int
    anchor: str
    text: str


@dataclass(frozen=True)
class RenderedMarkdown:
    """Sanitized HTML and the headings it contains."""

    html: str
    headings: list[Heading] = field(default_factory=list)


def _filter_attribute(allow_images_from_other_hosts: bool):
    """Build nh3's attribute filter: vetted classes, ids, checkboxes and image sources."""

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "class":
            kept = [name for name in value.split() if ALLOWED_CLASS.match(name)]
            return " ".join(kept) or None
        if attribute == "id":
            return value if SAFE_ID.match(value) else None
        if tag == "img" and attribute == "src" and not allow_images_from_other_hosts:
            # Only images served by the site itself: a path, never another host.
            return value if value.startswith("/") and not value.startswith("//") else None
        return value

    return attribute_filter


def _task_box(match: re.Match[str]) -> str:
    """Replace a task-list checkbox with a visible mark."""
    if match.group(1):
        return '<span class="task-box task-box-done">☑</span>'
    return '<span class="task-box">☐</span>'


def _collect_headings(toc_tokens: list[dict]) -> list[Heading]:
    """Flatten Python-Markdown's nested toc tokens."""
    headings: list[Heading] = []
    for token in toc_tokens:
        headings.append(Heading(token["level"], token["id"], unescape(token["name"])))
        headings.extend(_collect_headings(token.get("children", [])))
    return headings


def sanitize_html(
    html: str, *, link_rel: str = "noopener noreferrer", external_images: bool = False
) -> str:
    """Reduce HTML to the allow-list: no scripts, handlers, styles or dangerous URLs."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute(external_images),
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=link_rel,
        strip_comments=True,
    )


def render_markdown(
    source: str, *, link_rel: str = "noopener noreferrer", external_images: bool = False
) -> RenderedMarkdown:
    """Render Markdown to sanitized HTML; forum posts pass link_rel="nofollow ugc noopener"."""
    converter = markdown.Markdown(
        extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_EXTENSION_CONFIGS
    )
    raw_html = TASK_BOX.sub(_task_box, converter.convert(source or ""))
    headings = _collect_headings(getattr(converter, "toc_tokens", []))
    safe_html = sanitize_html(raw_html, link_rel=link_rel, external_images=external_images)
    # A heading whose id was dropped by the sanitizer must not appear in the contents.
    kept = [h for h in headings if f'id="{h.anchor}"' in safe_html]
    return RenderedMarkdown(html=safe_html, headings=kept)


# --- User content (forum posts) --------------------------------------------------------------
# Posts are rendered like articles, but stricter: links get rel="nofollow ugc noopener", images
# come only from this site's /static/ and /media/ paths (or a relative path), writers cannot
# set ids or the renderer's styling classes, and @mentions become links to profiles.
#
# A mention is "@" followed by a handle: the user's display name with its spaces removed, e.g.
# "@AdaLovelace" for "Ada Lovelace", matched case-insensitively. Mentions inside code are text.

USER_LINK_REL = "nofollow ugc noopener"
USER_IMAGE_PATHS = ("/static/", "/media/")
MENTION = re.compile(r"(?<![\w@/.])@([^\W_][\w.\-]{0,79})", re.UNICODE)
MENTION_INLINE = r"(?<![\w@/.])@([^\W_][\w.\-]{0,79})"
USER_ALLOWED_CLASS = re.compile(r"^(mention|task-box|task-box-done|language-[a-z0-9_+-]{1,30})$")


def mention_handles(source: str) -> set[str]:
    """Every @handle written in `source` (case-folded, trailing dots dropped), for one look-up."""
    return {handle_key(m.group(1)) for m in MENTION.finditer(source or "")}


def handle_key(handle: str) -> str:
    """How handles compare: case-folded, without spaces and trailing punctuation."""
    return "".join(handle.split()).rstrip(".-").casefold()


def _user_image_src(value: str) -> str | None:
    """Only images served by the site: /static/, /media/ or a relative path; never a host."""
    value = value.strip()
    if "\\" in value or value.startswith("//") or any(ord(ch) < 32 for ch in value):
        return None
    if value.startswith("/"):
        return value if value.startswith(USER_IMAGE_PATHS) else None
    scheme, colon, _rest = value.partition(":")
    if colon and "/" not in scheme:  # any scheme at all: http:, data:, javascript:
        return None
    return value or None


def _user_attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        kept = [name for name in value.split() if USER_ALLOWED_CLASS.match(name)]
        return " ".join(kept) or None
    if attribute == "id":
        return None  # a writer's id could clobber the page's own elements
    if tag == "img" and attribute == "src":
        return _user_image_src(value)
    return value


class _MentionPattern(markdown.inlinepatterns.InlineProcessor):
    """@handle → <a class="mention" href=profile>, when the handle belongs to a user."""

    def __init__(self, pattern: str, resolve, found: dict[str, str]) -> None:
        super().__init__(pattern)
        self.resolve = resolve
        self.found = found

    def handleMatch(self, m, data):
        raw = m.group(1).rstrip(".-")
        url = self.resolve(handle_key(raw))
        if not url:
            return None, None, None
        element = etree.Element("a")
        element.set("href", url)
        element.set("class", "mention")
        element.text = "@" + raw
        self.found[handle_key(raw)] = url
        return element, m.start(0), m.start(0) + 1 + len(raw)


class _MentionExtension(markdown.extensions.Extension):
    def __init__(self, resolve, found: dict[str, str]) -> None:
        super().__init__()
        self.resolve = resolve
        self.found = found

    def extendMarkdown(self, md):
        # After links and autolinks (so an e-mail address stays one), before emphasis.
        md.inlinePatterns.register(
            _MentionPattern(MENTION_INLINE, self.resolve, self.found), "mention", 65
        )


@dataclass(frozen=True)
class RenderedUserMarkdown:
    """A post's sanitized HTML and the handles it mentions that resolved to a profile."""

    html: str
    mentions: dict[str, str] = field(default_factory=dict)  # handle key -> profile URL


def render_user_markdown(source: str, resolve_mention=None) -> RenderedUserMarkdown:
    """Render a forum post: user-content rules (see above); `resolve_mention(key) -> URL|None`."""
    found: dict[str, str] = {}
    extensions = [e for e in MARKDOWN_EXTENSIONS if e != "toc"]
    if resolve_mention is not None:
        extensions.append(_MentionExtension(resolve_mention, found))
    converter = markdown.Markdown(
        extensions=extensions,
        extension_configs={k: v for k, v in MARKDOWN_EXTENSION_CONFIGS.items() if k != "toc"},
    )
    raw_html = TASK_BOX.sub(_task_box, converter.convert(source or ""))
    safe_html = nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_user_attribute_filter,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=USER_LINK_REL,
        strip_comments=True,
    )
    return RenderedUserMarkdown(html=safe_html, mentions=found)
