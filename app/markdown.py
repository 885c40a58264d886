"""The one place Markdown becomes safe HTML: CommonMark (markdown-it-py), then nh3.

Parsing follows CommonMark 0.31 plus GFM tables, strikethrough, task lists and autolinks,
footnotes, `!!! kind "Title"` admonitions and GitHub alerts (`> [!NOTE]` ...). Nothing a writer
typed is lost: raw "tags" that are not HTML elements (`<name of alert policy>`) are shown as
text, `<a name="x">` anchors become ids, and a body's `# Heading` becomes an `h2` (the page's
own `h1` is the title). bench/commonmark_conformance.py measures conformance. Articles store
their HTML: `flask content import` and `flask content rerender` refresh it when this changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape, unescape

import nh3
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markdown.extensions.toc import slugify_unicode
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Scanned
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

_TAG = re.compile(r"<[^>]+>")


def html_to_text(html: str) -> str:
    """Plain text from our own sanitized HTML (for search; never user-supplied raw HTML)."""
    return " ".join(unescape(_TAG.sub(" ", html or "")).split())


ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
    "details", "div", "dl", "dt", "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "s", "section", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
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
    r"task-list|task-list-item|contains-task-list|task-box|task-box-done|"
    r"footnotes|footnotes-sep|footnotes-list|footnote-item|footnote-ref|footnote-backref|"
    r"language-[a-z0-9_+-]{1,30})$"
)
SAFE_ID = re.compile(r"^[\w\-]{1,100}$", re.UNICODE)
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Every element name HTML, SVG and MathML know. A "tag" that is none of these is a writer's
# placeholder (`<tenant name>`) and is shown as text instead of being dropped by the sanitizer.
_ELEMENT_NAMES = """
    a abbr acronym address animate annotation applet area article aside audio b base basefont
    bdi bdo bgsound big blink blockquote body br button canvas caption center circle cite clippath
    code col colgroup data datalist dd defs del details dfn dialog dir div dl dt ellipse em embed
    fieldset figcaption figure filter font footer foreignobject form frame frameset g h1 h2 h3 h4
    h5 h6 head header hgroup hr html i iframe image img input ins isindex kbd keygen label legend
    li line lineargradient link listing main map mark marquee math menu menuitem meta meter mfrac
    mglyph mi mn mo mover mpadded mpath mphantom mroot mrow ms mspace msqrt mstyle msub msubsup
    msup mtable mtd mtext mtr multicol munder munderover nav nobr noembed noframes noscript object
    ol optgroup option output p param path pattern picture plaintext polygon polyline portal pre
    progress q radialgradient rb rect rp rt rtc ruby s samp script search section select semantics
    set slot small source spacer span stop strike strong style sub summary sup svg symbol table
    tbody td template text textarea textpath tfoot th thead time title tr track tspan tt u ul use
    var video wbr xmp"""
HTML_ELEMENTS = frozenset(_ELEMENT_NAMES.split())
RAW_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9\-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
ANCHOR_NAME = re.compile(r"""^<a\s+(?:name|id)\s*=\s*["']?([^"'\s>]+)["']?\s*/?>$""", re.I)
TASK_BOX = re.compile(r'<input class="task-list-item-checkbox"( checked="checked")?[^>]*>')
ALERT = re.compile(r"^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*(?:\n|$)", re.IGNORECASE)
DOCFX_DIV = re.compile(r"^\[!div(?:\s[^\]\n]*)?\][ \t]*(?:\n|$)", re.IGNORECASE)
DOCFX_VIDEO = re.compile(r"^\[!VIDEO\s+(https?://[^\s\]]+)\s*\]\s*$", re.IGNORECASE)
CALLOUT_TITLES = {
    "note": _l("Note"),
    "tip": _l("Tip"),
    "important": _l("Important"),
    "warning": _l("Warning"),
    "caution": _l("Caution"),
    "danger": _l("Danger"),
    "info": _l("Information"),
}


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


def callout_title(kind: str, locale: str | None) -> str:
    """A callout's default title ("Note", "Tip" ...) in the article's language."""
    title = CALLOUT_TITLES.get(kind)
    if title is None:
        return kind.capitalize()
    if locale is None:
        return str(title)
    with force_locale(locale):
        return str(title)


def _escape_placeholders(raw: str) -> str:
    """Show non-HTML "tags" as text; turn `<a name="x">` into `<a id="x">`."""

    def one(match: re.Match[str]) -> str:
        if match.group(2).lower() not in HTML_ELEMENTS:
            return escape(match.group(0), quote=False)
        anchor = ANCHOR_NAME.match(match.group(0))
        if anchor and not match.group(1):
            return f'<a id="{escape(anchor.group(1))}">'
        return match.group(0)

    return RAW_TAG.sub(one, raw)


def _render_raw_html(self, tokens, idx, options, env) -> str:
    return _escape_placeholders(tokens[idx].content)


def _callouts(state: StateCore) -> None:
    """GitHub alerts and docfx `[!div]`/`[!VIDEO]` blocks; admonitions' titles translated."""
    tokens, locale = state.tokens, state.env.get("locale")
    for i, token in enumerate(tokens):
        if token.type == "admonition_open" and token.info.strip() == token.meta.get("tag"):
            tokens[i + 2].content = callout_title(token.meta["tag"].lower(), locale)
        if token.type == "paragraph_open" and token.level == 0:
            video = DOCFX_VIDEO.match(tokens[i + 1].content)
            if video:
                tokens[i + 1].content = f"<{video.group(1)}>"
        if token.type != "blockquote_open" or tokens[i + 1].type != "paragraph_open":
            continue
        inline = tokens[i + 2]
        alert, div = ALERT.match(inline.content), DOCFX_DIV.match(inline.content)
        video = DOCFX_VIDEO.match(inline.content)
        if not (alert or div or video):
            continue
        close = _matching_close(tokens, i)
        token.type, token.tag = "callout_open", "div"
        tokens[close].type, tokens[close].tag = "callout_close", "div"
        if video:
            inline.content = f"<{video.group(1)}>"
            continue
        inline.content = inline.content[(alert or div).end() :]
        if div:
            continue
        kind = alert.group(1).lower()
        token.attrs = {"class": f"admonition {kind}"}
        title = _title_tokens(callout_title(kind, locale), token.level + 1)
        tokens[i + 1 : i + 1] = title
        if not inline.content.strip():
            del tokens[i + 4 : i + 7]  # the marker stood alone in its paragraph


