"""The COVID dip (src/analysis/studies/covid.py, notebooks/05_covid_dip.ipynb).

Observed dips are checked against figures read by hand from the raw reports (file:line in
each comment); the model helpers against synthetic series with a known effect.
"""
import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from analysis.data import load_observations, load_reconciled
from analysis.site.findings import load_findings
from analysis.stats import poisson_ratio
from analysis.studies import covid

from conftest import ROOT

BROMLEY_23 = "data/raw/bromley_2023-24_complaints-and-compliments-annual-report.txt"
BROMLEY_19 = "data/raw/bromley_2019-20_committee-briefing-with-annual-complaints-report.txt"
LEWISHAM = "data/raw/lewisham_2020-21_annual-complaints-and-casework-report.txt"


# ---------------------------------------------------------------------------------------
# Synthetic: known answers


def _panel(effect: float, seed: int, years=range(2014, 2024), base=(60, 120, 200, 90, 150), trend=1.04):
    """Poisson counts for five divisions, a 4%/year trend, ``effect`` × in 2020-21 only."""
    rng = np.random.default_rng(seed)
    rows = []
    for d, level in enumerate(base):
        for year in years:
            mean = level * trend ** (year - 2014) * (effect if year == 2020 else 1.0)
            rows.append({"division": f"d{d}", "period": f"{year}-{(year + 1) % 100:02d}",
                         "value": float(rng.poisson(mean))})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dip_model_recovers_a_known_rate_ratio(seed):
    estimate = covid.dip_model(_panel(0.7, seed))
    assert estimate.trend and estimate.formula == "C(division) + t + dip"
    assert estimate.low < 0.7 < estimate.high
    assert estimate.rate_ratio == pytest.approx(0.7, abs=0.06)
    assert estimate.high < 1  # a 30% dip on these counts is detectable
    assert estimate.years[-1] == "2020-21"  # default: fitted up to the dip year only


def test_dip_model_finds_no_dip_where_there_is_none():
    estimate = covid.dip_model(_panel(1.0, 7))
    assert estimate.low < 1.0 < estimate.high


def test_dip_model_with_the_years_after_keeps_the_dip():
    estimate = covid.dip_model(_panel(0.7, 4), after=True)
    assert "post" in estimate.formula and "post_t" in estimate.formula
    assert estimate.low < 0.7 < estimate.high
    assert len(estimate.years) == 10


def test_dip_model_without_a_trend_when_one_pre_year():
    # 100 → 70 in one series: no trend can be fitted, the rate ratio is 70/100 exactly,
    # with the Wald interval exp(log 0.7 ± 1.96·√(1/100 + 1/70)).
    frame = pd.DataFrame({"period": ["2019-20", "2020-21"], "value": [100.0, 70.0]})
    estimate = covid.dip_model(frame, by=None)
    assert not estimate.trend and estimate.formula == "dip"
    assert estimate.rate_ratio == pytest.approx(0.7)
    se = np.sqrt(1 / 100 + 1 / 70)
    assert estimate.low == pytest.approx(0.7 * np.exp(-1.959964 * se), rel=1e-4)
    assert estimate.high == pytest.approx(0.7 * np.exp(1.959964 * se), rel=1e-4)


def test_model_frame_drops_parts_without_a_baseline():
    frame = pd.DataFrame({"division": ["a", "a", "new", "tiny", "tiny"],
                          "period": ["2019-20", "2020-21", "2020-21", "2019-20", "2020-21"],
                          "value": [50.0, 30.0, 25.0, 1.0, 0.0]})
    kept = covid.model_frame(frame)
    assert set(kept["division"]) == {"a"}
    assert list(kept["t"]) == [-1, 0] and list(kept["dip"]) == [0, 1]


def test_counterfactual_trend_on_an_exact_geometric_series():
    # 100, 110, 121, 133.1 before the dip: the log-linear trend predicts 146.41 exactly.
    values = pd.Series([100.0, 110.0, 121.0, 133.1, 117.128],
                       index=["2016-17", "2017-18", "2018-19", "2019-20", "2020-21"])
    result = covid.counterfactual(values)
    assert result["n_pre_years"] == 4 and not result["fragile"]
    assert result["trend"] == pytest.approx(146.41, rel=1e-6)
    assert result["trend_per_year"] == pytest.approx(1.1, rel=1e-6)
    assert result["ratio_to_trend"] == pytest.approx(0.8, rel=1e-6)
    assert result["trend_low"] < 146.41 < result["trend_high"]
    assert result["mean"] == pytest.approx((100 + 110 + 121 + 133.1) / 4)
    two = covid.counterfactual(values.iloc[2:])
    assert two["fragile"] and two["n_pre_years"] == 2


