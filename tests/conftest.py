"""Shared fixtures: apps on SQLite and PostgreSQL, clients, demo content, small builders."""

from __future__ import annotations

import fcntl
import functools
import gc
import graphlib
import itertools
import json
import os
import re
import sqlite3
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import jinja2
import jinja2.bccache
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app import create_app
from app.accounts import models as account_models
from app.extensions import db

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = PROJECT_ROOT / "content"
POSTGRES_URL = os.environ.get(
    "TOUCHPOINT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
# The Big List of Naughty Strings (MIT, github.com/minimaxir/big-list-of-naughty-strings).
BLNS_PATH = PROJECT_ROOT / "tests" / "data" / "blns.json"
CSRF_PATTERN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _compile_each_url_builder_once() -> None:
    """Most tests build an app of their own, and werkzeug compiles Python source for two
    URL builders per route (about 100 routes): nine tenths of `create_app`'s time. A builder
    depends only on the rule's parsed parts, its defaults and converters, never on the app,
    so each test process compiles each one once (`Rule.compile` binds it to each rule).
    """
    compile_builder = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def compile_once(rule: Rule, append_unknown: bool = True):
        key = (
            append_unknown,
            tuple(rule._trace),
            tuple(sorted((name, repr(value)) for name, value in (rule.defaults or {}).items())),
            tuple(sorted((name, type(c).__qualname__) for name, c in rule._converters.items())),
        )
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = compile_once


def _parse_each_url_rule_once() -> None:
    """The other half of a rule's compiling: parsing its text into parts, the same for
    every test app. Each test process parses each rule text once and gives every later
    rule of that text fresh converters of the same kinds, bound to the rule's own map."""
    parse_rule = Rule._parse_rule
    parsed: dict[tuple, tuple] = {}

    def parse_once(rule: Rule, text: str):
        key = (text, tuple(sorted(rule.map.converters.items())))
        if key not in parsed:
            trace_from, converters_before = len(rule._trace), dict(rule._converters)
            parts = list(parse_rule(rule, text))
            made = {
                name: (type(c), c.__dict__.copy())
                for name, c in rule._converters.items()
                if name not in converters_before
            }
            parsed[key] = (parts, rule._trace[trace_from:], made)
            return parts
        parts, trace, made = parsed[key]
        rule._trace.extend(trace)
        for name, (kind, state) in made.items():
            converter = kind.__new__(kind)
            converter.__dict__.update(state, map=rule.map)
            rule._converters[name] = converter
            rule.arguments.add(name)
        return parts

    Rule._parse_rule = parse_once


_compile_each_url_builder_once()
_parse_each_url_rule_once()


# Each test builds an app (~8,000 objects in reference cycles) and drops it at teardown.
# With the default thresholds (700, 10, 10) the apps outlive the young collections, reach
# the oldest generation and are freed by full collections, which also walk every module,
# collected test and cache of the process: a seventh to a quarter of a worker's CPU went
# to the cyclic garbage collector. Young collections every 20,000 allocations free a
# test's app while it is still young. tests/forum, tests/editor and
# tests/test_naughty_forms.py with `-n 0`: collector 7.8 → 1.8 s, the process's CPU
# 57.6 → 47.0 s (and 48.9 → 37.2 s), about 150 MB more memory per process.
gc.set_threshold(20_000, 20, 10)


class SharedTemplateCode(jinja2.BytecodeCache):
    """Compiled templates kept in memory for every app of this test process.

    Each test builds an app, and each app's Jinja environment compiled every template it
    rendered again (lexing, parsing, generating and compiling Python): a tenth of a
    form-heavy test's time. Every test app has the same Jinja settings (create_app), and a
    bucket's checksum is the template's source, so an edited template is compiled anew.
    """

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        kept = self.code.get(bucket.key)
        if kept is not None:
            bucket.bytecode_from_string(kept)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": SharedTemplateCode()}


# Seconds each long test took (tests/durations.json, written by `--record-durations`): under
# pytest-xdist the longest start first, so the run does not end on one worker finishing a
# long test while the other has nothing left to steal.
DURATIONS_PATH = PROJECT_ROOT / "tests" / "durations.json"
RECORDED_FROM = 0.5  # seconds: shorter tests are left out of the file
UNRECORDED_SLOW = 2.0  # a test marked slow or browser that is not in the file yet


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-durations",
        action="store_true",
        help=f"write the tests that took {RECORDED_FROM} s or more into {DURATIONS_PATH.name}",
    )


def recorded_durations() -> dict[str, float]:
    if not DURATIONS_PATH.exists():
        return {}
    return json.loads(DURATIONS_PATH.read_text(encoding="utf-8"))


