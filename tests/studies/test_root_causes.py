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

from analysis.clean.taxonomy import load_taxonomy
from analysis.paths import Paths
from analysis.stats import quasi_wilson, wilson
from analysis.studies import root_causes as rc
from analysis.studies.comparable import load_corrections

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
def corrections():
    """The reviewed corrections file (data/reference: hand-maintained, not generated data)."""
    return load_corrections(ROOT / "data" / "reference")


@pytest.fixture(scope="module")
def bromley_rows(taxonomy, corrections):
    """The two causes tables as printed, each cell on its printed line, with the reviewed corrections applied."""
    rows = _table("2019-20", DIVISIONS_20, CAUSES_20) + _table("2023-24", DIVISIONS_24, CAUSES_24)
    for row in rows:  # BROMLEY_20:665-673 is the 2019-20 table; the corrections name the cell by its line
        if row["period"] == "2019-20":
            row.update(report_period="2019-20", source_line=665 + list(CAUSES_20).index(row["category"]))
    return rc.cause_rows(pd.DataFrame(rows), taxonomy, corrections)


def test_the_2019_20_housing_double_count_is_corrected_and_the_printed_figure_kept(bromley_rows):
    # BROMLEY_20:671 prints Housing "Behaviour of another" 20 (Total 22); Housing's own table prints 1 (:1091)
    # and its 20 temporary-accommodation aspects (:1089) are already in Quality of Service 31 (:669 = 11 + 20)
    fixed = bromley_rows[bromley_rows["correction"] != ""].set_index("division")
    assert set(fixed.index) == {"housing", "all"} and set(fixed["source_line"]) == {671}
    assert (fixed.loc["housing", "printed_value"], fixed.loc["housing", "value"]) == (20, 1)
    assert (fixed.loc["all", "printed_value"], fixed.loc["all", "value"]) == (22, 3)
    housing_20 = bromley_rows[(bromley_rows["period"] == "2019-20") & (bromley_rows["division"] == "housing")]
    assert housing_20["value"].sum() == 97  # BROMLEY_20:645 Housing 97 aspects


def test_a_correction_does_not_apply_once_the_report_prints_another_value(taxonomy, corrections):
    rows = _table("2019-20", DIVISIONS_20, CAUSES_20)
    for row in rows:
        row.update(report_period="2019-20", source_line=665 + list(CAUSES_20).index(row["category"]))
        if row["category"] == "Behaviour of another" and row["division"] == "housing":
            row["value"] = 19.0  # a re-issued report printing another figure: the old correction must not apply
    frame = rc.cause_rows(pd.DataFrame(rows), taxonomy, corrections)
    assert set(frame.loc[frame["correction"] != "", "division"]) == {"all"}
    assert frame.loc[(frame["division"] == "housing") & (frame["category"] == "Behaviour of another"), "value"].item() == 19


def test_pareto_of_bromley_2023_24(bromley_rows):
    headline = rc.headline_tables(rc.share_tables(bromley_rows))
    assert set(headline["division"]) == {"all"}  # division columns are a breakdown of the Total column
    tops = rc.top_causes(headline).set_index("period")
    # BROMLEY_24:137 Lack of Action 375 of :140 1,108 (printed 33.8%); BROMLEY_20:669 Quality of Service 149 of 570
    # (:673 prints 589, which counts 19 Housing aspects twice: :649 TOTAL 570)
    assert (tops.loc["2023-24", "category"], tops.loc["2023-24", "value"], tops.loc["2023-24", "table_total"]) == ("Lack of Action", 375, 1108)
    assert round(tops.loc["2023-24", "share"] * 100, 1) == 33.8
    assert (tops.loc["2019-20", "category"], tops.loc["2019-20", "table_total"]) == ("Quality of Service", 570)
    latest = headline[headline["period"] == "2023-24"].sort_values("rank")
    assert latest["cumulative"].iloc[-1] == pytest.approx(1.0)
    assert latest["category"].head(2).tolist() == ["Lack of Action", "Quality of Service"]