def test_observed_change_and_missing_years():
    values = pd.Series([445.0, 335.0], index=["2019-20", "2020-21"])
    change = covid.observed_change(values)
    assert change["difference"] == -110 and change["pct_change"] == pytest.approx(-24.7191, abs=1e-4)
    assert covid.observed_change(values.iloc[:1]) is None


def test_rebound_like_for_like_and_without_a_division():
    long = pd.DataFrame({"division": ["a", "a", "a", "edu", "edu", "edu", "new", "new"],
                         "period": ["2019-20", "2020-21", "2021-22"] * 2 + ["2020-21", "2021-22"],
                         "value": [100.0, 70.0, 90.0, 20.0, 15.0, 60.0, 10.0, 12.0]})
    with_all = covid.rebound(long).set_index("period")
    assert list(with_all["total"]) == [120, 85, 150]  # "new" has no 2019-20 figure: left out
    without = covid.rebound(long, without=("edu",)).set_index("period")
    assert without.loc["2021-22", "pct_vs_base"] == pytest.approx(-10.0)


def test_poisson_ratio_matches_clopper_pearson():
    # 8 vs 20 (Lewisham adult social care, Q1 2020-21 vs Q1 2019-20): given 28 events, 8 is
    # Binomial(28, p); Clopper–Pearson bounds by beta quantiles, mapped to p/(1-p).
    result = poisson_ratio(8, 20)
    low_p = scipy_stats.beta.ppf(0.025, 8, 21)
    high_p = scipy_stats.beta.ppf(0.975, 9, 20)
    assert result.ratio == pytest.approx(0.4)
    assert result.low == pytest.approx(low_p / (1 - low_p), rel=1e-6)
    assert result.high == pytest.approx(high_p / (1 - high_p), rel=1e-6)
    assert result.p_value == pytest.approx(2 * scipy_stats.binom.cdf(8, 28, 0.5), rel=1e-6)
    # exposure: twice the time for b halves its rate
    assert poisson_ratio(10, 20, 1, 2).ratio == pytest.approx(1.0)


# ---------------------------------------------------------------------------------------
# Real data: data/clean against the reports read by hand


@pytest.fixture(scope="module")
def clean():
    return load_observations(), load_reconciled()


@pytest.fixture(scope="module")
def summary(clean):
    from analysis.studies.caveats import load_caveats

    return covid.summarise(*clean, council="all", caveats=load_caveats(ROOT / "data" / "reference"))


def test_lewisham_stage_1_dip(summary):
    s = summary["series"]["lewisham.stage_1"]
    # lewisham…txt:151 (2019/20 Total 2635) and :152 (2020/21 Total 2307)
    assert s["observed"]["before"] == 2635 and s["observed"]["after"] == 2307
    assert s["observed"]["pct_change"] == pytest.approx(100 * (2307 - 2635) / 2635)  # −12.4%; report :153 prints 13%
    assert s["sources"]["2020-21"] == f"{LEWISHAM}:152"


def test_lewisham_enquiries_rose_while_complaints_fell(summary):
    e = summary["series"]["lewisham.enquiries"]["observed"]
    assert (e["before"], e["after"]) == (5407, 5561)  # lewisham…txt:179-180
    o = summary["series"]["lewisham.ombudsman_referrals"]["observed"]
    assert (o["before"], o["after"]) == (122, 102)  # lewisham…txt:744-745 (Table 10)


def test_lewisham_adult_social_care_first_lockdown_quarter(summary):
    q1 = summary["quarters"]["lewisham.adult_social_care.complaints"]["Q1"]
    # lewisham…txt:1304 (Q1 19/20: 20) and :1305 (Q1 20/21: 8)
    assert (q1["before"], q1["after"]) == (20, 8)
    assert q1["ratio"] == pytest.approx(0.4) and q1["high"] < 1
    assert q1["source_after"] == f"{LEWISHAM}:1305"
    q4 = summary["quarters"]["lewisham.adult_social_care.complaints"]["Q4"]
    assert (q4["before"], q4["after"]) == (22, 32)  # lewisham…txt:1310-1311
    yearly = summary["series"]["lewisham.adult_social_care"]
    # lewisham…txt:1277-1283: 79 (20/21), 87, 78, 69, 76, 70, 90 (14/15)
    assert yearly["values"] == {"2014-15": 90, "2015-16": 70, "2016-17": 76, "2017-18": 69, "2018-19": 78,
                                "2019-20": 87, "2020-21": 79}
    assert yearly["counterfactual"]["n_pre_years"] == 6