def _module_scoped(item: pytest.Item) -> bool:
    """Whether the test uses a fixture set up once per module (or class, or package)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(
        definition.scope in ("module", "class", "package")
        for definitions in info.name2fixturedefs.values()
        for definition in definitions
    )


@pytest.hookimpl(trylast=True)  # after tests/browser/conftest.py marks its tests
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist, the longest tests first (the rest in collection order).

    Tests of a module that share a module-scoped fixture (a server, an imported corpus)
    move together, so their fixture is still set up once. Every worker computes the same
    order from the same file, as pytest-xdist requires.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    durations = recorded_durations()

    def cost(item: pytest.Item) -> float:
        if item.nodeid in durations:
            return durations[item.nodeid]
        marked = item.get_closest_marker("slow") or item.get_closest_marker("browser")
        return UNRECORDED_SLOW if marked else 0.0

    blocks: dict[object, list[pytest.Item]] = {}
    for item in items:
        key = item.path if _module_scoped(item) else item.nodeid
        blocks.setdefault(key, []).append(item)
    ordered = sorted(blocks.values(), key=lambda block: -sum(map(cost, block)))
    items[:] = [item for block in ordered for item in block]


class DurationRecorder:
    """Collects each test's setup, call and teardown time; writes the long ones at the end."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(self) -> None:
        """Tests that ran replace their entries. Of the others, those of files that did not
        run (a `--fast` or one-folder run) are kept; a gone file's, or a file's that ran
        without them (renamed or removed tests), are dropped."""
        ran_files = {nodeid.split("::")[0] for nodeid in self.seconds}
        kept = {
            nodeid: seconds
            for nodeid, seconds in recorded_durations().items()
            if (file := nodeid.split("::")[0]) not in ran_files and (PROJECT_ROOT / file).exists()
        }
        ran = {k: round(v, 1) for k, v in self.seconds.items() if v >= RECORDED_FROM}
        merged = dict(sorted({**kept, **ran}.items()))
        DURATIONS_PATH.write_text(json.dumps(merged, indent=0) + "\n", encoding="utf-8")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--record-durations") and not os.environ.get("PYTEST_XDIST_WORKER"):
        config.pluginmanager.register(DurationRecorder(), "touchpoint-durations")


class IsolatedClient(FlaskClient):
    """A test client whose requests don't see another client's signed-in user or CSRF token.

    The app fixtures keep an app context pushed and Flask reuses it for every request, so
    `g` (where Flask-Login caches the user and Flask-WTF the token) would otherwise leak
    from one client's request to another's, unlike in production.
    """

    def open(self, *args, **kwargs):
        if has_app_context():  # each request starts with an empty `g`, as in production
            for name in list(vars(g)):
                delattr(g, name)
        return super().open(*args, **kwargs)


def make_app(tmp_path: Path, database_url: str = "sqlite://", **overrides):
    """An app for tests: its own instance folder, CSRF on like production."""
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "CONTENT_DIR": str(CONTENT_DIR),
        **overrides,
    }
    app = create_app(config)
    app.instance_path = str(tmp_path)
    app.test_client_class = IsolatedClient
    return app


# Test servers need not wait for the disk at each commit (a crash of the server, never
# simulated here, would lose the last commits): DDL and small transactions cost a quarter.
FAST_COMMITS = "-csynchronous_commit%3Doff"


