"""Shared fixtures: the project's paths, and a throw-away copy of the project for tests that write."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.paths import Paths

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def paths() -> Paths:
    """The checkout, with data/clean rebuilt once if it is missing or stale (CI starts without it)."""
    from analysis.clean.pipeline import run_clean
    from analysis.clean.stamp import clean_is_current

    project = Paths(ROOT)
    if not clean_is_current(project):
        result = run_clean(project)
        assert result.ok, "\n".join(result.errors)
    return project


def run_notebooks(*selection: str) -> str:
    """`python -m analysis run SELECTION…` in the checkout, as `make study` runs it; fails the test on any failed run."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "analysis", "run", *selection], cwd=ROOT, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and " 0 failed" in output, output[-4000:]
    return output


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """A published site's outputs/html: the checkout's when `make study` has built all of it (the index
    holds the synthesis's answer), else the whole study built in a throw-away copy through the real CLI."""
    import subprocess
    import sys

    index = ROOT / "outputs" / "html" / "index.html"
    if index.is_file() and 'class="nodata">The synthesis has not run' not in index.read_text(encoding="utf-8"):
        return ROOT / "outputs" / "html"
    root = tmp_path_factory.mktemp("site") / "project"
    for folder in ("data/raw", "data/reference", "notebooks"):
        shutil.copytree(ROOT / folder, root / folder)
    result = subprocess.run([sys.executable, "-m", "analysis", "--root", str(root), "all"],
                            capture_output=True, text=True, timeout=1800)
    assert (root / "outputs" / "html" / "index.html").is_file(), result.stdout + result.stderr
    return root / "outputs" / "html"


def project_with_notebooks(root: Path, *notebooks: str) -> Paths:
    """A throw-away project at ``root``: the checkout's data/raw and data/reference, and only these notebooks."""
    for folder in ("data/raw", "data/reference"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "notebooks").mkdir()
    for notebook in notebooks:
        shutil.copy(ROOT / "notebooks" / f"{notebook}.ipynb", root / "notebooks")
    return Paths(root)


@pytest.fixture
def project_copy(tmp_path) -> Paths:
    """A copy of the project's data/raw and notebooks in tmp_path (raw files byte-for-byte)."""
    root = tmp_path / "project"
    shutil.copytree(RAW, root / "data" / "raw")
    if (ROOT / "notebooks").is_dir():
        shutil.copytree(ROOT / "notebooks", root / "notebooks")
    if (ROOT / "data" / "reference").is_dir():
        shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    return Paths(root)
