"""Every setting the code reads is declared with a type on `Config` and listed in the README.

The source is read with `ast`, not grep: `app.config["X"]`, `current_app.config.get("X")`,
`config = current_app.config; config["X"]`, and helpers that take a setting's name as a
parameter (`_setting("X", default)`) are all found. Templates are scanned for `config[...]`.
Settings are read as `config["X"]`: the default lives on `Config`, never inline at the read
(`config.get("X", 10)` would let the two drift apart).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app.config import Config, TestingConfig, declared_settings

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("app", "search")
TEMPLATE_READ = re.compile(r"""config(?:\[|\.get\()\s*['"]([A-Za-z0-9_]+)['"]""")
TEMPLATE_GET = re.compile(r"""config\.get\(""")


def _is_config(node: ast.AST, aliases: set[str]) -> bool:
    """`<x>.config`, or a local name bound to one (`config = current_app.config`)."""
    if isinstance(node, ast.Attribute) and node.attr == "config":
        return True
    return isinstance(node, ast.Name) and node.id in aliases


def _config_key(node: ast.AST, aliases: set[str]) -> ast.AST | None:
    """The key expression of a config read (`config[key]` or `config.get(key, ...)`)."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.ctx, ast.Load)
        and _is_config(node.value, aliases)
    ):
        return node.slice
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and _is_config(node.func.value, aliases)
        and node.args
    ):
        return node.args[0]
    return None


def _config_aliases(tree: ast.Module) -> set[str]:
    """Local names bound to a config (`config = current_app.config`)."""
    return {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and _is_config(node.value, set())
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def settings_read_in(tree: ast.Module) -> tuple[set[str], list[str]]:
    """Names read as settings in one module, and reads whose name cannot be known."""
    aliases = _config_aliases(tree)
    names: set[str] = set()
    unknown: list[str] = []
    helpers: dict[str, int] = {}  # function → position of the parameter that names a setting
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef):
            continue
        parameters = [a.arg for a in function.args.args]
        for node in ast.walk(function):
            key = _config_key(node, aliases)
            if isinstance(key, ast.Name) and key.id in parameters:
                helpers[function.name] = parameters.index(key.id)
    for node in ast.walk(tree):
        key = _config_key(node, aliases)
        if key is not None:
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                names.add(key.value)
            elif not (isinstance(key, ast.Name) and _names_a_helper_parameter(tree, key)):
                unknown.append(f"line {node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            position = helpers.get(node.func.id)
            if position is not None and len(node.args) > position:
                argument = node.args[position]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    names.add(argument.value)
                else:
                    unknown.append(f"line {node.lineno}: {ast.unparse(node)}")
    return names, unknown


def reads_with_get(tree: ast.Module) -> list[str]:
    """`config.get(...)` reads in one module: each is a default kept apart from `Config`."""
    aliases = _config_aliases(tree)
    return [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and _is_config(node.func.value, aliases)
    ]


def _names_a_helper_parameter(tree: ast.Module, key: ast.Name) -> bool:
    return any(
        isinstance(f, ast.FunctionDef) and key.id in [a.arg for a in f.args.args]
        for f in ast.walk(tree)
    )


def settings_read_by_code() -> dict[str, set[str]]:
    """Setting name → the files that read it (Python under app/ and search/, templates)."""
    found: dict[str, set[str]] = {}
    problems = []
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            names, unknown = settings_read_in(ast.parse(path.read_text(encoding="utf-8")))
            problems += [f"{path.relative_to(ROOT)} {u}" for u in unknown]
            for name in names:
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file():
            for name in TEMPLATE_READ.findall(path.read_text(encoding="utf-8")):
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    assert not problems, f"settings read by a name the scan cannot see: {problems}"
    return found


def test_the_scan_sees_every_way_the_code_reads_a_setting():
    source = """
from flask import current_app
def _setting(name, default):
    return current_app.config.get(name, default)
def view():
    config = current_app.config
    return (app.config["A_ONE"], current_app.config.get("A_TWO"), config["A_THREE"],
            _setting("A_FOUR", 1), app.config.update(X=1))
"""
    names, unknown = settings_read_in(ast.parse(source))
    assert names == {"A_ONE", "A_TWO", "A_THREE", "A_FOUR"}
    assert not unknown
    _, unknown = settings_read_in(ast.parse("def f():\n    return app.config['A_' + x]\n"))
    assert unknown


def test_the_scan_sees_reads_with_inline_defaults():
    source = """
def view():
    config = current_app.config
    return current_app.config["A_ONE"], config.get("A_TWO", 3), app.config.get("A_THREE")
"""
    found = reads_with_get(ast.parse(source))
    assert [read.split(":")[0] for read in found] == ["line 4", "line 4"]


def test_settings_are_read_without_inline_defaults():
    found = []
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            reads = reads_with_get(ast.parse(path.read_text(encoding="utf-8")))
            found += [f"{path.relative_to(ROOT)} {read}" for read in reads]
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file() and TEMPLATE_GET.search(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(ROOT)} config.get(...)")
    assert not found, f"read these as config[NAME] (the default belongs on Config): {found}"


def test_every_setting_the_code_reads_is_declared_on_config():
    declared = declared_settings()
    read = settings_read_by_code()
    assert len(read) > 30  # the scan found the settings (there are many)
    missing = {name: sorted(files) for name, files in read.items() if name not in declared}
    assert not missing, f"read but not declared with a type on app.config.Config: {missing}"


def test_every_setting_on_config_has_a_declared_type():
    untyped = [
        name
        for cls in (Config, TestingConfig)
        for name in vars(cls)
        if name.isupper() and name not in declared_settings()
    ]
    assert not untyped, f"give these a type annotation on Config: {untyped}"


@pytest.mark.parametrize("name", sorted(declared_settings()))
def test_every_setting_is_in_the_readme_table(name):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| `TOUCHPOINT_{name}` |" in readme