def _matching_close(tokens: list[Token], start: int) -> int:
    depth = 0
    for j in range(start, len(tokens)):
        depth += tokens[j].nesting if tokens[j].type.startswith("blockquote") else 0
        if depth == 0:
            return j
    return len(tokens) - 1


def _title_tokens(title: str, level: int) -> list[Token]:
    opening = Token("paragraph_open", "p", 1, attrs={"class": "admonition-title"}, level=level)
    inline = Token("inline", "", 0, content=title, level=level + 1, children=[])
    return [opening, inline, Token("paragraph_close", "p", -1, level=level)]


def _heading_text(inline: Token) -> str:
    return "".join(
        child.content for child in inline.children or () if child.type in ("text", "code_inline")
    ).strip()


def _headings(state: StateCore) -> None:
    """Ids on headings (an `<a name>` inside one wins), h1 demoted, contents collected."""
    if not state.env.get("article"):
        return
    used: set[str] = set()
    collected: list[Heading] = state.env.setdefault("headings", [])
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline, close = tokens[i + 1], tokens[i + 2]
        if token.tag == "h1":
            token.tag = close.tag = "h2"
        children = inline.children or []
        anchor = None
        if children and children[0].type == "html_inline":
            named = ANCHOR_NAME.match(children[0].content)
            if named and len(children) > 1 and children[1].content.strip().lower() == "</a>":
                anchor = named.group(1)
                inline.children = children[2:]
                if inline.children and inline.children[0].type == "text":
                    inline.children[0].content = inline.children[0].content.lstrip()
        text = _heading_text(inline)
        anchor = _unique(anchor or slugify_unicode(text, "-") or "section", used)
        token.attrs["id"] = anchor
        level = int(token.tag[1])
        if level in (2, 3):
            collected.append(Heading(level, anchor, text))


def _unique(anchor: str, used: set[str]) -> str:
    candidate, n = anchor, 0
    while candidate in used:
        n += 1
        candidate = f"{anchor}_{n}"
    used.add(candidate)
    return candidate


MENTION = re.compile(r"(?<![\w@/.])@([^\W_][\w.\-]{0,79})", re.UNICODE)


def _mentions(state: StateCore) -> None:
    """@handle → <a class="mention" href=profile>, when `env["resolve_mention"]` knows it."""
    resolve = state.env.get("resolve_mention")
    if resolve is None:
        return
    found: dict[str, str] = state.env.setdefault("mentions", {})
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, in_link = [], 0
        for child in block.children:
            in_link += 1 if child.type == "link_open" else -1 if child.type == "link_close" else 0
            if child.type != "text" or in_link:
                children.append(child)
                continue
            children.extend(_split_mentions(child, resolve, found))
        block.children = children


def _split_mentions(text: Token, resolve, found: dict[str, str]) -> list[Token]:
    parts, last = [], 0
    for match in MENTION.finditer(text.content):
        raw = match.group(1).rstrip(".-")
        url = resolve(handle_key(raw))
        if not url:
            continue
        end = match.start() + 1 + len(raw)
        parts.append(Token("text", "", 0, content=text.content[last : match.start()]))
        parts.append(Token("link_open", "a", 1, attrs={"class": "mention", "href": url}))
        parts.append(Token("text", "", 0, content="@" + raw))
        parts.append(Token("link_close", "a", -1))
        found[handle_key(raw)] = url
        last = end
    if not parts:
        return [text]
    parts.append(Token("text", "", 0, content=text.content[last:]))
    return [p for p in parts if p.type != "text" or p.content]


