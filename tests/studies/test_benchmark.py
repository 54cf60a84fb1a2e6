"""London benchmark: the Ombudsman table of every London borough, read by hand from Lewisham's report.

LEWISHAM = data/raw/lewisham_2020-21_annual-complaints-and-casework-report.txt
:2210 "LGSCO Cases Received in 2020/21 - London Boroughs", the 28 borough names then the counts at :2212;
:2215 "LGSCO Cases Upheld in 2020/21 - London Boroughs", the counts at :2218 (same borough order).
"""
from __future__ import annotations

import numpy as np
import pytest

from analysis.data import load_observations
from analysis.paths import Paths
from analysis.studies import benchmark as bm

from conftest import ROOT, SEED_ROOT

# LEWISHAM:2212 and :2218, in the printed order (Barking & Dagenham … Wandsworth)
BOROUGHS = ["barking_and_dagenham", "barnet", "bexley", "brent", "bromley", "camden", "croydon", "ealing", "enfield",
            "hackney", "hammersmith_and_fulham", "haringey", "harrow", "havering", "hillingdon", "hounslow", "islington",
            "lambeth", "lewisham", "merton", "newham", "redbridge", "richmond_upon_thames", "southwark", "sutton",
            "tower_hamlets", "waltham_forest", "wandsworth"]
RECEIVED = [103, 136, 59, 77, 103, 82, 134, 130, 102, 90, 55, 123, 89, 60, 86, 78, 71, 135, 102, 49, 116, 98, 52, 90,
            50, 110, 97, 67]
UPHELD = [11, 26, 7, 12, 26, 18, 23, 19, 17, 18, 7, 27, 23, 12, 13, 10, 12, 25, 11, 7, 19, 20, 10, 17, 8, 25, 22, 10]


@pytest.fixture(scope="module")
def result():
    paths = Paths(SEED_ROOT)
    if not (paths.root / "data" / "clean" / "observations.csv").exists():
        pytest.skip("data/clean not built (run `python -m analysis clean`)")
    return bm.benchmark(load_observations(paths))


def test_every_borough_of_the_table_is_there_with_its_printed_counts(result):
    table = result.table.set_index("borough")
    assert sorted(table.index) == sorted(BOROUGHS) and len(table) == 28
    for borough, received, upheld in zip(BOROUGHS, RECEIVED, UPHELD):
        assert (table.loc[borough, "received"], table.loc[borough, "upheld"]) == (received, upheld), borough
    # Bromley 26 of 103 (LEWISHAM:2212 fifth count, :2218 fifth count); Harrow 23 of 89 (thirteenth)
    assert table.loc["bromley", "rate"] == pytest.approx(26 / 103)
    assert table.loc["harrow", "upheld_source"].endswith("lewisham_2020-21_annual-complaints-and-casework-report.txt:2218")


def test_pooled_rate_and_dispersion_by_hand(result):
    pooled = sum(UPHELD) / sum(RECEIVED)  # 455 / 2,544
    assert (sum(UPHELD), sum(RECEIVED)) == (455, 2544)
    assert result.pooled == pytest.approx(pooled)
    rates, n = np.array(UPHELD) / np.array(RECEIVED), np.array(RECEIVED)
    phi = np.sum((rates - pooled) ** 2 / (pooled * (1 - pooled) / n)) / (28 - 1)
    assert result.dispersion == pytest.approx(phi)
    assert result.funnel.adjusted == (phi > 1)


def test_bromley_limits_and_z_by_hand(result):
    bromley = result.table.set_index("borough").loc["bromley"]
    pooled, phi = 455 / 2544, result.dispersion
    sd = np.sqrt(pooled * (1 - pooled) / 103) * np.sqrt(max(phi, 1))
    assert (bromley["low95"], bromley["high95"]) == pytest.approx((pooled - 1.959964 * sd, pooled + 1.959964 * sd))
    assert bromley["z"] == pytest.approx((26 / 103 - pooled) / sd)
    assert bromley["outside_95"] == (abs(bromley["z"]) > 1.959964)


def test_the_four_study_councils_sit_inside_the_95_percent_funnel(result):
    study = result.table[result.table["study"]]
    assert set(study["borough"]) == {"barking_and_dagenham", "bromley", "harrow", "lewisham"}
    assert not study["outside_95"].any()
    # … but near its edges: Harrow 23/89 and Bromley 26/103 high, Lewisham 11/102 and B&D 11/103 low
    assert (study.set_index("borough")["z"].abs() > 1.5).all()


