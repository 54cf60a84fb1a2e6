"""Shared fixtures: the project's paths, and a throw-away copy of the project for tests that write."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.paths import Paths

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def paths() -> Paths:
    return Paths(ROOT)


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
