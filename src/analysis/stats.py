"""The study's statistics, in one tested place (statsmodels underneath).

Each helper returns plain numbers with their intervals, and says in its docstring what it
assumes, so a notebook can state the caveat next to the figure.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint, proportions_ztest


@dataclass(frozen=True)
class Proportion:
    successes: float
    trials: float
    rate: float
    low: float
    high: float


def wilson(successes: float, trials: float, alpha: float = 0.05) -> Proportion:
    """Share with a Wilson score interval (good for small counts and rates near 0 or 1).

    Assumes the trials are independent with one common probability — for complaint
    aspects of one complainant, an optimistic assumption, so read the interval as a floor.
    """
    if trials <= 0:
        return Proportion(successes, trials, float("nan"), float("nan"), float("nan"))
    low, high = proportion_confint(successes, trials, alpha=alpha, method="wilson")
    return Proportion(successes, trials, successes / trials, float(low), float(high))


@dataclass(frozen=True)
class TwoProportions:
    rate_a: float
    rate_b: float
    difference: float
    low: float
    high: float
    z: float
    p_value: float


def compare_proportions(successes_a, trials_a, successes_b, trials_b, alpha: float = 0.05) -> TwoProportions:
    """Two-proportion z-test and a Newcombe (Wilson-based) interval for the difference a − b.

    The interval is statsmodels' ``confint_proportions_2indep(method="newcomb")``. Assumes
    independent observations in two independent groups; with small groups the z test is
    approximate, which the interval (not the p value) reflects better.
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    z, p = proportions_ztest([successes_a, successes_b], [trials_a, trials_b])
    low, high = confint_proportions_2indep(successes_a, trials_a, successes_b, trials_b, method="newcomb",
                                           compare="diff", alpha=alpha)
    return TwoProportions(successes_a / trials_a, successes_b / trials_b, successes_a / trials_a - successes_b / trials_b,
                          float(low), float(high), float(z), float(p))


@dataclass(frozen=True)
class ChiSquare:
    statistic: float
    dof: int
    p_value: float
    min_expected: float


def chi_square(table: pd.DataFrame | np.ndarray) -> ChiSquare:
    """Chi-square test of independence on a contingency table (rows × outcomes).

    Rows with no observations are dropped. The approximation needs expected counts of
    about 5 or more: ``min_expected`` says whether that holds.
    """
    array = np.asarray(table, dtype=float)
    array = array[array.sum(axis=1) > 0]
    array = array[:, array.sum(axis=0) > 0]
    statistic, p, dof, expected = scipy_stats.chi2_contingency(array, correction=False)
    return ChiSquare(float(statistic), int(dof), float(p), float(expected.min()))


@dataclass(frozen=True)
class RateRatio:
    term: str
    ratio: float
    low: float
    high: float
    p_value: float


def binomial_glm(frame: pd.DataFrame, successes: str, trials: str, formula_rhs: str):
    """Binomial GLM of ``successes`` out of ``trials`` on ``formula_rhs`` (e.g. ``C(cause) + C(division)``).

    Assumes each trial independent given the covariates; aggregated complaint aspects are
    usually over-dispersed, so the fit is refitted with Pearson-χ² scale (quasi-binomial:
    standard errors × √dispersion, the scale floored at 1) and the returned ``dispersion``
    (Pearson χ² / residual df) says by how much the plain binomial understates the variance.
    """
    data = frame[frame[trials] > 0].copy()
    data["_failures"] = data[trials] - data[successes]
    import statsmodels.formula.api as smf

    model = smf.glm(f"{successes} + _failures ~ {formula_rhs}", data=data, family=sm.families.Binomial())
    plain = model.fit()
    dispersion = float(plain.pearson_chi2 / plain.df_resid) if plain.df_resid > 0 else float("nan")
    # scale given as a number: statsmodels' scale="X2" mis-weights two-column (successes, failures)
    # data (it ignores the trials); never below 1, so intervals are never narrower than binomial ones
    fitted = model.fit(scale=max(dispersion, 1.0)) if plain.df_resid > 0 else plain
    return fitted, dispersion


