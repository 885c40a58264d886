"""Import a docs-as-code set (docfx, MkDocs, GitHub docs) as articles, losing nothing silently.

A set is a folder of Markdown files with YAML front matter, optionally a `toc.yml` (docfx) or
`mkdocs.yml` (MkDocs) for order and sections, `includes/` and `media/`. Sections become
categories, `title`/`description`/`tags` the article's fields, includes are inlined, images go
to the media store, links between `.md` files become article URLs (anchors checked against the
target's heading ids). Pages pair with their translations by path: the same file in another
locale's set shares the translation key. What cannot be rendered is reported by file and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path, PurePosixPath

import yaml
from flask import current_app
from markdown.extensions.toc import slugify_unicode
from sqlalchemy import func, select

from app.extensions import db
from app.kb.articles import fields_of, find_article, save_article
from app.kb.content_docs_layout import docs_slug, page_files, read_order
from app.kb.content_files import SUMMARY_MAX, TAG_MAX, TAGS_MAX, TITLE_MAX, ArticleFields
from app.kb.content_sync import follow_sources
from app.kb.models import Article, ArticleKind, ArticleStatus, Category
from app.markdown import render_markdown

SOURCE = "import-docs"  # the revision source of articles this import writes
Progress = Callable[[str], None]
# (image bytes, file name) -> URL of the stored image; raises ValueError when refused.
StoreMedia = Callable[[bytes, str], str]

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
INCLUDE = re.compile(r"\[!INCLUDE\s*\[[^\]]*\]\(([^)\s]+)\)\s*\]", re.IGNORECASE)
HEADING_ONE = re.compile(
    r"^#\s+(?:<a\s+name=[\"']?([^\"'>\s]+)[\"']?\s*>\s*</a>\s*)?(.*?)\s*#*\s*$"
)
IMAGE = re.compile(r"!\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
LINK = re.compile(r"(?<!!)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(\s+\"[^\"]*\")?\s*\)")
REF_DEFINITION = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*)(\S+)(.*)$")
HTML_IMG = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"'][^>]*>", re.IGNORECASE)
HTML_ALT = re.compile(r"\balt\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
HTML_HREF = re.compile(r"(<a\b[^>]*?\bhref\s*=\s*[\"'])([^\"']+)([\"'])", re.IGNORECASE)
DOCFX_IMAGE = re.compile(r":::image\s+(.*?):::", re.IGNORECASE)
DOCFX_ATTR = re.compile(r"([\w-]+)\s*=\s*\"([^\"]*)\"")
# Constructs the renderer does not know; found in the visible text of a rendered page.
UNRENDERED = {
    ":::": "docfx ':::' block",
    "[!": "docfx '[!…]' marker",
    "{%": "template tag '{% … %}'",
    "{{": "template variable '{{ … }}'",
    "](": "Markdown link that did not parse",
}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """Something in a source file the import could not carry over as written."""

    path: str
    line: int
    what: str


@dataclass
class DocsReport:
    """What one docs import did, and every construct it could not render."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited in the browser since the last import
    failed: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    images: int = 0
    links: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "kept": len(self.kept),
            "failed": len(self.failed),
            "problems": len(self.problems),
            "images": self.images,
            "links rewritten": self.links,
        }


@dataclass
class _Page:
    """One Markdown file of the set, read and then transformed."""

    path: Path
    relative: str  # below the docs root, posix
    slug: str
    meta: dict
    lines: list[str]  # body lines
    first_line: int  # file line number of lines[0]
    section: str | None = None
    title: str = ""
    body: str = ""
    origins: list[tuple[str, int]] = field(default_factory=list)  # per body line: file, line
    lead: int = 0  # blank lines dropped before the body's first line
    code: list[bool] = field(default_factory=list)  # per body line: inside a code block
    anchors: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, url, slug, #


