"""Statistics helpers on inputs with known answers."""
import numpy as np
import pandas as pd
import pytest

from analysis.stats import binomial_glm, chi_square, compare_proportions, count_model, odds_ratios, wilson


def test_wilson_matches_the_textbook_interval():
    # Wilson 95% for 375/1108 (Bromley 2023-24 lack of action share, bromley_2023-24…txt:137/146),
    # by the closed form: (p + z²/2n ± z√(p(1-p)/n + z²/4n²)) / (1 + z²/n)
    n, x, z = 1108, 375, 1.959963984540054
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    result = wilson(x, n)
    assert result.rate == pytest.approx(0.338447, abs=1e-6)
    assert result.low == pytest.approx(centre - half, abs=1e-9)
    assert result.high == pytest.approx(centre + half, abs=1e-9)


def test_wilson_handles_zero_and_empty():
    assert wilson(0, 10).low == 0 and 0 < wilson(0, 10).high < 0.35
    assert np.isnan(wilson(0, 0).rate)


def test_two_proportions_difference_and_interval():
    result = compare_proportions(30, 100, 10, 100)
    assert result.difference == pytest.approx(0.2)
    assert result.low < 0.2 < result.high and result.low > 0
    assert result.p_value < 0.001
    same = compare_proportions(10, 50, 10, 50)
    assert same.difference == 0 and same.p_value == pytest.approx(1.0)


def test_chi_square_on_a_known_table():
    # Classic 2x2: [[10, 20], [20, 10]] → χ² = 6.667 (no continuity correction), 1 df
    result = chi_square([[10, 20], [20, 10]])
    assert result.statistic == pytest.approx(20 / 3)
    assert result.dof == 1 and result.min_expected == 15
    assert chi_square([[5, 5], [0, 0], [3, 7]]).dof == 1  # empty row dropped


def test_binomial_glm_recovers_known_odds_ratio():
    frame = pd.DataFrame({"cause": ["a", "b"], "upheld": [50, 80], "aspects": [100, 100]})
    fitted, dispersion = binomial_glm(frame, "upheld", "aspects", "C(cause)")
    table = odds_ratios(fitted)
    assert table.loc["C(cause)[T.b]", "odds_ratio"] == pytest.approx((80 / 20) / (50 / 50))
    assert np.isnan(dispersion)  # saturated: no residual df to estimate it


def test_count_model_recovers_a_known_growth_rate():
    years = np.arange(8)
    frame = pd.DataFrame({"year": years, "n": np.round(100 * 1.25 ** years)})
    trend = count_model(frame, "n", "year", "year")
    assert trend.rate_ratio == pytest.approx(1.25, rel=0.01)
    assert trend.low < 1.25 < trend.high
    assert trend.family == "poisson" and trend.dispersion < 1.5


def test_count_model_switches_to_negative_binomial_when_overdispersed():
    frame = pd.DataFrame({"year": np.arange(10), "n": [10, 60, 15, 80, 20, 120, 30, 150, 40, 200]})
    trend = count_model(frame, "n", "year", "year")
    assert trend.dispersion > 1.5 and trend.family.startswith("negative binomial")
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    poisson = smf.glm("n ~ year", data=frame, family=sm.families.Poisson()).fit()
    poisson_low, poisson_high = np.exp(poisson.conf_int().loc["year"])
    assert trend.high - trend.low > poisson_high - poisson_low  # honest, wider interval


def test_binomial_glm_quasi_binomial_scale_is_pearson_chi2_over_df():
    # Two causes, three cells each, rates varying within a cause (over-dispersed).
    frame = pd.DataFrame({"cause": ["a"] * 3 + ["b"] * 3, "upheld": [5, 20, 35, 30, 45, 60],
                          "aspects": [50, 50, 50, 100, 100, 100]})
    fitted, dispersion = binomial_glm(frame, "upheld", "aspects", "C(cause)")
    # By hand: the fit of C(cause) is each cause's pooled rate (60/150, 135/300); Pearson χ²/df (df = 6 − 2)
    pooled = frame.groupby("cause")[["upheld", "aspects"]].transform("sum")
    p = pooled["upheld"] / pooled["aspects"]
    pearson = (((frame["upheld"] - frame["aspects"] * p) ** 2) / (frame["aspects"] * p * (1 - p))).sum()
    assert dispersion == pytest.approx(pearson / 4)
    assert dispersion > 1
    # The log odds ratio's standard error: binomial √(1/a + 1/b + 1/c + 1/d) on the pooled 2×2, × √dispersion
    plain_se = np.sqrt(1 / 60 + 1 / 90 + 1 / 135 + 1 / 165)
    assert fitted.bse["C(cause)[T.b]"] == pytest.approx(plain_se * np.sqrt(dispersion), rel=1e-4)
    assert odds_ratios(fitted).loc["C(cause)[T.b]", "odds_ratio"] == pytest.approx((135 / 165) / (60 / 90))


def test_binomial_glm_never_narrows_under_dispersed_intervals():
    frame = pd.DataFrame({"cause": ["a", "a", "b", "b"], "upheld": [25, 25, 60, 60], "aspects": [50, 50, 100, 100]})
    fitted, dispersion = binomial_glm(frame, "upheld", "aspects", "C(cause)")
    assert dispersion == pytest.approx(0.0)  # identical cells: no extra-binomial variation
    assert fitted.bse["C(cause)[T.b]"] == pytest.approx(np.sqrt(1 / 50 + 1 / 50 + 1 / 120 + 1 / 80), rel=1e-4)