def test_bromley_total_and_divisions(summary):
    total = summary["series"]["bromley.complaints_excl_epp"]["observed"]
    assert (total["before"], total["after"]) == (445, 335)  # bromley_2023-24…txt:94
    divisions = summary["panels"]["bromley"]["divisions"]
    # bromley_2023-24…txt:87 Adult Social Care 117 → 57; :88 Children's 105 → 77; :91 Education 38 → 23
    for division, before, after in [("adult_social_care", 117, 57), ("childrens_social_care", 105, 77),
                                    ("education", 38, 23), ("housing", 90, 78)]:  # :89 Housing 90 → 78
        obs = divisions[division]["observed"]
        assert (obs["before"], obs["after"]) == (before, after), division
    assert divisions["adult_social_care"]["observed"]["pct_change"] == pytest.approx(-51.282, abs=1e-3)
    # Planning & Regeneration prints "-" for 2019/20 (:90): no baseline, outside the like-for-like total
    assert divisions["planning_regeneration"]["observed"] is None
    assert summary["panels"]["bromley"]["entered_after_base_year"] == ["planning_regeneration"]


def test_bromley_rebound_with_and_without_education(summary):
    p = summary["panels"]["bromley"]
    # Like for like (no P&R): 2019-20 445; 2023-24 533 − 32 (P&R) = 501 (bromley_2023-24…txt:90,94)
    assert p["rebound"]["2019-20"]["total"] == 445 and p["rebound"]["2023-24"]["total"] == 501
    # Without Education (38 → 135, :91): 407 → 366, i.e. still 10.1% below 2019-20
    assert p["rebound_without_education"]["2019-20"]["total"] == 407
    assert p["rebound_without_education"]["2023-24"]["total"] == 366
    assert p["rebound_without_education"]["2023-24"]["pct_vs_base"] == pytest.approx(100 * (366 / 407 - 1))


def test_bromley_pre_pandemic_years_and_ombudsman(summary):
    total = summary["series"]["bromley.complaints_excl_epp"]
    # bromley_2019-20…txt:620 Total 504 (2017/18), 484 (2018/19), 445 (2019/20)
    assert [total["values"][p] for p in ("2017-18", "2018-19", "2019-20")] == [504, 484, 445]
    assert total["counterfactual"]["pre_years"] == ["2017-18", "2018-19", "2019-20"]
    assert total["counterfactual"]["fragile"]
    asc = summary["panels"]["bromley"]["divisions"]["adult_social_care"]["values"]
    assert (asc["2017-18"], asc["2018-19"]) == (183, 142)  # bromley_2019-20…txt:614
    referrals = summary["series"]["bromley.ombudsman_referrals"]
    # bromley_2019-20…txt:711 165, 139, 149; bromley_2023-24…txt:168 149, 103, 122, 123, 154
    assert referrals["values"] == {"2017-18": 165, "2018-19": 139, "2019-20": 149, "2020-21": 103,
                                   "2021-22": 122, "2022-23": 123, "2023-24": 154}
    model = summary["panels"]["bromley"]["model"]
    assert model["trend"] and model["years"] == ["2017-18", "2018-19", "2019-20", "2020-21"]
    assert "planning_regeneration" not in model["parts"] and "public_health" not in model["parts"]