def _read_page(path: Path, root: Path) -> _Page:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    meta, first_line = {}, 1
    if text.startswith("---\n"):
        end = text.find("\n---", 3)
        if end == -1:
            raise ValueError("the front matter has no closing '---' line")
        loaded = yaml.safe_load(text[4:end])
        meta = loaded if isinstance(loaded, dict) else {}
        first_line = text[: end + 4].count("\n") + 2
        text = text[end + 4 :].partition("\n")[2]
    relative = path.relative_to(root).as_posix()
    return _Page(path, relative, docs_slug(relative), meta, text.split("\n"), first_line)


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _tags(meta: dict) -> tuple[str, ...]:
    raw = meta.get("tags") or meta.get("keywords") or []
    if isinstance(raw, str):
        raw = raw.split(",")
    words = (str(t).strip() for t in raw if isinstance(t, str | int))
    return tuple(dict.fromkeys(t for t in words if t and len(t) <= TAG_MAX))[:TAGS_MAX]


class _Importer:
    """One import run over one locale's set."""

    def __init__(
        self,
        root: Path,
        locale: str,
        category: str | None,
        store_media: StoreMedia,
        link_base: str | None,
        report: DocsReport,
    ) -> None:
        self.root, self.locale, self.category = root, locale, category
        self.store_media, self.link_base, self.report = store_media, link_base, report
        self.pages: dict[str, _Page] = {}
        self.media: dict[Path, str] = {}
        self.shown: dict[Path, str] = {}  # _shown's answers: every line of a page asks
        self.default_locale = current_app.config["DEFAULT_LOCALE"]

    # --- pass 1: read ---------------------------------------------------------------------
    def read(self, progress: Progress | None) -> None:
        order = read_order(self.root)
        sections = {PurePosixPath(href).as_posix().lstrip("./"): s for href, s in order}
        ranked = {href: n for n, (href, _s) in enumerate(order)}
        files = sorted(
            page_files(self.root),
            key=lambda p: (ranked.get(p.relative_to(self.root).as_posix(), len(ranked)), p),
        )
        for path in files:
            relative = path.relative_to(self.root).as_posix()
            try:
                page = _read_page(path, self.root)
            except (ValueError, yaml.YAMLError, UnicodeDecodeError) as error:
                self.report.failed.append((self._shown(path), str(error).splitlines()[0]))
                if progress:
                    progress(relative)
                continue
            page.section = sections.get(relative)
            self.pages[relative] = page

    # --- pass 2: transform ----------------------------------------------------------------
    def transform(self, page: _Page) -> None:
        lines, origins = self._expand(page.path, page.lines, page.first_line, depth=0)
        page.title = self._title(page, lines)
        self._drop_title_heading(page, lines)
        for index, line in enumerate(lines):
            if origins[index][1] < 0:  # inside a code block
                continue
            lines[index] = self._rewrite_line(page, line, origins[index], index)
        page.lead = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
        page.body = "\n".join(line.rstrip() for line in lines[page.lead :]).rstrip("\n")
        page.origins = [(path, abs(n)) for path, n in origins[page.lead :]]
        page.code = [n < 0 for _path, n in origins[page.lead :]]

    def _expand(self, path: Path, lines: list[str], first: int, depth: int):
        """Inline includes; each output line keeps its origin (negative line: inside code)."""
        out: list[str] = []
        origins: list[tuple[str, int]] = []
        fence = None
        for number, line in enumerate(lines, start=first):
            marker = FENCE.match(line)
            if marker and (fence is None or marker.group(1)[0] == fence[0]):
                fence = None if fence else marker.group(1)
                out.append(line)
                origins.append((self._shown(path), -number))
                continue
            include = None if fence else INCLUDE.search(line)
            if include and depth < 5:
                target = (path.parent / include.group(1)).resolve()
                if target.is_file():
                    included = _read_page(target, target.parent)
                    more, more_origins = self._expand(
                        target, included.lines, included.first_line, depth + 1
                    )
                    out.extend(more)
                    origins.extend(more_origins)
                    continue
                self._problem(path, number, f"include not found: {include.group(1)}")
            out.append(line)
            origins.append((self._shown(path), -number if fence else number))
        return out, origins

    def _title(self, page: _Page, lines: list[str]) -> str:
        title = page.meta.get("title")
        if not (isinstance(title, str) and title.strip()):
            heading = next((HEADING_ONE.match(line) for line in lines if line.strip()), None)
            title = heading.group(2) if heading else PurePosixPath(page.relative).stem
        return _clip(title, TITLE_MAX)

    def _drop_title_heading(self, page: _Page, lines: list[str]) -> None:
        """A leading `# Title` repeats the page title: dropped, its anchor kept."""
        for index, line in enumerate(lines):
            if not line.strip():
                continue
            heading = HEADING_ONE.match(line)
            if heading and _same_text(heading.group(2), page.title):
                lines[index] = f'<a name="{heading.group(1)}"></a>' if heading.group(1) else ""
            return

    def _rewrite_line(self, page: _Page, line: str, origin: tuple[str, int], index: int) -> str:
        line = DOCFX_IMAGE.sub(lambda m: self._docfx_image(page, m, origin), line)
        line = IMAGE.sub(
            lambda m: self._image(
                page, m.group(2), m.group(1), origin, linked=line[m.start() - 1 : m.start()] == "["
            ),
            line,
        )
        line = HTML_IMG.sub(lambda m: self._html_image(page, m, origin), line)
        line = LINK.sub(lambda m: self._link(page, m, origin, index), line)
        line = HTML_HREF.sub(
            lambda m: m.group(1) + self._target(page, m.group(2), origin, index) + m.group(3), line
        )
        definition = REF_DEFINITION.match(line)
        if definition:
            target = self._target(page, definition.group(2), origin, index)
            line = definition.group(1) + target + definition.group(3)
        return line

    def _docfx_image(self, page: _Page, match: re.Match[str], origin) -> str:
        attrs = dict(DOCFX_ATTR.findall(match.group(1)))
        alt = attrs.get("alt-text", "")
        if "source" not in attrs:
            self._problem(origin[0], origin[1], "docfx image without a source")
            return alt
        return self._image(page, attrs["source"], alt, origin)

    def _html_image(self, page: _Page, match: re.Match[str], origin) -> str:
        alt = HTML_ALT.search(match.group(0))
        return self._image(page, match.group(1), alt.group(1) if alt else "", origin)

    def _image(self, page: _Page, src: str, alt: str, origin, linked: bool = False) -> str:
        """An image from the set goes to the media store; one that is missing keeps its alt."""
        if SCHEME.match(src) or src.startswith("//"):
            if linked:  # already inside a link: its alt text becomes the link's text
                self._problem(origin[0], origin[1], f"image on another host not shown: {src}")
                return alt or src
            self._problem(origin[0], origin[1], f"image on another host shown as a link: {src}")
            return f"[{alt or src}]({src})"
        url = self._stored(page, src, origin)
        return f"![{alt}]({url})" if url else alt

    def _stored(self, page: _Page, src: str, origin) -> str | None:
        """The media-store URL of an image file of the set (stored once); None if it cannot be."""
        path = (page.path.parent / src.split("#")[0].split("?")[0]).resolve()
        if path not in self.media:
            if not path.is_file():
                self._problem(origin[0], origin[1], f"image not found: {src}")
                return None
            try:
                self.media[path] = self.store_media(path.read_bytes(), path.name)
            except ValueError as error:
                self._problem(origin[0], origin[1], f"image refused ({error}): {src}")
                return None
            self.report.images += 1
        return self.media[path]

    def _link(self, page: _Page, match: re.Match[str], origin, index: int) -> str:
        text, target, title = match.group(1), match.group(2), match.group(3) or ""
        rewritten = self._target(page, target, origin, index)
        if rewritten == "":
            return text  # no page to link to: the words stay, the problem is reported
        return f"[{text}]({rewritten}{title})"

    def _target(self, page: _Page, target: str, origin, index: int) -> str:
        """A link's URL on the site; "" when it points at nothing this site has."""
        if SCHEME.match(target) or target.startswith(("//", "#")):
            return target
        path, _hash, anchor = target.partition("#")
        path = path.split("?")[0]
        if path.startswith("/"):
            first, _sep, rest = path.lstrip("/").partition("/")
            if first.lower() != self.root.name.lower():
                if self.link_base:
                    return self.link_base.rstrip("/") + target
                self._problem(origin[0], origin[1], f"link outside the set: {target}")
                return ""
            rest = rest.rstrip("/")
            relative = rest if rest.endswith(".md") else f"{rest}.md"
        else:
            joined = (page.path.parent / path).resolve()
            try:
                relative = joined.relative_to(self.root.resolve()).as_posix()
            except ValueError:
                self._problem(origin[0], origin[1], f"link outside the set: {target}")
                return ""
            if not relative.endswith(".md"):
                if PurePosixPath(path).suffix.lower() in IMAGE_SUFFIXES:
                    return self._stored(page, path, origin) or ""  # e.g. a full-size view
                self._problem(origin[0], origin[1], f"link to a file that is not a page: {target}")
                return ""
        url = self._article_url(relative)
        if url is None:
            self._problem(origin[0], origin[1], f"link to a page not in the set: {target}")
            return ""
        self.report.links += 1
        if anchor:
            page.anchors.append((index, url, docs_slug(relative), anchor))
            return f"{url}#{anchor}"
        return url

    def _article_url(self, relative: str) -> str | None:
        matches = [r for r in self.pages if r.lower() == relative.lower()]
        if matches:
            return f"/{self.locale}/articles/{self.pages[matches[0]].slug}"
        source = db.session.scalar(
            select(Article).filter_by(
                locale=self.default_locale, translation_key=docs_slug(relative)
            )
        )
        return f"/{source.locale}/articles/{source.slug}" if source is not None else None

    # --- pass 3: check anchors, find what did not render ---------------------------------
    def check(self, page: _Page, ids: dict[str, set[str]], html: str) -> None:
        """`html`: page.body as rendered before this pass (reused when no link changes)."""
        before = page.body
        lines = page.body.split("\n")
        for index, url, slug, anchor in page.anchors:
            known = ids.get(slug)
            if known is None or anchor in known:
                continue
            loose = {re.sub(r"[-_]", "", a.lower()): a for a in known}
            found = loose.get(re.sub(r"[-_]", "", anchor.lower()))
            line = index - page.lead
            if 0 <= line < len(lines):
                replacement = f"{url}#{found}" if found else url
                lines[line] = lines[line].replace(f"{url}#{anchor}", replacement)
            if not found:
                where = page.origins[line]
                self._problem(where[0], where[1], f"anchor not found, link kept: #{anchor}")
        page.body = "\n".join(lines)
        page_text = _html_text(html if page.body == before else render_markdown(page.body).html)
        for needle, what in UNRENDERED.items():
            if needle not in page_text:
                continue
            for number, line in enumerate(lines):
                if page.code[number] or needle not in line or needle not in _visible_text(line):
                    continue
                where = page.origins[number]
                self._problem(where[0], where[1], f"{what} shown as text: {line.strip()[:80]}")

    # --- pass 4: save ---------------------------------------------------------------------
    def save(self, page: _Page, category: Category) -> Article | None:
        fields = ArticleFields(
            locale=self.locale,
            slug=page.slug,
            category=category.slug,
            title=page.title,
            translation_key=page.slug,
            kind=ArticleKind.FAQ.value,
            summary=_clip(page.meta.get("description") or "", SUMMARY_MAX),
            body=page.body,
            tags=_tags(page.meta),
            status=ArticleStatus.PUBLISHED.value,
        )
        shown = self._shown(page.path)
        article = find_article(self.locale, page.slug)
        if article is not None:
            first = article.revisions[0].source if article.revisions else None
            if first != SOURCE:
                self.report.failed.append((shown, f"slug '{page.slug}' is taken by an article"))
                return None
            if article.synced_digest and fields_of(article).digest() != article.synced_digest:
                self.report.kept.append(shown)
                return None
        article, changed = save_article(article, fields, category, source=SOURCE)
        digest = fields.digest()
        if article.synced_digest != digest:  # an unchanged article stays clean: no search rewrite
            article.synced_digest = digest
        if not changed:
            self.report.unchanged.append(shown)
            return None
        (self.report.added if len(article.revisions) == 1 else self.report.updated).append(shown)
        return article

    def category_for(self, page: _Page) -> Category:
        source = db.session.scalar(
            select(Article).filter_by(locale=self.default_locale, translation_key=page.slug)
        )
        if source is not None and self.locale != self.default_locale:
            category = source.category
            if page.section and self.locale not in (category.names or {}):
                category.names = {**category.names, self.locale: page.section}
            return category
        name = page.section or self.category or self.root.name
        return _category(slugify_unicode(name, "-").lower()[:80] or "docs", self.locale, name)

    def _problem(self, path, line: int, what: str) -> None:
        shown = path if isinstance(path, str) else self._shown(path)
        self.report.problems.append(Problem(shown, line, what))

    def _shown(self, path: Path) -> str:
        """The file as reports name it: locale:path under the set's root."""
        if path not in self.shown:
            try:
                relative = path.resolve().relative_to(self.root.resolve()).as_posix()
                self.shown[path] = f"{self.locale}:{relative}"
            except ValueError:
                self.shown[path] = f"{self.locale}:{path}"
        return self.shown[path]


