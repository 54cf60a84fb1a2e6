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

    Assumes independent observations in two independent groups; with small groups the z
    test is approximate, which the interval (not the p value) reflects better.
    """
    z, p = proportions_ztest([successes_a, successes_b], [trials_a, trials_b])
    a, b = wilson(successes_a, trials_a, alpha), wilson(successes_b, trials_b, alpha)
    difference = a.rate - b.rate
    low = difference - np.sqrt((a.rate - a.low) ** 2 + (b.high - b.rate) ** 2)
    high = difference + np.sqrt((a.high - a.rate) ** 2 + (b.rate - b.low) ** 2)
    return TwoProportions(a.rate, b.rate, difference, float(low), float(high), float(z), float(p))


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


def count_model(frame: pd.DataFrame, count: str, formula_rhs: str, term: str, exposure: str | None = None) -> CountTrend:
    """Poisson GLM of ``count`` on ``formula_rhs``; negative binomial when the Poisson is over-dispersed.

    Assumes counts are independent given the covariates and (for Poisson) variance equal to
    the mean; the Pearson dispersion is checked, and above 1.5 the model is refitted as a
    negative binomial (alpha estimated by a moment estimate) so intervals widen honestly.
    Returns exp(coefficient) of ``term`` with its 95% interval.
    """
    import statsmodels.formula.api as smf

    kwargs = {"exposure": frame[exposure]} if exposure else {}
    poisson = smf.glm(f"{count} ~ {formula_rhs}", data=frame, family=sm.families.Poisson(), **kwargs).fit()
    dispersion = float(poisson.pearson_chi2 / poisson.df_resid) if poisson.df_resid > 0 else float("nan")
    fitted, family = poisson, "poisson"
    if dispersion > 1.5:
        mu = poisson.mu
        y = frame[count].to_numpy(dtype=float)
        alpha = max(float(np.sum(((y - mu) ** 2 - y) / mu**2) / poisson.df_resid), 1e-8)
        fitted = smf.glm(f"{count} ~ {formula_rhs}", data=frame,
                         family=sm.families.NegativeBinomial(alpha=alpha), **kwargs).fit()
        family = f"negative binomial (alpha={alpha:.3g})"
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