def test_primary_estimate_is_the_like_for_like_ratio_with_a_dispersion_widened_interval(summary):
    primary = summary["dip"]
    assert primary["name"] == "primary" and primary["council"] == "bromley"
    # 2019-20 by division: ASC 117, CSC 105, Housing 90, Education 38, Chief Executive's 95 (bromley_2019-20…txt:614-618);
    # 2020-21: 57, 77, 78, 23, 75 (bromley_2023-24…txt:87-92). Planning & Regeneration (25, :90) has no 2019-20
    # figure and Public Health is 0 in both years (:93, bromley_2019-20…txt:619): neither counts.
    before = np.array([117, 105, 90, 38, 95.0])
    after = np.array([57, 77, 78, 23, 75.0])
    assert (primary["before"], primary["after"]) == (445, 310)
    assert primary["estimate"] == pytest.approx(310 / 445)
    assert "planning_regeneration" not in primary["parts"] and "public_health" not in primary["parts"]
    # Pearson dispersion of a common ratio across divisions: χ² of the 5 × 2 table over its 4 df
    table = np.column_stack([before, after])
    expected = np.outer(table.sum(1), table.sum(0)) / table.sum()
    phi = float(((table - expected) ** 2 / expected).sum() / 4)
    assert primary["dispersion"] == pytest.approx(phi, rel=1e-6) and phi > 1
    # The quasi-Poisson interval on t(4) (φ estimated on the 5 × 2 table's 4 residual df): log-ratio ± t·√φ·√(1/445 + 1/310)
    half = scipy_stats.t.ppf(0.975, 4) * np.sqrt(phi * (1 / 445 + 1 / 310))
    assert primary["low"] == pytest.approx(310 / 445 * np.exp(-half), rel=1e-4)
    assert primary["high"] == pytest.approx(310 / 445 * np.exp(half), rel=1e-4)
    assert primary["high"] < 1 and primary["assumptions"] and primary["method"]
    assert (round(primary["low"], 2), round(primary["high"], 2)) == (0.52, 0.93)  # the review's t(4) range, not 0.57–0.86
    names = [row["name"] for row in summary["sensitivity"]]
    assert names[:4] == ["like_for_like_level_panel_phi", "like_for_like_vs_trend", "printed_total",
                         "printed_total_vs_trend"] and "model" in names
    # the printed total counts P&R from 2020-21: 335 / 445 (bromley_2023-24…txt:94)
    assert summary["sensitivity"][2]["estimate"] == pytest.approx(335 / 445)


def test_epp_enters_only_as_a_labelled_sensitivity_row(summary):
    rows = {r["name"]: r for r in summary["sensitivity"]}
    wider = rows["like_for_like_with_outside_total"]
    # E&PP 211 → 207 (bromley_2019-20…txt:621; bromley_2023-24…txt:95) added to the primary's 445 → 310
    assert (wider["before"], wider["after"]) == (445 + 211, 310 + 207)
    assert round(wider["estimate"], 2) == 0.79 and "environment_public_protection" in wider["parts"]
    assert "Environment" in wider["label"] and "outside the printed Total" in wider["label"]


def test_the_lockdown_quarter_is_stated_with_the_quarter_that_rose_and_the_reports_own_caveat(summary):
    sentence = next(k for k in summary["key_findings"] if "first lockdown quarter" in k)
    # lewisham…txt:1304-1305 Q1 20 → 8; :1310-1311 Q4 22 → 32; the report's portal-routing caveat at :1446-1448
    assert "8 against 20" in sentence and "Q4 rose from 22 to 32" in sentence
    assert "1.01 times their 6-year trend" in sentence  # the whole year shows no dip
    assert "customer portal" in sentence
    caveat = summary["quarter_caveats"]["lewisham.adult_social_care.complaints"][0]
    assert caveat["source"] == "data/raw/lewisham_2020-21_annual-complaints-and-casework-report.txt:1444"


def test_the_primary_is_stated_beside_the_trend_and_says_what_it_cannot(summary):
    sentence = summary["key_findings"][0]
    assert "445 to 310" in sentence and "against the trend of the 3 years before" in sentence
    assert sentence == summary["primary"]["finding"]  # the page states the declared primary word for word
    assert "cannot be put down to the pandemic" in sentence and "φ" not in sentence


