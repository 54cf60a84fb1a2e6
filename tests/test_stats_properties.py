"""The statistics helpers against textbook values and invariants, on generated inputs (Hypothesis).

Each property is one a reader relies on when a figure is published: an interval contains its
estimate; it widens with the over-dispersion φ; a ratio's interval inverts when the two groups
swap; rates scale with their exposure; the chi-square's ``min_expected`` (which decides whether
the p value is called approximate) is the smallest expected count. Fast on purpose (no study
build): this file is the covering set of ``make mutate`` for src/analysis/stats.py.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from analysis.stats import (
    binomial_glm,
    chi_square,
    compare_proportions,
    count_model,
    not_estimable_reason,
    odds_ratios,
    pearson_dispersion,
    poisson_ratio,
    quasi_newcombe,
    quasi_wilson,
    wilson,
)

# Derandomised: a run's verdict never depends on the day's seed (CI and `make mutate` repeat exactly).
PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, database=None)
Z95 = 1.959963984540054


@st.composite
def share(draw, max_trials=2000):
    trials = draw(st.integers(1, max_trials))
    return draw(st.integers(0, trials)), trials


# --- proportions ---------------------------------------------------------------------------------

@PROPERTY
@given(share())
def test_wilson_interval_contains_the_rate_and_stays_in_0_1(x_n):
    x, n = x_n
    result = wilson(x, n)
    assert 0 <= result.low and result.high <= 1
    assert result.low - 1e-12 <= result.rate <= result.high + 1e-12  # 0 of n: statsmodels' low is 0 ± 1e-17
    assert result.rate == x / n


@PROPERTY
@given(share(), st.floats(1.0, 10.0), st.floats(1.0, 10.0))
def test_quasi_wilson_widens_with_phi(x_n, phi_1, phi_2):
    x, n = x_n
    small, large = sorted((phi_1, phi_2))
    narrow, wide = quasi_wilson(x, n, small), quasi_wilson(x, n, large)
    assert wide.low <= narrow.low + 1e-12 and wide.high >= narrow.high - 1e-12
    assert wide.low - 1e-12 <= x / n <= wide.high + 1e-12


@PROPERTY
@given(share(), share())
def test_a_difference_interval_contains_the_difference_and_flips_sign_when_the_groups_swap(a, b):
    (xa, na), (xb, nb) = a, b
    ab, ba = compare_proportions(xa, na, xb, nb), compare_proportions(xb, nb, xa, na)
    assert ab.low <= ab.difference <= ab.high
    assert (ba.difference, ba.low, ba.high) == pytest.approx((-ab.difference, -ab.high, -ab.low), abs=1e-9)
    quasi = quasi_newcombe(xa, na, xb, nb, 2.0)
    assert quasi.low <= ab.low + 1e-12 and quasi.high >= ab.high - 1e-12  # φ = 2 widens, never narrows


# --- chi-square ----------------------------------------------------------------------------------

def test_chi_square_min_expected_on_an_unequal_table():
    # [[10, 20], [30, 40]]: rows 30 and 70, columns 40 and 60 of 100 → expected 12, 18, 28, 42.
    # χ² = Σ(o − e)²/e = 4/12 + 4/18 + 4/28 + 4/42 = 0.79365 on 1 df
    result = chi_square([[10, 20], [30, 40]])
    assert result.min_expected == pytest.approx(12.0)
    assert result.statistic == pytest.approx(4 / 12 + 4 / 18 + 4 / 28 + 4 / 42)
    assert result.dof == 1


@PROPERTY
@given(st.lists(st.lists(st.integers(1, 400), min_size=3, max_size=3), min_size=2, max_size=5))
def test_chi_square_min_expected_is_the_smallest_row_total_times_column_total_over_n(rows):
    table = np.array(rows, dtype=float)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    result = chi_square(table)
    assert result.min_expected == pytest.approx(expected.min())
    assert result.statistic == pytest.approx(((table - expected) ** 2 / expected).sum())
    assert chi_square(table.T).statistic == pytest.approx(result.statistic)  # rows × outcomes or transposed


# --- odds ratios -----------------------------------------------------------------------------------

@settings(PROPERTY, max_examples=15)
@given(st.integers(5, 95), st.integers(5, 95), st.integers(5, 95))
def test_odds_ratio_interval_is_the_exponentiated_wald_interval_and_contains_the_estimate(a, b, c):
    frame = pd.DataFrame({"cause": ["x", "y", "z"], "upheld": [a, b, c], "aspects": [100, 100, 100]})
    fitted, _ = binomial_glm(frame, "upheld", "aspects", "C(cause)")
    table = odds_ratios(fitted)
    ci = fitted.conf_int()
    assert np.allclose(table["low"], np.exp(ci[0])) and np.allclose(table["high"], np.exp(ci[1]))
    assert (table["low"] <= table["odds_ratio"]).all() and (table["odds_ratio"] <= table["high"]).all()
    assert table.loc["C(cause)[T.y]", "odds_ratio"] == pytest.approx((b / (100 - b)) / (a / (100 - a)))


# --- Poisson rate ratios --------------------------------------------------------------------------------

@PROPERTY
@given(st.integers(1, 400), st.integers(1, 400), st.floats(0.25, 4.0), st.floats(0.25, 4.0))
def test_poisson_ratio_interval_contains_the_estimate_and_inverts_when_the_groups_swap(a, b, ea, eb):
    ab, ba = poisson_ratio(a, b, ea, eb), poisson_ratio(b, a, eb, ea)
    assert ab.ratio == pytest.approx((a / ea) / (b / eb))
    assert ab.low <= ab.ratio <= ab.high
    assert (ba.ratio, ba.low, ba.high) == pytest.approx((1 / ab.ratio, 1 / ab.high, 1 / ab.low), rel=1e-9)
    assert ba.p_value == pytest.approx(ab.p_value)


@PROPERTY
@given(st.integers(1, 400), st.integers(1, 400), st.floats(0.1, 10.0))
def test_poisson_ratio_scales_with_exposure(a, b, k):
    plain = poisson_ratio(a, b)
    both = poisson_ratio(a, b, k, k)  # the same exposure for both: nothing changes
    assert (both.ratio, both.low, both.high, both.p_value) == pytest.approx(
        (plain.ratio, plain.low, plain.high, plain.p_value))
    longer = poisson_ratio(a, b, k, 1.0)  # a's count over k times the exposure: its rate is 1/k as high
    assert (longer.ratio, longer.low, longer.high) == pytest.approx((plain.ratio / k, plain.low / k, plain.high / k))


def test_poisson_ratio_textbook_values():
    # 30 events against 15 (equal exposure): conditional on 45, a ~ Binomial(45, 1/2); the exact
    # (Clopper-Pearson) 95% interval for p maps to the ratio by p / (1 − p).
    result = poisson_ratio(30, 15)
    ci = binomtest(30, 45, 0.5).proportion_ci(confidence_level=0.95, method="exact")
    assert result.ratio == 2.0
    assert (result.low, result.high) == pytest.approx((ci.low / (1 - ci.low), ci.high / (1 - ci.high)))
    assert result.p_value == pytest.approx(binomtest(30, 45, 0.5).pvalue)
    assert poisson_ratio(30, 15, alpha=0.1).high < result.high  # a 90% interval is narrower


def test_poisson_ratio_null_uses_each_groups_own_exposure():
    # 40 events in 2 years against 10 in 1 year: rates 20 and 10 a year. Under the null of equal
    # rates a's share of the 50 events is 2/(2 + 1), so p is binomtest(40, 50, 2/3).
    result = poisson_ratio(40, 10, 2.0, 1.0)
    assert result.ratio == pytest.approx(2.0)
    assert result.p_value == pytest.approx(binomtest(40, 50, 2 / 3).pvalue)
    # equal rates with unequal exposures: no evidence of a difference at all
    assert poisson_ratio(20, 10, 2.0, 1.0).p_value == pytest.approx(1.0)


# --- count models ------------------------------------------------------------------------------------

def _poisson_interval(frame, count, rhs, term, **kwargs):
    fit = smf.glm(f"{count} ~ {rhs}", data=frame, family=sm.families.Poisson(), **kwargs).fit()
    return fit, np.exp(fit.conf_int().loc[term])


def test_count_model_exposure_is_the_log_offset():
    # 120 complaints over 2,000 cases against 90 over 1,000: rates 0.06 and 0.09, ratio 1.5.
    frame = pd.DataFrame({"g": ["a", "b"], "n": [120, 90], "cases": [2000.0, 1000.0]})
    trend = count_model(frame, "n", "C(g)", "C(g)[T.b]", exposure="cases")
    assert trend.rate_ratio == pytest.approx(1.5)
    # the Poisson standard error of a log rate ratio: √(1/120 + 1/90)
    se = np.sqrt(1 / 120 + 1 / 90)
    assert (trend.low, trend.high) == pytest.approx((1.5 * np.exp(-Z95 * se), 1.5 * np.exp(Z95 * se)), rel=1e-6)


def _trend_frame(counts):
    return pd.DataFrame({"year": np.arange(len(counts), dtype=float), "n": counts})


# Eight years with a Pearson φ between 1.5 and 2 (1.63) and a positive NB moment alpha (0.0028),
# as Bromley's education (φ 1.66) and housing (φ 1.94) series in the COVID study.
BETWEEN = [100, 120, 95, 118, 94, 124, 100, 120]


def test_count_model_switches_family_for_a_dispersion_between_1_5_and_2():
    frame = _trend_frame(BETWEEN)
    trend = count_model(frame, "n", "year", "year")
    poisson, (low, high) = _poisson_interval(frame, "n", "year", "year")
    assert 1.5 < trend.dispersion < 2.0
    assert trend.dispersion == pytest.approx(poisson.pearson_chi2 / poisson.df_resid)
    # NB alpha by the method of moments: Σ((y − μ)² − y)/μ² over the residual df
    y, mu = frame["n"].to_numpy(float), poisson.mu
    alpha = np.sum(((y - mu) ** 2 - y) / mu**2) / poisson.df_resid
    assert alpha > 0 and trend.family == f"negative binomial (alpha={alpha:.3g})"
    nb = smf.glm("n ~ year", data=frame, family=sm.families.NegativeBinomial(alpha=alpha)).fit()
    assert trend.rate_ratio == pytest.approx(np.exp(nb.params["year"]))
    assert (trend.low, trend.high) == pytest.approx(tuple(np.exp(nb.conf_int().loc["year"])))
    assert trend.high - trend.low > high - low  # wider than the Poisson interval


def test_count_model_stays_poisson_at_or_below_1_5():
    frame = _trend_frame([100, 104, 99, 103, 100, 105, 101, 103])
    trend = count_model(frame, "n", "year", "year")
    assert trend.dispersion <= 1.5 and trend.family == "poisson"


@settings(PROPERTY, max_examples=12)
@given(st.lists(st.integers(20, 400), min_size=5, max_size=9))
def test_quasi_poisson_widens_the_poisson_interval_by_root_phi_floored_at_1(counts):
    frame = _trend_frame(counts)
    poisson, (low, high) = _poisson_interval(frame, "n", "year", "year")
    phi = poisson.pearson_chi2 / poisson.df_resid
    trend = count_model(frame, "n", "year", "year", quasi=True)
    assert trend.family == f"quasi-Poisson (scale={max(phi, 1.0):.3g})"
    assert trend.rate_ratio == pytest.approx(np.exp(poisson.params["year"]))
    assert np.log(trend.high / trend.low) == pytest.approx(np.log(high / low) * np.sqrt(max(phi, 1.0)), rel=1e-4)
    assert trend.low <= trend.rate_ratio <= trend.high


def test_quasi_poisson_scale_is_floored_at_1_for_under_dispersed_counts():
    frame = _trend_frame([100, 101, 100, 101, 100, 101])
    _, (low, high) = _poisson_interval(frame, "n", "year", "year")
    trend = count_model(frame, "n", "year", "year", quasi=True)
    assert trend.dispersion < 1
    assert trend.family == "quasi-Poisson (scale=1)"
    assert (trend.low, trend.high) == pytest.approx((low, high))  # never narrower than Poisson


def test_quasi_poisson_with_no_residual_df_is_the_poisson_fit_not_a_nan_interval():
    # two groups, two counts: saturated, φ cannot be estimated (NaN)
    frame = pd.DataFrame({"g": ["a", "b"], "n": [40, 60]})
    trend = count_model(frame, "n", "C(g)", "C(g)[T.b]", quasi=True)
    assert np.isnan(trend.dispersion)
    assert trend.family == "poisson"
    se = np.sqrt(1 / 40 + 1 / 60)
    assert (trend.low, trend.high) == pytest.approx((1.5 * np.exp(-Z95 * se), 1.5 * np.exp(Z95 * se)), rel=1e-6)


# --- Pearson dispersion -------------------------------------------------------------------------------

@st.composite
def groups(draw):
    k = draw(st.integers(2, 8))
    trials = draw(st.lists(st.integers(1, 500), min_size=k, max_size=k))
    successes = [draw(st.integers(0, n)) for n in trials]
    return successes, trials


@PROPERTY
@given(groups(), st.integers(1, 3))
def test_pearson_dispersion_ignores_groups_without_trials(data, extra):
    successes, trials = data
    phi = pearson_dispersion(successes, trials)
    padded = pearson_dispersion([0] * extra + successes, [0] * extra + trials)
    assert (np.isnan(phi) and np.isnan(padded)) or padded == pytest.approx(phi)


@PROPERTY
@given(groups())
def test_pearson_dispersion_is_pearson_chi2_over_k_minus_1(data):
    r, n = (np.asarray(v, dtype=float) for v in data)
    pooled = r.sum() / n.sum()
    assume(0 < pooled < 1)
    by_hand = np.sum((r - n * pooled) ** 2 / (n * pooled * (1 - pooled))) / (len(n) - 1)
    assert pearson_dispersion(r, n) == pytest.approx(by_hand)


def test_pearson_dispersion_of_one_group_is_nan_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a notebook would print a numpy RuntimeWarning
        assert np.isnan(pearson_dispersion([3], [10]))
        assert np.isnan(pearson_dispersion([3, 0], [10, 0]))  # one group with trials


# --- never publish a degenerate estimate -------------------------------------------------------------

def test_not_estimable_reasons():
    assert not_estimable_reason(1.2, 0.8, 1.9) is None
    assert not_estimable_reason(1.2, 0.8, 1.9, counts=[12, 0]) == "a compared count is zero"
    assert not_estimable_reason(1.2, float("nan"), 1.9) == "the fit gives no finite estimate or interval"
    assert not_estimable_reason(1.2, 0.8, float("inf")) == "the fit gives no finite estimate or interval"
    diverged = "the fit diverged (the ratio or its interval is implausibly extreme)"
    assert not_estimable_reason(1.2, 0.0, 1.9) == diverged  # a ratio's bound of 0: unbounded on the log scale


def test_plausible_ratio_bounds():
    diverged = "the fit diverged (the ratio or its interval is implausibly extreme)"
    assert not_estimable_reason(2000.0, 1500.0, 2500.0) == diverged
    assert not_estimable_reason(500.0, 300.0, 2000.0) == diverged  # the interval reaches past 1,000
    assert not_estimable_reason(5e-4, 1e-4, 1e-3) == diverged
    assert not_estimable_reason(900.0, 500.0, 1000.0) is None