def test_like_for_like_change_leaves_out_epp_and_planning(bromley_rows):
    comparable = rc.comparable_divisions(bromley_rows, "2019-20", "2023-24")
    assert set(comparable.excluded) == {"environment_public_protection", "planning_regeneration"}
    changes = {c.code: c for c in rc.change(bromley_rows, "2019-20", "2023-24")}
    lack = changes["lack_of_action"]
    # 2019-20: 110 of 570 (BROMLEY_20:668, :649); 2023-24 without EPP and P&R: 375 − 19 − 18 of 1,108 − 171 − 51
    # (BROMLEY_24:137, :140)
    assert (lack.before, lack.before_total, lack.after, lack.after_total) == (110, 570, 338, 886)
    assert lack.difference == pytest.approx(338 / 886 - 110 / 570)
    assert lack.low > 0  # a clear rise
    assert rc.change(bromley_rows, "2019-20", "2023-24")[0].code == "lack_of_action"
    # 'other' (Behaviour of another): 3 → 0 once the double count is corrected, not 22 → 0
    assert (changes["other"].before, changes["other"].after) == (3, 0)


def test_change_interval_is_newcombe_on_aspects_per_complaint_with_plain_as_sensitivity(bromley_rows):
    from analysis.stats import compare_proportions, quasi_newcombe

    # φ = aspects per complaint: BROMLEY_20:649 570 aspects / :620 445 complaints; BROMLEY_24:122 937 / :94 533
    # without P&R (:118 51 aspects, :90 32 complaints)
    phi_20, phi_24 = 570 / 445, (937 - 51) / (533 - 32)
    lack = {c.code: c for c in rc.change(bromley_rows, "2019-20", "2023-24", phi_before=phi_20,
                                        phi_after=phi_24)}["lack_of_action"]
    by_hand = quasi_newcombe(338, 886, 110, 570, phi_24, phi_20)
    plain = compare_proportions(338, 886, 110, 570)
    assert (lack.low, lack.high, lack.p_value) == pytest.approx((by_hand.low, by_hand.high, by_hand.p_value))
    assert (lack.plain_low, lack.plain_high) == pytest.approx((plain.low, plain.high))
    assert lack.low < lack.plain_low and lack.high > lack.plain_high  # wider: aspects are not independent
    assert (lack.phi_before, lack.phi_after) == pytest.approx((phi_20, phi_24))
    # without a φ the primary is the plain interval (φ taken as 1), said by phi = 1
    same = {c.code: c for c in rc.change(bromley_rows, "2019-20", "2023-24")}["lack_of_action"]
    assert (same.low, same.phi_before) == pytest.approx((plain.low, 1.0))


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
    assert (upheld.loc["delay", "wilson_low"], upheld.loc["delay", "wilson_high"]) == pytest.approx((expected.low, expected.high))
    # φ by hand: Pearson χ² of the 12 cells (6 divisions × 2 causes) around each cause's own rate, / (12 − 2)
    cells = [(u + p_, u + p_ + n) for _, u, p_, n in LACK_24] + [(u + p_, u + p_ + n) for _, u, p_, n in DELAY_24]
    rates = [193 / 349] * 6 + [48 / 56] * 6
    phi = sum((x - m * r) ** 2 / (m * r * (1 - r)) for (x, m), r in zip(cells, rates)) / (12 - 2)
    assert upheld.loc["delay", "phi"] == pytest.approx(max(phi, 1.0))
    adjusted = quasi_wilson(48, 56, phi)
    assert (upheld.loc["delay", "low"], upheld.loc["delay", "high"]) == pytest.approx((adjusted.low, adjusted.high))
    assert upheld.loc["delay", "low"] <= expected.low  # never narrower than the plain interval
    assert upheld.index[0] == "delay"  # sorted by rate, highest first
    # The outcome test: χ² by hand on the summed outcome counts (rows above), no continuity correction
    test = rc.outcome_test(outcomes)
    observed = np.array([[157, 36, 156], [46, 2, 8]])  # fully, partly, not: lack of action; service delay
    expected_counts = observed.sum(1, keepdims=True) * observed.sum(0) / observed.sum()
    assert test.statistic == pytest.approx(((observed - expected_counts) ** 2 / expected_counts).sum())
    assert test.dof == 2


