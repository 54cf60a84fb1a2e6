"""Identical inputs give byte-identical outputs: no timestamps, no dict-order or run-order noise.

Both runs go through ``python -m analysis`` in a throw-away copy of the project, as a user
(or CI) would run them.
"""
import os
import subprocess
import sys

import pytest

from analysis.paths import Paths


def cli(paths: Paths, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "COMPLAINTS_STUDY_ROOT": str(paths.root), "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "analysis", "--root", str(paths.root), *args],
                          cwd=paths.root, env=env, capture_output=True, text=True, timeout=600)


def snapshot(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_two_cleans_write_identical_bytes(project_copy):
    assert cli(project_copy, "clean").returncode in (0, 1)  # 1: a report the templates cannot read yet
    first = snapshot(project_copy.clean)
    assert {"observations.csv", "observations.parquet"} <= set(first)
    assert cli(project_copy, "clean").returncode in (0, 1)
    second = snapshot(project_copy.clean)
    assert sorted(second) == sorted(first)
    for name in first:  # csv, parquet and datapackage.json alike
        assert second[name] == first[name], f"data/clean/{name} differs between two cleans of the same reports"


# The cheapest run: one report's overview (the notebook is the project's own, copied by project_copy).
NOTEBOOK, SELECTION = "01_council_overview", ("--council", "bromley", "--period", "2023-24")


def test_two_forced_runs_write_identical_findings(project_copy):
    if not (project_copy.notebooks / f"{NOTEBOOK}.ipynb").is_file():
        pytest.skip(f"notebooks/{NOTEBOOK}.ipynb is not in this checkout")
    assert cli(project_copy, "clean").returncode in (0, 1)
    findings = []
    for _ in range(2):
        result = cli(project_copy, "run", "--notebook", NOTEBOOK, *SELECTION, "--force")
        assert result.returncode == 0, result.stderr
        findings.append(snapshot(project_copy.findings))
    assert findings[0], "the run saved no findings"
    assert findings[1] == findings[0]
