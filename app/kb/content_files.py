"""Reading and writing the content/ format: Markdown files with YAML front matter."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from app.kb.models import ArticleKind, ArticleStatus

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?$")
STEP_KEY_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
REQUIRED_KEYS = ("title", "translation_key", "kind", "summary")
KNOWN_KEYS = (*REQUIRED_KEYS, "tags", "status", "steps")
TITLE_MAX, SUMMARY_MAX, TAG_MAX, TAGS_MAX = 200, 300, 40, 20
CATEGORIES_FILE = "categories.yml"


class ContentFileError(ValueError):
    """A content file that cannot be imported, with the reason in plain words."""


@dataclass(frozen=True)
class StepFields:
    key: str
    title: str
    body: str


@dataclass(frozen=True)
class ArticleFields:
    """Everything a content file says about one article, normalized."""

    locale: str
    slug: str
    category: str
    title: str
    translation_key: str
    kind: str
    summary: str
    body: str
    tags: tuple[str, ...] = ()
    status: str = ArticleStatus.PUBLISHED.value
    steps: tuple[StepFields, ...] = field(default_factory=tuple)

    def digest(self) -> str:
        """A stable fingerprint: equal digests mean an import would change nothing."""
        payload = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    def relative_path(self) -> PurePosixPath:
        return PurePosixPath(self.locale, self.category, f"{self.slug}.md")


@dataclass(frozen=True)
class CategoryFields:
    slug: str
    position: int
    names: dict[str, str]
    descriptions: dict[str, str]


def normalize_markdown(text: str) -> str:
    """One canonical form for Markdown text: LF line ends, no trailing spaces or blank edges."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def _split_front_matter(text: str) -> tuple[str, str]:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise ContentFileError("the file must start with a '---' front matter line")
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.rstrip().endswith("\n---"):
            return text[4 : text.rstrip().rfind("\n---")], ""
        raise ContentFileError("the front matter has no closing '---' line")
    return text[4:end], text[end + 5 :]


def _text(meta: dict, key: str, limit: int, *, required: bool = True) -> str:
    value = meta.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ContentFileError(f"'{key}' must be a non-empty text")
    value = " ".join(value.split())
    if len(value) > limit:
        raise ContentFileError(f"'{key}' is longer than {limit} characters")
    return value


def _tags(meta: dict) -> tuple[str, ...]:
    tags = meta.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str | int) for t in tags):
        raise ContentFileError("'tags' must be a list of words")
    cleaned = tuple(dict.fromkeys(str(t).strip() for t in tags if str(t).strip()))
    if len(cleaned) > TAGS_MAX or any(len(t) > TAG_MAX for t in cleaned):
        raise ContentFileError(f"at most {TAGS_MAX} tags of at most {TAG_MAX} characters")
    return cleaned


def _steps(meta: dict, kind: str) -> tuple[StepFields, ...]:
    raw = meta.get("steps")
    if kind != ArticleKind.GUIDE.value:
        if raw:
            raise ContentFileError("only guides have 'steps'")
        return ()
    if not isinstance(raw, list) or not raw:
        raise ContentFileError("a guide needs a non-empty list of 'steps'")
    steps, keys = [], set()
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or set(item) - {"key", "title", "body"}:
            raise ContentFileError(f"step {number} must have only key, title and body")
        key = str(item.get("key", ""))
        if not STEP_KEY_PATTERN.match(key) or key in keys:
            raise ContentFileError(f"step {number} needs a unique kebab-case 'key'")
        keys.add(key)
        title = _text(item, "title", TITLE_MAX)
        body = item.get("body") or ""
        if not isinstance(body, str):
            raise ContentFileError(f"step {number} 'body' must be text")
        steps.append(StepFields(key=key, title=title, body=normalize_markdown(body)))
    return tuple(steps)