def test_cause_model_reference_levels_and_terms(outcome_rows):
    model = rc.cause_model(rc.outcome_counts(outcome_rows, "bromley", "2023-24"))
    assert model.reference_cause == "lack_of_action" and model.reference_division == "education"
    terms = set(model.odds_ratios["term"])
    assert "cause: delay" in terms and "division: housing" in terms and len(terms) == 1 + 5
    delay = model.odds_ratios.set_index("term").loc["cause: delay"]
    assert delay["low"] < delay["odds_ratio"] < delay["high"] and delay["odds_ratio"] > 1
    assert model.n_cells == 12


def test_cause_model_holm_adjusts_its_terms(outcome_rows):
    model = rc.cause_model(rc.outcome_counts(outcome_rows, "bromley", "2023-24"))
    table = model.odds_ratios
    assert (table["p_holm"] >= table["p_value"] - 1e-12).all()
    smallest = table["p_value"].min()
    assert table.loc[table["p_value"].idxmin(), "p_holm"] == pytest.approx(min(1.0, smallest * len(table)))
    terms, before, after = rc.significant_counts(model)
    assert terms == 6 and after <= before


def test_shift_share_decomposes_the_lack_of_action_rise(bromley_rows):
    shift = rc.shift_share(bromley_rows, "lack_of_action", "2019-20", "2023-24")
    table = shift.divisions.set_index("division")
    # Housing alone in both years (Planning & Regeneration was not in Bromley's 2019-20 reporting: BROMLEY_20:552, :1033):
    # lack of action 37 of 122 aspects (BROMLEY_24:137, :140); 2019-20: 25 of 97 (BROMLEY_20:668; :645, corrected)
    assert "planning_regeneration" not in table.index
    assert (table.loc["housing", "code_after"], table.loc["housing", "aspects_after"]) == (37, 122)
    assert (table.loc["housing", "code_before"], table.loc["housing", "aspects_before"]) == (25, 97)
    assert shift.share_before == pytest.approx(110 / 570) and shift.share_after == pytest.approx(338 / 886)
    assert shift.mix + shift.within + shift.interaction == pytest.approx(shift.share_after - shift.share_before)
    # fixed mix by hand: Σ (2019-20 division aspects / 570) × (2023-24 division share)
    w = {"adult_social_care": 164, "childrens_social_care": 143, "housing": 97, "education": 49, "chief_executives": 117}
    s1 = {"adult_social_care": 41 / 154, "childrens_social_care": 53 / 197, "housing": 37 / 122, "education": 151 / 231,
          "chief_executives": 56 / 182}
    assert shift.share_fixed_mix == pytest.approx(sum(w[d] / 570 * s1[d] for d in w))
    assert shift.share_before < shift.share_fixed_mix < shift.share_after


def test_lewisham_upheld_is_split_by_organisation(taxonomy):
    # lewisham_2020-21…txt:218-222 Account Query (Revenues): 98 complaints, resolved early 8, not upheld 79, partly 6,
    # upheld 5; :262-266 Plumbing (Lewisham Homes): 61, 0, 8, 30, 20
    rows = []
    for service, division, label, counts in (("Lewisham Council", "all", "Account Query (Revenues)", (5, 6, 79)),
                                             ("Lewisham Homes", "housing", "Plumbing", (20, 30, 8))):
        for measure, value in zip(rc.OUTCOMES, counts):
            rows.append(obs("lewisham", "2020-21", division, label, measure, value, service=service, table="top_issues"))
    study = rc.analyse(pd.DataFrame(rows), taxonomy, "lewisham", "", ["lewisham"])
    keys = {rc.upheld_key(*k) for k in study.upheld}
    assert keys == {"lewisham 2020-21, Lewisham Council", "lewisham 2020-21, Lewisham Homes"}
    homes = study.upheld[("lewisham", "2020-21", "Lewisham Homes")].set_index("category_std")
    assert (homes.loc["service_topic", "upheld_or_partially"], homes.loc["service_topic", "decided"]) == (50, 58)


