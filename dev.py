#!/usr/bin/env python3
"""Set up and run Touchpoint with only python3: `python3 dev.py serve` or `python3 dev.py test`.

Both commands are idempotent: they create `.venv`, install the project, compile the
translations and bring the database up to date before they serve or test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
SYSTEM_PACKAGES_FOR_TESTS = {
    "chromium": "/usr/bin/chromium",
    "chromium-headless-shell": "/usr/bin/chromium-headless-shell",  # most browser tests run in it
    "fonts-noto-cjk": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "fonts-noto-core": "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
    "nginx": "/usr/sbin/nginx",  # tests/deploy/ runs the shipped nginx site in front of gunicorn
}


def run(*command: str | Path, env: dict | None = None) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], cwd=ROOT, check=True, env=env)


def apt_install(packages: list[str]) -> None:
    """Install Debian packages when running as root with apt; otherwise say what is missing."""
    if not packages:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit(f"Please install these system packages first: {' '.join(packages)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", *packages, env=env)


def ensure_venv(extras: str) -> None:
    if not (BIN / "python").exists():
        try:
            run(sys.executable, "-m", "venv", VENV)
        except subprocess.CalledProcessError:
            shutil.rmtree(VENV, ignore_errors=True)
            # Debian ships venv separately from python3.
            version = f"{sys.version_info.major}.{sys.version_info.minor}"
            apt_install([f"python{version}-venv"])
            run(sys.executable, "-m", "venv", VENV)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", f".{extras}")
    run(BIN / "pybabel", "compile", "--use-fuzzy", "-d", "app/translations")


def flask(*args: str) -> None:
    env = {**os.environ, "FLASK_APP": "app"}
    run(BIN / "flask", *args, env=env)


def serve() -> None:
    """Set up, load the demo content and serve on http://127.0.0.1:5000."""
    ensure_venv("")
    flask("db", "upgrade")
    flask("content", "import")
    flask("forum", "init")
    flask("forum", "seed-demo")
    flask("insights", "seed-demo")
    flask("search", "reindex")
    print("\nTouchpoint is running on http://127.0.0.1:5000 (Ctrl+C stops it)\n", flush=True)
    os.execv(
        BIN / "gunicorn",
        [
            "gunicorn",
            "--bind", "127.0.0.1:5000",
            "--workers", "2",
            "--threads", "4",
            "--reuse-port",  # each worker its own socket: the kernel spreads connections
            "--access-logfile", "-",
            "app:create_app()",
        ],
    )  # fmt: skip


FAST = ["-m", "not slow and not browser"]


def test(pytest_args: list[str]) -> None:
    """Install what the browser tests need, then lint and run the whole suite.

    `--fast` is the developer loop: no tests marked slow, no browser tests.
    """
    if "--fast" in pytest_args:
        pytest_args = [*FAST, *(a for a in pytest_args if a != "--fast")]
    missing = [name for name, path in SYSTEM_PACKAGES_FOR_TESTS.items() if not Path(path).exists()]
    apt_install(missing)
    ensure_venv("[test]")
    run(BIN / "ruff", "check", "app", "search", "tests", "bench", "dev.py")
    # Spread the suite over one worker more than there are CPUs (pytest-xdist); `-n 0`
    # turns it off. Many tests wait on a server, nginx, a browser or a timer, and a third
    # worker on two CPUs uses that time: the whole suite in 367 s with 3 workers against
    # 393 s with 2 and 400 s with 4 (5,158 tests, one quiet 2-CPU machine, 2026-12-07).
    # worksteal: an idle worker takes queued tests from a busy one, so a few long tests
    # queued on one worker do not leave the others idle at the end.
    spread = ["-n", str((os.cpu_count() or 1) + 1), "--dist", "worksteal"]
    parallel = [] if any(a.startswith("-n") for a in pytest_args) else spread
    # Test modules are compiled once, with pytest's assertions, and kept in __pycache__:
    # with PYTHONDONTWRITEBYTECODE each worker compiled all of them again (collection
    # 7.3 s → 3.5 s of CPU per process).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    run(BIN / "python", "-m", "pytest", *parallel, *pytest_args, env=env)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"serve", "test"}:
        sys.exit("usage: python3 dev.py serve | test [--fast] [pytest arguments]")
    os.chdir(ROOT)
    try:
        if sys.argv[1] == "serve":
            serve()
        else:
            test(sys.argv[2:])
    except subprocess.CalledProcessError as error:
        sys.exit(error.returncode)


if __name__ == "__main__":
    main()
