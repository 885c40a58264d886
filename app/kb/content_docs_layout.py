"""Where a docs-as-code set keeps its pages: the root folder, per-locale folders, the reading
order and sections from toc.yml (docfx) or mkdocs.yml (MkDocs), and each page's slug."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import yaml

SKIPPED_DIRS = {"includes", "media", "breadcrumb", "node_modules"}


def docs_slug(relative: str) -> str:
    """A page's slug and translation key: its path below the root, lower-case kebab."""
    stem = PurePosixPath(relative).with_suffix("").as_posix()
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return slug[:120].strip("-") or "page"


def find_docs_root(path: Path) -> Path:
    """The folder holding the pages: where toc.yml or mkdocs.yml's docs_dir points, or PATH."""
    if (path / "mkdocs.yml").is_file():
        config = yaml.safe_load((path / "mkdocs.yml").read_text(encoding="utf-8")) or {}
        return path / str(config.get("docs_dir", "docs"))
    if (path / "toc.yml").is_file():
        return path
    tocs = sorted(p.parent for p in path.glob("*/toc.yml"))
    return tocs[0] if len(tocs) == 1 else path


def locale_sets(path: Path, locales: tuple[str, ...], default: str) -> dict[str, Path]:
    """A folder with one subfolder per locale (en/, ja/ …): each one's docs root, the source
    language first; a translation's root mirrors the source's (ja/Docs/ for en/Docs/toc.yml)."""
    found = {locale: path / locale for locale in locales if (path / locale).is_dir()}
    roots = {locale: find_docs_root(folder) for locale, folder in found.items()}
    if default in roots:
        inner = roots[default].relative_to(found[default])
        for locale, folder in found.items():
            if (folder / inner).is_dir():
                roots[locale] = folder / inner
    return dict(sorted(roots.items(), key=lambda item: item[0] != default))


def _toc_entries(items, section: str | None, top: bool) -> list[tuple[str, str | None]]:
    entries: list[tuple[str, str | None]] = []
    for item in items or []:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name", "")).strip() or None
        href = item.get("href")
        here = name if top and item.get("items") else section
        if isinstance(href, str) and href.endswith(".md"):
            entries.append((href, here if not top or item.get("items") else section))
        entries.extend(_toc_entries(item.get("items"), here, False))
    return entries


def _mkdocs_entries(nav, section: str | None, top: bool) -> list[tuple[str, str | None]]:
    entries: list[tuple[str, str | None]] = []
    for item in nav or []:
        if isinstance(item, str):
            entries.append((item, section))
        elif isinstance(item, dict):
            for name, value in item.items():
                if isinstance(value, str):
                    entries.append((value, section))
                else:
                    entries.extend(_mkdocs_entries(value, str(name) if top else section, False))
    return entries


def read_order(root: Path) -> list[tuple[str, str | None]]:
    """(page path below root, top-level section name or None) in the set's reading order."""
    if (root / "toc.yml").is_file():
        toc = yaml.safe_load((root / "toc.yml").read_text(encoding="utf-8")) or {}
        items = toc.get("items", []) if isinstance(toc, dict) else toc
        return _toc_entries(items, None, True)
    mkdocs = root.parent / "mkdocs.yml"
    if mkdocs.is_file():
        config = yaml.safe_load(mkdocs.read_text(encoding="utf-8")) or {}
        return _mkdocs_entries(config.get("nav"), None, True)
    return []


def page_files(root: Path) -> list[Path]:
    """Every Markdown page of the set (not includes, media or hidden folders)."""
    return sorted(
        p
        for p in root.rglob("*.md")
        if not any(
            part in SKIPPED_DIRS or part.startswith(".") for part in p.relative_to(root).parts[:-1]
        )
    )
