"""What decides a rebuild: the clean step is skipped by `all` only when nothing it reads has changed."""
from __future__ import annotations

import subprocess
import sys

from analysis.clean.pipeline import run_clean
from analysis.clean.stamp import CLEAN_STAMP, clean_inputs, clean_is_current


def test_clean_is_current_until_any_input_changes(project_copy):
    assert not clean_is_current(project_copy)  # never cleaned
    assert run_clean(project_copy).ok
    assert clean_is_current(project_copy)
    crosswalk = project_copy.reference / "root_cause_crosswalk.csv"
    before = clean_inputs(project_copy)
    crosswalk.write_text(crosswalk.read_text() + "\n", encoding="utf-8")
    assert clean_inputs(project_copy) != before and not clean_is_current(project_copy)
    assert run_clean(project_copy).ok and clean_is_current(project_copy)
    (project_copy.clean / "reconciled.parquet").unlink()  # a table deleted by hand
    assert not clean_is_current(project_copy)


def test_a_clean_with_a_failed_report_is_not_stamped(project_copy):
    assert run_clean(project_copy).ok
    raw = sorted(project_copy.raw.glob("harrow*.txt"))[0]
    raw.write_bytes(raw.read_bytes() + b"\nchanged\n")  # the manifest's sha256 no longer matches
    result = run_clean(project_copy)
    assert not result.ok and result.kept_from_previous  # the failed report's earlier rows are kept...
    assert not (project_copy.clean / CLEAN_STAMP).exists() and not clean_is_current(project_copy)  # ...and retried


def test_all_skips_an_unchanged_clean_and_says_so(project_copy):
    assert run_clean(project_copy).ok
    observations = project_copy.clean / "observations.csv"
    mtime = observations.stat().st_mtime_ns
    result = subprocess.run([sys.executable, "-m", "analysis", "--root", str(project_copy.root), "all",
                             "--notebook", "no_such_notebook"], capture_output=True, text=True)
    assert result.returncode == 2, result.stderr  # the unknown notebook is refused (issue 26), after the clean step
    assert "no notebook 'no_such_notebook'" in result.stderr
    assert "unchanged since the last clean" in result.stderr
    assert observations.stat().st_mtime_ns == mtime  # not rewritten

