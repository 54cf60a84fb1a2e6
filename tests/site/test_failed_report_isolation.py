"""A listed report that gives no figure harms no other page.

A throw-away copy of the project (the seed reports and the data-audit notebook) lists two junk
reports, as a user adding a bad export would: one as Bromley 2017-18 (a council with other
reports) and one as the only report of a new council, Croydon. `all` then runs: every audit page
runs (the Bromley and all-councils audits once failed on the junk report's empty row), and the
front page counts and names only the councils with figures, listing Croydon with the reason.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.paths import Paths
from analysis.studies import audit
from analysis.studies.synthesis import councils_in_study, councils_without_figures

from conftest import project_with_notebooks

AUDIT = "00_data_audit"
JUNK_BROMLEY = "data/raw/bromley_2017-18_junk-export.txt"


def analysis(root, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=1500)


@pytest.fixture(scope="module")
def study_with_junk_reports(tmp_path_factory):
    root = project_with_notebooks(tmp_path_factory.mktemp("isolation") / "project", AUDIT).root
    bromley = root.parent / "junk-export.txt"
    bromley.write_text("Bromley\nPage 1 of 3\nThis export lost its tables.\n", encoding="utf-8")
    croydon = root.parent / "croydon.txt"
    croydon.write_text("Croydon Council\nThis export lost its tables too.\n", encoding="utf-8")
    for args in ((str(bromley), "--council", "Bromley", "--period", "2017-18"),
                 (str(croydon), "--council", "Croydon", "--period", "2022-23", "--template", "bromley", "--new-council")):
        added = analysis(root, "add-report", *args)
        assert added.returncode == 0, added.stdout + added.stderr
    result = analysis(root, "all")
    return Paths(root), result.stdout + result.stderr


def test_every_audit_page_runs_beside_a_report_that_gave_no_figure(study_with_junk_reports):
    paths, output = study_with_junk_reports
    assert f"error: {JUNK_BROMLEY}:" in output  # the clean names the junk report, and goes on
    for council in ("all", "bromley", "croydon", "harrow", "lewisham", "barking_and_dagenham"):
        assert (paths.executed / f"{AUDIT}__{council}.ipynb").is_file(), output[-3000:]
        assert f"failed: {AUDIT}.ipynb (council={council})" not in output, output[-3000:]
    assert " 0 failed" in output, output[-3000:]


def test_the_audit_counts_the_empty_report_as_nothing_read(study_with_junk_reports):
    paths, _ = study_with_junk_reports
    result = audit.build("bromley", paths)
    quality = audit.quality_by_report(result, audit.skip_records("bromley", paths)).set_index("source_file")
    assert JUNK_BROMLEY in quality.index
    assert quality.loc[JUNK_BROMLEY, ["figures", "flagged", "flagged_errors", "used"]].tolist() == [0, 0, 0, 0]
    assert quality.drop(JUNK_BROMLEY)["figures"].min() > 0  # Bromley's two real reports keep their figures


def test_the_front_page_counts_only_councils_with_figures_and_says_why_the_others_have_none(study_with_junk_reports):
    paths, _ = study_with_junk_reports
    assert councils_in_study(paths) == ["barking_and_dagenham", "bromley", "harrow", "lewisham"]
    without = councils_without_figures(paths)
    assert list(without) == ["croydon"]
    assert without["croydon"].startswith("The Croydon 2022-23 report could not be read")
    index = (paths.html / "index.html").read_text(encoding="utf-8")
    assert "Councils with no figures" in index
    assert "The study&#39;s figures come from 4 councils: Barking and Dagenham, Bromley, Harrow, Lewisham." in index \
        or "The study's figures come from 4 councils: Barking and Dagenham, Bromley, Harrow, Lewisham." in index
    assert "<strong>Croydon</strong>: The Croydon 2022-23 report could not be read" in index
    assert "<strong>Croydon 2022-23 report</strong>: failed to extract. <samp>data/raw/croydon_2022-23_croydon.txt:" in index
