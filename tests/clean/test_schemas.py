"""The pandera gate: a clean table that breaks its contract stops `clean` before anything is written."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest

from analysis.clean.schemas import CleanTableError, check_tables

from conftest import ROOT, SEED_ROOT

CLEAN = SEED_ROOT / "data" / "clean"
TABLES = ("observations", "reconciled", "conflicts", "claims")


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(CLEAN / f"{name}.parquet") for name in TABLES}


def test_the_clean_tables_keep_their_contracts(frames):
    check_tables(frames)


@pytest.mark.parametrize("table, column, bad", [
    ("observations", "unit", "dozens"), ("observations", "source_line", 0),
    ("reconciled", "n_sources", 0), ("conflicts", "kind", "made_up"), ("observations", "period", "2019/20"),
    ("claims", "verdict", "probably"), ("claims", "source_line", 0),
])
def test_a_bad_value_is_named_with_column_and_row(frames, table, column, bad):
    frame = frames[table].copy()
    frame[column] = frame[column].astype(object)
    frame.loc[3, column] = bad
    with pytest.raises(CleanTableError) as error:
        check_tables({table: frame})
    message = str(error.value)
    assert f"{table}.{column}" in message and "first bad row 3" in message and repr(bad) in message


def test_a_wrong_claim_without_its_computed_value_is_refused(frames):
    claims = frames["claims"].copy()
    wrong = claims.index[claims["verdict"] == "wrong"][0]  # e.g. Bromley 2019-20 line 479, "a 32% reduction"
    claims.loc[wrong, "computed_value"] = float("nan")
    with pytest.raises(CleanTableError, match=r"claims\.\(row\) fails .*wrong_claims_give_the_computed_value.*first bad row \d+ \(data/raw/bromley"):
        check_tables({"claims": claims})


def test_an_unchecked_claim_that_does_not_say_why_is_refused(frames):
    claims = frames["claims"].copy()
    claims.loc[claims.index[claims["verdict"] == "not_checkable"][0], "reason"] = ""
    with pytest.raises(CleanTableError, match="unchecked_claims_say_why"):
        check_tables({"claims": claims})


def test_a_duplicated_key_in_reconciled_is_refused(frames):
    frame = pd.concat([frames["reconciled"], frames["reconciled"].iloc[[0]]], ignore_index=True)
    with pytest.raises(CleanTableError, match="reconciled"):
        check_tables({"reconciled": frame})


def test_clean_stops_and_keeps_the_previous_data(project_copy):
    """A template that emits an impossible unit: `clean` exits with the column and row named, data/clean unchanged."""
    shutil.copytree(CLEAN, project_copy.clean, ignore=shutil.ignore_patterns(".*"))
    before = {p.name: p.read_bytes() for p in project_copy.clean.iterdir()}
    script = ("import sys, analysis.observations as o, analysis.clean.schemas as s\n"
              "from analysis.clean import pipeline\n"
              "real = pipeline.reconcile\n"
              "def broken(frame):\n"
              "    frame.loc[frame.index[0], 'unit'] = 'dozens'\n"
              "    return real(frame)\n"
              "pipeline.reconcile = broken\n"
              "from analysis.cli import main\n"
              f"sys.exit(main(['--root', {str(project_copy.root)!r}, 'clean']))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 2, output[-3000:]
    assert "observations.unit" in output and "first bad row 0: 'dozens'" in output, output[-3000:]
    assert {p.name: p.read_bytes() for p in project_copy.clean.iterdir()} == before