def test_a_council_without_categories_is_reported_not_fatal(taxonomy):
    frame = pd.DataFrame([obs("harrow", "2019-20", "all", "", "complaints", 5)])
    study = rc.analyse(frame, taxonomy, "harrow", "", ["harrow"])
    assert study.without_causes == ["harrow"] and study.pareto.empty and study.model is None
    assert "Harrow" in rc.scope_text(study)
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
    # BROMLEY_20:669 Quality of Service 149 of 570 aspects (:649; the table's :673 prints 589 and 25.3%, counting
    # 19 Housing aspects twice: see data/reference/analysis_corrections.csv)
    assert (top["category"], top["value"], top["table_total"]) == ("Quality of Service", 149, 570)
    assert round(top["share"] * 100, 1) == 26.1


def test_findings_barking_and_dagenham_children_poor_communication(findings):
    top = _top(findings, "barking_and_dagenham", "2018-19", "childrens_social_care")
    # BD:94 Poor Communication 46; BD:84-94 sum 8+0+5+0+13+0+5+1+1+2+46 = 81 (printed 57%)
    assert (top["category"], top["value"], top["table_total"]) == ("Poor Communication", 46, 81)


def test_findings_bromley_change_and_upheld(findings):
    change = findings["bromley_change"]
    lack = change["by_cause"]["lack_of_action"]
    # 110 of 570 (BROMLEY_20:668, :649) → 375 − 19 − 18 of 1,108 − 171 − 51 (BROMLEY_24:137, :140), E&PP and P&R left out
    assert (lack["before"], lack["before_total"], lack["after"], lack["after_total"]) == (110, 570, 338, 886)
    assert change["excluded_divisions"] == {"environment_public_protection": "outside the printed Total",
                                            "planning_regeneration": "no figure for 2019-20"}
    assert [c["source"].rsplit(":", 1)[1] for c in change["corrected_cells"]] == ["671", "671"]
    # 4 of the 8 causes change clearly once the base is corrected (the review's recomputation), not 5
    assert sum(c["p_holm"] < 0.05 for c in change["by_cause"].values()) == 4
    assert change["largest_rise"] == "lack_of_action"
    upheld = findings["upheld_by_cause"]["bromley 2023-24"]
    # hand sums of BROMLEY_24:301, 448, 554, 668, 765, 893 (see LACK_24) and :305 … :897 (DELAY_24)
    assert (upheld["lack_of_action"]["upheld_or_partially"], upheld["lack_of_action"]["decided"]) == (193, 349)
    assert (upheld["delay"]["upheld_or_partially"], upheld["delay"]["decided"]) == (48, 56)
    glm = findings["bromley_glm"]
    assert glm["period"] == "2023-24" and glm["reference_cause"] == "lack_of_action"
    assert glm["odds_ratios"]["cause: delay"]["low"] > 1  # delay upheld more often, division held fixed


def test_findings_give_a_top_five_list_as_a_share_of_all_complaints(findings):
    top = findings["top_causes"]["Lewisham 2020-21, Lewisham Council (complaints)"]
    # lewisham_2020-21…txt:218 Account Query (Revenues) 98 of the Top 5 list's 411, against :142 1,926 stage 1 complaints
    assert (top["value"], top["table_total"], top["organisation_complaints"]) == (98, 411, 1926)
    assert top["partial_list"] and top["organisation_source"].endswith(":142")
    assert round(top["share_of_complaints"] * 100, 1) == 5.1 and round(top["unclassified"] * 100) == 79
    bromley = _top(findings, "bromley", "2023-24")
    assert bromley["partial_list"] is False  # the causes table covers every aspect