def test_the_trend_counterfactual_is_a_sensitivity_row_with_the_panels_phi(summary):
    import statsmodels.api as sm

    rows = {r["name"]: r for r in summary["sensitivity"]}
    phi = summary["panels"]["bromley"]["model"]["dispersion"]
    assert phi > summary["dip"]["dispersion"]  # the panel's pre-pandemic years vary more than the two-year fit
    # like-for-like totals of the primary's five divisions (Public Health, 1 0 0, left out):
    # 2017-18 183+119+112+31+58 = 503, 2018-19 142+114+118+44+66 = 484, 2019-20 445 (bromley_2019-20…txt:614-618),
    # 2020-21 310 (bromley_2023-24…txt:87-92). The trend through the three pre-pandemic totals, at t = 0:
    pre = sm.GLM(np.array([503, 484, 445.0]), sm.add_constant(np.array([-3, -2, -1.0])),
                 family=sm.families.Poisson()).fit()
    expected = pre.get_prediction(np.array([[1.0, 0.0]])).predicted_mean[0]
    var_log = np.array([1.0, 0.0]) @ pre.cov_params() @ np.array([1.0, 0.0])
    trend = rows["like_for_like_vs_trend"]
    assert trend["pre_years"] == 3 and trend["df_resid"] == 1
    assert trend["estimate"] == pytest.approx(310 / expected, rel=1e-6)
    half = scipy_stats.norm.ppf(0.975) * np.sqrt(phi * (1 / 310 + var_log))
    assert (trend["low"], trend["high"]) == pytest.approx((trend["estimate"] * np.exp(-half),
                                                          trend["estimate"] * np.exp(half)), rel=1e-4)
    assert trend["low"] < 1 < trend["high"]  # against a trend the interval includes no dip: hence not the primary
    # the primary's comparison with the panel's φ: wider than the primary, still below 1
    level = rows["like_for_like_level_panel_phi"]
    assert level["estimate"] == pytest.approx(310 / 445)
    half = scipy_stats.norm.ppf(0.975) * np.sqrt(phi * (1 / 445 + 1 / 310))
    assert level["high"] == pytest.approx(310 / 445 * np.exp(half), rel=1e-4) and level["high"] < 1
    assert "fragile" in trend["label"] and "3 pre-pandemic years" in trend["label"]


def test_degenerate_fits_are_not_estimable_and_two_point_fits_descriptive(summary):
    # Bromley's Public Health: 1, 0, 0 before the dip (bromley_2019-20…txt:619), 0 in 2020-21 (bromley_2023-24…txt:93)
    health = summary["panels"]["bromley"]["divisions"]["public_health"]
    assert health["model"]["rate_ratio"] is None and health["model"]["not_estimable"]
    assert health["counterfactual"]["ratio_to_trend"] is None and health["counterfactual"]["not_estimable"]
    assert health["observed"]["ratio"] is None and health["observed"]["not_estimable"]
    assert "not estimable" in covid.division_table(summary).set_index("division").loc["public_health",
                                                                                       "own model rate ratio (95% CI)"]
    # Lewisham stage 1 is printed for two years only (lewisham…txt:151-152): a saturated fit, no interval
    model = summary["series"]["lewisham.stage_1"]["model"]
    assert model["descriptive"] == covid.SATURATED and model["low"] is None and model["high"] is None
    assert model["rate_ratio"] == pytest.approx(2307 / 2635)


def test_guard_ratio_nulls_an_absurd_ratio():
    entry = covid.guard_ratio({"ratio": 1.16e17, "low": 0.0, "high": float("inf")})
    assert entry["ratio"] is None and entry["low"] is None and entry["high"] is None and entry["not_estimable"]
    assert not covid.guard_ratio({"ratio": 0.4, "low": 0.15, "high": 0.95}, counts=(8, 20)).get("not_estimable")
    assert covid.guard_ratio({"ratio": 0.0, "low": 0.0, "high": 0.2}, counts=(0, 20))["not_estimable"]


def test_key_findings_are_computed_sentences(summary, clean):
    lines = summary["key_findings"]
    assert 3 <= len(lines) <= 5 and "445 to 310" in lines[0]
    harrow = covid.summarise(*clean, council="harrow")["key_findings"]
    # the declared primary first (not estimable for Harrow), then why: its reports stop before the pandemic year
    assert 3 <= len(harrow) <= 5 and "cannot be estimated" in harrow[0] and "no 2020-21 figures" in harrow[1]


def test_other_readings_show_where_the_reports_disagree(summary):
    readings = pd.DataFrame(summary["other_readings"])
    total_2324 = readings[(readings["council"] == "bromley") & (readings["period"] == "2023-24")
                          & (readings["division"] == "all") & (readings["measure"] == "complaints")]
    # The series keeps the five-year table's 533 (bromley_2023-24…txt:94); the same key also holds the
    # by-type table's 738, which counts E&PP (:82).
    assert list(total_2324["value_used"]) == [533]
    assert "738" in total_2324["alternatives"].iloc[0] or total_2324["reconciled_value"].iloc[0] == 738