def odds_ratios(fitted) -> pd.DataFrame:
    """exp(coefficients) with 95% intervals, as a tidy table."""
    ci = fitted.conf_int()
    return pd.DataFrame({
        "odds_ratio": np.exp(fitted.params), "low": np.exp(ci[0]), "high": np.exp(ci[1]), "p_value": fitted.pvalues,
    })


@dataclass(frozen=True)
class CountTrend:
    family: str
    rate_ratio: float  # per unit of the trend variable (a year)
    low: float
    high: float
    p_value: float
    dispersion: float  # Pearson χ² / df of the Poisson fit; > 1 means over-dispersion
    n: int
    df_resid: float = float("nan")  # residual degrees of freedom the scale was estimated on
    quantile: str = "normal"  # "t(df)" when the interval and p value use t quantiles


def count_model(frame: pd.DataFrame, count: str, formula_rhs: str, term: str, exposure: str | None = None,
                quasi: bool = False) -> CountTrend:
    """Poisson GLM of ``count`` on ``formula_rhs``, widened honestly when the counts are over-dispersed.

    Assumes counts are independent given the covariates and (for Poisson) variance equal to
    the mean. The Pearson dispersion φ is checked; above 1.5 the model is refitted as a
    negative binomial with alpha from the method of moments. When that moment estimate is not
    positive (the extra variance is not of the NB's quadratic shape), the NB cannot be
    estimated and the fit becomes quasi-Poisson instead (Poisson with scale φ: standard errors
    × √φ) — never a silent Poisson. ``quasi=True`` asks for the quasi-Poisson fit directly
    (scale floored at 1). Returns exp(coefficient) of ``term`` with its 95% interval.
    """
    import statsmodels.formula.api as smf

    kwargs = {"exposure": frame[exposure]} if exposure else {}
    model = smf.glm(f"{count} ~ {formula_rhs}", data=frame, family=sm.families.Poisson(), **kwargs)
    poisson = model.fit()
    dispersion = float(poisson.pearson_chi2 / poisson.df_resid) if poisson.df_resid > 0 else float("nan")
    fitted, family = poisson, "poisson"
    if quasi and np.isfinite(dispersion):
        fitted, family = model.fit(scale=max(dispersion, 1.0)), f"quasi-Poisson (scale={max(dispersion, 1.0):.3g})"
    elif dispersion > 1.5:
        mu = poisson.mu
        y = frame[count].to_numpy(dtype=float)
        alpha = float(np.sum(((y - mu) ** 2 - y) / mu**2) / poisson.df_resid)
        if alpha > 0:
            fitted = smf.glm(f"{count} ~ {formula_rhs}", data=frame,
                             family=sm.families.NegativeBinomial(alpha=alpha), **kwargs).fit()
            family = f"negative binomial (alpha={alpha:.3g})"
        else:
            fitted = model.fit(scale=dispersion)
            family = f"quasi-Poisson (scale={dispersion:.3g}; negative-binomial alpha not estimable)"
    ci = fitted.conf_int().loc[term]
    return CountTrend(family, float(np.exp(fitted.params[term])), float(np.exp(ci[0])), float(np.exp(ci[1])),
                      float(fitted.pvalues[term]), dispersion, int(fitted.nobs))


def poisson_ratio(count_a: float, count_b: float, exposure_a: float = 1.0, exposure_b: float = 1.0,
                  alpha: float = 0.05) -> RateRatio:
    """Ratio of two Poisson rates (a over b) with an exact conditional interval and p value.

    Given the total, ``count_a`` is binomial with p = λa·ea / (λa·ea + λb·eb); the
    Clopper–Pearson interval for p maps to the ratio. Assumes each count is Poisson
    (independent events at a steady rate within its period) — e.g. one quarter's
    complaints against the same quarter a year before.
    """
    from scipy.stats import binomtest

    a, b = int(round(count_a)), int(round(count_b))
    scale = exposure_b / exposure_a
    if a + b == 0:
        return RateRatio("ratio", float("nan"), float("nan"), float("nan"), float("nan"))
    test = binomtest(a, a + b, exposure_a / (exposure_a + exposure_b))
    ci = test.proportion_ci(confidence_level=1 - alpha, method="exact")
    low = ci.low / (1 - ci.low) * scale if ci.low < 1 else float("inf")
    high = ci.high / (1 - ci.high) * scale if ci.high < 1 else float("inf")
    ratio = a / b * scale if b else float("inf")
    return RateRatio("ratio", float(ratio), float(low), float(high), float(test.pvalue))