def test_findings_say_which_councils_have_no_causes(findings):
    # Harrow's nature-of-complaint counts were charts, lost in conversion (harrow_2019-20…txt:917-920 blank)
    assert findings["councils_without_causes"] == ["harrow"]
    assert set(findings["councils"]) == {"barking_and_dagenham", "bromley", "harrow", "lewisham"}


def test_findings_state_dispersion_and_holm(findings):
    phi = findings["dispersion"]["bromley 2023-24"]
    assert phi["phi"] > 1 and phi["cells"] >= 30  # the division × label cells of Bromley's nature-of-complaint tables
    delay = findings["upheld_by_cause"]["bromley 2023-24"]["delay"]
    assert delay["phi"] == pytest.approx(phi["phi"])
    assert delay["low"] < delay["wilson_low"] and delay["high"] > delay["wilson_high"]
    glm = findings["bromley_glm"]
    assert glm["terms_tested"] == 12 and glm["significant_after_holm"] < glm["significant_before_holm"]
    assert set(findings["upheld_by_cause"]) == {"bromley 2023-24", "lewisham 2020-21, Lewisham Council",
                                                "lewisham 2020-21, Lewisham Homes"}
    # lewisham_2020-21…txt:262-294: within Lewisham Homes, outcome does not depend on cause
    assert findings["outcome_depends_on_cause"]["lewisham 2020-21, Lewisham Homes"]["p_holm"] > 0.05


def test_findings_shift_share_and_recording_change(findings):
    shift = findings["bromley_shift_share"]
    assert shift["share_before"] == pytest.approx(110 / 570, abs=1e-6) and shift["share_after"] == pytest.approx(338 / 886, abs=1e-6)
    # the review's corrected decomposition: fixed mix 31.5%, within +12.2, mix +5.8, interaction +0.8 points
    assert [round(shift[k] * 100, 1) for k in ("share_fixed_mix", "within", "mix", "interaction")] == [31.5, 12.2, 5.8, 0.8]
    assert shift["share_before"] < shift["share_fixed_mix"] < shift["share_after"]
    recording = findings["bromley_recording"]
    # BROMLEY_20:649 aspects 570, :620 complaints 445; BROMLEY_24:122 aspects 937 − 51 (P&R, :118), :94 complaints
    # 533 − 32 (P&R, :90)
    assert (recording["2019-20"]["aspects"], recording["2019-20"]["complaints"]) == (570, 445)
    assert (recording["2023-24"]["aspects"], recording["2023-24"]["complaints"]) == (886, 501)
    # "Behaviour of another": 1 + 1 + 1 (Housing corrected, BROMLEY_20:1091) + 0; no such row in BROMLEY_24:133-140
    assert (recording["2019-20"]["other_aspects"], recording["2023-24"]["other_aspects"]) == (3, 0)


def test_findings_primary_is_the_like_for_like_change_and_cannot_be_told_from_recording(findings):
    primary = findings["primary"]
    assert primary["question"] == "root_causes" and primary["unit"] == "percentage points"
    # 110 of 570 (BROMLEY_20:668, :649) → 338 of 886 (BROMLEY_24:137, :140 without E&PP and P&R)
    assert primary["value"] == pytest.approx((338 / 886 - 110 / 570) * 100, abs=1e-4)
    assert primary["low"] > 0 and primary["councils"] == ["bromley"] and primary["years"] == ["2019-20", "2023-24"]
    # aspects per complaint 570/445 = 1.28 → 886/501 = 1.77: the recording changed in the same direction
    assert primary["strength"] == "cannot be told from a change in recording" and "1.28 to 1.77" in primary["reason"]
    # Education's lack of action 24 → 151 (BROMLEY_20:668, BROMLEY_24:137) of the like-for-like rise 110 → 338
    rise = findings["lack_of_action_rise_by_division"]
    assert rise["rise"] == 338 - 110 and rise["divisions"]["education"]["change"] == 151 - 24
    assert "Education supplied 56% of the rise" in primary["finding"]


