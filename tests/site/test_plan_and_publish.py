"""The run plan asks the clean data what each council's reports hold, and publish shows only what the
plan holds: a report that fails extraction during `make study` publishes nothing (the index says
"failed to extract"), a report removed from the manifest loses its notebooks, findings and pages.
"""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from analysis.paths import Paths
from analysis.site.runs import DEPENDS_ON, Run, input_fingerprint, study_plan

from conftest import ROOT, SEED

OVERVIEW = "01_council_overview"


def analysis(root, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=900)


def test_plan_skips_councils_whose_reports_hold_nothing_for_a_notebook(paths):
    plan = study_plan(paths)
    planned = {r.run_id for r in plan.runs}
    skipped = {s.run.run_id: s.reason for s in plan.skipped}
    # Harrow's reports (harrow_2019-20…txt) print no nature-of-complaint categories and no 2020-21 figures:
    # its 2020-21 rows come only from the London-wide Ombudsman table in Lewisham's report (lewisham_2020-21…txt)
    assert "02_root_causes__harrow" not in planned and "root cause" in skipped["02_root_causes__harrow"]
    assert "2020-21" in skipped["05_covid_dip__harrow"] and "2020-21" in skipped["05_covid_dip__barking_and_dagenham"]
    # Lewisham's own report is the 2020-21 one, with earlier years beside it; Bromley's 2023-24 five-year tables too
    assert {"05_covid_dip__lewisham", "05_covid_dip__bromley", "02_root_causes__bromley"} <= planned
    # the synthesis: all councils, and each council with at least two drivers (Harrow has only contracted services)
    assert "06_what_drives_complaints__all" in planned and "06_what_drives_complaints__bromley" in planned
    assert "06_what_drives_complaints__harrow" in skipped


def test_synthesis_fingerprint_covers_the_drivers_findings(project_copy):
    run = Run("06_what_drives_complaints", (("council", "all"),))
    assert "02_root_causes" in DEPENDS_ON[run.notebook]
    shared = "x"
    before = input_fingerprint(project_copy, run, shared)
    project_copy.findings.mkdir(parents=True)
    (project_copy.findings / "02_root_causes__all.json").write_text('{"key_findings": []}\n')
    assert input_fingerprint(project_copy, run, shared) != before
    unrelated = input_fingerprint(project_copy, run, shared)
    (project_copy.findings / "01_council_overview__bromley_2023-24.json").write_text("{}\n")
    assert input_fingerprint(project_copy, run, shared) == unrelated


@pytest.fixture(scope="module")
def study_with_a_junk_report(tmp_path_factory):
    """A project copy holding only the overview notebook, with a junk file added as Bromley 2025-26, after `all`."""
    root = tmp_path_factory.mktemp("junk") / "project"
    shutil.copytree(SEED, root / "data" / "raw")
    shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    (root / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / f"{OVERVIEW}.ipynb", root / "notebooks")
    junk = root.parent / "bromley-2025-26.txt"
    junk.write_text("This is not a complaints report.\nJust some words, no tables.\n", encoding="utf-8")
    added = analysis(root, "add-report", str(junk), "--council", "Bromley", "--period", "2025-26")
    assert added.returncode == 0, added.stdout + added.stderr
    result = analysis(root, "all", "--council", "bromley")
    return Paths(root), result


def test_a_report_that_fails_extraction_publishes_nothing(study_with_a_junk_report):
    paths, result = study_with_a_junk_report
    output = result.stdout + result.stderr
    assert result.returncode != 0, output  # the failed report is an error of the study
    assert not (paths.executed / f"{OVERVIEW}__bromley_2025-26.ipynb").exists(), output
    assert not (paths.html / "policy" / f"{OVERVIEW}__bromley_2025-26.html").exists()
    assert (paths.html / "policy" / f"{OVERVIEW}__bromley_2023-24.html").is_file(), output  # the others still publish
    index = (paths.html / "index.html").read_text(encoding="utf-8")
    assert "Bromley 2025-26 report</strong>: failed to extract" in index
    assert "2025-26.html" not in index
    assert "the report failed to extract" in index  # the overview cell for that year says why it is absent


def test_a_report_removed_from_the_manifest_loses_its_pages(study_with_a_junk_report):
    paths, _ = study_with_a_junk_report
    gone = f"{OVERVIEW}__bromley_2019-20"
    assert (paths.html / "policy" / f"{gone}.html").is_file()
    lines = paths.manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    paths.manifest.write_text("".join(line for line in lines if "bromley_2019-20" not in line and "2025-26" not in line),
                              encoding="utf-8")
    result = analysis(paths.root, "all", "--council", "bromley")
    assert result.returncode == 0, result.stdout + result.stderr
    said = result.stdout + result.stderr
    assert "publish: removed 1 page(s)" in said and gone in said  # the user is told which pages went
    for path in (paths.executed / f"{gone}.ipynb", paths.findings / f"{gone}.json",
                 paths.html / "policy" / f"{gone}.html", paths.html / "analyst" / f"{gone}.html",
                 paths.html / "reports" / "bromley_2019-20_committee-briefing-with-annual-complaints-report.html"):
        assert not path.exists(), path
    index = (paths.html / "index.html").read_text(encoding="utf-8")
    assert gone not in index and "failed to extract" not in index
    assert f"policy/{OVERVIEW}__bromley_2023-24.html" in index
