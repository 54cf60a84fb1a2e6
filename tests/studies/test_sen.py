"""The SEN surge module (analysis.studies.sen): synthetic frames with known answers, then Bromley's
real figures, each read by hand from the raw report at the file and line cited."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from analysis.studies import sen

B19 = "data/raw/bromley_2019-20_committee-briefing-with-annual-complaints-report.txt"
B23 = "data/raw/bromley_2023-24_complaints-and-compliments-annual-report.txt"


def row(period, measure, value, *, division="education", service="", category="", stage="all", table="t",
        line=1, report="2023-24", council="bromley", source=B23):
    unit = "gbp" if measure.endswith("_gbp") else "percent" if measure.startswith("pct") else "count"
    return dict(council=council, period=period, quarter="", report_period=report, division=division,
                service=service, category=category, category_std="", stage=stage, measure=measure,
                value=float(value), unit=unit, source_file=source, source_line=line, table=table, quality_flag="")


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows)


# --- synthetic ---------------------------------------------------------------------------

@pytest.fixture
def synthetic():
    years = ["2019-20", "2020-21", "2021-22"]
    rows = []
    for i, (e, t) in enumerate(zip([10, 20, 40], [100, 110, 140])):
        rows.append(row(years[i], "complaints", e, table=sen.OVERVIEW_TABLE, line=10))
        rows.append(row(years[i], "complaints", t, division="all", table=sen.OVERVIEW_TABLE, line=11))
    # a second report printing 2019-20 differently: the own-year report wins, the other is kept
    rows.append(row("2019-20", "complaints", 12, table="at_a_glance", line=50, report="2019-20", source=B19))
    # a table whose "Total" counts something else (E&PP included) must not enter the series
    rows.append(row("2021-22", "complaints", 999, division="all", table="how_received", line=12))
    rows += [
        row("2021-22", "aspects", 30, service="SEN", table=sen.SERVICE_TABLE, line=60),
        row("2021-22", "upheld", 12, service="SEN", table=sen.SERVICE_TABLE, line=60),
        row("2021-22", "partially_upheld", 3, service="SEN", table=sen.SERVICE_TABLE, line=60),
        row("2021-22", "aspects", 40, service="", table=sen.SERVICE_TABLE, line=62),
        row("2021-22", "aspects", 60, division="housing", service="Repairs", table=sen.SERVICE_TABLE, line=70),
        row("2021-22", "upheld", 6, division="housing", service="Repairs", table=sen.SERVICE_TABLE, line=70),
        row("2021-22", "partially_upheld", 0, division="housing", service="Repairs", table=sen.SERVICE_TABLE, line=70),
        row("2021-22", "aspects", 100, division="all", table="proportion_upheld", line=80),
        row("2021-22", "upheld_or_partially_upheld", 25, division="all", table="proportion_upheld", line=80),
        # causes by division: Education column and Total column
        row("2021-22", "aspects", 20, category="Lack of Action", table="causes", line=90),
        row("2021-22", "aspects", 20, category="Quality of Service", table="causes", line=91),
        row("2021-22", "aspects", 40, category="", table="causes", line=92),
        row("2021-22", "aspects", 30, division="all", category="Lack of Action", table="causes", line=90),
        row("2021-22", "aspects", 70, division="all", category="Quality of Service", table="causes", line=91),
        row("2021-22", "aspects", 100, division="all", category="", table="causes", line=92),
        # nature of complaint (note the different capitalisation, as Bromley prints it)
        row("2021-22", "aspects", 20, category="Lack of action", table=sen.NATURE_TABLE, line=100),
        row("2021-22", "upheld", 8, category="Lack of action", table=sen.NATURE_TABLE, line=100),
        row("2021-22", "partially_upheld", 2, category="Lack of action", table=sen.NATURE_TABLE, line=100),
        row("2021-22", "aspects", 20, category="Quality of service", table=sen.NATURE_TABLE, line=101),
        row("2021-22", "upheld", 1, category="Quality of service", table=sen.NATURE_TABLE, line=101),
        row("2021-22", "partially_upheld", 0, category="Quality of service", table=sen.NATURE_TABLE, line=101),
        # Ombudsman outcomes
        row("2021-22", "ombudsman_maladministration_injustice", 4, service="SEN", stage="ombudsman",
            table=sen.OMBUDSMAN_OUTCOMES_TABLE, line=110),
        row("2021-22", "ombudsman_already_remedied", 1, service="SEN", stage="ombudsman",
            table=sen.OMBUDSMAN_OUTCOMES_TABLE, line=110),
        row("2021-22", "ombudsman_premature", 2, service="SEN", stage="ombudsman",
            table=sen.OMBUDSMAN_OUTCOMES_TABLE, line=110),
        row("2021-22", "ombudsman_decisions", 7, service="SEN", stage="ombudsman",
            table=sen.OMBUDSMAN_OUTCOMES_TABLE, line=110),
        row("2021-22", "financial_total_gbp", 500, table="financial_consequences", line=120),
        row("2021-22", "financial_total_gbp", 2000, division="all", table="financial_multi_year", line=121),
    ]
    return frame(rows)


def test_education_series_one_value_per_year_and_disagreement_kept(synthetic):
    obs = synthetic
    series, differ = sen.education_series(obs, "bromley")
    assert series["period"].tolist() == ["2019-20", "2020-21", "2021-22"]
    assert series["education"].tolist() == [12, 20, 40]  # own-year report's 12 over the reprint's 10
    assert series["education_n_values"].tolist() == [2, 1, 1]
    assert series["education_source"].iloc[0] == f"{B19}:50"
    assert series["education_share"].iloc[2] == pytest.approx(40 / 140)
    assert series["total"].tolist() == [100, 110, 140]  # not the how-received table's 999
    assert differ[["series", "period", "chosen_value", "other_value"]].values.tolist() == [["education", "2019-20", 12.0, 10.0]]
    assert sen.education_series(obs, "bromley", period="2020-21")[0]["period"].tolist() == ["2019-20", "2020-21"]
    empty, none = sen.education_series(obs, "harrow")
    assert empty.empty and none.empty


def test_share_of_rise():
    f = pd.DataFrame({"period": ["a", "b", "c"], "education": [10, 20, 40], "total": [100, 90, 120]})
    assert sen.share_of_rise(f, "a", "c")["share"] == pytest.approx(30 / 20)  # rose more than the total
    assert sen.share_of_rise(f, "b", "c")["share"] == pytest.approx(20 / 30)
    assert np.isnan(sen.share_of_rise(f, "a", "zz")["share"])
    same = pd.DataFrame({"period": ["a", "b"], "education": [1, 2], "total": [5, 5]})
    assert np.isnan(sen.share_of_rise(same, "a", "b")["share"])


def test_sen_aspects_share(synthetic):
    obs = synthetic
    out = sen.sen_aspects(obs, "bromley")
    assert out[["period", "sen_aspects", "education_aspects"]].values.tolist() == [["2021-22", 30.0, 40.0]]
    assert out["sen_share"].iloc[0] == pytest.approx(0.75)
    assert out["low"].iloc[0] < 0.75 < out["high"].iloc[0]
    assert sen.sen_aspects(obs, "lewisham").empty


def test_upheld_against_rest(synthetic):
    obs = synthetic
    out = sen.upheld_against_rest(obs, "bromley", "2021-22")
    assert (out["sen_upheld_or_partially"], out["sen_aspects"]) == (15, 30)
    assert (out["rest_upheld_or_partially"], out["rest_aspects"]) == (10, 70)
    assert out["difference"] == pytest.approx(0.5 - 10 / 70)
    assert out["difference_low"] < out["difference"] < out["difference_high"]
    assert sen.upheld_against_rest(obs, "bromley", "2019-20") == {}
    services = sen.service_upheld(obs, "bromley", "2021-22")
    assert services.set_index("service").loc["Repairs", "rate"] == pytest.approx(0.1)


def test_causes_and_nature(synthetic):
    obs = synthetic
    causes = sen.causes_against_rest(obs, "bromley", "2021-22").set_index("category")
    assert causes.loc["Lack of Action", "division_share"] == pytest.approx(20 / 40)
    assert causes.loc["Lack of Action", "rest_share"] == pytest.approx(10 / 60)
    assert causes.loc["Quality of Service", "rest_aspects"] == 50
    nature = sen.nature(obs, "bromley", "2021-22").set_index("category")
    assert nature.loc["Lack of action", "upheld_or_partially"] == 10
    assert nature.loc["Lack of action", "upheld_rate"] == pytest.approx(0.5)
    assert nature.loc["Quality of service", "share"] == pytest.approx(0.5)


def test_ombudsman_outcomes_and_consequences(synthetic):
    obs = synthetic
    out = sen.ombudsman_outcomes(obs, "bromley", "2021-22").set_index("service")
    assert out.loc["SEN", "upheld"] == 5 and out.loc["SEN", "decisions"] == 7  # premature is not upheld
    money = sen.consequences(obs, "bromley")[0].set_index("period")
    assert money.loc["2021-22", "education_financial_share"] == pytest.approx(0.25)


def test_growth_recovers_a_known_rate():
    # exact geometric series, +20% a year: the Poisson fit recovers 1.2 and is not over-dispersed
    periods = [f"{y}-{(y + 1) % 100:02d}" for y in range(2014, 2024)]
    counts = [round(100 * 1.2**t) for t in range(10)]
    fit = sen.growth(periods, counts)
    assert fit.trend.family.startswith("quasi-Poisson (scale 1,")  # φ < 1 is floored: never narrower than Poisson
    assert fit.rate == pytest.approx(0.2, abs=0.005)
    assert fit.low < 0.2 < fit.high
    band = sen.trend_band(fit)
    assert band["fitted"].iloc[-1] == pytest.approx(counts[-1], rel=0.02)
    assert (band["low"] < band["fitted"]).all() and (band["fitted"] < band["high"]).all()


def test_growth_with_overdispersion_widens():
    periods = [f"{y}-{(y + 1) % 100:02d}" for y in range(2015, 2024)]
    counts = [50, 90, 40, 120, 60, 150, 80, 200, 110]
    fit = sen.growth(periods, counts)
    assert fit.trend.dispersion > 1.5 and fit.trend.family.startswith("quasi-Poisson") and fit.trend.quantile == "t(7)"
    band = sen.trend_band(fit)
    # the band's slope is the reported one, and the band is wider than a plain Poisson one
    slope = np.exp(np.diff(np.log(band["fitted"].to_numpy())))
    assert slope == pytest.approx(fit.trend.rate_ratio, rel=1e-6)
    data = pd.DataFrame({"count": counts, "year": range(len(counts))})
    plain = smf.glm("count ~ year", data=data, family=sm.families.Poisson()).fit().get_prediction(data).summary_frame()
    assert (band["high"].to_numpy() - band["low"].to_numpy() > plain["mean_ci_upper"] - plain["mean_ci_lower"]).all()


def test_quote_is_escaped_and_located(paths):
    q = sen.quote("harrow", r"in particular, SEND", paths=paths)
    # harrow_2019-20...txt:327 "and in particular, SEND. This is likely attributed to the increase in SEN students…"
    assert q.where == "data/raw/harrow_2019-20_scrutiny-agenda-with-social-care-complaints-reports.txt:327"
    assert q.text.startswith("and in particular, SEND.")
    lewisham = sen.quote("lewisham", r"Issues with EHCPs", paths=paths)
    # lewisham_2020-21...txt:1812 "· Issues with EHCPs (e.g. delays …) … since the full opening of schools following lockdown."
    assert lewisham.source_line == 1812 and "SEND assessments" in lewisham.text
    assert sen.quote("harrow", r"no such text anywhere", paths=paths) is None
    assert sen.Quote("x", "a < b & c", "f", 1, "").html == "a &lt; b &amp; c"
    assert {q.council for q in sen.evidence(paths)} == {"bromley", "harrow", "lewisham"}


# --- the growth estimate against a hand computation ---------------------------------------

# Education complaints, five-year comparison: bromley_2023-24...txt:91 "Education 38 23 50 97 135 39.2%"
EDUCATION_HAND = [38, 23, 50, 97, 135]
FIVE_YEARS = ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]


def _quasi_poisson_by_hand(counts):
    """log-linear Poisson fit, standard error × √(Pearson χ²/df), t quantile on df: (ratio, low, high)."""
    from scipy import stats as scipy_stats

    data = pd.DataFrame({"count": counts, "year": range(len(counts))})
    poisson = smf.glm("count ~ year", data=data, family=sm.families.Poisson()).fit()
    df = len(counts) - 2
    se = poisson.bse["year"] * np.sqrt(max(poisson.pearson_chi2 / df, 1.0))
    q = scipy_stats.t.ppf(0.975, df)
    b = poisson.params["year"]
    return np.exp(b), np.exp(b - q * se), np.exp(b + q * se), poisson.pearson_chi2 / df


def test_growth_matches_statsmodels_by_hand():
    ratio, low, high, dispersion = _quasi_poisson_by_hand(EDUCATION_HAND)
    fit = sen.growth(FIVE_YEARS, EDUCATION_HAND)
    assert fit.trend.dispersion == pytest.approx(dispersion) and dispersion > 1
    assert (fit.trend.rate_ratio, fit.trend.low, fit.trend.high) == pytest.approx((ratio, low, high), rel=1e-5)
    # the review's recomputation for these five years: quasi-Poisson, t(3), 52.1% (12.8% to 105.3%)
    assert (round(fit.rate * 100, 1), round(fit.low * 100, 1), round(fit.high * 100, 1)) == (52.1, 12.8, 105.3)
    # the crude end-to-end rate, (135/38)^(1/4) − 1 = 37%, lies inside the interval
    assert fit.low < (135 / 38) ** 0.25 - 1 < fit.high


# --- Bromley's real figures: the notebook's findings against values read by hand ----------

@pytest.fixture(scope="module")
def found():
    """Run the notebook as `make study` does, then read its findings JSON."""
    import json

    from analysis.site.findings import findings_path

    from conftest import run_notebooks

    run_notebooks("--notebook", "04_sen_surge", "--force")
    return json.loads(findings_path("04_sen_surge").read_text(encoding="utf-8"))


def test_education_series_by_hand(found):
    series = found["education_complaints"]
    # bromley_2023-24...txt:91 "Education 38 23 50 97 135"; bromley_2019-20...txt:617 "Education 31 44 38"
    expected = {"2017-18": 31, "2018-19": 44, **dict(zip(FIVE_YEARS, EDUCATION_HAND))}
    assert {p: v["education"] for p, v in series.items()} == expected
    # bromley_2023-24...txt:94 "Total 445 335 387 465 533" (without E&PP); bromley_2019-20...txt:620 "Total 504 484 445"
    assert {p: v["total"] for p, v in series.items()} == dict(zip(
        ["2017-18", "2018-19", *FIVE_YEARS], [504, 484, 445, 335, 387, 465, 533]))
    assert series["2023-24"]["education_source"].endswith("bromley_2023-24_complaints-and-compliments-annual-report.txt:91")
    # the 2019-20 report's Education at-a-glance prints 45 for 2018-19 (bromley_2019-20...txt:1186), the overview 44
    differ = {(d["series"], d["period"]): d for d in found["disagreements"]}
    assert differ[("education", "2018-19")]["other_value"] == 45
    # the 2023-24 report's Education at-a-glance prints £10,604.60 for 2019-20 (bromley_2023-24...txt:729); the
    # 2019-20 report, covering its own year, £5,932.00 (bromley_2019-20...txt:1276), which is the value kept
    money = differ[("education_financial_gbp", "2019-20")]
    assert (money["chosen_value"], money["other_value"]) == (5932.0, 10604.6)


def test_share_of_rise_by_hand(found):
    rises = {(r["start"], r["end"]): r for r in found["share_of_rise"]}
    # Education 23 → 135 against Total 335 → 533 (bromley_2023-24...txt:91, :94)
    assert rises[("2020-21", "2023-24")]["share"] == pytest.approx((135 - 23) / (533 - 335), abs=1e-6)
    # 38 → 135 against 445 → 533: Education rose by more than the whole Total
    assert rises[("2019-20", "2023-24")]["share"] == pytest.approx((135 - 38) / (533 - 445), abs=1e-6)


def test_sen_aspects_by_hand(found):
    aspects = found["sen_aspects"]
    # bromley_2019-20...txt:1209 "SEN 32 38 …", :1213 "OVERALL 42 49 …"
    assert (aspects["2019-20"]["sen_aspects"], aspects["2019-20"]["education_aspects"]) == (38, 49)
    # bromley_2023-24...txt:747 "SEN 114 196 …", :751 "OVERALL 137 231 …"
    assert (aspects["2023-24"]["sen_aspects"], aspects["2023-24"]["education_aspects"]) == (196, 231)
    assert aspects["2023-24"]["sen_share"] == pytest.approx(196 / 231, abs=1e-6)


def test_growth_in_findings_is_the_hand_fit(found):
    growth = found["growth"]
    # the primary window is every year: bromley_2019-20...txt:617 2017-18 31, 2018-19 44; …txt:91 the five after
    assert growth["counts"] == [31, 44, *EDUCATION_HAND] and growth["periods"][0] == "2017-18"
    ratio, low, high, dispersion = _quasi_poisson_by_hand([31, 44, *EDUCATION_HAND])
    assert growth["annual_growth"] == pytest.approx(ratio - 1, abs=1e-6)
    assert (growth["low"], growth["high"]) == pytest.approx((low - 1, high - 1), abs=1e-5)
    assert growth["poisson_dispersion"] == pytest.approx(dispersion, abs=1e-5)
    assert found["growth_latest_years"]["counts"] == EDUCATION_HAND


def test_causes_and_upheld_by_hand(found):
    lack = found["lack_of_action_vs_rest"]["2023-24"]
    # bromley_2023-24...txt:137 "Lack of Action 41 53 37 18 151 19 56 0 375", :142 Total "… 231 … 1,108"
    assert (lack["division_aspects"], lack["division_total"]) == (151, 231)
    assert (lack["rest_aspects"], lack["rest_total"]) == (375 - 151, 1108 - 231)
    # bromley_2019-20...txt:668 "Lack of Action 21 23 25 24 - 17 0 110", :673 "Total 164 143 116 49 0 117 0 589"
    lack = found["lack_of_action_vs_rest"]["2019-20"]
    assert (lack["division_aspects"], lack["rest_aspects"], lack["rest_total"]) == (24, 110 - 24, 589 - 49)
    # Education's nature table, bromley_2023-24...txt:765 "Lack of action 151 70 18 62 0 75"
    assert found["nature_of_complaint"]["2023-24"]["Lack of action"]["upheld_or_partially"] == 70 + 18
    upheld = found["sen_upheld_vs_rest"]["2023-24"]
    # SEN: bromley_2023-24...txt:747 "SEN 114 196 94 19 …"; TOTAL: :122 "TOTAL 937 421 45% 46%"
    assert (upheld["sen_upheld_or_partially"], upheld["sen_aspects"]) == (94 + 19, 196)
    assert (upheld["rest_upheld_or_partially"], upheld["rest_aspects"]) == (421 - 113, 937 - 196)
    upheld = found["sen_upheld_vs_rest"]["2019-20"]
    # bromley_2019-20...txt:1209 "SEN 32 38 9 13 16 0 20"; :649 "TOTAL 570 249 44% 49%"
    assert (upheld["sen_upheld_or_partially"], upheld["rest_upheld_or_partially"], upheld["rest_aspects"]) == (
        22, 249 - 22, 570 - 38)


def test_consequences_by_hand(found):
    c = found["consequences"]
    # Education at a glance, bromley_2023-24...txt:727 "New Ombudsman cases 8 8 5 15 21", :728 "… upheld 4 3 3 6 29";
    # bromley_2019-20...txt:1190 "Ombudsman cases 7 7 8", :1191 "Ombudsman cases upheld 1 4 4"
    years = ["2017-18", "2018-19", *FIVE_YEARS]
    assert [c[y]["education_ombudsman_cases"] for y in years] == [7, 7, 8, 8, 5, 15, 21]
    assert [c[y]["education_ombudsman_upheld"] for y in years] == [1, 4, 4, 3, 3, 6, 29]
    # bromley_2023-24...txt:188 "Total … £30,749.00 … £54,451.42"
    assert (c["2023-24"]["education_financial_gbp"], c["2023-24"]["council_financial_gbp"]) == (30749.0, 54451.42)
    # Education's Ombudsman outcomes: bromley_2023-24...txt:802 "SEN 4 3 2 0 0 0 25 0 0 34 4";
    # bromley_2019-20...txt:1261 "SEN 0 0 1 0 1 0 3 0 0 5 3"
    outcomes = found["ombudsman_outcomes"]
    assert (outcomes["2023-24"]["SEN"]["decisions"], outcomes["2023-24"]["SEN"]["upheld"]) == (34, 25)
    assert (outcomes["2019-20"]["SEN"]["decisions"], outcomes["2019-20"]["SEN"]["upheld"]) == (5, 3)


def test_other_councils_marked_qualitative(found):
    where = {e["where"]: e for e in found["evidence"]}
    assert all(e["qualitative"] for e in found["evidence"])
    # bromley_2023-24...txt:204 "… particularly reflects the enormous pressures on SEN services …"
    assert f"{B23}:204" in where
    # lewisham_2020-21...txt:2010-2011 "SEN team" / "1 premature complaint" in the CYP LGSCO table
    lewisham = found["other_councils"]["lewisham"]
    assert any("|SEN team|ombudsman_premature" in key for key in lewisham)


def test_texts_handle_a_falling_total_and_a_single_year(synthetic):
    a = sen.analyse(synthetic, "bromley")
    a.rises = pd.DataFrame([{"start": "a", "end": "b", "part_change": 5.0, "total_change": -3.0, "share": -5 / 3}])
    assert sen.text_rises(a) == "- a → b: Education rose by 5 while the Total fell by 3."
    assert sen.text_aspects(a).startswith("SEN had **30** aspects in 2021-22, 75% of Education's")
    other = sen.analyse(synthetic, "harrow")
    assert not other.has_series and other.fit is None and other.upheld == {}
    assert sen.text_growth(other).startswith("*Fewer than three years")


# --- change point, like for like, the Ombudsman, the money caveat ---------------------------

def test_broken_stick_recovers_known_slopes():
    periods = [f"{y}-{str(y + 1)[2:]}" for y in range(2017, 2024)]
    counts = [100 * 0.9 ** i for i in range(4)] + [100 * 0.9 ** 3 * 1.7 ** i for i in range(1, 4)]
    stick = sen.broken_stick(periods, counts, "2020-21")
    assert stick.not_estimable is None
    assert stick.before == pytest.approx(0.9, rel=1e-4) and stick.after == pytest.approx(1.7, rel=1e-4)
    assert stick.before_low <= stick.before <= stick.before_high
    knots = sen.change_points(periods, counts)
    assert knots["knot"].iloc[0] == "2020-21"  # the true knot fits best
    assert sen.broken_stick(periods, counts, periods[-1]).not_estimable  # no year after the knot


def test_like_for_like_rise_drops_divisions_without_a_baseline():
    divisions = pd.DataFrame({"period": ["a", "b"], "all": [100.0, 130.0], "education": [10.0, 40.0],
                              "housing": [90.0, 70.0], "planning_regeneration": [np.nan, 20.0]})
    r = sen.like_for_like_rise(divisions, "a", "b")
    assert r["excluded"] == ["planning_regeneration"]
    assert (r["total_start"], r["total_end"]) == (100, 110) and r["share"] == pytest.approx(30 / 10)
    divisions.loc[1, "housing"] = 40.0
    divisions.loc[1, "all"] = 100.0
    fell = sen.like_for_like_rise(divisions, "a", "b")
    assert np.isnan(fell["share"]) and fell["not_estimable"] == "the like-for-like total did not rise"


def test_sensitivity_never_publishes_a_degenerate_growth(synthetic):
    a = sen.analyse(synthetic, "bromley")
    a.stick = sen.BrokenStick("2020-21", 1.0, 0.5, 2.0, float("inf"), 1.0, float("inf"), 1.0, 0.0, 3)
    a.sensitivity = sen.growth_sensitivity(a)
    after = a.sensitivity[a.sensitivity["estimate"].str.startswith("Broken stick, after")].iloc[0]
    assert np.isnan(after["growth"]) and "no finite estimate" in after["not_estimable"]


def test_bromley_like_for_like_and_broken_stick(found):
    lfl = {r["start"]: r for r in found["share_of_rise_like_for_like"]}
    # bromley_2023-24...txt:90 "Planning & Regeneration" prints 2020-21 onwards only (25 35 30 32); :94 Total 533;
    # bromley_2019-20...txt:620 Total 504 in 2017-18. Like for like 2023-24: 533 − 32 = 501
    r = lfl["2017-18"]
    assert r["excluded"] == ["planning_regeneration"] and (r["total_start"], r["total_end"]) == (504, 501)
    assert r["share"] is None and r["not_estimable"]
    # Education 38 → 135 (…txt:91) against 445 → 501
    assert lfl["2019-20"]["share"] == pytest.approx((135 - 38) / (501 - 445), abs=1e-6)
    stick = found["broken_stick"]
    assert stick["knot"] == "2020-21"  # the lowest year: Education 23 (…txt:91)
    assert stick["before"] < 1 < stick["after_low"]
    primary = found["growth_primary"]
    assert primary["role"] == "primary" and primary["growth"] == pytest.approx(found["growth"]["annual_growth"])
    declared = found["primary"]
    assert declared["question"] == "sen" and declared["value"] == pytest.approx(100 * primary["growth"], abs=1e-4)
    assert declared["years"][0] == "2017-18" and "the year before the COVID low" in declared["finding"]


def test_bromley_every_investigated_education_ombudsman_case_upheld(found):
    o = found["ombudsman_investigated_upheld"]["2023-24"]
    # bromley_2023-24...txt:804 "OVERALL 5 3 2 0 0 0 29 0 0 39 5": closed 5 + 3 + 2, not upheld 0 + 0, upheld 29 of 39
    assert (o["decisions"], o["investigated"], o["upheld"]) == (39, 29, 29) and o["all_upheld"]
    assert o["source"].endswith(f"{B23.split('/')[-1]}:804")
    # bromley_2019-20...txt:1263: 4 upheld of 6 investigated (2 no maladministration)
    o = found["ombudsman_investigated_upheld"]["2019-20"]
    assert (o["investigated"], o["upheld"], o["all_upheld"]) == (6, 4, False)


def test_bromley_money_caveat_and_dispersion(found):
    # bromley_2019-20...txt:741 "… annual totals are often skewed by one or two specific cases …"
    assert found["money_warning"]["where"] == f"{B19}:741"
    assert "skewed by one or two specific cases" in found["money_warning"]["text"]
    upheld = found["sen_upheld_vs_rest"]["2023-24"]
    # variance model 1: aspects per Education complaint, 231 / 135 (bromley_2023-24...txt:119, :91); the services'
    # spread (φ > 2) is the labelled sensitivity, and wider
    assert upheld["dispersion"] == pytest.approx(found["dispersion"]["2023-24"]["phi"])
    assert upheld["dispersion"] == pytest.approx(231 / 135, abs=1e-6) and upheld["services_dispersion"] > 2
    assert upheld["services_difference_low"] < upheld["difference_low"]
    assert upheld["difference_low"] < upheld["plain_difference_low"]  # never narrower than the plain interval
    assert upheld["difference_low"] < upheld["difference"] < upheld["difference_high"] < 1
    assert upheld["difference_high"] > upheld["plain_difference_high"]
    assert 3 <= len(found["key_findings"]) <= 5 and any("every one" in k for k in found["key_findings"])


def test_sen_texts_cite_without_raw_paths(found, synthetic):
    a = sen.analyse(synthetic, "bromley")
    text = "\n".join([sen.text_upheld(a), sen.text_causes(a), sen.text_ombudsman(a)]
                     + [sen.text_quote(q) for q in a.evidence])
    assert "data/raw" not in text.replace("../reports/", "") and "`" not in text


def test_rates_and_shares_on_aspects_use_the_adjusted_interval_and_state_phi(found):
    # upheld rates of the nature table: φ = aspects per Education complaint, 231 / 135 (as the headline's)
    lack = found["nature_of_complaint"]["2023-24"]["Lack of action"]
    assert lack["phi"] == pytest.approx(found["dispersion"]["2023-24"]["phi"]) and lack["phi"] == pytest.approx(231 / 135)
    assert lack["low"] < lack["plain_low"] < lack["upheld_rate"] < lack["plain_high"] < lack["high"]
    # a cause's share, Education vs the rest: φ = aspects per complaint, 937 aspects
    # (bromley_2023-24…txt:122) over 533 complaints (…txt:94); the plain interval is the sensitivity
    share = found["lack_of_action_vs_rest"]["2023-24"]
    assert share["phi"] == pytest.approx(937 / 533)
    assert share["low"] < share["plain_low"] and share["high"] > share["plain_high"]
    # SEN's share of Education's aspects: the same φ (aspects per complaint that year)
    sen_share = found["sen_aspects"]["2023-24"]
    assert sen_share["phi"] == pytest.approx(937 / 533)
    assert sen_share["low"] < sen_share["plain_low"] and sen_share["high"] > sen_share["plain_high"]
    # the year's causes are tested together: Holm over the six causes of bromley_2023-24…txt:134-141
    assert share["p_holm"] >= share["p_value"]
    assert len(found["lack_of_action_vs_rest"]) == 2
