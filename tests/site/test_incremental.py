"""Truly incremental runs and the change summary (issue 26).

A run's fingerprint covers the data it reads: its council's rows of the clean tables and its manifest rows
(all of them for a council="all" run), so a change to one council's data re-runs that council's runs and
the all-council runs only. ``make study`` then says what changed: figures per report, flags by code, and
the headline findings that moved. Runs on a copy of the seed project's clean data (no notebook executed).
"""
from __future__ import annotations

import csv
import json

from analysis.site import changes
from analysis.site.runs import Run, input_fingerprint, shared_inputs

OVERVIEW_BROMLEY = Run("01_council_overview", (("council", "bromley"), ("period", "2023-24")))
OVERVIEW_HARROW = Run("01_council_overview", (("council", "harrow"), ("period", "2019-20")))
CAUSES_BROMLEY = Run("02_root_causes", (("council", "bromley"),))
AUDIT_ALL = Run("00_data_audit", (("council", "all"),))
SEN_DEFAULTS = Run("04_sen_surge")  # its default council is bromley
RUNS = (OVERVIEW_BROMLEY, OVERVIEW_HARROW, CAUSES_BROMLEY, AUDIT_ALL, SEN_DEFAULTS)


def fingerprints(paths) -> dict[Run, str]:
    shared = shared_inputs(paths)
    return {run: input_fingerprint(paths, run, shared) for run in RUNS}


def edit_rows(path, change) -> int:
    """Apply ``change(row) -> bool`` to every row of a clean CSV; return how many rows it changed."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    changed = sum(bool(change(row)) for row in rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return changed


def changed_runs(before, after) -> set[str]:
    return {run.run_id for run in before if before[run] != after[run]}


def test_a_change_to_one_councils_rows_reruns_only_its_runs_and_the_all_council_runs(cleaned_copy):
    before = fingerprints(cleaned_copy)

    def harrow_own_row(row):  # a figure of Harrow's own report (harrow_2019-20…txt)
        if row["council"] == "harrow" and row["source_file"].startswith("data/raw/harrow_") and row["value"]:
            row["value"] = str(float(row["value"]) + 1)
            return True
        return False

    assert edit_rows(cleaned_copy.clean / "observations.csv", harrow_own_row) > 0
    after = fingerprints(cleaned_copy)
    assert changed_runs(before, after) == {OVERVIEW_HARROW.run_id, AUDIT_ALL.run_id}


def test_the_london_table_is_read_by_every_root_cause_page(cleaned_copy):
    # Lewisham's 2020-21 report prints every borough's Ombudsman cases (lewisham_2020-21…txt, the London
    # tables); studies/benchmark.py puts them all on the root-cause pages' funnel plot
    before = fingerprints(cleaned_copy)

    def camden_in_london_table(row):
        if row["council"] == "camden" and "london" in row["table"]:
            row["value"] = str(float(row["value"]) + 1)
            return True
        return False

    assert edit_rows(cleaned_copy.clean / "observations.csv", camden_in_london_table) > 0
    assert changed_runs(before, fingerprints(cleaned_copy)) == {CAUSES_BROMLEY.run_id, AUDIT_ALL.run_id}


def test_a_manifest_change_reruns_the_runs_that_depend_on_its_rows(cleaned_copy):
    before = fingerprints(cleaned_copy)
    lines = cleaned_copy.manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [line.replace("by division, with five-year", "by division, with the five-year") for line in lines]
    cleaned_copy.manifest.write_text("".join(lines), encoding="utf-8")
    assert changed_runs(before, fingerprints(cleaned_copy)) == {
        OVERVIEW_BROMLEY.run_id, CAUSES_BROMLEY.run_id, AUDIT_ALL.run_id, SEN_DEFAULTS.run_id}


def test_the_change_summary_names_figures_flags_and_findings_per_report(cleaned_copy):
    cleaned_copy.findings.mkdir(parents=True)
    finding = cleaned_copy.findings / "01_council_overview__bromley_2023-24.json"
    finding.write_text(json.dumps({"key_findings": ["Complaints: 533 in 2023-24, up 15% on 2022-23 (465)."]}))
    first = changes.compare(cleaned_copy)
    assert first.first and "First study" in changes.describe(first)[0]
    changes.take_snapshot(cleaned_copy)
    assert changes.compare(cleaned_copy).empty

    # bromley_2023-24…txt:94 "Total 445 335 387 465 533 14.6%": 533 becomes 540, one row of Harrow's goes,
    # one Lewisham figure gains a flag
    state = {"harrow": 0}

    def edit(row):
        if row["source_file"].startswith("data/raw/bromley_2023-24") and row["source_line"] == "94" \
                and row["value"] == "533" and row["measure"] == "complaints":
            row["value"] = "540"
            return True
        if row["source_file"].startswith("data/raw/lewisham_") and not row["quality_flag"] and row["value"]:
            if state.setdefault("lewisham", 0) == 0:
                state["lewisham"] = 1
                row["quality_flag"] = "total_mismatch"
                return True
        return False

    assert edit_rows(cleaned_copy.clean / "observations.csv", edit) == 2
    path = cleaned_copy.clean / "observations.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    harrow = next(i for i, line in enumerate(lines) if line.startswith("harrow,") and "data/raw/harrow_" in line)
    path.write_text("".join(lines[:harrow] + lines[harrow + 1:]), encoding="utf-8")
    finding.write_text(json.dumps({"key_findings": ["Complaints: 540 in 2023-24, up 16% on 2022-23 (465)."]}))

    summary = changes.compare(cleaned_copy)
    text = "\n".join(changes.describe(summary))
    assert "bromley_2023-24_complaints-and-compliments-annual-report.txt: figures 1 changed" in text
    assert "complaints 2023-24: 533 → 540 (line 94)" in text
    assert "harrow_2019-20_scrutiny-agenda-with-social-care-complaints-reports.txt: figures 1 removed" in text
    lewisham = next(r for r in summary.reports if r.source_file.startswith("data/raw/lewisham_"))
    assert lewisham.flags["total_mismatch"] == lewisham.flags_before["total_mismatch"] + 1
    assert ("01_council_overview__bromley_2023-24: Complaints: 533 in 2023-24, up 15% on 2022-23 (465). → "
            "Complaints: 540 in 2023-24, up 16% on 2022-23 (465).") in text
    page = changes.write_page(cleaned_copy, changes.describe(summary)).read_text(encoding="utf-8")
    assert "What changed since the last study" in page and "533 → 540" in page