def test_findings_lack_of_action_share_sensitivity_and_key_findings(findings):
    primary = findings["lack_of_action_share"]
    # BROMLEY_24:137 Lack of Action 375 of :140 1,108; φ = 1,108 aspects / 738 complaints (BROMLEY_24:82)
    assert (primary["count"], primary["total"]) == (375, 1108)
    assert primary["phi"] == pytest.approx(1108 / 738, abs=1e-6)
    assert primary["low"] < 375 / 1108 < primary["high"]
    assert primary["sensitivity"][0]["estimate"].startswith("PRIMARY") and len(primary["sensitivity"]) >= 4
    rows = findings["crosswalk_sensitivity"]
    assert rows[0]["label"] == "(as mapped)" and len(rows) >= 5
    assert 3 <= len(findings["key_findings"]) <= 5
    assert all("_" not in bullet and "nan" not in bullet.lower() for bullet in findings["key_findings"])


def test_findings_hold_the_london_funnel(findings):
    # lewisham_2020-21…txt:2212 (received) and :2218 (upheld): 28 boroughs; Bromley 26 of 103
    assert len(findings["funnel"]) == 28 and findings["funnel_dispersion"] > 0
    bromley = next(r for r in findings["funnel"] if r["borough"] == "bromley")
    assert (bromley["upheld"], bromley["received"]) == (26, 103)
    assert findings["funnel_pooled"] == pytest.approx(455 / 2544, abs=1e-6)


def test_findings_change_uses_the_adjusted_interval_and_states_phi(findings):
    change = findings["bromley_change"]
    lack = change["by_cause"]["lack_of_action"]
    # φ per year = aspects per complaint, like for like: BROMLEY_20:649 570 / :620 445; BROMLEY_24 (937 − 51) / (533 − 32)
    assert change["phi"] == {"2019-20": pytest.approx(570 / 445, abs=1e-6), "2023-24": pytest.approx(886 / 501, abs=1e-6)}
    assert lack["low"] < lack["plain_low"] < lack["difference"] < lack["plain_high"] < lack["high"]
    assert lack["low"] > 0 and "Newcombe" in change["method"]


def test_findings_flag_the_printed_rates_the_division_tables_contradict(findings):
    rows = {(r["period"], r["category"]): r for r in findings["printed_rate_conflicts"]["rows"]}
    # BROMLEY_24:139 "Service Delay … 56 5.1% 67.9%"; the divisions' tables give 48 of 56 upheld or partly (85.7%)
    delay = rows[("2023-24", "Service Delay")]
    assert (delay["printed_pct"], delay["derived_pct"], delay["aspects"]) == (67.9, 85.7, 56)
    assert delay["source"].endswith("bromley_2023-24_complaints-and-compliments-annual-report.txt:139")
    # BROMLEY_24:137 "Lack of Action … 375 33.8% 40.0%": the division tables give 193 of 356 (54.2%); with E&PP's 19
    # aspects (no division table) the rate over 375 is 51.5% to 56.5% whatever their outcome, so 40.0% is flagged too
    lack = rows[("2023-24", "Lack of Action")]
    assert (lack["printed_pct"], lack["derived_pct"]) == (40.0, 54.2)
    # BROMLEY_24:138 "Quality of Service … 349 … 21.2%": the division tables allow no less than 29.8%
    assert rows[("2023-24", "Quality of Service")]["printed_pct"] == 21.2
    assert len(rows) == 13 and all(r["printed_pct"] < r["derived_pct"] for r in rows.values())


# --- the policy page: one chart per finding, in plain words (issue 25) ------------------------------------------