# --- over-dispersion: quasi-likelihood intervals and funnel limits --------------------------


def pearson_dispersion(successes, trials) -> float:
    """φ = Pearson χ² / (k − 1) of k groups' proportions around their pooled rate.

    φ ≈ 1 when the groups share one rate and their trials are independent; φ > 1 means the
    groups vary more than binomial chance allows (aspects of one complaint moving together,
    real differences between services). NaN with fewer than two groups with trials.
    """
    r, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    keep = n > 0
    r, n = r[keep], n[keep]
    if len(n) < 2:
        return float("nan")
    pooled = r.sum() / n.sum()
    if pooled in (0.0, 1.0):
        return float("nan")
    z = (r / n - pooled) / np.sqrt(pooled * (1 - pooled) / n)
    return float(np.sum(z**2) / (len(n) - 1))


@dataclass(frozen=True)
class AdjustedProportion:
    successes: float
    trials: float
    rate: float
    low: float
    high: float
    dispersion: float  # φ used to widen the interval (≥ 1)


def quasi_wilson(successes: float, trials: float, dispersion: float, alpha: float = 0.05) -> AdjustedProportion:
    """A Wilson interval with the trials discounted by the over-dispersion φ (effective n = n / φ).

    The quasi-binomial assumption: Var = φ·n·p(1−p), so the information in n aspects is that of
    n/φ independent ones. φ below 1 (or unknown) is floored at 1, so the interval is never
    narrower than the plain Wilson one.
    """
    phi = effective_phi(dispersion)
    if trials <= 0:
        return AdjustedProportion(successes, trials, float("nan"), float("nan"), float("nan"), phi)
    low, high = proportion_confint(successes / phi, trials / phi, alpha=alpha, method="wilson")
    return AdjustedProportion(successes, trials, successes / trials, float(low), float(high), phi)


def effective_phi(phi: float | None) -> float:
    """φ as used to widen an interval: floored at 1 (never narrower than binomial), 1 when unknown."""
    return float(phi) if phi is not None and np.isfinite(phi) and phi > 1 else 1.0


@dataclass(frozen=True)
class AdjustedDifference:
    difference: float  # rate a − rate b (the raw rates: φ does not move the estimate)
    low: float
    high: float
    phi_a: float  # φ used for group a (≥ 1)
    phi_b: float  # φ used for group b (≥ 1)
    z: float = float("nan")  # two-proportion z on the effective counts
    p_value: float = float("nan")


