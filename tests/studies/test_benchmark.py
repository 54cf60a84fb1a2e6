"""London benchmark: the 2020-21 Ombudsman funnel against the London table as Lewisham's report prints it.

LEWISHAM = data/raw/lewisham_2020-21_annual-complaints-and-casework-report.txt. The table's two data
lines, read by hand: :2212 "Total" (LGSCO cases received in 2020/21) and :2218 "Upheld", each listing
the 28 boroughs Barking & Dagenham … Wandsworth, then their 28 figures in that order.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.data import load_observations
from analysis.studies import benchmark

BOROUGHS = ["barking_and_dagenham", "barnet", "bexley", "brent", "bromley", "camden", "croydon", "ealing", "enfield",
            "hackney", "hammersmith_and_fulham", "haringey", "harrow", "havering", "hillingdon", "hounslow",
            "islington", "lambeth", "lewisham", "merton", "newham", "redbridge", "richmond_upon_thames", "southwark",
            "sutton", "tower_hamlets", "waltham_forest", "wandsworth"]
# LEWISHAM:2212, the 28 figures after the borough names
CASES = [103, 136, 59, 77, 103, 82, 134, 130, 102, 90, 55, 123, 89, 60, 86, 78, 71, 135, 102, 49, 116, 98, 52, 90,
         50, 110, 97, 67]
# LEWISHAM:2218, the 28 figures after the borough names
UPHELD = [11, 26, 7, 12, 26, 18, 23, 19, 17, 18, 7, 27, 23, 12, 13, 10, 12, 25, 11, 7, 19, 20, 10, 17, 8, 25, 22, 10]


@pytest.fixture(scope="module")
def london(paths):
    return benchmark.london_funnel(load_observations(paths))


def test_two_boroughs_read_by_hand(london):
    table = london.table.set_index("borough")
    # Bromley, the 5th borough: 103 cases (LEWISHAM:2212), 26 upheld (LEWISHAM:2218)
    assert (table.loc["bromley", "decided"], table.loc["bromley", "upheld"]) == (103, 26)
    # Harrow, the 13th borough: 89 cases (LEWISHAM:2212), 23 upheld (LEWISHAM:2218)
    assert (table.loc["harrow", "decided"], table.loc["harrow", "upheld"]) == (89, 23)
    assert table.loc["harrow", "rate"] == pytest.approx(23 / 89)


def test_every_borough_of_the_table_is_in_the_funnel(london):
    assert len(london.table) >= 25
    table = london.table.set_index("borough")
    assert sorted(table.index) == sorted(BOROUGHS)
    assert table.loc[BOROUGHS, "decided"].tolist() == CASES
    assert table.loc[BOROUGHS, "upheld"].tolist() == UPHELD
    assert set(london.sources.values()) == {
        "data/raw/lewisham_2020-21_annual-complaints-and-casework-report.txt:2212",
        "data/raw/lewisham_2020-21_annual-complaints-and-casework-report.txt:2218"}


def test_pooled_rate_is_sum_over_sum(london):
    # 455 of 2,544: the hand sums of LEWISHAM:2218 and :2212
    assert (sum(UPHELD), sum(CASES)) == (455, 2544)
    assert london.pooled == pytest.approx(sum(UPHELD) / sum(CASES))
    rates = np.array(UPHELD) / np.array(CASES)
    p = sum(UPHELD) / sum(CASES)
    phi = np.sum((rates - p) ** 2 / (p * (1 - p) / np.array(CASES))) / (len(CASES) - 1)
    assert london.dispersion == pytest.approx(phi)
    # the limits are the pooled rate ± z·√(p(1−p)/n)·√φ, widened because φ > 1 here
    assert london.adjusted == (phi > 1)
    bromley = london.table.set_index("borough").loc["bromley"]
    half = 1.959964 * np.sqrt(p * (1 - p) / 103 * max(phi, 1))
    assert (bromley["low95"], bromley["high95"]) == pytest.approx((p - half, p + half))


def test_the_study_councils_sit_inside_the_adjusted_95_limits(london, paths):
    study = london.table[london.table["study_council"]].set_index("borough")
    assert sorted(study.index) == ["barking_and_dagenham", "bromley", "harrow", "lewisham"]
    # what the data says: all four inside (Bromley 26/103 and Harrow 23/89 near the top limit,
    # Lewisham 11/102 and Barking & Dagenham 11/103 near the bottom)
    assert not study["outside_95"].any()
    assert ((study["rate"] >= study["low95"]) & (study["rate"] <= study["high95"])).all()
    # and no borough at all is outside, even without the dispersion adjustment
    assert benchmark.unadjusted_outside(load_observations(paths)) == []


def test_a_clear_outlier_is_flagged():
    """Real behaviour: a borough with twice the others' rate on many cases is flagged; the multiplicative
    adjustment (φ estimated with the outlier in) widens the limits, so it is outside 95% but not 99.8%,
    while the plain limits flag it at 99.8% too."""
    rows = []
    for borough in BOROUGHS[:10]:
        upheld, cases = (80, 200) if borough == "bromley" else (20, 100)
        for measure, value, line in ((benchmark.DECIDED_MEASURE, cases, 2212), (benchmark.UPHELD_MEASURE, upheld, 2218)):
            rows.append({"council": borough, "measure": measure, "value": float(value), "source_line": line,
                         "source_file": "data/raw/lewisham_2020-21_annual-complaints-and-casework-report.txt",
                         "table": "t11_lgsco_received_london_boroughs" if line == 2212 else "t12_lgsco_upheld_london_boroughs"})
    result = benchmark.london_funnel(pd.DataFrame(rows))
    flagged = result.table.set_index("borough")
    assert result.adjusted and result.dispersion > 2
    assert flagged.loc["bromley", "outside_95"] and flagged["outside_95"].sum() == 1
    assert not flagged.loc["bromley", "outside_998"]
    plain = benchmark.london_funnel(pd.DataFrame(rows), adjust=False).table.set_index("borough")
    assert plain.loc["bromley", "outside_998"]
    assert result.pooled == pytest.approx((80 + 9 * 20) / (200 + 9 * 100))


def test_findings_rows_carry_every_key(london):
    out = benchmark.findings(london)
    keys = {"borough", "label", "upheld", "decided", "rate", "low95", "high95", "low998", "high998", "z",
            "outside_95", "outside_998"}
    assert len(out["funnel"]) == len(CASES) and all(set(row) == keys for row in out["funnel"])
    assert out["funnel_pooled"] == pytest.approx(455 / 2544) and out["funnel_dispersion"] == pytest.approx(london.dispersion)
    assert all(np.isfinite(row["z"]) for row in out["funnel"])
