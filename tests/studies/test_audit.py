"""The data audit: its notebook runs with papermill for "all" and each council, and its findings
match counts computed here, independently, from data/clean. Unit tests use real report lines
(``bd`` = data/raw/barking-and-dagenham_2018-19_social-care-and-education-complaints-report.txt)."""
from __future__ import annotations

import csv
import json
import re
from collections import Counter

import pandas as pd
import pytest

from analysis.paths import Paths
from analysis.site.findings import findings_path
from analysis.site.runs import Run
from analysis.studies import audit

from conftest import SEED_ROOT, run_notebooks

ROOT = SEED_ROOT  # the seed project (tests/conftest.py): its data, notebooks and outputs

BD = "data/raw/barking-and-dagenham_2018-19_social-care-and-education-complaints-report.txt"
LEWISHAM = "data/raw/lewisham_2020-21_annual-complaints-and-casework-report.txt"
HARROW = "data/raw/harrow_2019-20_scrutiny-agenda-with-social-care-complaints-reports.txt"
PATHS = Paths(ROOT)


def manifest() -> dict[str, list[str]]:
    with (ROOT / "data" / "raw" / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row["council"], []).append(f"data/raw/{row['file']}")
    return out


def clean(stem: str) -> pd.DataFrame:
    path = ROOT / "data" / "clean" / f"{stem}.csv"  # built by conftest's session fixture
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def executed():
    """Execute the audit notebook for council "all" and every council, as `make study` does."""
    return run_notebooks("--notebook", "00_data_audit", "--force")


def read_findings(council: str) -> dict:
    return json.loads(findings_path(Run("00_data_audit", (("council", council),)).run_id, PATHS).read_text())


def expected(files: list[str]) -> dict:
    """The findings' counts, recomputed from the clean CSVs without analysis.studies.audit."""
    obs, rec, con = clean("observations"), clean("reconciled"), clean("conflicts")
    obs = obs[obs.source_file.isin(files)]
    rec = rec[rec.source_file.isin(files)]
    in_files = con.chosen_source.str.split(":").str[0].isin(files) | con.other_source.str.split(":").str[0].isin(files)
    con = con[in_files]
    codes = Counter(code for flags in obs.quality_flag for code in flags.split(";") if code)
    return {"observations": len(obs), "flagged_observations": int((obs.quality_flag != "").sum()),
            "flags": dict(codes), "conflicts": dict(Counter(con.kind)), "conflicts_total": len(con),
            "reconciled_keys": len(rec), "rules": dict(Counter(rec.rule)),
            "disputed_keys": int((rec.n_values.astype(int) > 1).sum())}


def test_findings_for_all_match_the_clean_data(executed):
    found = read_findings("all")
    files = sorted(f for fs in manifest().values() for f in fs)
    assert found["source_files"] == files
    want = expected(files)
    assert {k: found[k] for k in want} == want
    assert found["conflicts_total"] == len(clean("conflicts"))  # "all" audits every conflict
    assert found["raw_lines_uncited"] < found["raw_lines_with_digits"]


@pytest.mark.parametrize("council", sorted(manifest()))
def test_findings_for_each_council(executed, council):
    found = read_findings(council)
    files = sorted(manifest()[council])
    want = expected(files)
    assert found["council"] == council and found["source_files"] == files
    assert {k: found[k] for k in want} == want


def test_executed_notebooks_are_written(executed):
    for council in ["all", *manifest()]:
        assert (PATHS.executed / f"{Run('00_data_audit', (('council', council),)).run_id}.ipynb").is_file()


