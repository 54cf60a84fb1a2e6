"""Statistics helpers on inputs with known answers."""
import math

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


# --- over-dispersion: quasi-likelihood intervals, funnel limits, the NB fallback, Holm -------------

from analysis.stats import funnel, holm, pearson_dispersion, quasi_wilson  # noqa: E402


def _beta_binomial_totals(rng, reps, clusters, size, p, rho):
    """Totals of ``clusters`` beta-binomial clusters of ``size`` trials: φ = 1 + (size − 1)·ρ."""
    a = p * (1 - rho) / rho
    b = (1 - p) * (1 - rho) / rho
    probabilities = rng.beta(a, b, size=(reps, clusters))
    return rng.binomial(size, probabilities).sum(axis=1)


def test_quasi_wilson_covers_at_the_nominal_rate_where_plain_wilson_undercovers():
    # 100 "complaints" of 5 "aspects" each, aspects of one complaint correlated (ρ = 0.25):
    # φ = 1 + (5 − 1)·0.25 = 2, so the plain Wilson interval should cover about
    # 1 − 2Φ(−1.96/√2) ≈ 83% of the time and the quasi-Wilson one about 95%.
    rng = np.random.default_rng(20240601)
    reps, clusters, size, p, rho = 2000, 100, 5, 0.3, 0.25
    phi = 1 + (size - 1) * rho
    totals = _beta_binomial_totals(rng, reps, clusters, size, p, rho)
    n = clusters * size
    quasi = [quasi_wilson(x, n, phi) for x in totals]
    plain = [wilson(x, n) for x in totals]
    quasi_cover = np.mean([q.low <= p <= q.high for q in quasi])
    plain_cover = np.mean([w.low <= p <= w.high for w in plain])
    assert abs(quasi_cover - 0.95) <= 0.025
    assert plain_cover < 0.90  # the independence interval is optimistic
    assert all(q.dispersion == phi for q in quasi[:5])


def test_pearson_dispersion_recovers_a_known_phi():
    # 400 units of 20 clusters × 5 trials: the between-unit φ of the units' totals is ≈ 1 + 4·0.25 = 2
    rng = np.random.default_rng(7)
    totals = _beta_binomial_totals(rng, 400, 20, 5, 0.3, 0.25)
    assert pearson_dispersion(totals, np.full(400, 100)) == pytest.approx(2.0, abs=0.35)
    assert np.isnan(pearson_dispersion([3], [10]))  # one unit: nothing to compare


def test_quasi_wilson_never_narrower_than_wilson():
    same = quasi_wilson(48, 56, 0.7)  # φ below 1 is floored at 1
    plain = wilson(48, 56)
    assert (same.low, same.high, same.dispersion) == pytest.approx((plain.low, plain.high, 1.0))
    wide = quasi_wilson(48, 56, 4.0)
    # φ = 4: the interval of 12 of 14 (48/4 of 56/4) — wider than that of 48 of 56
    by_hand = wilson(12, 14)
    assert (wide.low, wide.high) == pytest.approx((by_hand.low, by_hand.high))
    assert wide.low < plain.low and wide.high > plain.high


def test_funnel_limits_match_a_hand_computed_case():
    # Three units: 10/100, 30/200, 20/100. Pooled p0 = 60/400 = 0.15, p0(1 − p0) = 0.1275.
    # Standardised residuals z = (p − p0)/√(0.1275/n): −0.05/0.0357071 = −1.40028, 0, +1.40028.
    # φ = Σz²/(k − 1) = (1.96078 + 0 + 1.96078)/2 = 1.96078 (= 0.05² / 0.001275).
    # Adjusted sd at n = 100: √(0.001275)·√1.96078 = 0.0357071 × 1.40028 = 0.05 exactly;
    # 95% limits 0.15 ± 1.959964 × 0.05 = 0.052002 … 0.247998; 99.8%: 0.15 ± 3.090232 × 0.05 =
    # −0.004512 … 0.304512, the lower one clipped at 0 (a rate cannot be negative).
    # At n = 200: sd = 0.05/√2 = 0.0353553; 95% limits 0.15 ± 0.069295.
    result = funnel(["a", "b", "c"], [10, 30, 20], [100, 200, 100])
    assert result.pooled == pytest.approx(0.15)
    assert result.dispersion == pytest.approx(0.05**2 / 0.001275)
    assert result.adjusted
    a, b, c = result.points
    assert (a.low95, a.high95) == pytest.approx((0.15 - 1.959964 * 0.05, 0.15 + 1.959964 * 0.05))
    assert (c.low998, c.high998) == pytest.approx((0.0, 0.15 + 3.090232 * 0.05))
    assert (b.low95, b.high95) == pytest.approx((0.15 - 0.069295, 0.15 + 0.069295), abs=1e-6)
    assert (a.z, b.z, c.z) == pytest.approx((-1.0, 0.0, 1.0))  # residual / adjusted sd
    low, high = result.limits(np.array([100.0]), 1.959964)
    assert (low[0], high[0]) == pytest.approx((a.low95, a.high95))
    plain = funnel(["a", "b", "c"], [10, 30, 20], [100, 200, 100], adjust=False)
    assert not plain.adjusted and plain.points[2].z == pytest.approx(1.40028, abs=1e-5)