def quasi_newcombe(successes_a, trials_a, successes_b, trials_b, phi_a: float, phi_b: float | None = None,
                   alpha: float = 0.05) -> AdjustedDifference:
    """Newcombe's hybrid-score interval for the difference a − b on effective counts (x/φ of n/φ in each group).

    The quasi-binomial assumption of :func:`quasi_wilson` applied to both groups, each with its own φ
    when they come from different years (``phi_b`` None: the same φ as a). φ ≤ 1 or unknown is taken
    as 1, which gives statsmodels' plain Newcombe interval exactly — the sensitivity row beside it.
    The z test (and p value) is the two-proportion test on the same effective counts. Assumes the two
    groups independent of each other.
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    fa, fb = effective_phi(phi_a), effective_phi(phi_a if phi_b is None else phi_b)
    ea, na, eb, nb = successes_a / fa, trials_a / fa, successes_b / fb, trials_b / fb
    low, high = confint_proportions_2indep(ea, na, eb, nb, method="newcomb", compare="diff", alpha=alpha)
    pooled = (ea + eb) / (na + nb)
    se = np.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb)) if 0 < pooled < 1 else float("nan")
    z = (ea / na - eb / nb) / se if se and np.isfinite(se) else float("nan")
    p = float(2 * scipy_stats.norm.sf(abs(z))) if np.isfinite(z) else float("nan")
    return AdjustedDifference(successes_a / trials_a - successes_b / trials_b, float(low), float(high), fa, fb,
                              float(z), p)


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    successes: float
    trials: float
    rate: float
    low95: float
    high95: float
    low998: float
    high998: float
    z: float  # standardised, dispersion-adjusted: |z| > 1.96 is outside the 95% limit


@dataclass(frozen=True)
class Funnel:
    pooled: float
    dispersion: float  # Pearson φ of the units (before any adjustment)
    adjusted: bool  # the limits are widened by √φ (Spiegelhalter's multiplicative adjustment)
    points: tuple[FunnelPoint, ...]

    def limits(self, trials: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
        """Control limits around the pooled rate at each size ``trials`` (for drawing the funnel)."""
        scale = np.sqrt(self.dispersion) if self.adjusted else 1.0
        sd = np.sqrt(self.pooled * (1 - self.pooled) / np.asarray(trials, dtype=float)) * scale
        return np.clip(self.pooled - z * sd, 0, 1), np.clip(self.pooled + z * sd, 0, 1)


def funnel(labels, successes, trials, adjust: bool = True) -> Funnel:
    """Funnel-plot limits for proportions around their pooled rate (Spiegelhalter 2005).

    Normal-approximation limits p₀ ± z·√(p₀(1−p₀)/n) at z = 1.96 (95%) and 3.09 (99.8%). When the
    units are over-dispersed (φ > 1) and ``adjust`` is set, the limits are multiplied by √φ —
    the multiplicative over-dispersion adjustment — so a unit is only flagged when it differs by
    more than the between-unit variation already seen. Assumes each unit's count is binomial
    around a shared rate apart from that common extra variation.
    """
    r, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    keep = n > 0
    pooled = float(r[keep].sum() / n[keep].sum())
    phi = pearson_dispersion(r, n)
    adjusted = bool(adjust and np.isfinite(phi) and phi > 1)
    scale = np.sqrt(phi) if adjusted else 1.0
    points = []
    for label, ri, ni in zip(labels, r, n):
        if ni <= 0:
            continue
        sd = np.sqrt(pooled * (1 - pooled) / ni) * scale
        points.append(FunnelPoint(str(label), float(ri), float(ni), float(ri / ni),
                                  float(max(pooled - 1.959964 * sd, 0)), float(min(pooled + 1.959964 * sd, 1)),
                                  float(max(pooled - 3.090232 * sd, 0)), float(min(pooled + 3.090232 * sd, 1)),
                                  float((ri / ni - pooled) / sd) if sd > 0 else float("nan")))
    return Funnel(pooled, phi, adjusted, tuple(points))


def holm(p_values) -> np.ndarray:
    """Holm-adjusted p values (family-wise error control when several terms are tested at once)."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="holm")[1]
    return out


# --- never publish a degenerate estimate -----------------------------------------------------

PLAUSIBLE_RATIO = (1e-3, 1e3)  # a rate or odds ratio outside this range is a fit that failed, not a finding


def not_estimable_reason(estimate: float, low: float = 0.0, high: float = 0.0, counts=None) -> str | None:
    """Why a ratio estimate must not be published (None when it may be).

    Zero counts in a compared cell, a non-finite estimate or bound, or a ratio beyond
    ``PLAUSIBLE_RATIO`` mean the model could not estimate the quantity (separation, a saturated
    fit, a series with no events): it is reported as "not estimable (reason)", never as a number.
    """
    if counts is not None and any(c is not None and np.isfinite(c) and c <= 0 for c in counts):
        return "a compared count is zero"
    values = [estimate, low, high]
    if not all(v is not None and np.isfinite(v) for v in values):
        return "the fit gives no finite estimate or interval"
    if not (PLAUSIBLE_RATIO[0] <= estimate <= PLAUSIBLE_RATIO[1]) or low <= 0 or high > PLAUSIBLE_RATIO[1]:
        return "the fit diverged (the ratio or its interval is implausibly extreme)"
    return None


# --- the study's variance models: one per kind of estimate (docs/methods.md) --------------------
#
# 1. Shares and upheld rates of complaint ASPECTS, and differences between them: quasi-binomial,
#    Var = φ·n·p(1−p) with φ = the year's aspects per complaint (:func:`aspects_design_effect`), on
#    effective counts n/φ (:func:`aspect_share`, :func:`aspect_difference`); the p value is the test on
#    the same effective counts. The between-service Pearson φ is a labelled sensitivity, not a headline.
# 2. COUNTS over years: quasi-Poisson, Var = φ·μ with φ = Pearson χ² / residual df of the Poisson fit
#    (floored at 1), intervals and p values from t on the residual df (:func:`quasi_poisson`).