# Chinese, Japanese and Korean text has no spaces: `配置した**作業時間(タイム)**は` must be bold
# even though CommonMark's flanking rules (made for spaced scripts) say the closing `**`,
# after punctuation and before a letter, cannot close. Next to a CJK character, `*` runs
# open when not followed by a space and close when not preceded by one.
SCHEME_OR_WWW = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|www\.)", re.IGNORECASE)
CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


class _CjkFriendlyInline(StateInline):
    def scanDelims(self, start: int, canSplitWord: bool) -> Scanned:
        scanned = super().scanDelims(start, canSplitWord)
        if self.src[start] != "*":
            return scanned
        before = self.src[start - 1] if start > 0 else " "
        after_index = start + scanned.length
        after = self.src[after_index] if after_index < self.posMax else " "
        if not (CJK.match(before) or CJK.match(after)):
            return scanned
        return Scanned(
            scanned.can_open or not after.isspace(),
            scanned.can_close or not before.isspace(),
            scanned.length,
        )


def _parse_inline(src: str, md: MarkdownIt, env: dict, tokens: list[Token]) -> list[Token]:
    """ParserInline.parse with the CJK-friendly state."""
    state = _CjkFriendlyInline(src, md, env, tokens)
    md.inline.tokenize(state)
    for rule in md.inline.ruler2.getRules(""):
        rule(state)
    return state.tokens


def _gfm_autolinks(state: StateCore) -> None:
    """GFM links bare URLs with a scheme or `www.`, not every word with a dot (Outlook.com)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, skip = [], 0
        for n, child in enumerate(block.children):
            if skip:
                skip -= 1
                continue
            if child.type == "link_open" and child.markup == "linkify":
                text = block.children[n + 1].content
                if not (SCHEME_OR_WWW.match(text) or "@" in text):
                    children.append(Token("text", "", 0, content=text))
                    skip = 2
                    continue
            children.append(child)
        block.children = children


def _any_link(url: str) -> bool:
    return True


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """CommonMark + GFM tables, strikethrough, autolinks, task lists; footnotes; callouts."""
    md = (
        MarkdownIt("commonmark", {"html": True, "linkify": True, "typographer": False})
        .enable(["table", "strikethrough", "linkify"])
        .use(footnote_plugin)
        .use(tasklists_plugin)
        .use(admon_plugin)
    )
    # Every link is parsed as a link; nh3 then drops unsafe URLs and keeps the link text.
    md.validateLink = _any_link
    md.inline.parse = _parse_inline
    md.core.ruler.after("block", "callouts", _callouts)
    md.core.ruler.after("linkify", "gfm_autolinks", _gfm_autolinks)
    md.core.ruler.push("headings", _headings)
    md.core.ruler.push("mentions", _mentions)
    md.add_render_rule("html_inline", _render_raw_html)
    md.add_render_rule("html_block", _render_raw_html)
    return md


def _task_box(match: re.Match[str]) -> str:
    """Replace a task-list checkbox with a visible mark."""
    if match.group(1):
        return '<span class="task-box task-box-done">☑</span>'
    return '<span class="task-box">☐</span>'


def markdown_to_html(source: str, env: dict | None = None) -> str:
    """The engine's HTML before sanitizing (for the sanitizer, counting links, the bench)."""
    html = _parser().render(source or "", env if env is not None else {})
    return TASK_BOX.sub(_task_box, html).strip()


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
    source: str,
    *,
    locale: str | None = None,
    link_rel: str = "noopener noreferrer",
    external_images: bool = False,
) -> RenderedMarkdown:
    """Render an article's Markdown to sanitized HTML; callout titles in `locale`."""
    env: dict = {"article": True, "locale": locale}
    raw_html = markdown_to_html(source, env)
    safe_html = sanitize_html(raw_html, link_rel=link_rel, external_images=external_images)
    # A heading whose id was dropped by the sanitizer must not appear in the contents.
    kept = [h for h in env.get("headings", []) if f'id="{h.anchor}"' in safe_html]
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


@dataclass(frozen=True)
class RenderedUserMarkdown:
    """A post's sanitized HTML and the handles it mentions that resolved to a profile."""

    html: str
    mentions: dict[str, str] = field(default_factory=dict)  # handle key -> profile URL


def render_user_markdown(source: str, resolve_mention=None) -> RenderedUserMarkdown:
    """Render a forum post: user-content rules (see above); `resolve_mention(key) -> URL|None`."""
    env: dict = {"resolve_mention": resolve_mention}
    raw_html = markdown_to_html(source, env)
    safe_html = nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_user_attribute_filter,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=USER_LINK_REL,
        strip_comments=True,
    )
    return RenderedUserMarkdown(html=safe_html, mentions=env.get("mentions", {}))
