"""The yearly rerun: next year's report arrives, `add-report` then the pipeline, and the new year shows up
in data/clean, the findings and the HTML pages.

The "next year's report" is synthetic: Bromley's 2023-24 report (same template) with every financial
year shifted on by one (2019/20 … 2023/24 columns become 2020/21 … 2024/25) and new numbers in the
two rows the test follows: the five-year Total (bromley_2023-24...txt:94 "Total 445 335 387 465 533 14.6%")
and the Ombudsman referrals (bromley_2023-24...txt:168 "Referrals 149 103 122 123 154 +25%").
It runs in a throw-away copy of the project, with only the overview notebook (for time).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd

from analysis.parsing import shift_years

from conftest import RAW

TOTAL_LINE, REFERRALS_LINE = 94, 168  # 1-based lines of the 2023-24 report


def next_year_report(source, target) -> None:
    lines = [shift_years(line) for line in source.read_text(encoding="utf-8").splitlines(keepends=True)]
    assert lines[TOTAL_LINE - 1].startswith("Total\t445\t335\t387\t465\t533\t")  # columns now 2020-21 … 2024-25
    lines[TOTAL_LINE - 1] = "Total\t335\t387\t465\t533\t601\t12.8%\n"
    assert lines[REFERRALS_LINE - 1].startswith("Referrals\t149\t103\t122\t123\t154")
    lines[REFERRALS_LINE - 1] = "Referrals\t103\t122\t123\t154\t171\t+11%\n"
    target.write_text("".join(lines), encoding="utf-8")


def analysis(root, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=900)


def test_next_years_report_flows_through_to_findings_and_pages(project_copy, tmp_path):
    root = project_copy.root
    for notebook in project_copy.notebooks.glob("*.ipynb"):
        if notebook.stem != "01_council_overview":
            notebook.unlink()
    report = tmp_path / "Bromley complaints annual report 2024-25.txt"
    next_year_report(RAW / "bromley_2023-24_complaints-and-compliments-annual-report.txt", report)

    added = analysis(root, "add-report", str(report), "--council", "Bromley", "--period", "2024-25")
    assert added.returncode == 0, added.stderr
    manifest = pd.read_csv(project_copy.manifest, dtype=str)
    entry = manifest[manifest["report_period"] == "2024-25"].iloc[0]
    assert (entry["council"], entry["template"]) == ("bromley", "bromley")
    assert (project_copy.raw / entry["file"]).read_bytes() == report.read_bytes()

    result = analysis(root, "all", "--notebook", "01_council_overview", "--council", "bromley", "--period", "2024-25")
    message = result.stdout + result.stderr
    assert f"figures  data/raw/{entry['file']}" in message, message
    assert "run: 1 executed" in message and "0 failed" in message, message

    # data/clean: the new year's figures, from the new file
    clean = pd.read_csv(project_copy.clean / "observations.csv", dtype={"period": str, "report_period": str},
                        keep_default_na=False)
    new = clean[(clean["source_file"] == f"data/raw/{entry['file']}") & (clean["period"] == "2024-25")
                & (clean["division"] == "all") & (clean["service"] == "") & (clean["category"] == "")]
    total = new[(new["measure"] == "complaints") & (new["source_line"].astype(int) == TOTAL_LINE)]
    assert total["value"].astype(float).tolist() == [601]
    referrals = new[(new["measure"] == "ombudsman_referrals") & (new["source_line"].astype(int) == REFERRALS_LINE)]
    assert referrals["value"].astype(float).tolist() == [171]

    # findings: the 2024-25 overview states the new year against the one before
    findings = json.loads((project_copy.findings / "01_council_overview__bromley_2024-25.json").read_text())
    complaints = findings["topics"]["complaints"]
    assert (complaints["value"], complaints["previous_value"]) == (601, 533)
    assert complaints["source"] == f"data/raw/{entry['file']}:{TOTAL_LINE}"
    assert findings["topics"]["ombudsman"]["value"] == 171
    assert findings["years"][-1] == "2024-25"

    # pages: the policy page states the finding, and the index lists it with its provenance
    page = (project_copy.html / "policy" / "01_council_overview__bromley_2024-25.html").read_text()
    assert "601 in 2024-25, up 13% on 2023-24 (533)" in page  # (601 - 533) / 533 = 12.8%
    index = (project_copy.html / "index.html").read_text()
    assert re.search(r'data-label="Bromley">[^<]*(?:<a [^>]+>[^<]*</a>[^<]*(?:<br>)?\s*)*'
                     r'<a href="policy/01_council_overview__bromley_2024-25.html">2024-25</a>', index)
    assert entry["sha256"] in index