def postgres_url_for(url: str, schema: str) -> str:
    """`url` with its search_path on `schema` (both settings in one `options` parameter)."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}%20{FAST_COMMITS}"


def reset_postgres_schema(url: str) -> tuple[str, str]:
    """A fresh PostgreSQL schema for one test; returns a URL whose search_path points at it."""
    schema = "t_" + uuid.uuid4().hex[:12]
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return postgres_url_for(url, schema), schema


def drop_postgres_schema(url: str, schema: str) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


class PostgresSchemas:
    """Schemas with every table (search tables too), built once per test process and emptied
    before each use: CREATE SCHEMA, `db.create_all()` and DROP SCHEMA took 1 to 4 s a test,
    deleting the rows of every table and restarting the sequences takes milliseconds.
    """

    def __init__(self) -> None:
        self._schemas: dict[str, tuple[str, str, str]] = {}  # purpose -> url, schema, emptying
        self._connection = None

    def emptied(self, purpose: str = "tests") -> str:
        """The URL of this process's schema for `purpose`, every table in it empty."""
        if purpose not in self._schemas:
            url, schema = reset_postgres_schema(POSTGRES_URL)
            with tempfile.TemporaryDirectory() as folder:
                app = make_app(Path(folder), url)
                with app.app_context():
                    db.create_all()
                    db.session.remove()
                    db.engine.dispose()
            self._schemas[purpose] = (url, schema, self._emptying_script(schema))
            return url
        url, _schema, script = self._schemas[purpose]
        with self._admin().transaction():
            self._admin().execute(script)
        return url

    def drop_all(self) -> None:
        if self._connection is not None:
            self._connection.close()
        for _url, schema, _script in self._schemas.values():
            drop_postgres_schema(POSTGRES_URL, schema)

    def _admin(self):
        if self._connection is None:
            import psycopg

            self._connection = psycopg.connect(
                POSTGRES_URL, autocommit=True, options="-csynchronous_commit=off"
            )
        return self._connection

    def _emptying_script(self, schema: str) -> str:
        """DELETE for every table, children before their parents, then sequences back to 1.

        A cycle of references (a topic's accepted post, a post's topic) is broken by first
        setting a nullable reference of the cycle to NULL.
        """
        in_schema = "(SELECT oid FROM pg_namespace WHERE nspname = %s)"
        admin = self._admin()
        with admin.transaction():
            tables = [
                row[0]
                for row in admin.execute(
                    "SELECT relname FROM pg_class"
                    f" WHERE relkind IN ('r', 'p') AND relnamespace = {in_schema}",
                    (schema,),
                )
            ]
            references = admin.execute(
                "SELECT child.relname, parent.relname, array_agg(a.attname::text),"
                " bool_and(NOT a.attnotnull) FROM pg_constraint c"
                " JOIN pg_class child ON child.oid = c.conrelid"
                " JOIN pg_class parent ON parent.oid = c.confrelid"
                " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)"
                f" WHERE c.contype = 'f' AND child.relnamespace = {in_schema}"
                " GROUP BY c.oid, child.relname, parent.relname",
                (schema,),
            ).fetchall()
            sequences = [
                row[0]
                for row in admin.execute(
                    "SELECT relname FROM pg_class"
                    f" WHERE relkind = 'S' AND relnamespace = {in_schema}",
                    (schema,),
                )
            ]
        edges = [
            (child, parent, columns, nullable) for child, parent, columns, nullable in references
        ]
        statements = [f'SET LOCAL search_path TO "{schema}"']  # what the triggers' SQL reads
        while True:
            referenced_by: dict[str, set[str]] = {table: set() for table in tables}
            for child, parent, _columns, _nullable in edges:
                if child != parent:
                    referenced_by[parent].add(child)
            try:
                order = list(graphlib.TopologicalSorter(referenced_by).static_order())
                break
            except graphlib.CycleError as error:
                cycle = error.args[1]
                steps = list(itertools.pairwise(cycle))
                pairs = {*steps, *((b, a) for a, b in steps)}
                broken = next(e for e in edges if (e[0], e[1]) in pairs and e[3])
                edges.remove(broken)
                settings = ", ".join(f'"{column}" = NULL' for column in broken[2])
                statements.append(f'UPDATE "{schema}"."{broken[0]}" SET {settings}')
        deletes = [f'DELETE FROM "{schema}"."{table}"' for table in order]
        # Twice: triggers of the first pass may write into tables it already emptied (the
        # search statistics' changes); on empty tables they write nothing.
        statements += deletes + deletes
        if sequences:
            restarts = ", ".join(f'setval(\'"{schema}"."{seq}"\', 1, false)' for seq in sequences)
            statements.append(f"SELECT {restarts}")
        return ";\n".join(statements)


def build_sqlite_template(build: Callable[[], object]) -> sqlite3.Connection:
    """An in-memory SQLite database with every table (search tables too) and what `build()`
    writes in an app of the default settings; tests copy it (copy_sqlite_template)."""
    template = sqlite3.connect(":memory:", check_same_thread=False)
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder))
        with app.app_context():
            db.create_all()
            build()
            with db.engine.connect() as connection:
                connection.connection.driver_connection.backup(template)
            db.session.remove()
    return template


def copy_sqlite_template(template: sqlite3.Connection) -> None:
    """Replace the current app's in-memory SQLite database with a copy of `template`."""
    assert str(db.engine.url) == "sqlite://", "templates are for in-memory SQLite"
    with db.engine.connect() as connection:
        template.backup(connection.connection.driver_connection)


@functools.cache
def _empty_schema_template() -> sqlite3.Connection:
    return build_sqlite_template(lambda: None)


def create_empty_schema() -> None:
    """`db.create_all()` for the current app on in-memory SQLite with the default settings.

    Copies a template built once (SQLite's backup API) instead of emitting the DDL for
    every test: a quarter of a simple test's time went into creating tables.
    """
    copy_sqlite_template(_empty_schema_template())


