"""The per-report step in a background worker gives exactly what the in-process clean gives,
survives a worker that dies, and the CSV writer keeps pandas' bytes."""
from __future__ import annotations

import math
import os

import pandas as pd
import pytest

from analysis.clean import report_step
from analysis.clean.pipeline import run_clean
from analysis.clean.report_step import BackgroundExtraction
from analysis.observations import write_csv


def _clean_bytes(paths) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(paths.clean.glob("*.csv"))}


def test_background_and_in_process_cleans_write_the_same_tables(project_copy):
    assert run_clean(project_copy).ok
    in_process = _clean_bytes(project_copy)
    with BackgroundExtraction(project_copy) as background:
        result = run_clean(project_copy, background=background)
    assert result.ok and background.cleaned_here == []  # every report came back from the worker
    assert set(in_process) == {"observations.csv", "reconciled.csv", "conflicts.csv", "claims.csv", "skipped-tables.csv"}
    assert _clean_bytes(project_copy) == in_process


def test_a_failed_report_says_the_same_from_the_worker(project_copy):
    assert run_clean(project_copy).ok
    raw = sorted(project_copy.raw.glob("harrow*.txt"))[0]
    raw.write_bytes(raw.read_bytes() + b"\nchanged\n")  # the manifest's sha256 no longer matches
    in_process = run_clean(project_copy)
    with BackgroundExtraction(project_copy) as background:
        from_worker = run_clean(project_copy, background=background)
    assert len(in_process.errors) == 1 and from_worker.errors == in_process.errors
    assert from_worker.errors[0].startswith(f"{raw.relative_to(project_copy.root)}: sha256 ")
    assert from_worker.kept_from_previous == in_process.kept_from_previous != {}  # the earlier rows are kept


PARENT = os.getpid()


def dies_in_the_worker(paths, entry):
    """``attempt`` that kills the worker process (out of memory, a signal) and works in the parent."""
    if os.getpid() != PARENT:
        os._exit(3)
    return ATTEMPT(paths, entry)


ATTEMPT = report_step.attempt


def test_a_worker_that_dies_costs_time_not_data(project_copy, monkeypatch):
    assert run_clean(project_copy).ok
    expected = _clean_bytes(project_copy)
    monkeypatch.setattr(report_step, "attempt", dies_in_the_worker)
    with BackgroundExtraction(project_copy) as background:
        result = run_clean(project_copy, background=background)
    assert sorted(background.cleaned_here) == sorted(e.source_file for e in background.entries)  # the worker died...
    assert result.ok and _clean_bytes(project_copy) == expected  # ...and every report was cleaned here instead


def test_write_csv_writes_the_bytes_pandas_writes(tmp_path, paths):
    awkward = pd.DataFrame({
        "text": ["plain", 'a "quoted", comma', "line\nbreak", "", None],
        "number": [0.1 + 0.2, 1e-12, -3.0, math.nan, 123456789012.5],
        "count": [1, 2, 3, 4, 5],
        "flag": [True, False, True, False, True],
    }).astype({"text": "str"})
    frames = {"awkward": awkward} | {name: pd.read_parquet(paths.clean / f"{name}.parquet")
                                     for name in ("observations", "reconciled", "conflicts", "claims")}
    for name, frame in frames.items():
        ours, theirs = tmp_path / f"{name}.ours.csv", tmp_path / f"{name}.pandas.csv"
        write_csv(frame, ours)
        frame.to_csv(theirs, index=False, lineterminator="\n", float_format="%.10g")
        assert ours.read_bytes() == theirs.read_bytes(), name


@pytest.mark.parametrize("module", ["analysis.clean.report_step"])
def test_the_report_step_does_not_need_pandas(module):
    """It runs in the worker started before pandas is imported (the parent imports it meanwhile)."""
    import subprocess
    import sys

    code = f"import sys, {module}; sys.exit('pandas' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_without_fork_every_report_is_cleaned_in_process(project_copy, monkeypatch):
    """Windows has no fork: the clean still runs, one report after another, with the same bytes."""
    assert run_clean(project_copy).ok
    expected = _clean_bytes(project_copy)
    monkeypatch.setattr(report_step.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    with BackgroundExtraction(project_copy) as background:
        assert background._pool is None
        result = run_clean(project_copy, background=background)
    assert result.ok and background.cleaned_here == [] and _clean_bytes(project_copy) == expected
