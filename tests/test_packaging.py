"""forum works outside a checkout: the wheel carries its templates, migrations, static files and
password list, and declares every package it imports.

The wheel is built from a copy of the sources, installed with its declared dependencies (at the
versions of constraints.txt, from a wheelhouse in the dev venv that is filled from PyPI once and
reused offline) into a fresh venv in a temporary directory, then migrated, served and asked for
the front page and an article, with nothing of the checkout on the path.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONSTRAINTS = REPO / "constraints.txt"
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"
"""Runtime dependencies as wheels, downloaded once per lock and kept with the dev venv."""
SOURCES = ("pyproject.toml", "README.md", "forum", "templates", "migrations")
"""What a wheel is built from; everything else in a checkout (tests, docs, var/) stays out."""
DATA = {"templates": "forum/templates", "migrations": "forum/migrations"}
"""Top-level folders of the checkout and where they land in the package."""


def _run(*args: str | Path, timeout: float = 120, **kwargs) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _build_wheel(tmp_path: Path) -> Path:
    """Build from a copy, so that no build/ or egg-info lands in the checkout (and no stale file
    from an earlier build lands in the wheel). The dev venv's setuptools is the backend."""
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(REPO / name, source / name, ignore=ignore)
        else:
            shutil.copy2(REPO / name, source / name)
    dist = tmp_path / "dist"
    pip = (sys.executable, "-m", "pip")
    _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, source)
    (wheel,) = dist.glob("forum-*.whl")
    return wheel


def _expected_files() -> set[str]:
    """Every file of forum/, templates/ and migrations/ under its name in the wheel."""
    expected = set()
    for folder, target in {"forum": "forum", **DATA}.items():
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                expected.add(f"{target}/{path.relative_to(REPO / folder).as_posix()}")
    return expected


def _venv_with(wheel: Path, tmp_path: Path) -> Path:
    """A fresh venv holding the wheel and the dependencies it declares (and nothing else)."""
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    pip = (sys.executable, "-m", "pip", "--python", python)
    offline = (*pip, "install", "--no-index", "--find-links", WHEELHOUSE, "-c", CONSTRAINTS)
    if subprocess.run([*map(str, offline), str(wheel)], capture_output=True).returncode != 0:
        requirements = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
        download = (*pip, "download", "--dest", WHEELHOUSE, "-c", CONSTRAINTS)
        _run(*download, *requirements["dependencies"], timeout=600)
        _run(*offline, wheel)
    return venv


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (http on loopback)
        assert response.status == 200, url
        return response.read().decode()


def _serve_and_fetch(forum: Path, site: Path, env: dict[str, str]) -> tuple[str, str, str]:
    """Serve on a free port; the front page, the first article on it and the stylesheet."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(forum), "serve", "--port", str(port)],
        cwd=site,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, f"forum serve exited:\n{server.communicate()[1]}"
            try:
                _get(f"{base}/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, "forum serve did not answer in 30 s"
                time.sleep(0.2)
        front = _get(f"{base}/")
        slug = re.search(r'href="/articles/([a-z0-9-]+)"', front)
        assert slug, front
        article = _get(f"{base}/articles/{slug.group(1)}")
        css = _get(f"{base}/static/forum.css")
    finally:
        server.terminate()
        server.communicate(timeout=15)
    return front, article, css


def test_every_package_under_forum_is_listed_for_the_wheel():
    """pyproject.toml lists forum's packages (templates/ and migrations/ are mapped in), so a
    new one must be added there or the installed forum cannot import it."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "forum").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    mapped = {f"forum.{folder}" for folder in DATA}
    assert set(setuptools["packages"]) == found | mapped
    assert setuptools["package-dir"] == {"": ".", **{p: p.split(".")[1] for p in mapped}}


@pytest.mark.slow
def test_the_wheel_installs_migrates_and_serves_outside_the_checkout(tmp_path: Path):
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert _expected_files() - names == set(), "files of the checkout missing from the wheel"
    assert {"forum/migrations/env.py", "forum/migrations/script.py.mako"} <= names
    assert "forum/accounts/common-passwords.txt.gz" in names

    venv = _venv_with(wheel, tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(site),
        "LANG": "C.UTF-8",
        "FORUM_DATABASE_URL": f"sqlite:///{site / 'forum.db'}",
        "FORUM_VAR_DIR": str(site / "var"),
    }
    python, forum = venv / "bin" / "python", venv / "bin" / "forum"
    where = _run(python, "-c", "import forum; print(forum.__file__)", cwd=site, env=env)
    assert Path(where.strip()).is_relative_to(venv), where
    common = "from forum.accounts.passwords import common_passwords as c; print(len(c()))"
    assert int(_run(python, "-c", common, cwd=site, env=env)) > 10_000

    assert "database at" in _run(forum, "db", "upgrade", cwd=site, env=env)
    assert "up to date" in _run(forum, "db", "current", cwd=site, env=env)
    assert "demo content loaded" in _run(forum, "demo", cwd=site, env=env)
    front, article, css = _serve_and_fetch(forum, site, env)
    assert "<html" in front and re.search(r"/static/forum\.[0-9a-f]+\.css", front)
    assert "Submitted by" in article
    assert css.strip()