def test_findings_hold_one_row_per_borough_and_no_nan(result):
    out = bm.findings(result)
    assert len(out["funnel"]) == 28 and out["funnel_pooled"] == pytest.approx(455 / 2544)
    for row in out["funnel"]:
        assert {"borough", "upheld", "received", "rate", "low95", "high95", "z", "outside_95", "outside_998"} <= set(row)
        assert all(np.isfinite(row[k]) for k in ("rate", "low95", "high95", "z"))
    assert "Bromley" in bm.text(result) and "data/raw" not in bm.text(result)


def test_no_london_table_means_no_benchmark():
    import pandas as pd

    empty = pd.DataFrame(columns=["council", "period", "stage", "measure", "value", "source_file", "source_line", "table"])
    assert bm.benchmark(empty) is None
    assert bm.findings(None)["funnel"] == []


def test_the_study_councils_are_the_extremes_with_exact_tails_by_hand(result):
    from scipy.stats import binom

    table = result.table.set_index("borough")
    pooled = sum(UPHELD) / sum(RECEIVED)  # 455 / 2,544 (LEWISHAM:2212, :2218)
    # the review's exact tails: Harrow P(X ≥ 23 | 89) and Bromley P(X ≥ 26 | 103) above, B&D and Lewisham P(X ≤ 11) below
    assert table.loc["harrow", "exact_tail"] == pytest.approx(binom.sf(22, 89, pooled))
    assert table.loc["bromley", "exact_tail"] == pytest.approx(binom.sf(25, 103, pooled))
    assert table.loc["lewisham", "exact_tail"] == pytest.approx(binom.cdf(11, 102, pooled))
    assert [round(table.loc[b, "exact_tail"], 3) for b in ("harrow", "bromley", "lewisham", "barking_and_dagenham")] == \
        [0.039, 0.039, 0.035, 0.032]
    ranks = {b: int(table.loc[b, "rank"]) for b in bm.STUDY_COUNCILS}
    assert ranks == {"harrow": 1, "bromley": 2, "lewisham": 27, "barking_and_dagenham": 28}
    headline = bm.headline(result)
    assert "28 London boroughs in Lewisham's table" in headline and "2 highest and 2 lowest of the 28" in headline
    assert "every London borough" not in bm.text(result)


def test_the_ombudsmans_own_measure_is_given_beside_the_crude_ratio(result):
    own = result.own.set_index("council")
    # bromley_2023-24…txt:172 "% upheld … 69%" (2020-21) and :173 London average 73%
    assert (own.loc["bromley", "rate"], own.loc["bromley", "london_average"]) == (69, 73)
    assert own.loc["bromley", "source"].endswith("bromley_2023-24_complaints-and-compliments-annual-report.txt:172")
    assert "Bromley was below the London average on the Ombudsman's own measure" in bm.text(result)


def test_englands_uphold_rate_that_year_comes_from_the_reviewed_external_figures():
    from analysis.reference import load_external_figures

    result = bm.benchmark(load_observations(Paths(SEED_ROOT)), load_external_figures(Paths(ROOT)))
    # data/reference/external_figures.csv row england-2020-21-lgsco-uphold-rate: "… upheld … – 67% – than ever before"
    assert result.national["value"] == 67 and result.national["figure_id"] == "england-2020-21-lgsco-uphold-rate"
    assert "Across English councils the Ombudsman upheld 67% of the cases it investigated that year" in bm.text(result)
    assert bm.findings(result)["ombudsman_england_uphold_rate"]["value"] == 67
    assert bm.benchmark(load_observations(Paths(SEED_ROOT))).national is None  # no external table, no context claimed


def test_a_councils_page_shows_the_benchmark_for_that_council_only(result):
    """The reader review found Bromley's Ombudsman measure ("69% against 73%") on Lewisham's and Barking and
    Dagenham's root-causes pages: a council's page names and highlights only that council."""
    lewisham = bm.for_council(result, "lewisham")
    assert lewisham.table["study"].sum() == 1 and lewisham.table.loc[lewisham.table["study"], "borough"].item() == "lewisham"
    text = bm.policy_text(lewisham)
    assert "Lewisham is within the range chance allows for its size" in text
    assert "Bromley" not in text and "Harrow" not in text
    # Bromley's own report prints the Ombudsman's measure (bromley_2023-24…txt:172): kept on Bromley's page only
    assert "On the Ombudsman's own measure Bromley was below the London average" in bm.policy_text(
        bm.for_council(result, "bromley"))
    assert bm.for_council(result, "all") is result
    assert bm.for_council(result, "darlington") is None  # not in the London table: no benchmark on its page
