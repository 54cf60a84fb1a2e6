"""The contract's sample gold rows (hand-read by the study's owners) are each matched exactly.

``tests/data/sample_gold.csv`` is a byte-for-byte copy of ``../shared/contract/sample_gold.csv``
so that a fresh clone runs this test without the shared folder. Each gold row names a raw
file and line and the figure's key, value and unit; exactly one clean observation must agree
on all of them.
"""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.clean.manifest import read_manifest
from analysis.clean.report_step import extract_entry
from analysis.observations import to_frame

from conftest import ROOT, SEED_ROOT, SHARED

GOLD = ROOT / "tests" / "data" / "sample_gold.csv"
KEY = ["council", "period", "quarter", "report_period", "division", "service", "category", "stage", "measure", "unit"]


def gold() -> pd.DataFrame:
    return pd.read_csv(GOLD, dtype=str, keep_default_na=False)


def unmatched(observations: pd.DataFrame) -> list[str]:
    """Gold rows that do not have exactly one matching observation."""
    obs = observations.astype({"source_line": "int64"})
    misses = []
    for row in gold().itertuples(index=False):
        hits = obs[(obs["source_file"] == f"data/raw/{row.file}") & (obs["source_line"] == int(row.line))]
        for column in KEY:
            hits = hits[hits[column].astype(str) == getattr(row, column)]
        hits = hits[(hits["value"].astype(float) - float(row.value)).abs() < 1e-9]
        if len(hits) != 1:
            misses.append(f"{row.file}:{row.line} {row.measure}={row.value} ({row.note}): {len(hits)} matches")
    return misses


def test_the_copy_is_the_shared_gold():
    shared = SHARED / "contract" / "sample_gold.csv"
    if not shared.is_file():
        pytest.skip("../shared is not here (a fresh clone): the copy is used as is")
    assert GOLD.read_bytes() == shared.read_bytes(), "tests/data/sample_gold.csv is stale: copy it again"


def test_gold_has_rows_for_every_council():
    assert len(gold()) >= 20
    assert {"bromley", "lewisham", "harrow", "barking_and_dagenham"} <= set(gold()["council"])


def test_every_gold_row_is_extracted(paths):
    files = {f"data/raw/{name}" for name in gold()["file"]}
    entries = [e for e in read_manifest(paths) if e.source_file in files]
    assert len(entries) == len(files), "a gold row's report is not in data/raw/manifest.csv"
    frame = pd.concat([to_frame(extract_entry(paths, entry)) for entry in entries], ignore_index=True)
    assert unmatched(frame) == []


def test_every_gold_row_is_in_data_clean():
    path = SEED_ROOT / "data" / "clean" / "observations.csv"
    assert unmatched(pd.read_csv(path, dtype=str, keep_default_na=False)) == []
