"""Shared fixtures. Every test reads a project built from the committed seed, never the checkout's data.

The seed is ``tests/data/seed/``: byte-identical copies of the five seed reports and their
``manifest.csv`` rows (``tests/test_seed.py`` checks the hashes). Adding, removing or editing a
report in the checkout's ``data/raw`` (the yearly rerun) therefore never changes a test's result.

The API (use these; nothing else in the tests should name ``data/raw`` or ``data/clean`` of ROOT):

``seed_project`` (session fixture; also available as ``paths``, autouse)
    ``Paths`` of the seed project root ``SEED_ROOT``: ``data/raw`` = the seed, ``data/reference``
    and ``notebooks`` = the checkout's, ``data/clean`` cleaned once per session. READ-ONLY: a test
    that writes uses ``project_copy`` or ``cleaned_copy``. ``COMPLAINTS_STUDY_ROOT`` points at it for
    the whole session, so ``analysis.data.load_observations()`` and ``python -m analysis …`` without
    ``--root`` read the seed project too.
``project_copy`` (function fixture)
    ``Paths`` of a fresh copy of the seed project in ``tmp_path`` (raw, reference, notebooks; no
    ``data/clean``): for tests that add, damage or remove reports, or clean.
``cleaned_copy`` (function fixture)
    ``project_copy`` with the seed's cleaned ``data/clean`` copied in (no clean needed).
``built_site`` (session fixture)
    ``outputs/html`` of the whole study (``python -m analysis all``) built in ``SEED_ROOT``.
``run_notebooks(*selection)`` (function)
    ``python -m analysis --root SEED_ROOT run SELECTION…``; fails the test on any failed run.
Constants: ``ROOT`` the checkout (code, notebooks, README, docs: never its data); ``SEED`` (alias
``RAW``) the seed folder, laid out as a ``data/raw`` (the reports and ``manifest.csv``, nothing else);
``SEED_ROOT`` the seed project's root (``SEED_ROOT / "data/raw/<file>"`` is a seed report).

``SEED_ROOT`` is ``.pytest_cache/seed-project`` (git-ignored; ``COMPLAINTS_TEST_ROOT`` moves it). At
each session start its ``data/raw`` is made exactly the seed and its notebooks and reference tables
the checkout's; its ``outputs`` are kept between sessions, so the study's own fingerprints skip the
notebook runs and pages whose inputs did not change (the first ``built_site`` of a checkout takes the
time of a ``make study``; later ones seconds). The checkout's live data is checked by ``make study``'s
data check (``python -m analysis check``), not by the tests.
"""
from __future__ import annotations

import filecmp
import os
import shutil
from pathlib import Path

import pytest

from analysis.paths import ROOT_ENV, Paths

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "data" / "seed"
RAW = SEED  # the raw reports the tests read: the seed (tests written before the seed existed import RAW)
SHARED = ROOT.parent / "shared"
SEED_ROOT = Path(os.environ.get("COMPLAINTS_TEST_ROOT") or ROOT / ".pytest_cache" / "seed-project").resolve()


def _mirror(source: Path, target: Path) -> None:
    """Make ``target`` hold exactly ``source``'s files (unchanged files keep their mtime)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in target.iterdir():
        if not (source / path.name).exists() or path.is_dir() != (source / path.name).is_dir():
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    for path in source.iterdir():
        if path.is_dir():
            if path.name not in {".ipynb_checkpoints", "__pycache__"}:
                _mirror(path, target / path.name)
        elif not (target / path.name).is_file() or not filecmp.cmp(path, target / path.name, shallow=False):
            shutil.copy2(path, target / path.name)


def _lay_out_seed_root() -> Paths:
    _mirror(SEED, SEED_ROOT / "data" / "raw")
    for folder in ("data/reference", "notebooks"):
        if (ROOT / folder).is_dir():
            _mirror(ROOT / folder, SEED_ROOT / folder)
    return Paths(SEED_ROOT)


# Laid out at import, so module-level constants (SEED_ROOT / "data/raw/…") hold during collection.
_lay_out_seed_root()
os.environ[ROOT_ENV] = str(SEED_ROOT)


@pytest.fixture(scope="session", autouse=True)
def seed_project() -> Paths:
    """The seed project, with data/clean cleaned from the seed (once per session, unless current)."""
    from analysis.clean.pipeline import run_clean
    from analysis.clean.stamp import clean_is_current

    project = Paths(SEED_ROOT)
    if not clean_is_current(project):
        result = run_clean(project)
        assert result.ok, "\n".join(result.errors)
    return project


@pytest.fixture(scope="session")
def paths(seed_project) -> Paths:
    """The seed project (``seed_project``'s old name)."""
    return seed_project


def _copy_project(root: Path, *, clean: bool) -> Paths:
    shutil.copytree(SEED, root / "data" / "raw")
    for folder in ("notebooks", "data/reference", *(("data/clean",) if clean else ())):
        source = ROOT / folder if folder != "data/clean" else SEED_ROOT / folder
        if source.is_dir():
            shutil.copytree(source, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return Paths(root)


@pytest.fixture
def project_copy(tmp_path) -> Paths:
    """A copy of the seed project in tmp_path: the seed reports byte-for-byte and their manifest,
    the checkout's notebooks and reference tables; no data/clean."""
    return _copy_project(tmp_path / "project", clean=False)


@pytest.fixture
def cleaned_copy(tmp_path, seed_project) -> Paths:
    """``project_copy`` with the seed project's data/clean (already cleaned) copied in."""
    return _copy_project(tmp_path / "project", clean=True)


def analysis_cli(root: Path, *args: str, timeout: float = 1800):
    """``python -m analysis --root ROOT ARGS…`` as a subprocess (its output in .stdout/.stderr)."""
    import subprocess
    import sys

    env = os.environ | {ROOT_ENV: str(root)}
    return subprocess.run([sys.executable, "-m", "analysis", "--root", str(root), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def run_notebooks(*selection: str) -> str:
    """`python -m analysis run SELECTION…` in the seed project, as `make study` runs it; fails the test on any failed run."""
    result = analysis_cli(SEED_ROOT, "run", *selection)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and " 0 failed" in output, output[-4000:]
    return output


@pytest.fixture(scope="session")
def built_site(seed_project) -> Path:
    """The seed study's published site (outputs/html), built through the real CLI (`analysis all`)."""
    result = analysis_cli(SEED_ROOT, "all")
    index = seed_project.html / "index.html"
    assert result.returncode == 0 and index.is_file(), (result.stdout + result.stderr)[-4000:]
    return seed_project.html


def project_with_notebooks(root: Path, *notebooks: str) -> Paths:
    """A throw-away project at ``root``: the committed seed reports, data/reference, and only these notebooks."""
    shutil.copytree(SEED, root / "data" / "raw")
    shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    (root / "notebooks").mkdir()
    for notebook in notebooks:
        shutil.copy(ROOT / "notebooks" / f"{notebook}.ipynb", root / "notebooks")
    return Paths(root)
