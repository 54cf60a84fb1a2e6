"""The synthesis states how many narrative claims were checked, confirmed and wrong per report,
recomputed here from data/clean/claims.csv."""
from __future__ import annotations

import pandas as pd

from analysis.paths import Paths
from analysis.studies import synthesis

from conftest import SEED_ROOT as ROOT  # the seed project, never the checkout's data


def test_claims_checked_per_report_match_the_claims_table():
    rows = synthesis.claims_checked(Paths(ROOT), "all")
    claims = pd.read_csv(ROOT / "data" / "clean" / "claims.csv", dtype=str, keep_default_na=False)
    assert [r["report"] for r in rows] == ["Barking and Dagenham 2018-19 report", "Bromley 2019-20 report",
                                           "Bromley 2023-24 report", "Harrow 2019-20 report", "Lewisham 2020-21 report"]
    for r, (_, mine) in zip(rows, claims.groupby("source_file", sort=True)):
        assert r["found"] == len(mine) and r["wrong"] == int((mine.verdict == "wrong").sum())
        assert r["checked"] == r["confirmed"] + r["wrong"] == int((mine.verdict != "not_checkable").sum())
    # Bromley 2023-24 holds the three wrong claims read by hand (lines 292, 587, 734)
    assert next(r for r in rows if r["report"] == "Bromley 2023-24 report")["wrong"] == 3
    sentence = synthesis.claims_sentence(rows)
    assert "Bromley 2023-24 report: " in sentence and "3 wrong" in sentence


def test_claims_checked_for_one_council():
    rows = synthesis.claims_checked(Paths(ROOT), "harrow")
    # Harrow's two wrong claims: line 473 "Some 21% of Stage 1 complaints went on to … Stage 2" (7 of 31
    # is 22.6%, line 467) and line 971 "compared to four for last year" (the tables print 5, line 862)
    assert [(r["report"], r["wrong"]) for r in rows] == [("Harrow 2019-20 report", 2)]
