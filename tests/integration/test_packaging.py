"""What a stranger installs: the source distribution carries the licence and the whole test
suite, the wheel carries the fonts, styles and migrations, and PostgreSQL's driver is an extra.

Everything is built offline, with the setuptools already installed (the test extra asks
for one new enough to read the SPDX licence string; with an older one these tests are
skipped): nothing is downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT_FILES = ("pyproject.toml", "MANIFEST.in", "LICENSE", "README.md")
PROJECT_DIRS = ("certdesk_tui", "tests", ".ci")
LEFT_OUT = shutil.ignore_patterns("__pycache__", "*.py[cod]", "*.sqlite3", "*.sqlite3-*",
                                  "*.egg-info")


def _offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CERTDESK_", "PIP_"))}
    env["PIP_NO_INDEX"] = "1"  # a build that tried to download would fail, not wait
    return env


def _build(kind: str, source: Path, out: Path) -> Path:
    """Build ``kind`` (sdist or wheel) from ``source`` into ``out`` without build isolation."""
    code = (f"import sys; from setuptools import build_meta as b; "
            f"print(b.build_{kind}(sys.argv[1]))")
    result = subprocess.run([sys.executable, "-c", code, str(out)], cwd=source,
                            env=_offline_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / result.stdout.strip().splitlines()[-1]


def _source_files(directory: str) -> set[str]:
    """The files of one project folder, as the sdist should carry them."""
    base = ROOT / directory
    files = set()
    for path in base.rglob("*"):
        parts = path.relative_to(ROOT).parts
        if path.is_file() and "__pycache__" not in parts and path.suffix not in (
                ".pyc", ".pyo") and not path.name.endswith((".sqlite3", ".sqlite3-wal",
                                                            ".sqlite3-shm")):
            files.add("/".join(parts))
    return files


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist built from a clean copy of the project, and the wheel built from the sdist."""
    # The SPDX licence string needs setuptools 77 (the test extra installs it): built with
    # what is installed, never a download.
    pytest.importorskip("setuptools", minversion="77")
    work = tmp_path_factory.mktemp("packaging")
    project = work / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, project / name)
    for name in PROJECT_DIRS:
        shutil.copytree(ROOT / name, project / name, ignore=LEFT_OUT)
    (work / "dist").mkdir()
    sdist = _build("sdist", project, work / "dist")
    with tarfile.open(sdist) as archive:
        archive.extractall(work / "unpacked", filter="data")
    [unpacked] = (work / "unpacked").iterdir()
    wheel = _build("wheel", unpacked, work / "dist")
    return {"sdist": sdist, "unpacked": unpacked, "wheel": wheel}


def test_the_sdist_carries_the_licence_and_the_whole_test_suite(built: dict[str, Path]) -> None:
    with tarfile.open(built["sdist"]) as archive:
        top = archive.getnames()[0].split("/")[0]
        names = {name.removeprefix(top + "/") for name in archive.getnames()}
        info = archive.extractfile(f"{top}/PKG-INFO")
        assert info is not None
        metadata = info.read().decode()
    assert {"LICENSE", "README.md", "pyproject.toml", "PKG-INFO"} <= names
    missing = _source_files("tests") - names
    assert not missing, f"the sdist lacks {sorted(missing)[:10]}"
    assert {n for n in names if n.startswith("tests/functional/__snapshots__/")}, "snapshots"
    assert ".ci/start-postgres.sh" in names
    assert not {n for n in names if "__pycache__" in n or n.endswith(".sqlite3")}
    assert "License-Expression: MIT" in metadata
    assert "License-File: LICENSE" in metadata
    assert "Provides-Extra: postgresql" in metadata
    assert "Project-URL: Issues, https://github.com/certdesk/certdesk/issues" in metadata


def test_the_wheel_carries_fonts_styles_and_migrations_and_no_tests(
        built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["wheel"]) as archive:
        names = set(archive.namelist())
        [metadata_name] = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = archive.read(metadata_name).decode()
    package = {n for n in names if n.startswith("certdesk_tui/")}
    expected = {"certdesk_tui/" + "/".join(p.relative_to(ROOT / "certdesk_tui").parts)
                for p in (ROOT / "certdesk_tui").rglob("*")
                if p.is_file() and (p.suffix in (".tcss", ".mako", ".ttf", ".otf")
                                    or p.parent.name == "fonts"
                                    or "migrations" in p.parts and p.suffix == ".py")
                and "__pycache__" not in p.parts}
    assert any(n.startswith("certdesk_tui/pdf/fonts/") for n in expected)
    assert any(n.endswith(".tcss") for n in expected)
    assert any("/migrations/versions/" in n for n in expected)
    assert not expected - package, sorted(expected - package)[:10]
    assert not {n for n in names if n.startswith("tests/")}
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    # The embedded SQLite default needs no PostgreSQL driver: psycopg is only an extra.
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert [r for r in requires if "psycopg" in r] == [
        "Requires-Dist: psycopg[binary]>=3.1; extra == \"postgresql\""]


def test_the_tests_run_from_the_unpacked_sdist(built: dict[str, Path]) -> None:
    unpacked = built["unpacked"]
    env = _offline_env()
    env.pop("PYTHONPATH", None)
    where = subprocess.run(
        [sys.executable, "-c", "import certdesk_tui; print(certdesk_tui.__file__)"],
        cwd=unpacked, env=env, capture_output=True, text=True)
    assert Path(where.stdout.strip()).is_relative_to(unpacked), where.stdout + where.stderr
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
         "tests/unit/test_vocabulary.py", "tests/unit/test_import_hygiene.py"],
        cwd=unpacked, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout


@pytest.fixture
def without_psycopg(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment in which importing psycopg fails (and leaves a mark that it was tried)."""
    blocker = tmp_path / "no_driver" / "psycopg"
    blocker.mkdir(parents=True)
    mark = tmp_path / "psycopg-was-imported"
    (blocker / "__init__.py").write_text(
        "import os, pathlib\n"
        "pathlib.Path(os.environ['PSYCOPG_IMPORT_MARK']).touch()\n"
        "raise ModuleNotFoundError(\"No module named 'psycopg'\", name='psycopg')\n")
    path = os.pathsep.join([str(tmp_path / "no_driver"), str(ROOT)])
    return {"PYTHONPATH": path, "PSYCOPG_IMPORT_MARK": str(mark)}, mark


def test_the_embedded_sqlite_default_needs_no_postgresql_driver(tmp_path: Path,
                                                                without_psycopg) -> None:
    from tests.integration.test_cli import Cli

    env, mark = without_psycopg
    cli = Cli(tmp_path / "home")
    assert "is its manager" in cli("init", env=env).stdout
    assert "0 request(s)" in cli("list", env=env).stdout
    assert not mark.exists(), "psycopg was imported for an SQLite database"


def test_a_postgresql_url_without_the_driver_says_to_install_the_extra(tmp_path: Path,
                                                                       without_psycopg) -> None:
    from tests.integration.test_cli import Cli

    env, _ = without_psycopg
    cli = Cli(tmp_path / "home", db_url="postgresql://certdesk@127.0.0.1:1/certdesk")
    refusal = cli.refused("list", env=env)
    assert refusal == ("certdesk: PostgreSQL needs its driver (psycopg): install "
                       "certdesk[postgresql] (pip install 'certdesk[postgresql]')")
