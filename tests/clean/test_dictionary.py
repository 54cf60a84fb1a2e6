"""The data dictionary documents everything data/clean holds, and docs/ is rendered from it.

Also holds data/clean/observations.csv to the shared contract's checker.
"""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from analysis.clean.datapackage import RECONCILED_FIELDS, _descriptions
from analysis.clean.dictionary import (
    CONFLICT_COLUMNS,
    EXTRACTION_FLAGS,
    MEASURES,
    OBSERVATION_COLUMNS,
    RECONCILED_COLUMNS,
    SKIPPED_TABLE_COLUMNS,
    render_markdown,
)
from analysis.clean.pipeline import SKIPPED_TABLE_COLUMNS as SKIPPED_TABLE_FIELDS
from analysis.clean.quality import FLAG_CODES
from analysis.clean.reconcile import CONFLICT_COLUMNS as CONFLICT_FIELDS
from analysis.clean.reconcile import CONFLICT_KINDS, RULES

from conftest import ROOT, SEED_ROOT, SHARED

CLEAN = SEED_ROOT / "data" / "clean"
# the shared checker where ../shared sits beside the clone, else the copy kept in docs/contract/
CHECKER = next(p for p in (SHARED / "contract" / "check_observations.py", ROOT / "docs" / "contract" / "check_observations.py")
               if p.is_file())


def _table(stem: str) -> pd.DataFrame:
    path = CLEAN / f"{stem}.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _codes(column: pd.Series) -> set[str]:
    return {code for flags in column for code in flags.split(";") if code}


def test_every_measure_is_documented():
    undocumented = set(_table("observations")["measure"]) - set(MEASURES)
    assert not undocumented, f"add these measures to analysis.clean.dictionary.MEASURES: {sorted(undocumented)}"


def test_every_flag_code_is_documented():
    documented = set(FLAG_CODES) | set(EXTRACTION_FLAGS)
    used = _codes(_table("observations")["quality_flag"]) | _codes(_table("reconciled")["quality_flag"])
    assert not used - documented, f"document these flag codes: {sorted(used - documented)}"


def test_every_rule_and_conflict_kind_is_documented():
    conflicts = _table("conflicts")
    rules = set(_table("reconciled")["rule"]) | set(conflicts["rule"])
    assert not rules - set(RULES), sorted(rules - set(RULES))
    assert not set(conflicts["kind"]) - set(CONFLICT_KINDS), sorted(set(conflicts["kind"]) - set(CONFLICT_KINDS))


def test_every_column_is_documented():
    assert list(_table("observations").columns) == list(OBSERVATION_COLUMNS)
    assert list(_table("reconciled").columns) == RECONCILED_FIELDS
    assert set(RECONCILED_FIELDS) == set(_descriptions(RECONCILED_COLUMNS))
    assert list(_table("conflicts").columns) == CONFLICT_FIELDS
    assert set(CONFLICT_FIELDS) == set(_descriptions(CONFLICT_COLUMNS))
    assert list(_table("skipped-tables").columns) == list(SKIPPED_TABLE_FIELDS)
    assert set(SKIPPED_TABLE_FIELDS) == set(_descriptions(SKIPPED_TABLE_COLUMNS))


def test_a_missing_measure_would_fail():
    # the check above is not vacuous: the clean table has measures, and a made-up one is caught
    measures = set(_table("observations")["measure"])
    assert {"complaints", "compliments", "pct_on_time"} <= measures
    assert "made_up_measure" not in MEASURES


def test_markdown_is_current():
    path = ROOT / "docs" / "data_dictionary.md"
    assert path.read_text(encoding="utf-8") == render_markdown(), \
        "docs/data_dictionary.md is stale: run `python -m analysis.clean.dictionary`"


def test_markdown_lists_every_code():
    text = render_markdown()
    for name in [*MEASURES, *FLAG_CODES, *EXTRACTION_FLAGS, *RULES, *CONFLICT_KINDS]:
        assert f"| `{name}` |" in text, name


@pytest.mark.skipif(not CHECKER.is_file(), reason=f"the shared contract checker {CHECKER} is absent "
                    "(a clone without ../shared); it is run where the shared folder exists")
def test_contract_checker_reports_no_failure():
    table = CLEAN / "observations.csv"
    result = subprocess.run([sys.executable, str(CHECKER), str(table), "--repo", str(SEED_ROOT)],
                            capture_output=True, text=True, cwd=ROOT)
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert result.returncode == 0 and not failures, result.stdout[-3000:] + result.stderr[-2000:]


def test_every_table_id_is_described_with_its_counting_base():
    from analysis.clean.dictionary import table_ids

    described = table_ids()
    assert set(_table("observations")["table"]) <= set(described)
    assert all(row["what"].strip() for row in described.values())
    # Bromley's nature tables count aspects (bromley_2023-24…txt "Subject  Aspects this year …"); Harrow's adults'
    # transactions tables count transactions (harrow_2019-20…txt:842 "Number of Complaint Transactions by Service area")
    assert described["nature_of_complaint"]["counting_base"] == "aspects"
    assert described["adults_transactions_by_service"]["counting_base"] == "transactions"
    assert described["epp_nature_of_complaint"]["counting_base"] == "complaints"
    assert "| `service_aspects` |" in render_markdown()


def test_every_flag_has_a_severity():
    from analysis.clean.quality import flag_severity, has_error_flag

    text = render_markdown()
    for code in [*FLAG_CODES, *EXTRACTION_FLAGS]:
        assert f"| `{code}` | {flag_severity(code)} |" in text
    assert flag_severity("wider_scope_total") == "note" and flag_severity("total_mismatch") == "error"
    assert not has_error_flag("wider_scope_total") and has_error_flag("wider_scope_total;conflicting_sources")


def test_the_contract_is_inside_the_repo_and_the_dictionary_points_at_it():
    assert (ROOT / "docs" / "contract" / "OBSERVATIONS.md").is_file()
    assert "`docs/contract/OBSERVATIONS.md`" in render_markdown() and "../shared" not in render_markdown()