def test_councils_without_the_pandemic_year_do_not_crash(clean):
    for council in ("harrow", "barking_and_dagenham"):
        s = covid.summarise(*clean, council=council)
        assert s["councils_with_dip_year"] == [] and s["series"] == {}
        info = s["without_dip_year"][council]
        assert not info["has_dip_year"] and "2020-21" not in info["years"] and info["baseline_rows"] > 0
    harrow = covid.summarise(*clean, council="harrow")["without_dip_year"]["harrow"]
    assert "2019-20" in harrow["years"]  # harrow…txt:294 "Between 1 April 2019 and 31 March 2020"
    barking = covid.summarise(*clean, council="barking_and_dagenham")["without_dip_year"]["barking_and_dagenham"]
    assert barking["years"][-1] == "2018-19"  # a 2018-19 report (data/raw/manifest.csv)


def test_notebook_is_commit_ready(paths):
    import json

    notebook = json.loads((paths.notebooks / "05_covid_dip.ipynb").read_text(encoding="utf-8"))
    from analysis.site.runs import KERNEL

    assert notebook["metadata"]["kernelspec"]["name"] == KERNEL  # the project's kernelspec (commit e6d465e)
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    parameters = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(parameters) == 1
    source = "".join(parameters[0]["source"])
    assert 'council = "all"' in source and 'period = ""' in source and 'run_id = "05_covid_dip"' in source


# ---------------------------------------------------------------------------------------
# The executed notebook's findings (after `python -m analysis run --notebook 05_covid_dip --force`)


@pytest.fixture(scope="module")
def findings():
    """Run the notebook as `make study` does (skipped by the runner when its inputs are unchanged)."""
    from conftest import run_notebooks

    run_notebooks("--notebook", "05_covid_dip", "--council", "all")
    return load_findings("05_covid_dip__all")


def test_findings_state_the_hand_checked_dips(findings):
    series = findings["series"]
    assert series["bromley.complaints_excl_epp"]["observed"]["before"] == 445  # bromley_2023-24…txt:94
    assert series["bromley.complaints_excl_epp"]["observed"]["after"] == 335
    assert series["lewisham.stage_1"]["observed"]["after"] == 2307  # lewisham…txt:152
    q1 = findings["quarters"]["lewisham.adult_social_care.complaints"]["Q1"]
    assert (q1["before"], q1["after"]) == (20, 8)  # lewisham…txt:1304-1305
    education = findings["panels"]["bromley"]["divisions"]["education"]["observed"]
    assert (education["before"], education["after"]) == (38, 23)  # bromley_2023-24…txt:91
    model = findings["panels"]["bromley"]["model"]
    assert 0 < model["low"] <= model["rate_ratio"] <= model["high"]
    primary = findings["dip"]
    assert primary["name"] == "primary" and 0 < primary["low"] < primary["estimate"] < primary["high"] < 1
    declared = findings["primary"]
    assert declared["question"] == "covid" and declared["value"] == pytest.approx(primary["estimate"])
    assert declared["strength"] == "unclear" and "cannot be put down to the pandemic" in declared["reason"]
    assert 3 <= len(findings["key_findings"]) <= 5
    assert findings["ombudsman_pause"] == ["2020-03", "2020-06"]  # lewisham…txt:1249


def test_what_this_cannot_tell_us_is_specific_to_the_run(summary, clean):
    text = covid.cannot_tell_text(summary)
    # Bromley prints 2017-18, 2018-19 and 2019-20 before the dip (bromley_2019-20…txt:613); Lewisham's series two years
    assert "3 pre-pandemic years" in text and "Lewisham" in text and "descriptive ratios" in text
    harrow = covid.cannot_tell_text(covid.summarise(*clean, council="harrow"))
    assert "Harrow" in harrow and "Its reports" in harrow and "Bromley" not in harrow


def test_scope_names_a_council_with_both_years_but_no_series_as_not_yet_compared():
    """A generic-read council (Darlington's 2023-24 minute prints 2019-20 and 2020-21 totals) has both
    years, but no series of this study: the page must not suggest it measured that council."""
    summary = {"councils_with_dip_year": ["bromley", "darlington", "lewisham"],
               "series": {"bromley.all.complaints": {}, "lewisham.adult_social_care.complaints": {}}}
    text = covid.scope_sentence(summary)
    assert "Measured here: Bromley, Lewisham." in text
    assert "Not yet compared: Darlington" in text
    only_measured = {"councils_with_dip_year": ["bromley"], "series": {"bromley.all.complaints": {}}}
    assert covid.scope_sentence(only_measured) == "Councils whose reports print both years: Bromley."
    assert covid.scope_sentence({"councils_with_dip_year": [], "series": {}}) == ""