@pytest.fixture(scope="session")
def postgres_schemas():
    """This test process's PostgreSQL schemas (PostgresSchemas), dropped at the end."""
    schemas = PostgresSchemas()
    yield schemas
    schemas.drop_all()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_app(request, tmp_path, postgres_schemas):
    """The same test on SQLite and on the local PostgreSQL server."""
    if request.param == "sqlite":
        app = make_app(tmp_path)
        with app.app_context():
            create_empty_schema()
            yield app
            db.session.remove()
        return
    app = make_app(tmp_path, postgres_schemas.emptied())
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


# Every in-process test hashes passwords with Argon2id at tiny costs: the same code path,
# a millisecond instead of 50 ms per hash and per sign-in (up to a second on a loaded
# machine). tests/accounts/test_password_hashing.py checks the production costs.
PRODUCTION_HASHER = account_models._hasher
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashes():
    account_models._hasher = CHEAP_HASHER
    yield
    account_models._hasher = PRODUCTION_HASHER


@pytest.fixture
def fast_hashing():
    """Argon2 with tiny costs (now every test's; kept for the tests that name it)."""
    assert account_models._hasher is CHEAP_HASHER


@pytest.fixture
def postgres_app(tmp_path, postgres_schemas):
    """For races that need real concurrent connections: PostgreSQL only."""
    app = make_app(tmp_path, postgres_schemas.emptied())
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    """An app on in-memory SQLite with an empty schema."""
    app = make_app(tmp_path)
    with app.app_context():
        create_empty_schema()
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory) -> Path:
    """A SQLite file with the demo content imported once for the whole run (read-only).

    pytest-xdist's workers share it: the first to need it builds it while the others
    wait on a lock, instead of each importing the content again. Tests copy it.
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each worker's own
    path = shared / "demo.sqlite3"
    with open(shared / "demo.sqlite3.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            folder = tmp_path_factory.mktemp("demo")
            building = folder / "demo.sqlite3"
            app = make_app(folder, f"sqlite:///{building}")
            with app.app_context():
                db.create_all()
                from app.kb.content_sync import import_content

                report = import_content(CONTENT_DIR, tuple(app.config["LOCALES"]))
                assert report.ok, report.failed
                db.session.remove()
                db.engine.dispose()
            building.chmod(0o444)
            building.replace(path)
    return path


@pytest.fixture
def demo_app(demo_db_file, tmp_path):
    """An app on a private copy of the demo database."""
    copy = tmp_path / "demo.sqlite3"
    copy.write_bytes(demo_db_file.read_bytes())
    app = make_app(tmp_path, f"sqlite:///{copy}")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


def csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def reader_token(client) -> str:
    """The CSRF token an anonymous reader's script fetches (cached pages carry none)."""
    return client.get("/api/v1/csrf-token").get_json()["token"]


def make_user(
    email="ada@example.com", password="correct horse battery", role="customer", name="Ada"
):
    """Create a user in the current app context."""
    from app.accounts.models import User

    user = User(email=email, display_name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def sign_in(client, email="ada@example.com", password="correct horse battery"):
    page = client.get("/account/sign-in")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/account/sign-in", data={"email": email, "password": password, "csrf_token": token}
    )


NAUGHTY_STRINGS: list[str] = json.loads(BLNS_PATH.read_text(encoding="utf-8"))
# What the HTTP tests send: every string that looks like markup or a URL trick, and every
# eighth of the rest; the services and validators take all of them one by one.
NAUGHTY_SAMPLE: list[str] = [
    text
    for number, text in enumerate(NAUGHTY_STRINGS)
    if number % 8 == 0 or re.search(r"[<>]|script|on\w+=|data:", text, re.IGNORECASE)
]


def naughty_chunks(strings: list[str], size: int = 40) -> list:
    """`strings` in parameters of `size`, so pytest-xdist spreads one long loop over workers."""
    return [
        pytest.param(strings[start : start + size], id=f"strings{start}-{start + size - 1}")
        for start in range(0, len(strings), size)
    ]


@pytest.fixture(scope="session")
def naughty_strings() -> list[str]:
    return NAUGHTY_STRINGS


@pytest.fixture
def search_app(demo_db_file, tmp_path):
    """The demo app with a private database (its search rows were written by the import)."""
    database = tmp_path / "demo.sqlite3"
    database.write_bytes(demo_db_file.read_bytes())
    app = make_app(tmp_path, f"sqlite:///{database}")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def search_client(search_app):
    return search_app.test_client()