def parse_article(text: str, *, locale: str, category: str, slug: str) -> ArticleFields:
    """Parse one content file's text; raises ContentFileError with the reason."""
    if not SLUG_PATTERN.match(slug):
        raise ContentFileError("the file name must be a lower-case slug (a-z, 0-9, -)")
    front, body = _split_front_matter(text)
    try:
        meta = yaml.safe_load(front)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        raise ContentFileError(f"the front matter is not valid YAML{where}") from None
    if not isinstance(meta, dict):
        raise ContentFileError("the front matter must be a mapping of keys to values")
    unknown = sorted(set(map(str, meta)) - set(KNOWN_KEYS))
    if unknown:
        raise ContentFileError(f"unknown front matter key(s): {', '.join(unknown)}")
    missing = [key for key in REQUIRED_KEYS if key not in meta]
    if missing:
        raise ContentFileError(f"missing front matter key(s): {', '.join(missing)}")
    kind = str(meta["kind"])
    if kind not in {k.value for k in ArticleKind}:
        raise ContentFileError(f"'kind' must be faq or guide, not {kind!r}")
    status = str(meta.get("status") or ArticleStatus.PUBLISHED.value)
    if status not in {s.value for s in ArticleStatus}:
        raise ContentFileError(
            f"'status' must be draft, in_review, published or archived, not {status!r}"
        )
    translation_key = str(meta["translation_key"])
    if not SLUG_PATTERN.match(translation_key):
        raise ContentFileError("'translation_key' must be a lower-case slug")
    return ArticleFields(
        locale=locale,
        slug=slug,
        category=category,
        title=_text(meta, "title", TITLE_MAX),
        translation_key=translation_key,
        kind=kind,
        summary=_text(meta, "summary", SUMMARY_MAX),
        body=normalize_markdown(body),
        tags=_tags(meta),
        status=status,
        steps=_steps(meta, kind),
    )


def read_article_file(
    root: Path, path: Path, locales: tuple[str, ...], categories: set[str]
) -> ArticleFields:
    """Read content/<locale>/<category>/<slug>.md, checking where it sits."""
    parts = path.relative_to(root).parts
    if len(parts) != 3:
        raise ContentFileError("articles belong at <locale>/<category>/<slug>.md")
    locale, category, filename = parts
    if locale not in locales:
        raise ContentFileError(f"unknown locale folder {locale!r} (known: {', '.join(locales)})")
    if category not in categories:
        raise ContentFileError(f"unknown category {category!r}: add it to {CATEGORIES_FILE}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentFileError("the file is not UTF-8 text") from None
    return parse_article(text, locale=locale, category=category, slug=filename[:-3])


class _LiteralDumper(yaml.SafeDumper):
    """Writes multi-line text as readable `|` blocks."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _represent_text)


def dump_yaml(data: object) -> str:
    return yaml.dump(data, Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False, width=10_000)


def format_article(fields: ArticleFields) -> str:
    """The file text for an article, in the same format parse_article reads."""
    meta: dict[str, object] = {
        "title": fields.title,
        "translation_key": fields.translation_key,
        "kind": fields.kind,
        "summary": fields.summary,
        "tags": list(fields.tags),
        "status": fields.status,
    }
    if fields.steps:
        meta["steps"] = [
            {"key": s.key, "title": s.title, "body": s.body + "\n" if s.body else ""}
            for s in fields.steps
        ]
    return f"---\n{dump_yaml(meta)}---\n{fields.body}\n"


def read_categories(path: Path, locales: tuple[str, ...]) -> list[CategoryFields]:
    """Read categories.yml; raises ContentFileError if it is missing or malformed."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentFileError(f"{CATEGORIES_FILE} is missing") from None
    except (yaml.YAMLError, UnicodeDecodeError):
        raise ContentFileError(f"{CATEGORIES_FILE} is not valid YAML") from None
    if not isinstance(raw, list):
        raise ContentFileError(f"{CATEGORIES_FILE} must be a list of categories")
    found: list[CategoryFields] = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not SLUG_PATTERN.match(str(item.get("slug", ""))):
            raise ContentFileError(f"category {number} needs a lower-case 'slug'")
        names, descriptions = item.get("name") or {}, item.get("description") or {}
        if not isinstance(names, dict) or not isinstance(descriptions, dict):
            raise ContentFileError(f"category {item['slug']}: name and description are mappings")
        if "en" not in names:
            raise ContentFileError(f"category {item['slug']} needs an English name")
        found.append(
            CategoryFields(
                slug=str(item["slug"]),
                position=int(item.get("position") or number),
                names={k: str(v) for k, v in names.items() if k in locales},
                descriptions={k: str(v) for k, v in descriptions.items() if k in locales},
            )
        )
    return found


def format_categories(categories: list[CategoryFields]) -> str:
    items = [
        {"slug": c.slug, "position": c.position, "name": c.names, "description": c.descriptions}
        for c in categories
    ]
    return dump_yaml(items)