def aspects_design_effect(aspects: float, complaints: float) -> float:
    """φ for shares of complaint aspects: the mean number of aspects per complaint, m̄ = aspects / complaints.

    Aspects of one complaint are not independent draws. If every aspect of a complaint shared its
    outcome (intra-complaint correlation 1) the design effect would be Σmᵢ²/Σmᵢ = m̄(1 + CV²), which is
    at least m̄ when complaints carry unequal numbers of aspects; if the aspects of a complaint were
    decided independently it would be 1. The reports print only the totals, so m̄ is the one figure
    the data give for every year: the design effect of complaints of equal size whose aspects move
    together — neither an upper nor a lower bound on the truth, which is why the wider between-service
    φ is shown beside it as a labelled sensitivity wherever a verdict depends on it. NaN when either
    total is missing; floored at 1 by :func:`effective_phi` where it is used.
    """
    try:
        a, c = float(aspects), float(complaints)
    except (TypeError, ValueError):
        return float("nan")
    return a / c if np.isfinite(a) and np.isfinite(c) and c > 0 else float("nan")


def aspect_share(successes: float, trials: float, phi: float, alpha: float = 0.05) -> AdjustedProportion:
    """A share of aspects with its likely range under variance model 1 (quasi-Wilson on n/φ)."""
    return quasi_wilson(successes, trials, phi, alpha)


def aspect_difference(successes_a, trials_a, successes_b, trials_b, phi_a: float, phi_b: float | None = None,
                      alpha: float = 0.05) -> AdjustedDifference:
    """A difference of two aspect shares (a − b) under variance model 1: Newcombe's interval and the
    two-proportion z test on the same effective counts x/φ of n/φ, so the p value and the likely range
    never disagree about "no difference"."""
    return quasi_newcombe(successes_a, trials_a, successes_b, trials_b, phi_a, phi_b, alpha)


def quasi_poisson(frame: pd.DataFrame, count: str, formula_rhs: str, term: str, exposure: str | None = None,
                  alpha: float = 0.05) -> CountTrend:
    """Variance model 2, for counts over years: a Poisson GLM with scale φ = Pearson χ² / residual df
    (floored at 1: never narrower than Poisson), and t quantiles on the residual df for the interval
    and the p value, because φ is estimated from a handful of years (4 df gives t = 2.78, not 1.96).

    Returns exp(coefficient) of ``term`` with its (1 − alpha) interval. With no residual df the scale
    cannot be estimated: the fit is plain Poisson and ``quantile`` says so.
    """
    import statsmodels.formula.api as smf

    kwargs = {"exposure": frame[exposure]} if exposure else {}
    model = smf.glm(f"{count} ~ {formula_rhs}", data=frame, family=sm.families.Poisson(), **kwargs)
    poisson = model.fit()
    df = float(poisson.df_resid)
    if df <= 0:
        ci = poisson.conf_int(alpha).loc[term]
        return CountTrend("Poisson (no residual df: scale not estimable)", float(np.exp(poisson.params[term])),
                          float(np.exp(ci[0])), float(np.exp(ci[1])), float(poisson.pvalues[term]), float("nan"),
                          int(poisson.nobs), df, "normal")
    dispersion = float(poisson.pearson_chi2 / df)
    scale = max(dispersion, 1.0)
    fitted = model.fit(scale=scale)
    beta, se = float(fitted.params[term]), float(fitted.bse[term])
    q = float(scipy_stats.t.ppf(1 - alpha / 2, df))
    p = float(2 * scipy_stats.t.sf(abs(beta / se), df)) if se > 0 else float("nan")
    return CountTrend(f"quasi-Poisson (scale {scale:.3g}, t on {df:.0f} df)", float(np.exp(beta)),
                      float(np.exp(beta - q * se)), float(np.exp(beta + q * se)), p, dispersion, int(fitted.nobs),
                      df, f"t({df:.0f})")
