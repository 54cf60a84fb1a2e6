"""Root causes: the analysis helpers on hand-read inputs, and the notebook's findings against the reports.

Values are read by hand in data/raw/ at the file:line given in each comment:
BROMLEY_20 = bromley_2019-20_committee-briefing-with-annual-complaints-report.txt,
BROMLEY_24 = bromley_2023-24_complaints-and-compliments-annual-report.txt,
BD = barking-and-dagenham_2018-19_social-care-and-education-complaints-report.txt.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis.studies import root_causes as rc
from analysis.paths import Paths
from analysis.stats import wilson
from analysis.clean.taxonomy import load_taxonomy
from conftest import RAW, ROOT


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(Paths(ROOT))


def obs(council, period, division, category, measure, value, table="t", service="", stage="all", line=1):
    return {"council": council, "period": period, "quarter": "", "report_period": period, "division": division,
            "service": service, "category": category, "category_std": "", "stage": stage, "measure": measure,
            "value": float(value), "unit": "count", "source_file": f"data/raw/{council}.txt", "source_line": line,
            "table": table, "quality_flag": ""}


def bromley_causes(period, columns: dict[str, dict[str, float]]) -> list[dict]:
    """A causes-for-complaint table: {category: {division: aspects}}, the Total column as division 'all'."""
    rows = []
    for category, cells in columns.items():
        for division, value in cells.items():
            rows.append(obs("bromley", period, division, category, "aspects", value, table="causes_for_complaint"))
    return rows


# BROMLEY_24:133-140, columns Adult, Children, Housing, P&R, Educ'n, EPP, CED (Public Health all 0), Total
DIVISIONS_24 = ["adult_social_care", "childrens_social_care", "housing", "planning_regeneration", "education",
                "environment_public_protection", "chief_executives", "all"]
CAUSES_24 = {
    "Staff conduct": [16, 52, 12, 2, 9, 26, 7, 124],
    "Disputed Decision": [13, 15, 7, 14, 15, 16, 9, 89],
    "Information": [17, 30, 6, 4, 8, 0, 20, 85],
    "Lack of Action": [41, 53, 37, 18, 151, 19, 56, 375],
    "Quality of Service": [55, 38, 52, 12, 30, 110, 52, 349],
    "Service Delay": [8, 9, 8, 1, 18, None, 12, 56],  # EPP printed "-"
    "Billing / Charging": [4, None, None, None, None, None, 26, 30],
}
# BROMLEY_20:665-672, columns Adult, Children, Housing, Education, (EPP all "-"), CED, Total
DIVISIONS_20 = ["adult_social_care", "childrens_social_care", "housing", "education", "chief_executives", "all"]
CAUSES_20 = {
    "Staff conduct": [21, 53, 10, 3, 10, 97],
    "Disputed Decision": [23, 18, 15, 9, 12, 77],
    "Information": [20, 20, 9, 3, 8, 60],
    "Lack of Action": [21, 23, 25, 24, 17, 110],
    "Quality of Service": [56, 26, 31, 6, 30, 149],
    "Service Delay": [12, 2, 6, 4, 9, 33],
    "Behaviour of another": [1, 1, 20, 0, None, 22],
    "Billing / Charging": [10, None, None, None, 31, 41],
}


def _table(period, divisions, causes):
    return bromley_causes(period, {c: {d: v for d, v in zip(divisions, values) if v is not None}
                                   for c, values in causes.items()})


@pytest.fixture(scope="module")
def bromley_rows(taxonomy):
    frame = pd.DataFrame(_table("2019-20", DIVISIONS_20, CAUSES_20) + _table("2023-24", DIVISIONS_24, CAUSES_24))
    return rc.cause_rows(frame, taxonomy)


def test_pareto_of_bromley_2023_24(bromley_rows):
    headline = rc.headline_tables(rc.share_tables(bromley_rows))
    assert set(headline["division"]) == {"all"}  # division columns are a breakdown of the Total column
    tops = rc.top_causes(headline).set_index("period")
    # BROMLEY_24:137 Lack of Action 375 of :140 1,108 (printed 33.8%); BROMLEY_20:669 Quality of Service 149 of :673 589 (25.3%)
    assert (tops.loc["2023-24", "category"], tops.loc["2023-24", "value"], tops.loc["2023-24", "table_total"]) == ("Lack of Action", 375, 1108)
    assert round(tops.loc["2023-24", "share"] * 100, 1) == 33.8
    assert (tops.loc["2019-20", "category"], tops.loc["2019-20", "table_total"]) == ("Quality of Service", 589)
    latest = headline[headline["period"] == "2023-24"].sort_values("rank")
    assert latest["cumulative"].iloc[-1] == pytest.approx(1.0)
    assert latest["category"].head(2).tolist() == ["Lack of Action", "Quality of Service"]


def test_like_for_like_change_leaves_out_epp(bromley_rows):
    changes = {c.code: c for c in rc.change(bromley_rows, "2019-20", "2023-24")}
    lack = changes["lack_of_action"]
    # 2019-20: 110 of 589 (BROMLEY_20:668, :673); 2023-24 without EPP: 375 − 19 of 1,108 − 171 (BROMLEY_24:137, :140)
    assert (lack.before, lack.before_total, lack.after, lack.after_total) == (110, 589, 356, 937)
    assert lack.difference == pytest.approx(356 / 937 - 110 / 589)
    assert lack.low > 0  # a clear rise
    assert rc.change(bromley_rows, "2019-20", "2023-24")[0].code == "lack_of_action"


def test_by_division_shares(bromley_rows):
    table = rc.by_division(bromley_rows).set_index(["period", "division", "category_std"])
    # Education 2023-24: lack of action 151 of 231 aspects (BROMLEY_24:137, :140)
    assert table.loc[("2023-24", "education", "lack_of_action"), "share"] == pytest.approx(151 / 231)


# Bromley 2023-24 nature-of-complaint tables, Lack of action and Service Delay rows:
# (division, fully, partly, not upheld) at BROMLEY_24:301, 448, 554, 668, 765, 893 and :305, 452, 558, 672, 769, 897
LACK_24 = [("adult_social_care", 25, 2, 14), ("childrens_social_care", 9, 5, 33), ("housing", 15, 6, 16),
           ("planning_regeneration", 6, 0, 12), ("education", 70, 18, 62), ("chief_executives", 32, 5, 19)]
DELAY_24 = [("adult_social_care", 7, 0, 1), ("childrens_social_care", 8, 1, 0), ("housing", 5, 1, 2),
            ("planning_regeneration", 1, 0, 0), ("education", 16, 0, 2), ("chief_executives", 9, 0, 3)]


@pytest.fixture(scope="module")
def outcome_rows(taxonomy):
    rows = []
    for label, cells in (("Lack of action", LACK_24), ("Service Delay", DELAY_24)):
        for division, *counts in cells:
            for measure, value in zip(rc.OUTCOMES, counts):
                rows.append(obs("bromley", "2023-24", division, label, measure, value, table="nature_of_complaint"))
    return rc.cause_rows(pd.DataFrame(rows), taxonomy)


def test_upheld_by_cause_with_wilson_intervals(outcome_rows):
    outcomes = rc.outcome_counts(outcome_rows, "bromley", "2023-24")
    upheld = rc.upheld_by_cause(outcomes).set_index("category_std")
    # Lack of action: 27+14+21+6+88+37 = 193 upheld or partly, of 41+47+37+18+150+56 = 349 decided
    assert (upheld.loc["lack_of_action", "upheld_or_partially"], upheld.loc["lack_of_action", "decided"]) == (193, 349)
    # Service delay: 7+9+6+1+16+9 = 48 of 8+9+8+1+18+12 = 56
    assert (upheld.loc["delay", "upheld_or_partially"], upheld.loc["delay", "decided"]) == (48, 56)
    expected = wilson(48, 56)
    assert (upheld.loc["delay", "low"], upheld.loc["delay", "high"]) == pytest.approx((expected.low, expected.high))
    assert upheld.index[0] == "delay"  # sorted by rate, highest first
    # The outcome test: χ² by hand on the summed outcome counts (rows above), no continuity correction
    test = rc.outcome_test(outcomes)
    observed = np.array([[157, 36, 156], [46, 2, 8]])  # fully, partly, not: lack of action; service delay
    expected_counts = observed.sum(1, keepdims=True) * observed.sum(0) / observed.sum()
    assert test.statistic == pytest.approx(((observed - expected_counts) ** 2 / expected_counts).sum())
    assert test.dof == 2


def test_upheld_intervals_widened_by_within_cause_dispersion(outcome_rows):
    outcomes = rc.outcome_counts(outcome_rows, "bromley", "2023-24")
    upheld = rc.upheld_by_cause(outcomes).set_index("category_std")
    # φ by hand: the 12 division × cause cells of LACK_24 and DELAY_24 around their cause's pooled rate
    # (193/349 and 48/56, see above), Pearson χ² over 12 cells − 2 causes
    chi2 = 0.0
    for cells, (r, n) in ((LACK_24, (193, 349)), (DELAY_24, (48, 56))):
        p = r / n
        for _, fully, partly, not_upheld in cells:
            decided = fully + partly + not_upheld
            chi2 += (fully + partly - decided * p) ** 2 / (decided * p * (1 - p))
    phi = chi2 / (12 - 2)
    assert upheld["dispersion"].iloc[0] == pytest.approx(phi)
    assert phi > 1  # the divisions differ within a cause (e.g. children's lack of action 14/47 vs education's 88/150)
    plain = wilson(48 / phi, 56 / phi)
    assert (upheld.loc["delay", "adj_low"], upheld.loc["delay", "adj_high"]) == pytest.approx((plain.low, plain.high))
    assert upheld.loc["delay", "adj_low"] < upheld.loc["delay", "low"] and upheld.loc["delay", "adj_high"] > upheld.loc["delay", "high"]
    # the across-causes φ (two causes, 193/349 vs 48/56) is kept apart, not used for the intervals
    pooled = (193 + 48) / (349 + 56)
    across = sum((r / n - pooled) ** 2 / (pooled * (1 - pooled) / n) for r, n in ((193, 349), (48, 56))) / 1
    assert upheld["dispersion_across_causes"].iloc[0] == pytest.approx(across)


def test_cause_model_reference_levels_and_terms(outcome_rows):
    model = rc.cause_model(rc.outcome_counts(outcome_rows, "bromley", "2023-24"))
    assert model.reference_cause == "lack_of_action" and model.reference_division == "education"
    terms = set(model.odds_ratios["term"])
    assert "cause: delay" in terms and "division: housing" in terms and len(terms) == 1 + 5
    delay = model.odds_ratios.set_index("term").loc["cause: delay"]
    assert delay["low"] < delay["odds_ratio"] < delay["high"] and delay["odds_ratio"] > 1
    assert model.n_cells == 12
    # Holm: adjusted p values are never smaller, and the counts are those of the two p columns
    table = model.odds_ratios
    assert (table["p_holm"] >= table["p_value"] - 1e-15).all()
    raw, holm, tested = rc.significant_counts(model)
    assert (raw, holm, tested) == (int((table["p_value"] < .05).sum()), int((table["p_holm"] < .05).sum()), 6)
    assert f"{raw} of 6 terms are significant at 5% before, {holm} after Holm" in rc.holm_text(model)


def test_a_council_without_categories_is_reported_not_fatal(taxonomy):
    frame = pd.DataFrame([obs("harrow", "2019-20", "all", "", "complaints", 5)])
    study = rc.analyse(frame, taxonomy, "harrow", "", ["harrow"])
    assert study.without_causes == ["harrow"] and study.pareto.empty and study.model is None
    assert "**Harrow**" in rc.scope_text(study)  # the council's name, not its id
    assert rc.findings(study)["councils_without_causes"] == ["harrow"]


# ---------------------------------------------------------------------------------------
# The notebook, executed with papermill on a fresh copy of the project


@pytest.fixture(scope="module")
def findings(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("root_causes") / "project"
    shutil.copytree(RAW, root / "data" / "raw")
    shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    (root / "notebooks").mkdir()
    shutil.copy2(ROOT / "notebooks" / "02_root_causes.ipynb", root / "notebooks")
    for command in (["clean"], ["run", "--notebook", "02_root_causes", "--council", "all", "--force"]):
        result = subprocess.run([sys.executable, "-m", "analysis", "--root", str(root), *command],
                                capture_output=True, text=True, cwd=root)
        assert command[0] == "clean" or result.returncode == 0, result.stdout + result.stderr
    return json.loads((root / "outputs" / "findings" / "02_root_causes__all.json").read_text(encoding="utf-8"))


def _top(findings, council, period, division="all"):
    hits = [v for v in findings["top_causes"].values()
            if (v["council"], v["period"], v["division"], v["service"]) == (council, period, division, "")]
    if not hits:
        pytest.fail(f"no top cause for {council} {period} {division} in the findings")
    return hits[0]


def test_findings_bromley_2023_24_lack_of_action_leads(findings):
    top = _top(findings, "bromley", "2023-24")
    # BROMLEY_24:137 Lack of Action 375; :140 Total 1,108 aspects
    assert (top["category"], top["category_std"], top["value"], top["table_total"]) == ("Lack of Action", "lack_of_action", 375, 1108)
    assert top["source"].endswith("bromley_2023-24_complaints-and-compliments-annual-report.txt:137")
    assert findings["shown_periods"]["bromley"] == "2023-24"


def test_findings_bromley_2019_20_quality_of_service_leads(findings):
    top = _top(findings, "bromley", "2019-20")
    # BROMLEY_20:669 Quality of Service 149 of :673 589 aspects (printed 25.3%)
    assert (top["category"], top["value"], top["table_total"]) == ("Quality of Service", 149, 589)
    assert round(top["share"] * 100, 1) == 25.3


def test_findings_barking_and_dagenham_children_poor_communication(findings):
    top = _top(findings, "barking_and_dagenham", "2018-19", "childrens_social_care")
    # BD:94 Poor Communication 46; BD:84-94 sum 8+0+5+0+13+0+5+1+1+2+46 = 81 (printed 57%)
    assert (top["category"], top["value"], top["table_total"]) == ("Poor Communication", 46, 81)


def test_findings_bromley_change_and_upheld(findings):
    change = findings["bromley_change"]
    lack = change["by_cause"]["lack_of_action"]
    # 110 of 589 (BROMLEY_20:668, :673) → 375 − 19 of 1,108 − 171 (BROMLEY_24:137, :140), E&PP left out
    assert (lack["before"], lack["before_total"], lack["after"], lack["after_total"]) == (110, 589, 356, 937)
    assert change["largest_rise"] == "lack_of_action"
    upheld = findings["upheld_by_cause"]["bromley 2023-24"]
    # hand sums of BROMLEY_24:301, 448, 554, 668, 765, 893 (see LACK_24) and :305 … :897 (DELAY_24)
    assert (upheld["lack_of_action"]["upheld_or_partially"], upheld["lack_of_action"]["decided"]) == (193, 349)
    assert (upheld["delay"]["upheld_or_partially"], upheld["delay"]["decided"]) == (48, 56)
    glm = findings["bromley_glm"]
    assert glm["period"] == "2023-24" and glm["reference_cause"] == "lack_of_action"
    assert glm["odds_ratios"]["cause: delay"]["low"] > 1  # delay upheld more often, division held fixed


def test_findings_say_which_councils_have_no_causes(findings):
    # Harrow's nature-of-complaint counts were charts, lost in conversion (harrow_2019-20…txt:917-920 blank)
    assert findings["councils_without_causes"] == ["harrow"]
    assert set(findings["councils"]) == {"barking_and_dagenham", "bromley", "harrow", "lewisham"}


def test_findings_state_dispersion_holm_and_the_london_funnel(findings):
    # every upheld table states its φ, and what it is across
    assert {"bromley 2023-24", "lewisham 2020-21"} <= set(findings["dispersion"])
    bromley = findings["dispersion"]["bromley 2023-24"]
    assert bromley["phi"] > 1 and "division x cause cells" in bromley["across"]
    delay = findings["upheld_by_cause"]["bromley 2023-24"]["delay"]
    assert delay["adjusted_low"] < delay["low"] <= delay["rate"] <= delay["high"] < delay["adjusted_high"]
    # Holm on the GLM's terms: the counts are those of the published p values
    terms = findings["bromley_glm"]["odds_ratios"].values()
    assert findings["glm_significant_raw"] == sum(t["p_value"] < .05 for t in terms)
    assert findings["glm_significant_holm"] == sum(t["p_holm"] < .05 for t in terms)
    assert findings["glm_significant_holm"] < findings["glm_significant_raw"]  # the correction matters here
    # the London funnel: every borough of LEWISHAM_2020-21:2212/2218 (28), Bromley 26 of 103
    assert len(findings["funnel"]) >= 25
    rows = {r["borough"]: r for r in findings["funnel"]}
    assert (rows["bromley"]["upheld"], rows["bromley"]["decided"]) == (26, 103)
    # (the findings JSON rounds to 6 decimals)
    assert findings["funnel_pooled"] == pytest.approx(sum(r["upheld"] for r in rows.values()) / sum(r["decided"] for r in rows.values()), abs=1e-6)
    assert findings["funnel_dispersion"] > 0
    assert 3 <= len(findings["key_findings"]) <= 5 and all(isinstance(k, str) and k for k in findings["key_findings"])
    # aspects per complaint (like-for-like aspects / printed complaints Total, both without E&PP):
    # 589 / 445 (BROMLEY_20:673, :620) and 937 / 533 (BROMLEY_24:140 less E&PP, :94)
    assert findings["bromley_aspects_per_complaint"] == pytest.approx({"2019-20": 589 / 445, "2023-24": 937 / 533}, abs=1e-6)
