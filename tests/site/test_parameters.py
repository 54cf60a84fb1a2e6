"""Checked parameters and `run` that does what it is asked (issue 26): one check of council/period for every
notebook and for the CLI, names in any case, periods in any printed style, unknown values refused with the
known ones, a combination with no data refused with the plan's reason, `run --list`, and "n of N" progress.
Everything runs against the seed project (tests/conftest.py)."""
from __future__ import annotations

import re

import pytest

from analysis.site.parameters import (
    NoDataError,
    ParameterError,
    check_parameters,
    match_notebook,
    requested_runs,
)
from analysis.site.runs import Run

from conftest import ROOT, SEED_ROOT, analysis_cli

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))


@pytest.mark.parametrize("council, period, expected", [
    ("Bromley", "2023/24", ("bromley", "2023-24")),
    (" BROMLEY ", "2023-2024", ("bromley", "2023-24")),
    ("Barking & Dagenham", "2018/19", ("barking_and_dagenham", "2018-19")),
])
def test_spellings_are_normalised(paths, council, period, expected):
    assert check_parameters("01_council_overview", council, period, paths) == expected


@pytest.mark.parametrize("council, period, words", [
    ("bromly", "2023-24", "unknown council 'bromly'"),
    ("Bromley", "2021-22", "its reports: 2019-20, 2023-24"),
    ("westminster", "2023-24", "unknown council"),
])
def test_unknown_values_fail_naming_the_known_ones(paths, council, period, words):
    with pytest.raises(ParameterError) as error:
        check_parameters("01_council_overview", council, period, paths)
    assert words in str(error.value)
    if "unknown council" in words:
        assert "barking_and_dagenham, bromley, harrow, lewisham" in str(error.value)


def test_a_council_without_data_for_the_question_says_why_never_not_reported(paths):
    # Harrow's reports (harrow_2019-20…txt) print no nature-of-complaint categories: the plan's reason
    with pytest.raises(NoDataError, match="no complaint categories that map to a root cause"):
        check_parameters("02_root_causes", "Harrow", "", paths)
    # Barking and Dagenham's only report is 2018-19: no 2020-21 figures for the COVID dip
    with pytest.raises(NoDataError, match="2020-21"):
        check_parameters("05_covid_dip", "barking_and_dagenham", "", paths)


def test_a_period_the_data_do_not_hold_is_refused(paths):
    with pytest.raises(ParameterError, match=r"period '2031-32' is not a year Bromley's reports hold"):
        check_parameters("02_root_causes", "bromley", "2031-32", paths)
    # Bromley's 2019-20 report prints its causes table, so root causes for 2019-20 is a valid request
    assert check_parameters("02_root_causes", "Bromley", "2019/20", paths) == ("bromley", "2019-20")


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_every_notebook_checks_its_parameters_in_its_first_code_cell(stem):
    text = (ROOT / "notebooks" / f"{stem}.py").read_text(encoding="utf-8")
    cells = text.split("# %%")
    parameters = next(i for i, cell in enumerate(cells) if 'tags=["parameters"]' in cell)
    first_code = next(cell for cell in cells[parameters + 1:] if not cell.startswith(" [markdown]"))
    assert f'check_parameters("{stem}", council' in first_code


@pytest.mark.parametrize("name", ["02_root_causes", "02_Root_Causes.ipynb", "02", "root_causes"])
def test_notebook_names_match_in_any_case(paths, name):
    assert match_notebook(paths, name) == "02_root_causes"


def test_a_combination_the_plan_lacks_is_an_extra_run(paths):
    selection = requested_runs(paths, notebook="02_root_causes", council="Bromley", period="2019/20")
    assert selection.runs == [Run("02_root_causes", (("council", "bromley"), ("period", "2019-20")), extra=True)]
    assert selection.runs[0].output(paths) == paths.outputs / "extra" / "02_root_causes__bromley_2019-20.ipynb"
    # a planned run stays a planned run
    planned = requested_runs(paths, notebook="01_council_overview", council="BROMLEY", period="2023/24")
    assert planned.runs == [Run("01_council_overview", (("council", "bromley"), ("period", "2023-24")))]


@pytest.mark.parametrize("args, code, words", [
    (("--notebook", "02_root_causes", "--council", "harrow"), 1, "no complaint categories that map to a root cause"),
    (("--notebook", "02_root_cause", "--council", "bromley"), 2, "no notebook '02_root_cause'"),
    (("--council", "westminster"), 2, "unknown council 'westminster'"),
    (("--notebook", "00_data_audit", "--period", "2019-20"), 2, "00_data_audit has no period parameter"),
    (("--notebook", "01_council_overview", "--council", "bromley", "--period", "2021-22"), 2, "its reports: 2019-20, 2023-24"),
])
def test_run_refuses_with_a_message_and_a_non_zero_exit(args, code, words):
    result = analysis_cli(SEED_ROOT, "run", *args, timeout=300)
    assert result.returncode == code, result.stdout + result.stderr
    assert words in result.stderr


def test_run_list_prints_every_planned_run_with_its_status():
    result = analysis_cli(SEED_ROOT, "run", "--list", timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    statuses = {re.split(r"\s{2,}", line.strip())[0] for line in lines if line.startswith("  ")}
    assert statuses <= {"to run", "unchanged", "skipped"}
    assert any(line.startswith("  skipped") and "02_root_causes.ipynb (council=harrow)" in line
               and "no complaint categories that map to a root cause" in line for line in lines)
    planned = int(re.search(r"run --list: (\d+) run\(s\) planned, (\d+) skipped", result.stderr).group(1))
    assert planned == sum(1 for line in lines if line.startswith(("  to run", "  unchanged")))


def test_run_prints_n_of_N_as_runs_finish(project_copy):
    for notebook in project_copy.notebooks.glob("*.ipynb"):
        if notebook.stem != "01_council_overview":
            notebook.unlink()
    assert analysis_cli(project_copy.root, "clean", timeout=600).returncode == 0
    result = analysis_cli(project_copy.root, "run", "--council", "Bromley", timeout=900)
    assert result.returncode == 0, result.stderr
    assert re.search(r"\[1 of 2\] ran .* 01_council_overview\.ipynb \(council=bromley, period=2019-20\)", result.stderr) \
        or re.search(r"\[1 of 2\] ran .* 01_council_overview\.ipynb \(council=bromley, period=2023-24\)", result.stderr)
    assert "[2 of 2] ran" in result.stderr and "run: 2 executed, 0 unchanged (skipped), 0 failed" in result.stderr