NOTATION = ("φ", "CI", "Wilson", "Newcombe", "Holm", "n /", "n=", "95% interval", "95% limits", "pooled", "E&PP")


@pytest.fixture(scope="module")
def seed_study(seed_project, taxonomy):
    from analysis.clean.manifest import read_manifest
    from analysis.data import load_conflicts, load_observations

    observations = load_observations(seed_project)
    councils = sorted({e.council for e in read_manifest(seed_project)})

    def study(council):
        return rc.analyse(observations, taxonomy, council, "", councils, load_conflicts(seed_project),
                          load_corrections(seed_project.reference))
    return study


def chart_texts(fig) -> str:
    from analysis import charts

    svg, meta = charts.render(fig)
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", t) for t in re.findall(r"<text\b.*?</text>", svg, flags=re.S)) + meta["alt"]


def test_the_all_councils_chart_shows_each_tables_largest_cause(seed_study):
    study = seed_study("all")
    leaders = rc.largest_causes(study).set_index("table")
    # BROMLEY_24:137 Lack of Action 375 of the causes table's 1,108 aspects (:140)
    assert leaders.loc["Bromley 2023-24, all divisions", "share"] == pytest.approx(375 / 1108)
    assert leaders.loc["Bromley 2023-24, all divisions", "cause"] == "lack of action"
    # lewisham_2020-21…txt:218 Account Query (Revenues) 98, a top-five list: shown of all :142 1,926 complaints
    council = leaders.loc["Lewisham 2020-21, Lewisham Council"]
    assert council["share"] == pytest.approx(98 / 1926) and council["of"] == "of all 1,926 complaints"
    # BD:94 Poor Communication 46 of the children's social care stage 1 table's 81 complaints
    assert leaders.loc["Barking and Dagenham 2018-19, children's social care, stage 1", "share"] == pytest.approx(46 / 81)
    text = chart_texts(rc.largest_causes_chart(study))
    assert "Lack of action is the largest cause in 2 of the 8 tables" in " ".join(text.split())
    assert "Lewisham 2020-21, Lewisham Council: charging and billing, 5% of all 1,926 complaints" in rc.leaders_alt(study)


def test_a_councils_page_charts_its_own_largest_table(seed_study):
    study = seed_study("lewisham")
    table = rc.main_table(study)
    # lewisham_2020-21…txt:218 onwards: the Council's top five (411 complaints) is its largest counted table
    assert (table["council"].iloc[0], table["service"].iloc[0], table["value"].sum()) == ("lewisham", "Lewisham Council", 411)
    assert "Bromley" not in rc.largest_causes_text(study) and "Bromley" not in rc.upheld_summary(study)


@pytest.mark.parametrize("council", ["all", "bromley"])
def test_the_policy_charts_carry_no_notation(seed_study, seed_project, council):
    from analysis.data import load_observations
    from analysis.reference import load_external_figures
    from analysis.studies import benchmark as bm

    study = seed_study(council)
    key = rc.upheld_chart_key(study)
    figures = [rc.largest_causes_chart(study), rc.change_figure(study.changes, study.names, study.change_periods),
               rc.upheld_figure(study.upheld[key], study.names, rc.upheld_title(*key)),
               bm.funnel_figure(bm.benchmark(load_observations(seed_project), load_external_figures(Paths(ROOT))))]
    for fig in figures:
        text = chart_texts(fig)
        assert not [n for n in NOTATION if n in text], text[:300]
    words = rc.change_summary(study) + rc.upheld_summary(study) + rc.scope_brief(study)
    assert not [n for n in NOTATION if n in words], words
    # the Bromley change, like for like: 110 of 570 aspects (BROMLEY_20:668 with the corrected base) → 338 of 886
    assert "from 19% of Bromley's complaint aspects in 2019-20 to 38% in 2023-24" in rc.change_summary(study)
    assert "4 of the 8 causes changed" in rc.change_summary(study)