def _visible_text(markdown: str) -> str:
    """What a reader sees of rendered Markdown, code left out (markers there are meant)."""
    return _html_text(render_markdown(markdown).html)


def _html_text(html: str) -> str:
    """The text of rendered HTML, code left out."""
    html = re.sub(r"<pre>.*?</pre>|<code>.*?</code>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _same_text(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"[\W_]+", "", s.casefold())

    return norm(a) == norm(b)


def _category(slug: str, locale: str, name: str) -> Category:
    """The category with this slug, created at the end of the list if new."""
    slug = re.sub(r"[^a-z0-9-]+", "-", slug).strip("-") or "docs"
    category = db.session.scalar(select(Category).filter_by(slug=slug))
    if category is None:
        last = db.session.scalar(select(func.max(Category.position))) or 0
        category = Category(slug=slug, position=last + 1, names={locale: name}, descriptions={})
        db.session.add(category)
        db.session.flush()
    elif locale not in (category.names or {}):
        category.names = {**category.names, locale: name}
    return category


def import_docs(
    root: Path,
    locale: str,
    *,
    store_media: StoreMedia,
    category: str | None = None,
    link_base: str | None = None,
    progress: Progress | None = None,
) -> DocsReport:
    """Import one locale's documentation set (its root: see find_docs_root); idempotent;
    the report lists every construct it could not carry over, by file and line."""
    report = DocsReport()
    importer = _Importer(root, locale, category, store_media, link_base, report)
    importer.read(progress)
    pages = list(importer.pages.values())
    for page in pages:
        importer.transform(page)
    rendered = {page.slug: render_markdown(page.body).html for page in pages}
    ids = {slug: set(re.findall(r'id="([^"]+)"', html)) for slug, html in rendered.items()}
    written = []
    for page in pages:
        importer.check(page, ids, rendered[page.slug])
        article = importer.save(page, importer.category_for(page))
        if article is not None:
            written.append(article)
        if progress:
            progress(page.relative)
    follow_sources(written)
    db.session.commit()
    return report


def count_pages(root: Path) -> int:
    """How many pages an import of root will read (for a progress bar)."""
    return len(page_files(root))
