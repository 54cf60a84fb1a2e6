"""The tests' seed (tests/data/seed/) is the five seed reports byte for byte, as their manifest rows say.

Every test builds what it tests from this seed (tests/conftest.py), never from the checkout's data/raw.
"""
from __future__ import annotations

import csv

from analysis.clean.manifest import FIELDS, sha256_of

from conftest import SEED, SEED_ROOT

SEED_REPORTS = {  # ../shared/raw/MANIFEST.md: the five seed reports
    ("barking_and_dagenham", "2018-19"), ("bromley", "2019-20"), ("bromley", "2023-24"),
    ("harrow", "2019-20"), ("lewisham", "2020-21"),
}


def manifest_rows() -> list[dict]:
    with (SEED / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_seed_holds_the_five_seed_reports_and_their_manifest_rows_only():
    rows = manifest_rows()
    assert {(r["council"], r["report_period"]) for r in rows} == SEED_REPORTS
    assert sorted(p.name for p in SEED.iterdir()) == sorted(["manifest.csv", *(r["file"] for r in rows)])
    assert list(rows[0]) == FIELDS


def test_every_seed_report_matches_the_sha256_of_its_manifest_row():
    for row in manifest_rows():
        assert sha256_of(SEED / row["file"]) == row["sha256"], row["file"]


def test_the_session_project_reads_exactly_the_seed(seed_project):
    assert seed_project.root == SEED_ROOT
    assert sorted(p.name for p in seed_project.raw.iterdir()) == sorted(p.name for p in SEED.iterdir())
    assert seed_project.manifest.read_bytes() == (SEED / "manifest.csv").read_bytes()
    with (seed_project.clean / "observations.csv").open(encoding="utf-8", newline="") as handle:
        sources = {row["source_file"] for row in csv.DictReader(handle)}
    assert sources == {f"data/raw/{r['file']}" for r in manifest_rows()}
