"""`python -m analysis run` (src/analysis/site/runs.py): the plan, failure handling, skip-if-unchanged.

Runs happen in a throw-away copy of the project (tests/conftest.py ``project_copy``); the
notebooks there are the real ones, one of them made to fail on purpose.
"""
from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from analysis.site.runs import NOTEBOOK_PLANS, Run, execute_runs, input_fingerprint, plan_runs

OVERVIEW = "01_council_overview"


def analysis(root, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=600)


def keep_only(paths, *stems) -> None:
    """Leave only these notebooks in the copy (others are tested by their own owners)."""
    for notebook in paths.notebooks.glob("*.ipynb"):
        if notebook.stem not in stems:
            notebook.unlink()


def tiny_notebook(paths, stem: str, body: str = "x = 1") -> None:
    """A notebook in the study's shape (tagged parameters cell with run_id) that saves findings."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [
        nbformat.v4.new_code_cell(f'run_id = "{stem}"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(body),
        nbformat.v4.new_code_cell("from analysis.site.findings import save_findings\nsave_findings(run_id, {'x': x})"),
    ]
    paths.notebooks.mkdir(exist_ok=True)
    nbformat.write(nb, paths.notebooks / f"{stem}.ipynb")


def test_plan_has_one_overview_run_per_council_and_report_period(paths):
    runs = [r for r in plan_runs(paths, notebook=OVERVIEW)]
    reports = {(e.split(",")[1], e.split(",")[2]) for e in paths.manifest.read_text().splitlines()[1:]}
    assert {(dict(r.params)["council"], dict(r.params)["period"]) for r in runs} == reports
    assert Run(OVERVIEW, (("council", "bromley"), ("period", "2023-24"))) in runs
    assert Run(OVERVIEW, (("council", "bromley"), ("period", "2023-24"))).run_id == "01_council_overview__bromley_2023-24"


def test_plan_options_select_council_period_and_notebook(paths):
    runs = plan_runs(paths, notebook=OVERVIEW, council="bromley")
    assert sorted(dict(r.params)["period"] for r in runs) == ["2019-20", "2023-24"]
    runs = plan_runs(paths, notebook=f"{OVERVIEW}.ipynb", period="2019-20")
    assert sorted(dict(r.params)["council"] for r in runs) == ["bromley", "harrow"]
    assert plan_runs(paths, notebook="no_such_notebook") == []
    for run in plan_runs(paths, council="lewisham"):
        assert dict(run.params).get("council", "lewisham") == "lewisham"


def test_every_plan_kind_is_known():
    assert set(NOTEBOOK_PLANS.values()) <= {"report", "council+all", "single", "synthesis"}
    assert NOTEBOOK_PLANS[OVERVIEW] == "report"


def test_failing_notebook_is_kept_named_and_the_others_still_run(project_copy):
    keep_only(project_copy, OVERVIEW)
    analysis(project_copy.root, "clean")  # some templates may be unfinished: the rest is written anyway
    notebook = project_copy.notebooks / f"{OVERVIEW}.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    setup = next(i for i, c in enumerate(nb.cells) if "council_overview(" in c.source)
    nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(
        'if council == "harrow":\n    raise RuntimeError("planted failure")'))
    nbformat.write(nb, notebook)

    result = analysis(project_copy.root, "run", "--period", "2019-20", "--jobs", "2")
    message = result.stdout + result.stderr
    assert result.returncode != 0, message
    failed = [line for line in message.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, message
    # notebook, parameters, the failing cell in the notebook's own numbering, and the error
    assert (f"failed: {OVERVIEW}.ipynb (council=harrow, period=2019-20): cell {setup + 2} of {len(nb.cells)} "
            '(`if council == "harrow":`): RuntimeError: planted failure') in message
    assert "partly executed notebook is kept at outputs/notebooks/01_council_overview__harrow_2019-20.ipynb" in message
    assert "run: 1 executed, 0 unchanged (skipped), 1 failed" in message

    kept = nbformat.read(project_copy.executed / f"{OVERVIEW}__harrow_2019-20.ipynb", as_version=4)
    code = [c for c in kept.cells if c.cell_type == "code"]
    ran = [c for c in code if c.get("execution_count")]
    assert ran and len(ran) < len(code)  # partly executed: cells after the failure never ran
    assert any(o.get("ename") == "RuntimeError" for c in code for o in c.get("outputs", []))
    assert not (project_copy.findings / f"{OVERVIEW}__harrow_2019-20.json").exists()
    # the other run of the same command completed
    done = json.loads((project_copy.findings / f"{OVERVIEW}__bromley_2019-20.json").read_text())
    assert (done["council"], done["period"]) == ("bromley", "2019-20")

    # a failed run is never "unchanged": the next run retries it
    again = analysis(project_copy.root, "run", "--period", "2019-20", "--council", "harrow")
    assert again.returncode != 0
    assert "run: 0 executed, 0 unchanged (skipped), 1 failed" in again.stdout + again.stderr


@pytest.fixture
def frozen_package(tmp_path, monkeypatch):
    """A stand-in for the package code in the fingerprint: the real one is being edited while tests run."""
    package = tmp_path / "package"
    package.mkdir()
    (package / "module.py").write_text("VERSION = 1\n")
    monkeypatch.setattr("analysis.site.runs.PACKAGE", package)
    return package


def test_rerun_skips_unchanged_and_reruns_what_changed(project_copy, frozen_package):
    keep_only(project_copy)
    tiny_notebook(project_copy, "90_tiny")
    runs = plan_runs(project_copy)
    assert runs == [Run("90_tiny")]

    first = execute_runs(project_copy, runs)
    assert [r.status for r in first.results] == ["ran"]
    assert json.loads((project_copy.findings / "90_tiny.json").read_text()) == {"x": 1}
    assert [r.status for r in execute_runs(project_copy, runs).results] == ["skipped"]

    # new clean data: rerun
    project_copy.clean.mkdir(parents=True, exist_ok=True)
    (project_copy.clean / "observations.csv").write_text("council\nbromley\n")
    assert [r.status for r in execute_runs(project_copy, runs).results] == ["ran"]
    assert [r.status for r in execute_runs(project_copy, runs).results] == ["skipped"]
    # a changed notebook: rerun, with the new result
    tiny_notebook(project_copy, "90_tiny", "x = 2")
    assert [r.status for r in execute_runs(project_copy, runs).results] == ["ran"]
    assert json.loads((project_copy.findings / "90_tiny.json").read_text()) == {"x": 2}
    assert [r.status for r in execute_runs(project_copy, runs).results] == ["skipped"]
    # changed package code: rerun
    (frozen_package / "module.py").write_text("VERSION = 2\n")
    assert [r.status for r in execute_runs(project_copy, runs).results] == ["ran"]
    # --force reruns regardless; a deleted executed notebook is rerun too
    assert [r.status for r in execute_runs(project_copy, runs, force=True).results] == ["ran"]
    (project_copy.executed / "90_tiny.ipynb").unlink()
    assert [r.status for r in execute_runs(project_copy, runs).results] == ["ran"]


def test_fingerprint_covers_parameters_and_clean_data(project_copy, frozen_package):
    keep_only(project_copy)
    tiny_notebook(project_copy, "90_tiny")
    a, b = Run("90_tiny", (("council", "bromley"),)), Run("90_tiny", (("council", "harrow"),))
    assert input_fingerprint(project_copy, a) != input_fingerprint(project_copy, b)
    before = input_fingerprint(project_copy, a)
    project_copy.clean.mkdir(parents=True, exist_ok=True)
    (project_copy.clean / "observations.csv").write_text("changed\n")
    assert input_fingerprint(project_copy, a) != before


@pytest.mark.parametrize("option", ["--council", "--period", "--notebook"])
def test_run_help_lists_the_selection_options(option):
    result = subprocess.run([sys.executable, "-m", "analysis", "run", "--help"], capture_output=True, text=True)
    assert option in result.stdout
