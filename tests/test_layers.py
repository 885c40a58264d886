"""Imports run one way: ground → accounts → kb → site search → forum → ask, moderation → the rest.

The layers contract of ARCHITECTURE.md, enforced: every import in app/ and search/
(function-level ones too) is read with `ast`, each module is placed in its layer by
the longest matching prefix, and an import of a higher layer fails the build. A lower
layer that needs to hear from a higher one gets told through registration (page
slots, search sources, hooks), never by importing it. No two areas import each other
either, even within one layer.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. A module may import its own layer and the layers before it.
LAYERS: tuple[tuple[str, ...], ...] = (
    (  # ground: what every area may use; imports no area
        "app.config",
        "app.extensions",
        "app.clock",
        "app.events",
        "app.audit",
        "app.markdown",
        "app.pii",
        "app.locales",
        "app.security",
        "app.errors",
        "app.mail",
        "app.sqlite_settings",
        "app.page_slots",
        "app.flashes",
        "app.form_translations",
        "app.templating",
        "app.jobs",
        "app.log_config",
        "app.page_cache",
        "app.page_cache_front",
        "app.pagination",
        "app.read_replica",
        "app.request_ids",
        "app.request_numbers",
        "app.static_urls",
        "app.write_gate",
        "search",  # the search library: no Flask, no area; areas hand it their documents
    ),
    ("app.accounts",),  # users, roles, sign-in: every area below names a User
    ("app.kb",),
    ("app.site_search",),
    ("app.forum",),
    ("app.ask", "app.moderation", "app.surveys"),
    ("app.editor", "app.insights", "app.api", "app.admin", "app.site"),
    ("app", "app.models", "app.cli"),  # the composition root wires every area together
)

# Imports against the layers that are tolerated: none. Never add to this.
KNOWN_UPWARD: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for package in ("app", "search"):
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imported_modules(name: str, path: Path) -> set[str]:
    """Every module of the repo `name` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in modules() else base)
    return {module for module in found if module.split(".")[0] in ("app", "search")}


def placed(module: str) -> tuple[int, str]:
    """(layer index, area) by the longest prefix that names the module or a package of it.

    The root package `app` names itself only: a new module is placed on purpose.
    """
    best = None
    for index, layer in enumerate(LAYERS):
        for area in layer:
            covers = module == area or (area != "app" and module.startswith(area + "."))
            if covers and (best is None or len(area) > len(best[1])):
                best = (index, area)
    assert best is not None, f"{module} is in no layer: add it to LAYERS and ARCHITECTURE.md"
    return best


@cache
def import_edges() -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, target)
        for name, path in modules().items()
        for target in sorted(imported_modules(name, path))
    )


def test_every_module_has_a_layer():
    for name in modules():
        placed(name)


def test_no_import_runs_against_the_layers():
    upward = set()
    for source, target in import_edges():
        (source_layer, _), (target_layer, _) = placed(source), placed(target)
        if target_layer > source_layer:
            upward.add((source, target))
    unexpected = sorted(upward - KNOWN_UPWARD)
    assert not unexpected, "imports of a higher layer (register with the lower one instead):\n" + (
        "\n".join(f"  {source} imports {target}" for source, target in unexpected)
    )


def test_no_two_areas_import_each_other():
    area_edges = defaultdict(set)
    for source, target in import_edges():
        if (source, target) in KNOWN_UPWARD:
            continue
        source_area, target_area = placed(source)[1], placed(target)[1]
        if source_area != target_area and source_area not in LAYERS[-1]:
            area_edges[source_area].add(target_area)
    cycles = sorted(
        (a, b) for a, targets in area_edges.items() for b in targets if a in area_edges.get(b, ())
    )
    assert not cycles, f"areas importing each other: {cycles}"


def test_the_check_sees_late_and_relative_imports(tmp_path):
    """Not vacuous: an import inside a function or a relative one counts like any other."""
    path = tmp_path / "views.py"
    path.write_text("from . import models\n\n\ndef view():\n    from app.insights import facts\n")
    assert imported_modules("app.kb.views", path) == {"app.kb.models", "app.insights.facts"}
    assert placed("app.insights.facts")[0] > placed("app.kb.views")[0]
    assert placed("app.templating") == (0, "app.templating")