def test_committed_notebook_has_no_outputs():
    nb = json.loads((ROOT / "notebooks" / "00_data_audit.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "complaints-study"  # the project kernel (src/analysis/site/runs.py KERNEL)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    params = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1 and 'council = "all"' in "".join(params[0]["source"])
    assert 'run_id = "00_data_audit"' in "".join(params[0]["source"])


# --- the audit's logic on real lines ---------------------------------------------------------

@pytest.fixture(scope="module")
def bd_audit():
    clean("observations")
    return audit.build("barking_and_dagenham", PATHS)


def test_flagged_figure_shows_both_sources(bd_audit):
    table = audit.flagged(bd_audit)
    # bd:390 Education Members casework "Total	71	86" against its parts bd:386-389 (10 + 2 + 1 + 55 = 68)
    row = table[table.source == f"{BD}:390"].iloc[0]
    assert (row.value, row.kind, row.other_value) == (71, "total_vs_parts", 68)
    assert row.printed == "Total\t71\t86"
    assert row.other_source == f"{BD}:386,387,388,389"
    assert "Admissions and School Investments\t55\t60" in row.other_printed


def test_skip_records_of_every_template():
    skipped = audit.skip_records("all", PATHS)
    listed = set(zip(skipped.source_file, skipped.start))
    assert (BD, 150) in listed  # bd:150 "fully upheld 3 complaints, 3 were partially upheld and 7 were not upheld"
    assert (LEWISHAM, 812) in listed  # lewisham...txt:812 ward table lost as an image
    harrow = skipped[(skipped.source_file == HARROW) & (skipped.what == "passage")]
    assert len(harrow) > 0 and (harrow.end >= harrow.start).all()


def test_uncited_digit_lines(bd_audit):
    skipped = audit.skip_records("barking_and_dagenham", PATHS)
    examples = audit.uncited_examples(bd_audit, skipped, per_file=400)
    lines = set(examples.line)
    assert 5 in lines  # bd:5 "1st April 2018 -31st March 2019": a date, not extracted
    assert 9 not in lines  # bd:9 "81 Stage 1 Complaints Closed" is cited
    assert 150 not in lines  # bd:150 is in the skip record
    counts = audit.uncited_lines(bd_audit, skipped).iloc[0]
    assert counts.lines_with_digits == counts.cited + counts.in_skip_records + counts.neither
    assert counts.neither == len(examples)


def test_coverage_counts_divisions_and_measures(bd_audit):
    grid = audit.coverage_grid(audit.coverage(bd_audit))
    # bd:360-362: Education prints upheld / partly / not upheld, no %; with complaints, pct_of_total,
    # compliments, enquiries, pct_on_time, answered_on_time → 9 distinct measures in 2018-19
    assert grid.loc["barking_and_dagenham 2018-19", "education"] == 9
    assert set(grid.columns) == {"adult_social_care", "childrens_social_care", "education"}


def test_unknown_council_is_refused():
    with pytest.raises(ValueError, match="known"):
        audit.build("barkin", PATHS)


# --- what each report gets wrong ---------------------------------------------------------------

B2324 = "data/raw/bromley_2023-24_complaints-and-compliments-annual-report.txt"
LEW = "data/raw/lewisham_2020-21_annual-complaints-and-casework-report.txt"


def test_report_errors_show_both_sides_with_lines():
    result = audit.build("bromley")
    errors = audit.report_errors(result, B2324)
    # Bromley 2023-24 line 139: Service Delay "% upheld" 67.9%; the division nature tables give 48 of 56 = 85.7%
    row = errors[(errors["kind"] == "rate_vs_division_tables") & (errors["printed_at"] == "line 139")]
    assert row[["printed", "other"]].values.tolist() == [[67.9, 85.7]]
    assert row["printed_line"].iloc[0].startswith("Service Delay") and "305" in row["other_at"].iloc[0]
    # line 734: Education prose "35% were fully or partially upheld"; OVERALL line 751 gives 128/231 = 55.4%
    prose = errors[(errors["kind"] == "prose_vs_table") & (errors["printed_at"] == "line 734")]
    assert prose[["printed", "other", "other_at"]].values.tolist() == [[35.0, 55.4, "line 751"]]


def test_claim_counts_per_report_match_the_claims_table():
    result = audit.build("lewisham")
    claims = clean("claims")
    counts = audit.claim_counts(result)[LEW]
    mine = claims[claims["source_file"] == LEW]
    assert counts["claims_found"] == len(mine) > 0
    assert counts["wrong"] == int((mine["verdict"] == "wrong").sum()) >= 1  # line 124: 7,969 vs Table 4's 8,042
    assert counts["confirmed"] + counts["wrong"] + counts["not_checkable"] == counts["claims_found"]


# --- the quality statement and the reader's table of errors ------------------------------------

HAR = "data/raw/harrow_2019-20_scrutiny-agenda-with-social-care-complaints-reports.txt"


def test_quality_by_report_counts_lines_independently(bd_audit):
    # recomputed here from the raw file, data/clean/observations.csv and the skip records
    skipped = audit.skip_records("barking_and_dagenham")
    row = audit.quality_by_report(bd_audit, skipped).iloc[0]
    raw = (ROOT / BD).read_text(encoding="utf-8").split("\n")
    digits = {i + 1 for i, text in enumerate(raw) if any(ch.isdigit() for ch in text)}
    obs = clean("observations")
    used = {int(n) for n in obs.loc[obs.source_file == BD, "source_line"]}
    covered = {n for r in skipped.itertuples() for n in range(r.start, r.end + 1)}
    assert (row["lines_with_digits"], row["used"], row["neither"]) == (len(digits), len(digits & used), len(digits - used - covered))
    assert row["used"] + row["in_skip_records"] + row["neither"] == row["lines_with_digits"]
    # Barking & Dagenham: 253 figures, one flagged (line 390 "Total 71" against 10 + 2 + 1 + 55 = 68)
    assert (row["figures"], row["flagged_errors"], row["failed_relations"], row["wrong"]) == (len(obs[obs.source_file == BD]), 1, 1, 0)
    text = audit.quality_statement(bd_audit, skipped)
    assert f"of its {len(digits):,} lines holding a digit" in text and "Barking and Dagenham 2018-19 report" in text


def test_wrong_table_reads_like_a_bulletin():
    result = audit.build("harrow")
    frame = audit.wrong_table(result, HAR).data
    # Harrow line 467: Table 9 Total 21% against its rows weighted by their Stage 1 complaints (line 466): 22.3%
    row = frame[frame["Printed at"] == "Harrow 2019-20 report, line 467"]
    assert row[["Printed", "The report's other figures give", "From"]].values.tolist() == [
        ["21%", "22.3%", "Harrow 2019-20 report, line 466"]]
    # line 971: "compared to four for last year" — the tables print 5 for 2018/19 (line 862)
    claim = frame[(frame["Printed at"] == "Harrow 2019-20 report, line 971")]
    assert claim[["Year", "Printed", "The report's other figures give"]].values.tolist() == [["2018-19", "4", "5"]]
    text = " ".join(str(v) for v in frame[["What is wrong", "Figure", "Printed", "Printed at", "From"]].values.ravel())
    assert not re.search(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", text) and "data/raw" not in text