def test_funnel_does_not_narrow_under_dispersed_units():
    # identical rates: φ = 0, no adjustment, plain binomial limits
    result = funnel(["a", "b"], [20, 40], [100, 200])
    assert result.dispersion == pytest.approx(0.0) and not result.adjusted
    sd = np.sqrt(0.2 * 0.8 / 100)
    assert result.points[0].high95 == pytest.approx(0.2 + 1.959964 * sd)


def test_count_model_high_dispersion_with_non_positive_alpha_is_quasi_poisson_not_poisson():
    # Group a: four counts of 1 (μ = 1, no deviation: each adds (0 − 1)/1² = −1 to the moment sum);
    # group b: 1000, 1100, 900, 1000 (μ = 1000, Pearson Σ(y − μ)²/μ = 20000/1000 = 20).
    # Pearson φ = 20/(8 − 2) = 3.33 > 1.5, but the NB moment sum −4 + (2·10⁴ − 2000 − 1100 − 900)/10⁶ < 0.
    frame = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 4, "n": [1, 1, 1, 1, 1000, 1100, 900, 1000]})
    trend = count_model(frame, "n", "C(g)", "C(g)[T.b]")
    assert trend.dispersion == pytest.approx(20 / 6)
    assert trend.family.startswith("quasi-Poisson") and "not estimable" in trend.family
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    poisson = smf.glm("n ~ C(g)", data=frame, family=sm.families.Poisson()).fit()
    low, high = np.exp(poisson.conf_int().loc["C(g)[T.b]"])
    assert trend.rate_ratio == pytest.approx(1000.0)
    assert trend.low < low and trend.high > high  # wider than Poisson …
    se = np.log(trend.high / trend.low) / (2 * 1.959964)
    assert se == pytest.approx(poisson.bse["C(g)[T.b]"] * np.sqrt(20 / 6), rel=1e-4)  # … by exactly √φ


def test_holm_matches_a_hand_computed_case():
    # sorted p: 0.01 × 4 = 0.04; 0.03 × 3 = 0.09; 0.04 × 2 = 0.08 → 0.09 (monotone); 0.20 × 1 = 0.20
    adjusted = holm([0.01, 0.04, 0.03, 0.20, float("nan")])
    assert adjusted[:4] == pytest.approx([0.04, 0.09, 0.09, 0.20])
    assert np.isnan(adjusted[4])  # a missing p value stays missing, and does not count as a test
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])  # capped at 1


def test_quasi_newcombe_is_newcombes_formula_on_effective_counts():
    from analysis.stats import quasi_newcombe

    # Newcombe (1998) method 10, by hand from Wilson limits (l, u) of each group:
    # low = d − √((p_a − l_a)² + (u_b − p_b)²), high = d + √((u_a − p_a)² + (p_b − l_b)²).
    # With φ_a = 2 and φ_b = 4 the Wilson limits are those of 48/2 of 56/2 and 20/4 of 40/4.
    a, b = wilson(24, 28), wilson(5, 10)
    pa, pb = 48 / 56, 20 / 40
    d = pa - pb
    low = d - np.sqrt((pa - a.low) ** 2 + (b.high - pb) ** 2)
    high = d + np.sqrt((a.high - pa) ** 2 + (pb - b.low) ** 2)
    result = quasi_newcombe(48, 56, 20, 40, 2.0, 4.0)
    assert (result.difference, result.low, result.high) == pytest.approx((d, low, high), abs=1e-9)
    assert (result.phi_a, result.phi_b) == (2.0, 4.0)
    # φ = 1 (or below, or unknown) is the plain Newcombe interval exactly: the sensitivity row
    plain = compare_proportions(48, 56, 20, 40)
    for phi in (1.0, 0.6, float("nan")):
        same = quasi_newcombe(48, 56, 20, 40, phi)
        assert (same.low, same.high, same.phi_a, same.phi_b) == pytest.approx((plain.low, plain.high, 1.0, 1.0))
    assert quasi_newcombe(48, 56, 20, 40, 3.0).phi_b == 3.0  # φ_b defaults to φ_a


