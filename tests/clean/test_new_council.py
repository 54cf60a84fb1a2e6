"""A council nobody has seen: `add-report --new-council` with no template (text and PDF), `clean` reads it
with the generic reader, and `inspect` previews it. All in a temporary copy of the project (the seed reports
byte-for-byte); the live data/raw is never touched.
"""
from __future__ import annotations

import os
import subprocess
import sys

import matplotlib
import pandas as pd

from analysis.clean.manifest import read_manifest
from analysis.paths import Paths

from conftest import SHARED
from devset import REPORTS

CHECKER = SHARED / "contract" / "check_observations.py"

LICHFIELD = "lichfield_2024-25_feedback-report-key-facts.txt"  # tests/data/devset/reports, gold-checked


def cli(paths: Paths, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COMPLAINTS_STUDY_ROOT"}
    return subprocess.run([sys.executable, "-m", "analysis", "--root", str(paths.root), *args], cwd=paths.root, env=env,
                          capture_output=True, text=True, timeout=300)


def observations(paths: Paths) -> pd.DataFrame:
    return pd.read_csv(paths.clean / "observations.csv", dtype=str, keep_default_na=False)


def pdf_report(path) -> None:
    """A one-page PDF with a text layer (matplotlib, TrueType fonts so the text is extractable)."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lines = ["Somewhere Council Complaints Annual Report 2024 to 2025", "",
             "We received 412 stage 1 complaints, up from 380 in 2023/24.",
             "81% of stage 1 complaints were responded to within the target timescales."]
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = plt.figure(figsize=(8.27, 11.69))
        for i, text in enumerate(lines):
            fig.text(0.08, 0.95 - i * 0.03, text, fontsize=10)
        fig.savefig(path)
        plt.close(fig)


def test_a_new_council_text_and_pdf_are_added_without_a_template_and_cleaned(project_copy, tmp_path):
    assert cli(project_copy, "clean").returncode == 0
    before = observations(project_copy)
    incoming = tmp_path / "lichfield key facts.txt"
    incoming.write_bytes((REPORTS / LICHFIELD).read_bytes())
    added = cli(project_copy, "add-report", str(incoming), "--council", "Lichfield", "--period", "2024-25", "--new-council")
    assert added.returncode == 0, added.stderr
    pdf = tmp_path / "somewhere annual report.pdf"
    pdf_report(pdf)
    added = cli(project_copy, "add-report", str(pdf), "--council", "Somewhere", "--period", "2024-25", "--new-council")
    assert added.returncode == 0, added.stderr

    entries = {e.council: e for e in read_manifest(project_copy)}
    assert entries["lichfield"].template == entries["somewhere"].template == "generic"
    text = project_copy.raw / entries["somewhere"].file
    assert text.suffix == ".txt" and text.with_suffix(".pdf").read_bytes() == pdf.read_bytes()  # the PDF beside its text

    cleaned = cli(project_copy, "clean")
    assert cleaned.returncode == 0, cleaned.stderr
    assert "not in the manifest" not in cleaned.stderr  # the PDF beside its listed text is not a stray file
    table = observations(project_copy)
    lichfield = table[table["council"] == "lichfield"]
    # lichfield_2024-25…:6 "59 stage-one complaints were either upheld or partially upheld, compared to 33 last year"
    line6 = lichfield[lichfield["source_line"] == "6"]
    assert set(zip(line6["measure"], line6["period"], line6["value"])) == {
        ("upheld_or_partially_upheld", "2024-25", "59"), ("upheld_or_partially_upheld", "2023-24", "33")}
    somewhere = table[table["council"] == "somewhere"]
    labelled = somewhere[somewhere["measure"] != "unlabelled"]
    lines = text.read_text(encoding="utf-8").split("\n")
    cited = {(r.measure, r.period, r.value, lines[int(r.source_line) - 1].strip()) for r in labelled.itertuples()}
    assert cited == {("complaints", "2024-25", "412", "We received 412 stage 1 complaints, up from 380 in 2023/24."),
                     ("complaints", "2023-24", "380", "We received 412 stage 1 complaints, up from 380 in 2023/24."),
                     ("pct_on_time", "2024-25", "81", "81% of stage 1 complaints were responded to within the target timescales.")}
    # the seed councils' rows are as before (quality flags aside: cross-report conflicts depend on the set)
    seeds = table[table["source_file"].isin(set(before["source_file"]))].drop(columns="quality_flag").reset_index(drop=True)
    pd.testing.assert_frame_equal(seeds, before.drop(columns="quality_flag").reset_index(drop=True))
    if CHECKER.is_file():  # the contract holds with the new councils: every value printed on its cited line
        check = subprocess.run([sys.executable, str(CHECKER), str(project_copy.clean / "observations.csv"), "--repo",
                                str(project_copy.root)], capture_output=True, text=True)
        assert check.returncode == 0 and "FAIL" not in check.stdout, check.stdout[-3000:]


def test_inspect_previews_a_report_without_adding_it(project_copy):
    manifest = project_copy.manifest.read_bytes()
    result = cli(project_copy, "inspect", str(REPORTS / "west-lancashire_2023-24_our-performance-pipes.txt"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "read as a 2023-24 report (line 6:" in out
    assert "20 figures: 18 labelled, 2 unlabelled" in out
    assert "Table at lines 35-46 — caption 'Quarterly Housing Complaints - 1 April 2024 to 30 June 2024 (Quarter 1 - 2024/25)': " \
           "2 rows, 6 figures (6 labelled)" in out
    assert "  column '% responded within timescales' → pct_on_time" in out
    assert "Figures it could not label (2):" in out and "  line 5: 10 — row " in out
    assert project_copy.manifest.read_bytes() == manifest