def test_quasi_newcombe_covers_at_the_nominal_rate_where_plain_newcombe_undercovers():
    from analysis.stats import quasi_newcombe

    # Two years of clustered aspects: 120 complaints of 4 aspects (ρ = 1/3, φ = 1 + 3/3 = 2) at
    # p = 0.38, and 90 complaints of 3 aspects (ρ = 0.25, φ = 1.5) at p = 0.19; the true difference
    # is 0.19. The plain interval should cover well below 95%, the one on n/φ about 95%.
    rng = np.random.default_rng(20261202)
    reps = 2000
    phi_a, phi_b = 1 + 3 / 3, 1 + 2 * 0.25
    xa = _beta_binomial_totals(rng, reps, 120, 4, 0.38, 1 / 3)
    xb = _beta_binomial_totals(rng, reps, 90, 3, 0.19, 0.25)
    truth = 0.38 - 0.19
    quasi = [quasi_newcombe(a, 480, b, 270, phi_a, phi_b) for a, b in zip(xa, xb)]
    plain = [compare_proportions(a, 480, b, 270) for a, b in zip(xa, xb)]
    quasi_cover = np.mean([q.low <= truth <= q.high for q in quasi])
    plain_cover = np.mean([p.low <= truth <= p.high for p in plain])
    assert abs(quasi_cover - 0.95) <= 0.025
    assert plain_cover < 0.91
    assert all(q.high - q.low > p.high - p.low for q, p in zip(quasi[:20], plain[:20]))


def test_quasi_newcombe_z_test_is_the_plain_test_divided_by_root_phi():
    from analysis.stats import quasi_newcombe

    # with one φ for both groups the effective counts scale the pooled variance by φ, so z falls by √φ
    plain = compare_proportions(150, 400, 60, 320)
    adjusted = quasi_newcombe(150, 400, 60, 320, 2.25)
    assert quasi_newcombe(150, 400, 60, 320, 1.0).p_value == pytest.approx(plain.p_value)
    assert adjusted.z == pytest.approx(plain.z / 1.5)
    assert adjusted.p_value > plain.p_value


# --- the study's variance models (docs/methods.md) ---------------------------------------------


def test_aspects_design_effect_is_aspects_per_complaint_and_below_the_unequal_cluster_bound():
    from analysis.stats import aspects_design_effect

    # Bromley 2023-24 adult social care: 154 aspects (bromley_2023-24…txt:115), 90 complaints (:87)
    assert aspects_design_effect(154, 90) == pytest.approx(1.7111, abs=1e-4)
    assert math.isnan(aspects_design_effect(154, 0)) and math.isnan(aspects_design_effect(float("nan"), 90))
    # complaints of 1 and 3 aspects: m̄ = 2, but the design effect of fully clustered aspects is Σm²/Σm = 2.5
    sizes = np.array([1, 3])
    assert aspects_design_effect(sizes.sum(), len(sizes)) == 2 < (sizes**2).sum() / sizes.sum()


def test_aspect_difference_p_value_agrees_with_its_likely_range():
    from analysis.stats import aspect_difference

    # contracted 25/34 against in-house 57/120, Bromley 2023-24 (bromley_2023-24…txt:275, :287), φ = 154/90
    d = aspect_difference(25, 34, 57, 120, 154 / 90)
    assert (d.low, d.high, d.p_value) == pytest.approx((0.0122, 0.4426, 0.0401), abs=1e-4)
    wide = aspect_difference(25, 34, 57, 120, 2.7318)
    assert wide.low < 0 < wide.high and wide.p_value > 0.05  # range and p value flip together


def test_quasi_poisson_uses_t_quantiles_on_the_residual_df():
    from scipy import stats as st

    from analysis.stats import quasi_poisson

    # Bromley's Education complaints 2019-20 to 2023-24 (38, 23, 50, 97, 135; bromley_2023-24…txt:91)
    frame = pd.DataFrame({"year": range(5), "n": [38, 23, 50, 97, 135]})
    fit = quasi_poisson(frame, "n", "year", "year")
    assert fit.df_resid == 3 and fit.quantile == "t(3)" and fit.dispersion > 1
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    poisson = smf.glm("n ~ year", data=frame, family=sm.families.Poisson()).fit()
    se = poisson.bse["year"] * math.sqrt(poisson.pearson_chi2 / 3)
    q = st.t.ppf(0.975, 3)
    assert fit.rate_ratio == pytest.approx(math.exp(poisson.params["year"]))
    assert (fit.low, fit.high) == pytest.approx((math.exp(poisson.params["year"] - q * se),
                                                 math.exp(poisson.params["year"] + q * se)), rel=1e-5)
    assert fit.p_value == pytest.approx(2 * st.t.sf(poisson.params["year"] / se, 3), rel=1e-3)
    assert (fit.rate_ratio - 1, fit.low - 1, fit.high - 1) == pytest.approx((0.521, 0.128, 1.053), abs=1e-3)
