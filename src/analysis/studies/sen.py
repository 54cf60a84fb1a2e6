"""The SEN surge: special educational needs complaints, their trend, causes and consequences.

Everything numeric comes from the clean observations (``analysis.data``). A multi-year
series is read from named tables (:data:`SERIES`) and reconciled to one value per year by the
rules of :mod:`analysis.reconcile`, every disagreement between reports listed beside it.
Single-year tables (service, nature of complaint, causes, Ombudsman outcomes) are read by
table id, so two tables printing the same key are never mixed. The only text read from
``data/raw`` is qualitative evidence (:func:`quote`), returned with its file and line and
HTML-escaped for the pages.

Bromley's reports are the only ones with a SEN service table; for other councils the
functions return empty frames and :func:`inventory` says what the council's data does hold.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import present
from ..clean.reconcile import reconcile
from ..data import cite, select
from ..paths import Paths
from ..stats import (
    CountTrend,
    compare_proportions,
    not_estimable_reason,
    quasi_newcombe,
    quasi_poisson,
    quasi_wilson,
    wilson,
)
from .comparable import OUTSIDE_TOTAL, like_for_like
from .dispersion import complaint_design_effect, linked_sources, service_dispersion
from .primary import NOT_ESTIMABLE, Primary, strength_of

EDUCATION = "education"
SEN = "SEN"  # Bromley's service label, exactly as printed
SEN_PATTERN = r"\bSEN\b|\bSEND\b|\bEHC|special educ"

# Table ids of the Bromley template (see src/analysis/clean/extract/bromley.py).
OVERVIEW_TABLE = "complaints_by_division_multi_year"
SERVICE_TABLE = "service_aspects"
NATURE_TABLE = "nature_of_complaint"
OMBUDSMAN_OUTCOMES_TABLE = "ombudsman_outcomes"

# Bromley's Ombudsman outcome columns under the printed "UPHELD" heading.
OMBUDSMAN_UPHELD_COLUMNS = ("ombudsman_upheld_nfa", "ombudsman_maladministration_injustice",
                            "ombudsman_maladministration_no_injustice", "ombudsman_already_remedied")

# The not-upheld columns: an Ombudsman case decided on its merits without a finding against the council.
# Investigated = upheld + not upheld; cases closed (no further action, no jurisdiction, premature) were not.
OMBUDSMAN_NOT_UPHELD_COLUMNS = ("ombudsman_not_upheld_nfa", "ombudsman_no_maladministration")

# The reports' own warning on money totals (Bromley 2019-20): quoted beside every money figure.
MONEY_WARNING = ("bromley", r"skewed by one or two", "Bromley's own caveat on its annual compensation totals")

# Qualitative evidence: (council, regular expression locating the line, what it shows).
EVIDENCE = (
    ("bromley", r"pressures on SEN services",
     "Bromley's 2023-24 report attributes its compensation total to SEN pressures"),
    ("harrow", r"in particular, SEND",
     "Harrow notes rising SEND complaints in line with national trends"),
    ("lewisham", r"Issues with EHCPs",
     "Lewisham names EHCP issues among upheld children's complaints, and a surge in SEND "
     "assessments since schools fully reopened"),
    ("lewisham", r"^\s*iv\) EHCP",
     "Lewisham lists EHCP failures among reasons complaints escalated to stage 2"),
)


# --- selection helpers ----------------------------------------------------------------

def up_to(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    """Rows whose ``period`` is ``period`` or earlier (all rows when ``period`` is '')."""
    return frame if not period else frame[frame["period"] <= period]


# A series: (division, measure, tables it is read from, tables only compared with it, stage or None).
# The tables are named because one key can hold different things: Bromley's 2023-24
# "Total" of complaints is 533 in the five-year table (without E&PP) and 738 in the
# how-received table (with it); the reconciled view keyed without the table would mix them.
SERIES = {
    "education": (EDUCATION, "complaints", (OVERVIEW_TABLE, "at_a_glance"),
                  ("how_received", "complaints_by_type_and_division"), "all"),
    "total": ("all", "complaints", (OVERVIEW_TABLE,), (), "all"),
    "education_ombudsman_cases": (EDUCATION, "ombudsman_referrals", ("at_a_glance",), ("ombudsman_by_division",), None),
    "education_ombudsman_upheld": (EDUCATION, "ombudsman_upheld", ("at_a_glance",), ("ombudsman_by_division",), None),
    "education_financial_gbp": (EDUCATION, "financial_total_gbp",
                                ("financial_consequences", "financial_by_division", "at_a_glance"), (), "all"),
    "council_financial_gbp": ("all", "financial_total_gbp", ("financial_multi_year", "financial_by_division"), (), "all"),
    "council_ombudsman_upheld": ("all", "ombudsman_upheld", ("ombudsman_annual_letter",), ("ombudsman_by_division",),
                                 None),
}
STAGE_PREFERENCE = ["all", "ombudsman", "stage_1", "stage_2", "stage_3", "representation", "enquiry"]
SERIES_COLUMNS = ["period", "value", "source", "rule", "n_values", "alternatives"]
DISAGREEMENT_COLUMNS = ["series", "period", "chosen_value", "chosen_source", "other_value", "other_source",
                        "other_table", "rule"]


def series(obs: pd.DataFrame, council: str, key: str, period: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """One value per year of the series ``key`` of :data:`SERIES`, and where the reports disagree.

    The rows of the series' tables are reconciled by :func:`analysis.reconcile.reconcile`
    (the report covering its own year first, then the latest; within one report the first
    printed). Returns (series, disagreements): series columns period, value, source
    (file:line), rule, n_values, alternatives; disagreements lists every printed value, in
    the series' tables or in the tables it is compared with, that differs from the chosen one.
    """
    division, measure, tables, compared, stage = SERIES[key]
    rows = select(obs, council=council, division=division, service="", category="", measure=measure, quarter="",
                  table=[*tables, *compared])
    rows = up_to(rows[rows["value"].notna()], period)
    if stage is not None:
        rows = rows[rows["stage"] == stage]
    chosen = pd.DataFrame(columns=SERIES_COLUMNS)
    if len(rows[rows["table"].isin(tables)]):
        recon, _ = reconcile(rows[rows["table"].isin(tables)])
        recon["_order"] = recon["stage"].map({s: i for i, s in enumerate(STAGE_PREFERENCE)})
        recon = recon.sort_values(["period", "_order"], kind="mergesort").drop_duplicates("period")
        chosen = recon.assign(source=[cite(r) for _, r in recon.iterrows()])[SERIES_COLUMNS].reset_index(drop=True)
    merged = rows.merge(chosen[["period", "value", "source", "rule"]], on="period", suffixes=("", "_chosen"))
    differ = merged[(merged["value"] - merged["value_chosen"]).abs() > 1e-6]
    disagreements = pd.DataFrame({
        "series": key, "period": differ["period"], "chosen_value": differ["value_chosen"],
        "chosen_source": differ["source"], "other_value": differ["value"],
        "other_source": [cite(r) for _, r in differ.iterrows()], "other_table": differ["table"],
        "rule": differ["rule"]}, columns=DISAGREEMENT_COLUMNS)
    return chosen, disagreements.reset_index(drop=True)


def _series_frame(obs: pd.DataFrame, council: str, keys, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Several series side by side: ``<key>``, ``<key>_source``, ``<key>_n_values`` per period."""
    frame, differ = pd.DataFrame({"period": pd.Series(dtype=str)}), []
    for key in keys:
        one, disagreements = series(obs, council, key, period)
        differ.append(disagreements)
        one = one[["period", "value", "source", "n_values"]].rename(columns={
            "value": key, "source": f"{key}_source", "n_values": f"{key}_n_values"})
        frame = frame.merge(one, on="period", how="outer")
    for key in keys:
        frame[key] = frame[key].astype(float)
    frame = frame.sort_values("period").reset_index(drop=True)
    differ = [d for d in differ if len(d)]
    return frame, (pd.concat(differ, ignore_index=True) if differ else pd.DataFrame(columns=DISAGREEMENT_COLUMNS))


def _table(obs: pd.DataFrame, council: str, table: str, period: str | None = None) -> pd.DataFrame:
    rows = select(obs, council=council, table=table, quarter="")
    rows = rows[rows["value"].notna()]
    return rows if period is None else rows[rows["period"] == period]


def _wide(rows: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    """measure columns, one row per ``index`` (first printed value if a cell repeats)."""
    if rows.empty:
        return pd.DataFrame(columns=index)
    return rows.pivot_table(index=index, columns="measure", values="value", aggfunc="first").reset_index()


# --- the Education / SEN series --------------------------------------------------------

def education_series(obs: pd.DataFrame, council: str, period: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Education complaints and the council Total by year, Education's share of the Total.

    The Total is the council's printed "Total" row of its multi-year table (division ``all``):
    Bromley's excludes Environment & Public Protection. Returns (frame, disagreements); frame
    columns: period, education, education_source, education_n_values, total, total_source,
    total_n_values, education_share.
    """
    frame, differ = _series_frame(obs, council, ("education", "total"), period)
    frame["education_share"] = frame["education"] / frame["total"]
    return frame, differ


def sen_aspects(obs: pd.DataFrame, council: str, period: str = "") -> pd.DataFrame:
    """SEN aspects and their share of all Education aspects, per year of a service table.

    From Education's service table: the SEN row and the OVERALL row (service ''), each year
    printed in its own report only. Share with a quasi-Wilson 95% interval on n/φ, φ = that year's
    aspects per complaint (:func:`analysis.studies.root_causes.aspects_per_complaint`; aspects of one
    complaint are not independent), the plain Wilson one kept as ``plain_low``/``plain_high``.
    """
    from .root_causes import aspects_per_complaint

    rows = up_to(select(_table(obs, council, SERVICE_TABLE), division=EDUCATION, measure="aspects"), period)
    out = []
    for year, group in rows.groupby("period"):
        sen = group[group["service"] == SEN]
        overall = group[group["service"] == ""]
        if sen.empty or overall.empty:
            continue
        x, n = sen["value"].iloc[0], overall["value"].iloc[0]
        share, plain = quasi_wilson(x, n, aspects_per_complaint(obs, year, council)), wilson(x, n)
        out.append({"period": year, "sen_aspects": share.successes, "education_aspects": share.trials,
                    "sen_share": share.rate, "low": share.low, "high": share.high, "phi": share.dispersion,
                    "plain_low": plain.low, "plain_high": plain.high,
                    "sen_source": cite(sen.iloc[0]), "education_source": cite(overall.iloc[0])})
    return pd.DataFrame(out, columns=["period", "sen_aspects", "education_aspects", "sen_share", "low", "high", "phi",
                                      "plain_low", "plain_high", "sen_source", "education_source"])


def share_of_rise(frame: pd.DataFrame, start: str, end: str, part: str = "education", total: str = "total") -> dict:
    """How much of the change in ``total`` between two years the change in ``part`` accounts for.

    share = (part[end] − part[start]) / (total[end] − total[start]); above 1 means the part
    rose by more than the whole (the other divisions, together, fell). NaN when a year is
    missing or the total did not change.
    """
    by_period = frame.set_index("period")
    if start not in by_period.index or end not in by_period.index:
        return {"start": start, "end": end, "part_change": np.nan, "total_change": np.nan, "share": np.nan}
    part_change = by_period.at[end, part] - by_period.at[start, part]
    total_change = by_period.at[end, total] - by_period.at[start, total]
    share = part_change / total_change if total_change else np.nan
    return {"start": start, "end": end, "part_change": float(part_change), "total_change": float(total_change),
            "share": float(share)}


def division_series(obs: pd.DataFrame, council: str, period: str = "") -> pd.DataFrame:
    """Every division's complaints by year from the multi-year table (one value per year, reconciled).

    Wide: one row per period, one column per division (``all`` = the printed Total). A division
    the table does not print for a year stays missing (Bromley's Planning & Regeneration from
    2020-21 only).
    """
    rows = select(obs, council=council, table=OVERVIEW_TABLE, measure="complaints", service="", category="",
                  quarter="", stage="all")
    rows = up_to(rows[rows["value"].notna()], period)
    if rows.empty:
        return pd.DataFrame(columns=["period"])
    recon, _ = reconcile(rows)
    return recon.pivot_table(index="period", columns="division", values="value", aggfunc="first").reset_index()


def like_for_like_rise(divisions: pd.DataFrame, start: str, end: str, part: str = EDUCATION) -> dict:
    """Education's change over the Total's change counting only divisions printed in both years.

    The printed Total adds Planning & Regeneration from 2020-21; comparing it with an earlier
    Total counts that division's arrival as a rise. Like for like: Total − divisions missing in
    either year, in both years. ``share`` is reported only when that total rose (a share of a
    fall or of no change is not a share); otherwise ``not_estimable`` says why.
    """
    by = divisions.set_index("period")
    if start not in by.index or end not in by.index or "all" not in by:
        return {"start": start, "end": end, "excluded": [], "total_start": np.nan, "total_end": np.nan,
                "part_change": np.nan, "total_change": np.nan, "share": np.nan, "not_estimable": "a year is missing"}
    comparable = like_for_like({p: {c for c in by.columns if pd.notna(by.at[p, c])} for p in (start, end)}, start, end)
    # divisions outside the printed Total are not in it, so only those missing a year are taken off it
    excluded = [c for c in comparable.excluded if c not in OUTSIDE_TOTAL]
    total_start = by.at[start, "all"] - sum(0 if pd.isna(by.at[start, c]) else by.at[start, c] for c in excluded)
    total_end = by.at[end, "all"] - sum(0 if pd.isna(by.at[end, c]) else by.at[end, c] for c in excluded)
    part_change = by.at[end, part] - by.at[start, part]
    total_change = total_end - total_start
    reason = None if total_change > 0 else ("the like-for-like total did not rise" if total_change <= 0 else None)
    return {"start": start, "end": end, "excluded": excluded, "total_start": float(total_start),
            "total_end": float(total_end), "part_change": float(part_change), "total_change": float(total_change),
            "share": float(part_change / total_change) if reason is None else np.nan, "not_estimable": reason}


# --- the trend model ---------------------------------------------------------------------

@dataclass(frozen=True)
class Growth:
    trend: CountTrend
    data: pd.DataFrame  # period, year (0 = first), count

    @property
    def rate(self) -> float:
        """Annual growth rate: rate ratio − 1 (0.2 = +20% a year)."""
        return self.trend.rate_ratio - 1

    @property
    def low(self) -> float:
        return self.trend.low - 1

    @property
    def high(self) -> float:
        return self.trend.high - 1


def growth(periods, counts) -> Growth:
    """Log-linear count model of ``counts`` over financial years: annual growth with a 95% interval.

    log E[count] = a + b·year, fitted by :func:`analysis.stats.quasi_poisson` (the study's variance
    model for counts over years, docs/methods.md: Poisson with scale φ = Pearson χ²/df floored at 1,
    interval and p value on t with the residual df). Assumes a constant annual growth rate, years
    independent given the trend, and — with a handful of points — very little power to tell a steady
    trend from a level shift.
    """
    periods = list(periods)
    years = [int(str(p)[:4]) for p in periods]
    data = pd.DataFrame({"period": periods, "year": [y - years[0] for y in years],
                         "count": np.asarray(counts, dtype=float)})
    return Growth(quasi_poisson(data, "count", "year", "year"), data)


@dataclass(frozen=True)
class BrokenStick:
    """A log-linear trend whose slope changes at ``knot``: rate ratios per year before and after it."""

    knot: str
    before: float  # rate ratio per year up to the knot
    before_low: float
    before_high: float
    after: float  # rate ratio per year after the knot
    after_low: float
    after_high: float
    dispersion: float  # Pearson φ of the Poisson fit; the intervals use max(φ, 1) (quasi-Poisson)
    deviance: float
    n: int
    not_estimable: str | None = None
    fitted: tuple = ()  # the fitted mean per year (for the chart)


def broken_stick(periods, counts, knot: str) -> BrokenStick:
    """Quasi-Poisson fit of log E[count] = a + b·year + c·max(year − knot, 0): slopes exp(b), exp(b + c).

    A sensitivity to the single log-linear trend: it asks whether the series is flat-then-rising
    rather than steadily growing. Assumes counts independent given the two-piece trend, variance
    φ × mean (φ from the Pearson χ², floored at 1), t quantiles on the residual df. With seven
    points and three parameters the after-knot slope rests on the last few years only, and the knot
    is the series' lowest year, chosen after seeing the data: its intervals ignore that choice.
    """
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    periods = list(periods)
    years = np.array([int(str(p)[:4]) for p in periods]) - int(str(periods[0])[:4])
    k = int(str(knot)[:4]) - int(str(periods[0])[:4])
    data = pd.DataFrame({"count": np.asarray(counts, dtype=float), "year": years,
                         "after": np.clip(years - k, 0, None)})
    if not 0 < k < len(years) - 1:
        nan = float("nan")
        return BrokenStick(str(knot), nan, nan, nan, nan, nan, nan, nan, nan, len(years),
                           "the knot must leave a year on each side")
    model = smf.glm("count ~ year + after", data=data, family=sm.families.Poisson())
    plain = model.fit()
    phi = float(plain.pearson_chi2 / plain.df_resid) if plain.df_resid > 0 else float("nan")
    fitted = model.fit(scale=max(phi, 1.0)) if np.isfinite(phi) else plain
    from scipy import stats as scipy_stats

    b, cov = fitted.params, fitted.cov_params()
    slope_after = b["year"] + b["after"]
    se_after = float(np.sqrt(cov.loc["year", "year"] + cov.loc["after", "after"] + 2 * cov.loc["year", "after"]))
    se_before = float(np.sqrt(cov.loc["year", "year"]))
    # t on the residual df, as the study's variance model for counts over years (docs/methods.md, model 2)
    q = float(scipy_stats.t.ppf(0.975, plain.df_resid)) if plain.df_resid > 0 else 1.959964
    values = (float(np.exp(b["year"])), float(np.exp(b["year"] - q * se_before)), float(np.exp(b["year"] + q * se_before)),
              float(np.exp(slope_after)), float(np.exp(slope_after - q * se_after)), float(np.exp(slope_after + q * se_after)))
    reason = not_estimable_reason(*values[:3]) or not_estimable_reason(*values[3:])
    return BrokenStick(str(knot), *values, phi, float(plain.deviance), len(years), reason,
                       tuple(float(m) for m in plain.mu))


def change_points(periods, counts) -> pd.DataFrame:
    """The broken stick at every interior knot, with its deviance (lowest = the best-fitting knot)."""
    periods = list(periods)
    rows = [vars(broken_stick(periods, counts, k)) for k in periods[1:-1]]
    return pd.DataFrame(rows).sort_values("deviance", kind="mergesort").reset_index(drop=True)


def trend_band(fit: Growth, alpha: float = 0.05) -> pd.DataFrame:
    """Fitted mean per year with its 95% band (for the chart of fit vs data), under the same variance
    model as :func:`growth`: Poisson scaled by φ (floored at 1), t quantiles on the residual df. The
    band is for the mean, not for a new year's count."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf
    from scipy import stats as scipy_stats

    model = smf.glm("count ~ year", data=fit.data, family=sm.families.Poisson())
    plain = model.fit()
    df = float(plain.df_resid)
    scale = max(float(plain.pearson_chi2 / df), 1.0) if df > 0 else 1.0
    fitted = model.fit(scale=scale)
    x = np.column_stack([np.ones(len(fit.data)), fit.data["year"].to_numpy(dtype=float)])
    eta = x @ fitted.params.to_numpy()
    se = np.sqrt(np.einsum("ij,jk,ik->i", x, fitted.cov_params().to_numpy(), x))
    q = float(scipy_stats.t.ppf(1 - alpha / 2, df)) if df > 0 else float(scipy_stats.norm.ppf(1 - alpha / 2))
    return pd.DataFrame({"period": fit.data["period"], "year": fit.data["year"], "count": fit.data["count"],
                         "fitted": np.exp(eta), "low": np.exp(eta - q * se), "high": np.exp(eta + q * se)})


# --- what SEN complaints are about, and how often upheld ---------------------------------

def _service_phi(obs: pd.DataFrame, council: str, period: str) -> float:
    """φ of the upheld rates across the council's services that year (NaN without a service table)."""
    spread = service_dispersion(obs, council, period)
    return spread.phi if spread is not None else float("nan")


def nature(obs: pd.DataFrame, council: str, period: str, division: str = EDUCATION) -> pd.DataFrame:
    """A division's nature-of-complaint table: aspects per category, share, upheld or partly.

    The upheld rate's interval (``low``/``high``) is quasi-Wilson on effective counts n/φ, φ the
    division's aspects per complaint that year (``phi``, ≥ 1; variance model 1); the plain Wilson interval, which treats
    aspects as independent, is the sensitivity (``plain_low``/``plain_high``). Columns: category,
    aspects, share (of the division's aspects), upheld_or_partially, upheld_rate, low, high, phi,
    plain_low, plain_high, source.
    """
    rows = select(_table(obs, council, NATURE_TABLE, period), division=division)
    counts = rows[rows["category"] != ""]
    wide = _wide(counts, ["category"])
    if wide.empty:
        return pd.DataFrame(columns=["category", "aspects", "share", "upheld_or_partially", "upheld_rate",
                                     "low", "high", "phi", "plain_low", "plain_high", "source"])
    total = wide["aspects"].sum()
    overall = select(rows, category="", measure="aspects")
    if len(overall):
        total = overall["value"].iloc[0]
    wide["upheld_or_partially"] = wide.get("upheld", 0) + wide.get("partially_upheld", 0)
    phi = complaint_design_effect(obs, council, period, division).phi  # variance model 1 (docs/methods.md)
    rates = [quasi_wilson(u, a, phi) for u, a in zip(wide["upheld_or_partially"], wide["aspects"])]
    plain = [wilson(u, a) for u, a in zip(wide["upheld_or_partially"], wide["aspects"])]
    sources = {r.category: cite(r) for r in counts[counts["measure"] == "aspects"].itertuples()}
    out = pd.DataFrame({
        "category": wide["category"], "aspects": wide["aspects"], "share": wide["aspects"] / total,
        "upheld_or_partially": wide["upheld_or_partially"], "upheld_rate": [r.rate for r in rates],
        "low": [r.low for r in rates], "high": [r.high for r in rates], "phi": [r.dispersion for r in rates],
        "plain_low": [r.low for r in plain], "plain_high": [r.high for r in plain],
        "source": wide["category"].map(sources),
    })
    return out.sort_values("aspects", ascending=False, kind="mergesort").reset_index(drop=True)


def causes_against_rest(obs: pd.DataFrame, council: str, period: str, division: str = EDUCATION) -> pd.DataFrame:
    """Council-wide causes table: each cause's share of a division's aspects vs the rest of the council.

    The rest is the printed Total column minus the division's column (so it includes every
    other column the table prints, E&PP where printed). The difference's interval (``low``/``high``)
    and ``p_value`` are Newcombe's and the z test on effective counts n/φ, φ = that year's aspects
    per complaint (:func:`analysis.studies.root_causes.aspects_per_complaint`: aspects of one
    complaint may share their cause); the plain ones (φ = 1) are the sensitivity. Columns: category,
    division_aspects, division_total, division_share, rest_aspects, rest_total, rest_share,
    difference, low, high, p_value, p_holm (Holm over the year's causes), phi, plain_low, plain_high,
    plain_p_value, division_source, total_source.
    """
    from .root_causes import aspects_per_complaint

    rows = select(_causes_rows(obs, council, period), measure="aspects", service="")
    part = rows[rows["division"] == division]
    whole = rows[rows["division"] == "all"]
    out = []
    if part.empty or whole.empty:
        return pd.DataFrame(out)
    n_part, n_whole = _column_total(part), _column_total(whole)
    phi = aspects_per_complaint(obs, period, council)
    for row in part[part["category"] != ""].itertuples():
        match = whole[whole["category"].str.lower() == row.category.lower()]
        if match.empty or float(match["value"].iloc[0]) == 0:
            continue
        x_whole = float(match["value"].iloc[0])
        comparison = compare_proportions(row.value, n_part, x_whole - row.value, n_whole - n_part)
        adjusted = quasi_newcombe(row.value, n_part, x_whole - row.value, n_whole - n_part, phi)
        out.append({"category": row.category, "division_aspects": row.value, "division_total": n_part,
                    "division_share": comparison.rate_a, "rest_aspects": x_whole - row.value,
                    "rest_total": n_whole - n_part, "rest_share": comparison.rate_b,
                    "difference": comparison.difference, "low": adjusted.low, "high": adjusted.high,
                    "p_value": adjusted.p_value, "phi": adjusted.phi_a, "plain_low": comparison.low,
                    "plain_high": comparison.high, "plain_p_value": comparison.p_value,
                    "division_source": cite(row), "total_source": cite(match.iloc[0])})
    frame = pd.DataFrame(out)
    if len(frame):
        from ..stats import holm

        frame["p_holm"] = holm(frame["p_value"])  # every cause of the year is tested at once
    return frame.sort_values("division_aspects", ascending=False, kind="mergesort").reset_index(drop=True)


def _column_total(rows: pd.DataFrame) -> float:
    """A column's printed Total row (category ''), else the sum of its categories."""
    total = rows[rows["category"] == ""]["value"]
    return float(total.iloc[0]) if len(total) else float(rows["value"].sum())


def _causes_rows(obs: pd.DataFrame, council: str, period: str) -> pd.DataFrame:
    """The council-wide causes table: category rows by division that also have a division 'all' column."""
    rows = select(obs, council=council, period=period, measure="aspects", service="", quarter="")
    rows = rows[~rows["table"].isin([NATURE_TABLE, SERVICE_TABLE]) & rows["value"].notna()]
    with_all = rows[(rows["division"] == "all") & (rows["category"] != "")]["table"].unique()
    return rows[rows["table"].isin(with_all)]


def service_upheld(obs: pd.DataFrame, council: str, period: str) -> pd.DataFrame:
    """Every service row of every division's service table: aspects, upheld or partly, the quasi-Wilson
    interval on n/φ (φ across the services that year, column ``phi``) and the plain Wilson one as the
    sensitivity (``plain_low``/``plain_high``)."""
    rows = _table(obs, council, SERVICE_TABLE, period)
    wide = _wide(rows[rows["service"] != ""], ["division", "service"])
    if wide.empty:
        return pd.DataFrame(columns=["division", "service", "aspects", "upheld_or_partially", "rate", "low", "high",
                                     "phi", "plain_low", "plain_high"])
    wide["upheld_or_partially"] = wide.get("upheld", 0) + wide.get("partially_upheld", 0)
    phi = _service_phi(obs, council, period)
    rates = [quasi_wilson(u, a, phi) for u, a in zip(wide["upheld_or_partially"], wide["aspects"])]
    plain = [wilson(u, a) for u, a in zip(wide["upheld_or_partially"], wide["aspects"])]
    out = wide[["division", "service", "aspects", "upheld_or_partially"]].copy()
    out["rate"], out["low"], out["high"] = [r.rate for r in rates], [r.low for r in rates], [r.high for r in rates]
    out["phi"] = [r.dispersion for r in rates]
    out["plain_low"], out["plain_high"] = [r.low for r in plain], [r.high for r in plain]
    return out.sort_values(["division", "service"], kind="mergesort").reset_index(drop=True)


def upheld_against_rest(obs: pd.DataFrame, council: str, period: str, service: str = SEN) -> dict:
    """SEN's upheld-or-partly rate (aspects) against the rest of the council, with intervals.

    Rest of the council = the proportion-upheld table's TOTAL row (aspects and upheld or
    partially upheld, division 'all'; Bromley's excludes E&PP) minus the SEN row of
    Education's service table. Newcombe interval and z test for the difference on effective
    counts n/φ under variance model 1 (φ = aspects per complaint: Education's for SEN, the
    council's for the rest); φ across the services that year is the labelled sensitivity
    (``services_*``), and the plain ones, which treat aspects as independent and so flatter the
    precision, are kept as ``plain_*``.
    """
    sen = select(_table(obs, council, SERVICE_TABLE, period), division=EDUCATION, service=service)
    whole = select(obs, council=council, period=period, division="all", service="", category="", quarter="")
    whole = whole[whole["table"].isin(select(whole, measure="upheld_or_partially_upheld")["table"].unique())]
    get = {m: g["value"].iloc[0] for m, g in sen.groupby("measure")}
    total = {m: g["value"].iloc[0] for m, g in whole.groupby("measure")}
    needed_sen, needed_total = {"aspects", "upheld", "partially_upheld"}, {"aspects", "upheld_or_partially_upheld"}
    if not needed_sen <= get.keys() or not needed_total <= total.keys():
        return {}
    x_sen, n_sen = get["upheld"] + get["partially_upheld"], get["aspects"]
    x_rest, n_rest = total["upheld_or_partially_upheld"] - x_sen, total["aspects"] - n_sen
    comparison = compare_proportions(x_sen, n_sen, x_rest, n_rest)
    # variance model 1 (docs/methods.md): φ = aspects per complaint, Education's for SEN, the council's for the rest
    phi_sen = complaint_design_effect(obs, council, period, EDUCATION).phi
    phi_rest = complaint_design_effect(obs, council, period, "all").phi
    a, b = quasi_wilson(x_sen, n_sen, phi_sen), quasi_wilson(x_rest, n_rest, phi_rest)
    adjusted = quasi_newcombe(x_sen, n_sen, x_rest, n_rest, phi_sen, phi_rest)
    # labelled sensitivity: φ across the council's services (counts their real differences as chance)
    spread = service_dispersion(obs, council, period)
    phi = spread.phi if spread is not None else float("nan")
    services = quasi_newcombe(x_sen, n_sen, x_rest, n_rest, phi)
    plain_a = wilson(x_sen, n_sen)
    return {"period": period, "service": service, "sen_upheld_or_partially": x_sen, "sen_aspects": n_sen,
            "sen_rate": a.rate, "sen_low": a.low, "sen_high": a.high,
            "rest_upheld_or_partially": x_rest, "rest_aspects": n_rest,
            "rest_rate": b.rate, "rest_low": b.low, "rest_high": b.high,
            "difference": comparison.difference, "difference_low": adjusted.low,
            "difference_high": adjusted.high, "p_value": adjusted.p_value, "plain_p_value": comparison.p_value,
            "dispersion": phi_sen, "dispersion_used": a.dispersion, "dispersion_rest": b.dispersion,
            "services_dispersion": phi, "services_difference_low": services.low, "services_difference_high": services.high,
            "services_p_value": services.p_value,
            "dispersion_services": spread.services if spread is not None else 0,
            "plain_sen_low": plain_a.low, "plain_sen_high": plain_a.high,
            "plain_difference_low": comparison.low, "plain_difference_high": comparison.high,
            "sen_source": cite(select(sen, measure="aspects").iloc[0]),
            "total_source": cite(select(whole, measure="aspects").iloc[0])}


# --- consequences ------------------------------------------------------------------------

CONSEQUENCES = ("education_ombudsman_cases", "education_ombudsman_upheld", "education_financial_gbp",
                "council_financial_gbp", "council_ombudsman_upheld")


def consequences(obs: pd.DataFrame, council: str, period: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Education's Ombudsman cases, upheld Ombudsman decisions and money, by year, beside the council's.

    One value per year (:func:`series`); ``<column>_source`` gives its file:line and the
    disagreements frame lists years the reports print differently. Education's Ombudsman
    figures are the council's own records (at-a-glance tables); the council's upheld count
    is the Ombudsman's annual letter, a different count.
    """
    frame, differ = _series_frame(obs, council, CONSEQUENCES, period)
    frame["education_financial_share"] = frame["education_financial_gbp"] / frame["council_financial_gbp"]
    return frame, differ


def ombudsman_outcomes(obs: pd.DataFrame, council: str, period: str, division: str = EDUCATION) -> pd.DataFrame:
    """A division's Ombudsman outcomes table: decisions and upheld (the four UPHELD columns) per service."""
    rows = select(_table(obs, council, OMBUDSMAN_OUTCOMES_TABLE, period), division=division)
    wide = _wide(rows, ["service"])
    if wide.empty:
        return pd.DataFrame(columns=["service", "decisions", "upheld", "maladministration_injustice", "ongoing"])
    for column in (*OMBUDSMAN_UPHELD_COLUMNS, "ombudsman_decisions", "ombudsman_ongoing"):
        if column not in wide:
            wide[column] = np.nan
    for column in OMBUDSMAN_NOT_UPHELD_COLUMNS:
        if column not in wide:
            wide[column] = np.nan
    upheld = wide[list(OMBUDSMAN_UPHELD_COLUMNS)].sum(axis=1, min_count=1)
    not_upheld = wide[list(OMBUDSMAN_NOT_UPHELD_COLUMNS)].sum(axis=1, min_count=1)
    sources = {r.service: cite(r) for r in rows[rows["measure"] == "ombudsman_decisions"].itertuples()}
    return pd.DataFrame({
        "service": wide["service"].replace("", "OVERALL"), "decisions": wide["ombudsman_decisions"],
        "investigated": upheld + not_upheld, "upheld": upheld, "not_upheld": not_upheld,
        "maladministration_injustice": wide["ombudsman_maladministration_injustice"],
        "ongoing": wide["ombudsman_ongoing"], "source": wide["service"].map(sources).fillna(""),
    })


# --- other councils and qualitative evidence -------------------------------------------------

def inventory(obs: pd.DataFrame, council: str) -> pd.DataFrame:
    """What a council's clean data holds on Education / SEN: figures per table, service and measure."""
    rows = select(obs, council=council)
    text = rows["service"] + " " + rows["category"]
    hit = rows[(rows["division"] == EDUCATION) | text.str.contains(SEN_PATTERN, case=False, regex=True)]
    if hit.empty:
        return pd.DataFrame(columns=["table", "division", "service", "measure", "periods", "figures", "first_source"])
    out = []
    for key, group in hit.sort_values(["source_file", "source_line"]).groupby(
            ["table", "division", "service", "measure"], sort=True):
        out.append(dict(zip(["table", "division", "service", "measure"], key),
                        periods=", ".join(sorted(set(group["period"]))), figures=len(group),
                        first_source=cite(group.iloc[0])))
    return pd.DataFrame(out)


@dataclass(frozen=True)
class Quote:
    council: str
    text: str
    source_file: str
    source_line: int
    note: str

    @property
    def where(self) -> str:
        return f"{self.source_file}:{self.source_line}"

    @property
    def html(self) -> str:
        return html.escape(self.text)


def quote(council: str, pattern: str, note: str = "", paths: Paths | None = None) -> Quote | None:
    """The first line of ``council``'s raw reports matching ``pattern``, with its file:line (or None)."""
    from ..clean.manifest import read_manifest

    paths = paths or Paths.discover()
    for entry in sorted(read_manifest(paths), key=lambda e: e.file):
        if entry.council != council:
            continue
        text = (paths.raw / entry.file).read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if re.search(pattern, line):
                return Quote(council, line.strip(), f"data/raw/{entry.file}", number, note)
    return None


def evidence(paths: Paths | None = None, councils=None) -> list[Quote]:
    """The qualitative evidence lines (:data:`EVIDENCE`) found in the raw reports."""
    found = [quote(c, p, n, paths) for c, p, n in EVIDENCE if councils is None or c in councils]
    return [q for q in found if q is not None]


# --- the whole analysis, for the notebook -----------------------------------------------------

MODEL_YEARS = 5  # the five-year comparison the latest Bromley report prints


@dataclass
class SenAnalysis:
    council: str
    period: str  # the last year analysed ('' = every year the data holds)
    series: pd.DataFrame  # education_series
    disagreements: pd.DataFrame
    aspects: pd.DataFrame  # sen_aspects
    rises: pd.DataFrame  # share_of_rise from each earlier year to the last
    fit: Growth | None  # PRIMARY: every year with a value
    fit_recent: Growth | None  # the last MODEL_YEARS years (sensitivity: the window starts the year before the COVID low)
    band: pd.DataFrame
    table_years: list[str]  # years with Education's service table
    nature: dict[str, pd.DataFrame]
    causes: dict[str, pd.DataFrame]
    upheld: dict[str, dict]
    services: dict[str, pd.DataFrame]
    consequences: pd.DataFrame
    outcomes: dict[str, pd.DataFrame]
    inventory: pd.DataFrame
    evidence: list[Quote]
    other_councils: dict[str, pd.DataFrame]
    divisions: pd.DataFrame = None  # division_series
    like_for_like: pd.DataFrame = None  # like_for_like_rise from each earlier year to the last
    stick: BrokenStick | None = None  # broken stick with the knot at the series' lowest year
    knots: pd.DataFrame = None  # change_points: every interior knot
    money_warning: Quote | None = None
    sensitivity: pd.DataFrame = None  # primary growth estimate and its alternatives

    @property
    def has_series(self) -> bool:
        return self.series["education"].notna().sum() >= 2

    @property
    def last(self) -> str:
        return self.series.dropna(subset=["education"])["period"].iloc[-1] if self.has_series else ""


def _fit(frame: pd.DataFrame, last: int | None = None) -> Growth | None:
    rows = frame.dropna(subset=["education"])
    rows = rows.iloc[-last:] if last else rows
    return growth(rows["period"], rows["education"]) if len(rows) >= 3 else None


def analyse(obs: pd.DataFrame, council: str, period: str = "", paths: Paths | None = None) -> SenAnalysis:
    """Every part of the SEN study for one council, up to ``period`` ('' = all years)."""
    frame, differ = education_series(obs, council, period)
    money, money_differ = consequences(obs, council, period)
    known = frame.dropna(subset=["education", "total"])
    last = known["period"].iloc[-1] if len(known) else ""
    rises = pd.DataFrame([share_of_rise(known, start, last) for start in known["period"].iloc[:-1]],
                         columns=["start", "end", "part_change", "total_change", "share"])
    fit = _fit(frame)
    aspects = sen_aspects(obs, council, period)
    years = sorted(set(up_to(select(obs, council=council, table=SERVICE_TABLE, division=EDUCATION), period)["period"]))
    others = sorted({c for c, _, _ in EVIDENCE} - {council})
    result = SenAnalysis(
        council=council, period=period, series=frame,
        disagreements=pd.concat([d for d in (differ, money_differ) if len(d)] or [differ], ignore_index=True),
        aspects=aspects, rises=rises,
        fit=fit, fit_recent=_fit(frame, MODEL_YEARS), band=trend_band(fit) if fit else pd.DataFrame(),
        table_years=years,
        nature={y: nature(obs, council, y) for y in years},
        causes={y: causes_against_rest(obs, council, y) for y in years},
        upheld={y: upheld_against_rest(obs, council, y) for y in years},
        services={y: service_upheld(obs, council, y) for y in years},
        consequences=money,
        outcomes={y: ombudsman_outcomes(obs, council, y) for y in years},
        inventory=inventory(obs, council),
        evidence=evidence(paths),
        other_councils={c: inventory(obs, c) for c in others},
    )
    result.divisions = division_series(obs, council, period)
    periods = list(result.divisions["period"]) if len(result.divisions) else []
    result.like_for_like = pd.DataFrame([like_for_like_rise(result.divisions, start, last) for start in periods
                                         if last and start < last])
    rows = frame.dropna(subset=["education"])
    if len(rows) >= 4:
        low = rows.loc[rows["education"].idxmin(), "period"]
        result.knots = change_points(rows["period"], rows["education"])
        if rows["period"].iloc[0] < low < rows["period"].iloc[-1]:
            result.stick = broken_stick(rows["period"], rows["education"], low)
    result.money_warning = quote(*MONEY_WARNING, paths=paths) if council == MONEY_WARNING[0] else None
    result.sensitivity = growth_sensitivity(result)
    return result


PRIMARY_GROWTH = ("Annual growth of Education complaints over every year the reports print "
                  "(log-linear count model)")
PRIMARY_GROWTH_ASSUMPTIONS = (
    "one constant growth rate across the years (a straight line on the log scale); years independent given the "
    "trend. The series is short and bent (flat, a COVID low, then a steep rise), so the rate depends on the "
    "window: every year is the primary because it is the one window not chosen after seeing the data; the "
    "latest report's five years, which start the year before the COVID low, and the years from the low are "
    "sensitivity rows.")


def growth_sensitivity(a: SenAnalysis) -> pd.DataFrame:
    """The primary growth estimate and its alternatives (growth a year, as a fraction), one row each;
    an alternative the data cannot estimate carries ``not_estimable`` (reason), never a number."""
    rows = []

    def add(name, role, ratio, low, high, reason=None):
        reason = reason or not_estimable_reason(ratio, low, high)
        ok = reason is None
        rows.append({"estimate": name, "role": role, "growth": ratio - 1 if ok else np.nan,
                     "low": low - 1 if ok else np.nan, "high": high - 1 if ok else np.nan, "not_estimable": reason})

    if a.fit is not None:
        t = a.fit.trend
        add(f"Primary: {a.fit.data['period'].iloc[0]} to {a.fit.data['period'].iloc[-1]}, log-linear ({t.family})",
            "primary", t.rate_ratio, t.low, t.high)
    if a.fit_recent is not None and a.fit is not None and a.fit_recent.trend.n < a.fit.trend.n:
        t = a.fit_recent.trend
        add(f"The latest report's {t.n} years, {a.fit_recent.data['period'].iloc[0]} to "
            f"{a.fit_recent.data['period'].iloc[-1]} (from the year before the COVID low), log-linear",
            "sensitivity", t.rate_ratio, t.low, t.high)
    if a.stick is not None:
        b = a.stick
        add(f"Broken stick, up to {b.knot} (the lowest year)", "sensitivity", b.before, b.before_low, b.before_high,
            b.not_estimable)
        add(f"Broken stick, after {b.knot}", "sensitivity", b.after, b.after_low, b.after_high, b.not_estimable)
        rows_after = a.series.dropna(subset=["education"])
        rows_after = rows_after[rows_after["period"] >= b.knot]
        if len(rows_after) >= 3:
            fit = growth(rows_after["period"], rows_after["education"])
            add(f"From the lowest year, {rows_after['period'].iloc[0]} to {rows_after['period'].iloc[-1]}, log-linear",
                "sensitivity", fit.trend.rate_ratio, fit.trend.low, fit.trend.high)
    return pd.DataFrame(rows, columns=["estimate", "role", "growth", "low", "high", "not_estimable"])


def primary_record(a: SenAnalysis, run_id: str = "") -> Primary:
    """The SEN question's one primary (findings key ``primary``): annual growth of Education complaints
    over every year the reports print, with the window's effect stated beside it (the latest report's
    years start the year before the COVID low). Strength from the primary range and the labelled
    sensitivities; a window that changes the verdict makes it "unclear"."""
    if a.sensitivity is None or a.sensitivity.empty or not (a.sensitivity["role"] == "primary").any() or a.fit is None:
        return Primary("sen", f"{name(a.council)}'s reports give no Education complaints series to measure a rise in.",
                       None, None, None, "", "", (a.council,), tuple(a.table_years), NOT_ESTIMABLE,
                       "no council-wide Education complaints series in this council's reports", "", run_id)
    r = a.sensitivity[a.sensitivity["role"] == "primary"].iloc[0]
    if pd.isna(r["growth"]):
        return Primary("sen", f"{name(a.council)}'s Education complaints growth is not estimable.", None, None, None,
                       "% a year", "", (a.council,), tuple(a.fit.data["period"]), NOT_ESTIMABLE, r["not_estimable"], "",
                       run_id)
    sens = tuple({"label": x["estimate"], "value": x["growth"] * 100, "low": x["low"] * 100, "high": x["high"] * 100,
                  "variance": False} for _, x in a.sensitivity[a.sensitivity["role"] == "sensitivity"].iterrows()
                 if pd.notna(x["growth"]))
    strength, reason = strength_of(r["low"] * 100, r["high"] * 100, 0.0, sens)
    periods = list(a.fit.data["period"])
    finding = (f"{name(a.council)}'s Education complaints grew about {_pct(r['growth'])} a year from {periods[0]} to "
               f"{periods[-1]} (likely range {_pct(r['low'])} to {_pct(r['high'])}), from "
               f"{_n(a.fit.data['count'].iloc[0])} to {_n(a.fit.data['count'].iloc[-1])}")
    recent = a.sensitivity[a.sensitivity["estimate"].str.startswith("The latest report's")]
    if len(recent) and pd.notna(recent["growth"].iloc[0]):
        finding += (f"; over the latest report's years, which start the year before the COVID low, the rate is "
                    f"{_pct(recent['growth'].iloc[0])} a year")
    return Primary("sen", finding + ".", r["growth"] * 100, r["low"] * 100, r["high"] * 100, "% a year",
                   "95% likely range allowing for how much the yearly counts vary (t quantiles)", (a.council,),
                   tuple(periods), strength, reason,
                   "The reports give counts, not causes: more children with plans, longer waits and how readily "
                   "families complain all move the count; the growth rate summarises a short, bent series.",
                   run_id, 0.0, sens, counts="complaints")


def _growth_findings(fit: Growth | None) -> dict | None:
    if fit is None:
        return None
    t = fit.trend
    return {"periods": list(fit.data["period"]), "counts": list(fit.data["count"]), "family": t.family,
            "annual_growth": fit.rate, "low": fit.low, "high": fit.high, "rate_ratio": t.rate_ratio,
            "p_value": t.p_value, "poisson_dispersion": t.dispersion, "n": t.n}


def _records(frame: pd.DataFrame, key: str = "period") -> dict:
    if frame.empty:
        return {}
    return {str(k): {c: v for c, v in row.items() if c != key} for k, row in frame.set_index(key, drop=False).iterrows()}


def findings(result: SenAnalysis) -> dict:
    """The headline figures as a JSON-ready dict (for :func:`analysis.findings.save_findings`)."""
    a = result
    lack = {}
    for year, causes in a.causes.items():
        hit = causes[causes["category"].str.lower() == "lack of action"] if len(causes) else causes
        if len(hit):
            lack[year] = hit.iloc[0].to_dict()
    nature_rows = {y: _records(n.drop(columns=["source"]), "category") for y, n in a.nature.items()}
    return {
        "council": a.council, "period": a.period or a.last,
        "education_complaints": _records(a.series[["period", "education", "education_source",
                                                   "education_n_values", "total", "total_source",
                                                   "education_share"]]),
        "disagreements": a.disagreements.to_dict("records"),
        "sen_aspects": _records(a.aspects),
        "share_of_rise": a.rises.to_dict("records"),
        "growth": _growth_findings(a.fit),
        "growth_latest_years": _growth_findings(a.fit_recent),
        "nature_of_complaint": nature_rows,
        "lack_of_action_vs_rest": lack,
        "sen_upheld_vs_rest": a.upheld,
        "consequences": _records(a.consequences),
        "ombudsman_outcomes": {y: _records(o, "service") for y, o in a.outcomes.items()},
        "inventory_figures": int(a.inventory["figures"].sum()) if len(a.inventory) else 0,
        "evidence": [{"council": q.council, "where": q.where, "text": q.text, "note": q.note,
                      "qualitative": True} for q in a.evidence],
        "other_councils": {c: _records(i.assign(key=i["table"] + "|" + i["division"] + "|" + i["service"] + "|" + i["measure"]), "key")
                           for c, i in a.other_councils.items()},
        "key_findings": key_findings(a),
        "share_of_rise_like_for_like": [] if a.like_for_like is None else a.like_for_like.to_dict("records"),
        "broken_stick": None if a.stick is None else vars(a.stick),
        "change_points": [] if a.knots is None else a.knots.to_dict("records"),
        "primary": primary_record(a).record(),
        "growth_primary": ({"name": PRIMARY_GROWTH, "assumptions": PRIMARY_GROWTH_ASSUMPTIONS,
                            **a.sensitivity[a.sensitivity["role"] == "primary"].iloc[0].to_dict()}
                           if a.sensitivity is not None and (a.sensitivity["role"] == "primary").any() else None),
        "sensitivity": [] if a.sensitivity is None else a.sensitivity.to_dict("records"),
        "ombudsman_investigated_upheld": ombudsman_all_upheld(a),
        "money_warning": None if a.money_warning is None else {
            "text": a.money_warning.text, "where": a.money_warning.where},
        "dispersion": {y: {"phi": u["dispersion"], "phi_rest": u["dispersion_rest"], "services_phi": u["services_dispersion"],
                           "services": u["dispersion_services"]}
                       for y, u in a.upheld.items() if u},
    }


# --- charts ---------------------------------------------------------------------------------

def _pct(x: float) -> str:
    return f"{x:.0%}"


def chart_trend(result: SenAnalysis):
    """Education complaints per year (bars) with the fitted trend and its likely range (95%).

    Drawn tall and with short legend entries: on a phone the figure is 4.5 inches wide, and a long
    legend under the plot would squash the bars into a strip."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    data = result.series.dropna(subset=["education"])
    fig, ax = plt.subplots(figsize=(4.5, 6.2))
    ax.bar(data["period"], data["education"], color=PALETTE[0], label="Complaints")
    if result.fit is not None:
        band = result.band
        ax.plot(band["period"], band["fitted"], color=PALETTE[1], marker="o", label="Trend")
        ax.fill_between(band["period"], band["low"], band["high"], color=PALETTE[1], alpha=0.25,
                        label="Likely range of the trend")
        title = (f"Education complaints grew about {_pct(result.fit.rate)} a year, "
                 f"{band['period'].iloc[0]} to {band['period'].iloc[-1]}")
        stick = result.stick
        if stick is not None and stick.not_estimable is None and stick.fitted:
            ax.plot(data["period"], stick.fitted, color=PALETTE[2], linestyle="--", marker="s",
                    label=f"Flat, then rising after {stick.knot}")
        ax.set_title(_wrap(title, 80))
    else:
        ax.set_title("Education complaints by year")
    ax.set_xlabel("Financial year")
    ax.set_ylabel("Complaints (count)")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False))


def _label(fig, ax, title: str, xlabel: str, ylabel: str, legend: str = "lower right"):
    """Title (the finding), axis labels with units and a small legend; returns ``fig``."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc=legend, fontsize=8)
    return fig


def chart_upheld(result: SenAnalysis):
    """SEN's upheld-or-partly rate against the rest of the council, per year, with Wilson intervals."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    fig, ax = plt.subplots(figsize=(7, 3.8))
    years = [y for y, u in result.upheld.items() if u]
    for offset, (who, colour) in zip((-0.1, 0.1), (("sen", PALETTE[0]), ("rest", PALETTE[2]))):
        rates = [result.upheld[y][f"{who}_rate"] for y in years]
        low = [r - result.upheld[y][f"{who}_low"] for r, y in zip(rates, years)]
        high = [result.upheld[y][f"{who}_high"] - r for r, y in zip(rates, years)]
        label = "SEN aspects" if who == "sen" else "rest of the council"
        ax.errorbar([i + offset for i in range(len(years))], [100 * r for r in rates],
                    yerr=[[100 * v for v in low], [100 * v for v in high]], fmt="o", capsize=4, color=colour,
                    label=label)
    ax.set_xticks(range(len(years)), years)
    ax.set_xlim(-0.5, len(years) - 0.5)
    ax.set_ylim(0, 100)
    last = result.upheld[years[-1]] if years else {}
    title = (f"SEN complaints are upheld more often than the rest of the council's "
             f"({_pct(last['sen_rate'])} vs {_pct(last['rest_rate'])} in {years[-1]})" if last else "")
    return _label(fig, ax, title, "Financial year", "Aspects fully or partly upheld (%, with likely range)")


def chart_causes(result: SenAnalysis, year: str):
    """Each cause's share of Education's aspects vs the rest of the council's, one year."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    causes = result.causes[year].iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(causes) + 1.2))
    y = np.arange(len(causes))
    ax.barh(y + 0.2, 100 * causes["division_share"], height=0.4, color=PALETTE[0], label="Education")
    ax.barh(y - 0.2, 100 * causes["rest_share"], height=0.4, color=PALETTE[2], label="rest of the council")
    ax.set_yticks(y, causes["category"])
    top = causes.iloc[-1]
    title = (f"{top['category']} is {_pct(top['division_share'])} of Education's complaint aspects "
             f"in {year}, {_pct(top['rest_share'])} elsewhere")
    return _label(fig, ax, title, "Share of the division's complaint aspects (%)", "Cause (as printed)")


def chart_consequences(result: SenAnalysis):
    """Education's Ombudsman cases and upheld decisions (left) and its money (right), by year."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    c = result.consequences
    fig, (left, right) = plt.subplots(1, 2, figsize=(12.5, 4.2))
    _draw_ombudsman(left, c)
    rows = c.dropna(subset=["education_financial_gbp"])
    right.bar(rows["period"], rows["education_financial_gbp"], color=PALETTE[0], label="Education")
    rows_all = c.dropna(subset=["council_financial_gbp"])
    right.plot(rows_all["period"], rows_all["council_financial_gbp"], marker="o", color=PALETTE[2],
               label="whole council")
    right.set_title("Financial consequences of complaints")
    right.yaxis.set_major_formatter(lambda v, _: present.number(v, "gbp"))
    right.set_xlabel("Financial year")
    right.set_ylabel("Payments and write-offs (£)")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.tick_params(axis="x", rotation=45)
    both = c.dropna(subset=["education_financial_share"])
    if len(both):
        last = both.iloc[-1]
        fig.suptitle(f"Education accounts for {_pct(last['education_financial_share'])} of the council's "
                     f"complaint payments in {last['period']}")
    fig.tight_layout()
    return fig


def chart_ombudsman(result: SenAnalysis):
    """Education's new Ombudsman cases and the cases upheld, by year: the policy page's one chart of
    what follows SEN complaints (the money, which the report warns one or two cases can skew, is in words)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.6))
    _draw_ombudsman(ax, result.consequences)
    return fig


def _draw_ombudsman(ax, c: pd.DataFrame) -> None:
    """Education's new Ombudsman cases and cases upheld on ``ax``, titled with the upheld cases' first and last year."""
    from ..charts import PALETTE

    for column, label, colour in (("education_ombudsman_cases", "New Ombudsman cases", PALETTE[0]),
                                  ("education_ombudsman_upheld", "Cases upheld", PALETTE[3])):
        rows = c.dropna(subset=[column])
        ax.plot(rows["period"], rows[column], marker="o", color=colour, label=label)
    upheld = c.dropna(subset=["education_ombudsman_upheld"])
    ax.set_title(f"Ombudsman cases upheld against Education: {_n(upheld['education_ombudsman_upheld'].iloc[0])} in "
                 f"{upheld['period'].iloc[0]}, {_n(upheld['education_ombudsman_upheld'].iloc[-1])} in "
                 f"{upheld['period'].iloc[-1]}" if len(upheld) >= 2 else "Education's Ombudsman cases")
    ax.set_xlabel("Financial year")
    ax.set_ylabel("Cases (count)")
    ax.legend(loc="upper left", fontsize=8)


def text_money(a: SenAnalysis) -> str:
    """The money in one plain sentence (whole pounds), with the report's own warning when it prints one."""
    c = a.consequences
    share = c.dropna(subset=["education_financial_share"]) if len(c) else c
    if not len(share):
        return ""
    r = share.iloc[-1]
    text = (f"In {r['period']} complaints about Education led to {present.number(r['education_financial_gbp'], 'gbp')} "
            f"in payments and charges written off, {_pct(r['education_financial_share'])} of the council's "
            f"{present.number(r['council_financial_gbp'], 'gbp')}.")
    if a.money_warning is not None:
        text += " The council's own report warns that one or two cases can skew a year's total."
    return text


def text_ombudsman_plain(a: SenAnalysis) -> str:
    """The latest year's Ombudsman outcome for Education in one plain sentence."""
    outcomes = ombudsman_all_upheld(a)
    if not outcomes:
        return ""
    year = max(outcomes)
    o = outcomes[year]
    upheld = (f"upheld all {_n(o['investigated'])}" if o["all_upheld"] else f"upheld {_n(o['upheld'])}")
    return (f"In {year} the Ombudsman investigated {_n(o['investigated'])} complaints about Education and {upheld}; "
            f"it closed {_n(o['closed_without_investigation'])} more without an investigation. Its decisions in a "
            "year can concern cases it received in an earlier year, so upheld cases can outnumber new ones.")


def text_upheld_plain(a: SenAnalysis) -> str:
    """The latest year's upheld rates in one plain sentence, the likely range of the gap in words."""
    ups = [(y, u) for y, u in a.upheld.items() if u]
    if not ups:
        return ""
    y, u = ups[-1]
    return (f"In {y}, {_pct(u['sen_rate'])} of SEN complaint aspects were upheld, fully or partly, against "
            f"{_pct(u['rest_rate'])} for the rest of the council: a gap of {100 * u['difference']:+.0f} points "
            f"(likely range {100 * u['difference_low']:+.0f} to {100 * u['difference_high']:+.0f}).")


# --- the narrative, rendered from computed values -------------------------------------------

def name(council: str) -> str:
    return present.council(council)


def _n(x) -> str:
    return f"{x:,.0f}"


def text_series(a: SenAnalysis) -> str:
    """The Education series in one paragraph (or what the council's data holds instead)."""
    if not a.has_series:
        figures = int(a.inventory["figures"].sum()) if len(a.inventory) else 0
        return (f"**{name(a.council)}'s reports give no council-wide Education complaints series**, so there is no "
                f"surge to measure here. Its clean data holds {figures} figures on Education or SEN "
                f"(listed below); the sections that need Bromley's SEN tables are skipped.")
    s = a.series.dropna(subset=["education"])
    first, last = s.iloc[0], s.iloc[-1]
    low = s.loc[s["education"].idxmin()]
    parts = [f"{name(a.council)}'s Education complaints went from **{_n(first['education'])}** in {first['period']} "
             f"to **{_n(last['education'])}** in {last['period']}"
             f" (lowest: {_n(low['education'])} in {low['period']})."]
    if pd.notna(last["education_share"]):
        parts.append(f"Education was {_pct(first['education_share'])} of the council's Total in {first['period']} "
                     f"and {_pct(last['education_share'])} in {last['period']}.")
    return " ".join(parts)


def text_rises(a: SenAnalysis) -> str:
    lines = []
    for r in a.rises.dropna(subset=["share"]).itertuples():
        if r.total_change < 0 < r.part_change:
            lines.append(f"- {r.start} → {r.end}: Education rose by {_n(r.part_change)} while the Total fell by "
                         f"{_n(-r.total_change)}.")
            continue
        verb = "rose" if r.total_change > 0 else "fell"
        if r.share > 1:  # a share above 100% is a quotient of a small net change, not a finding: say it in counts
            lines.append(f"- {r.start} → {r.end}: the Total {verb} by {_n(abs(r.total_change))} while Education rose by "
                         f"{_n(r.part_change)}: more than the whole net rise, the other divisions together falling by "
                         f"{_n(r.part_change - r.total_change)}.")
            continue
        lines.append(f"- {r.start} → {r.end}: the Total {verb} by {_n(abs(r.total_change))}, Education changed by "
                     f"{r.part_change:+,.0f}, i.e. **{_pct(r.share)}** of the change.")
    return "\n".join(lines) or "*No two years with both an Education and a Total figure.*"


def text_growth(a: SenAnalysis) -> str:
    if a.fit is None:
        return "*Fewer than three years of Education complaints: no trend model.*"
    t, f = a.fit.trend, a.fit
    over = ("the counts vary more than a steady trend would give, which widens the interval" if t.dispersion > 1
            else "the counts vary no more than a steady trend would give")
    text = (f"Over {f.data['period'].iloc[0]}–{f.data['period'].iloc[-1]} ({t.n} years), Education complaints grew by "
            f"**{_pct(f.rate)} a year** (95% interval {_pct(f.low)} to {_pct(f.high)}; p = {t.p_value:.3f}). "
            f"The Poisson fit's Pearson dispersion is {t.dispersion:.1f}: {over} ({t.family}).")
    if a.fit_recent is not None and a.fit_recent.trend.n < t.n:
        g = a.fit_recent
        text += (f" Over the latest report's {g.trend.n} years ({g.data['period'].iloc[0]}–{g.data['period'].iloc[-1]}), "
                 f"which start the year before the COVID low, the rate is {_pct(g.rate)} a year ({_pct(g.low)} to "
                 f"{_pct(g.high)}): " + ("the window matters, so the rate is a summary of a bent series, not a "
                                         "steady growth." if abs(g.rate - f.rate) > 0.05 else "much the same."))
    return text


def _versus(x_a, n_a, what_a, rate_a, x_b, n_b, what_b, rate_b, difference, low, high) -> str:
    """'x of n <what> (**rate**) against y of m <what> (rate); difference +d points (low to high)'."""
    return (f"{_n(x_a)} of {_n(n_a)} {what_a} (**{_pct(rate_a)}**) against {_n(x_b)} of {_n(n_b)} {what_b} "
            f"({_pct(rate_b)}); difference {100 * difference:+.0f} points ({100 * low:+.0f} to {100 * high:+.0f})")


def text_aspects(a: SenAnalysis) -> str:
    """SEN's aspects and share of Education's, first and last year of a service table."""
    if a.aspects.empty:
        return f"*{name(a.council)}'s data has no SEN service table.*"
    first, last = a.aspects.iloc[0], a.aspects.iloc[-1]
    if len(a.aspects) == 1:
        return (f"SEN had **{_n(first['sen_aspects'])}** aspects in {first['period']}, {_pct(first['sen_share'])} "
                f"of Education's (the only year with a service table up to this period).")
    return (f"SEN aspects went from **{_n(first['sen_aspects'])}** ({first['period']}) to "
            f"**{_n(last['sen_aspects'])}** ({last['period']}), from {_pct(first['sen_share'])} to "
            f"{_pct(last['sen_share'])} of Education's aspects.")


def text_upheld(a: SenAnalysis) -> str:
    lines = []
    for year, u in a.upheld.items():
        if not u:
            continue
        lines.append(f"- {year}: SEN " + _versus(
            u["sen_upheld_or_partially"], u["sen_aspects"], "aspects upheld or partly", u["sen_rate"],
            u["rest_upheld_or_partially"], u["rest_aspects"], "for the rest of the council", u["rest_rate"],
            u["difference"], u["difference_low"], u["difference_high"])
            + f", allowing for several grievances per complaint ({u['dispersion_used']:.2f} aspects per Education "
              f"complaint, {u['dispersion_rest']:.2f} across the council). Allowing instead for how much the council's "
              f"{u['dispersion_services']} services differ, the range is {100 * u['services_difference_low']:+.0f} to "
              f"{100 * u['services_difference_high']:+.0f}; treating every aspect as independent, "
              f"{100 * u['plain_difference_low']:+.0f} to {100 * u['plain_difference_high']:+.0f}. Sources: "
              f"{linked_sources(u['sen_source'])}; {linked_sources(u['total_source'])}.")
    return "\n".join(lines) or "*No SEN service table in this council's data.*"


def text_causes(a: SenAnalysis) -> str:
    lines = []
    for year, causes in a.causes.items():
        for category in ("lack of action", "service delay"):
            hit = causes[causes["category"].str.lower() == category] if len(causes) else causes
            if hit.empty:
                continue
            r = hit.iloc[0]
            lines.append(f"- {year}, {r['category']}: " + _versus(
                r["division_aspects"], r["division_total"], "Education aspects", r["division_share"],
                r["rest_aspects"], r["rest_total"], "elsewhere", r["rest_share"], r["difference"], r["low"], r["high"])
                + (f", interval widened for φ = {present.number(r['phi'], 'decimal', 2)} aspects per complaint (aspects "
                   f"treated as independent: {100 * r['plain_low']:+.0f} to {100 * r['plain_high']:+.0f})"
                   if r["phi"] > 1 else " (plain interval: aspects per complaint not printed for this year)")
                + (f"; Holm-adjusted over the {len(causes)} causes compared, "
                   + ("p < 0.001" if r["p_holm"] < 0.001 else f"p = {r['p_holm']:.2g}")
                   if "p_holm" in r and pd.notna(r["p_holm"]) else "")
                + f". Source: {linked_sources(r['division_source'])}.")
    return "\n".join(lines) or "*No causes-by-division table in this council's data.*"


def text_consequences(a: SenAnalysis) -> str:
    c = a.consequences
    lines = []
    for column, label, money in (("education_ombudsman_cases", "new Ombudsman cases about Education", False),
                                 ("education_ombudsman_upheld", "Ombudsman cases upheld against Education", False),
                                 ("education_financial_gbp", "Education's financial consequences", True)):
        rows = c.dropna(subset=[column]) if column in c else c.iloc[0:0]
        if len(rows) < 2:
            continue
        fmt = (lambda v: present.number(v, "gbp")) if money else _n
        lines.append(f"- {label}: " + ", ".join(f"{fmt(v)} ({p})" for p, v in zip(rows["period"], rows[column])) + ".")
    share = c.dropna(subset=["education_financial_share"]) if len(c) else c
    if len(share):
        r = share.iloc[-1]
        lines.append(f"- In {r['period']} Education's {present.number(r['education_financial_gbp'], 'gbp')} is "
                     f"**{_pct(r['education_financial_share'])}** of the council's "
                     f"{present.number(r['council_financial_gbp'], 'gbp')}.")
    return "\n".join(lines) or "*No Education Ombudsman or financial figures in this council's data.*"


def text_quote(q: Quote) -> str:
    """A qualitative quote as a Markdown block, HTML-escaped, with its short linked citation."""
    return f"> {q.html}\n>\n> — {linked_sources(q.where)} (*qualitative: {html.escape(q.note)}*)"


def ombudsman_all_upheld(a: SenAnalysis) -> dict:
    """Per year: Education's Ombudsman decisions, those investigated (upheld + not upheld) and upheld."""
    out = {}
    for year, table in a.outcomes.items():
        overall = table[table["service"] == "OVERALL"]
        if overall.empty or pd.isna(overall["investigated"].iloc[0]):
            continue
        r = overall.iloc[0]
        out[year] = {"decisions": r["decisions"], "investigated": r["investigated"], "upheld": r["upheld"],
                     "closed_without_investigation": r["decisions"] - r["investigated"],
                     "all_upheld": bool(r["investigated"] > 0 and r["upheld"] == r["investigated"]),
                     "source": r["source"]}
    return out


def text_ombudsman(a: SenAnalysis) -> str:
    """The Ombudsman outcome in words: how many investigated Education cases were upheld."""
    lines = []
    for year, o in ombudsman_all_upheld(a).items():
        lead = ("**every one was upheld**" if o["all_upheld"] else f"{_n(o['upheld'])} were upheld")
        lines.append(f"- {year}: of Education's {_n(o['decisions'])} Ombudsman decisions, "
                     f"{_n(o['closed_without_investigation'])} {'was' if o['closed_without_investigation'] == 1 else 'were'} closed without an investigation (no further "
                     f"action, no jurisdiction, premature); of the {_n(o['investigated'])} investigated, {lead}. "
                     f"Source: {linked_sources(o['source'])}.")
    return "\n".join(lines)


def text_money_warning(a: SenAnalysis) -> str:
    if a.money_warning is None:
        return ""
    return ("**Read the money with care.** The council's own report warns: "
            f"“{html.escape(a.money_warning.text)}” ({linked_sources(a.money_warning.where)}).")


def text_like_for_like(a: SenAnalysis) -> str:
    """Education's change against the like-for-like Total's, from each earlier year to the last."""
    if a.like_for_like is None or a.like_for_like.empty:
        return "*No multi-year division table in this council's data.*"
    lines = []
    for r in a.like_for_like.to_dict("records"):
        scope = (f" (without {', '.join(present.division(d) for d in r['excluded'])}, which has no figure for "
                 f"{r['start']})" if r["excluded"] else "")
        head = (f"- {r['start']} → {r['end']}: the like-for-like Total{scope} went from {_n(r['total_start'])} to "
                f"{_n(r['total_end'])} ({r['total_change']:+,.0f}); Education changed by {r['part_change']:+,.0f}")
        printed = a.rises[a.rises["start"] == r["start"]] if a.rises is not None else a.rises
        if r["excluded"] and printed is not None and len(printed) and pd.notna(printed["share"].iloc[0]):
            head += (f" (with the printed Totals, which count the excluded division's arrival as a rise: "
                     f"{_pct(printed['share'].iloc[0])})")
        if isinstance(r["not_estimable"], str):
            lines.append(head + f" — share of the rise not estimable ({r['not_estimable']}).")
        else:
            lines.append(head + f", **{_pct(r['share'])}** of the rise"
                         + (" (more than all of it: the other divisions together fell)" if r["share"] > 1 else "") + ".")
    return "\n".join(lines)


def text_primary(a: SenAnalysis) -> str:
    if a.sensitivity is None or a.sensitivity.empty or not (a.sensitivity["role"] == "primary").any():
        return ""
    r = a.sensitivity[a.sensitivity["role"] == "primary"].iloc[0]
    low_year = a.stick.knot if a.stick is not None else None
    return (f"**Primary estimate** — {PRIMARY_GROWTH}: **{_pct(r['growth'])} a year** (95% CI {_pct(r['low'])} to "
            f"{_pct(r['high'])}).\n\n*Assumptions:* {PRIMARY_GROWTH_ASSUMPTIONS}"
            + (f" The lowest year of the whole series is {low_year}." if low_year else "")
            + " The rows below are sensitivity analyses, not rival headlines.")


def sensitivity_display(a: SenAnalysis):
    frame = a.sensitivity.assign(
        growth=[present.number(g, "share", 0) if r is None or pd.isna(r) else f"not estimable ({r})"
                for g, r in zip(a.sensitivity["growth"], a.sensitivity["not_estimable"])])
    return present.table(frame[["estimate", "growth", "low", "high"]], kinds={"growth": "text", "low": "share",
                                                                             "high": "share"},
                         labels={"estimate": "Estimate", "growth": "Growth a year", "low": "95% CI from",
                                 "high": "95% CI to"}, digits={"low": 0, "high": 0})


def series_display(a: SenAnalysis):
    frame = a.series[["period", "education", "total", "education_share", "education_source", "total_source"]]
    return present.table(frame, kinds={"period": "text", "education_share": "share", "education_source": "source",
                                       "total_source": "source"},
                         labels={"period": "Year", "education": "Education complaints", "total": "Printed Total",
                                 "education_share": "Education's share", "education_source": "Source (Education)",
                                 "total_source": "Source (Total)"}, digits={"education_share": 1})


def disagreements_display(a: SenAnalysis):
    frame = a.disagreements.assign(series=a.disagreements["series"].map(lambda k: SERIES_LABELS.get(k, k)),
                                   other_table=a.disagreements["other_table"].map(present.humanise))
    return present.table(frame, kinds={"period": "text", "chosen_source": "source", "other_source": "source",
                                       "rule": "rule", "chosen_value": "count", "other_value": "count"},
                         labels={"series": "Figure", "period": "Year", "chosen_value": "Value kept",
                                 "chosen_source": "Kept from", "other_value": "Printed elsewhere",
                                 "other_source": "Printed at", "other_table": "In table", "rule": "Rule"})


SERIES_LABELS = {"education": "Education complaints", "total": "Council Total (complaints)",
                 "education_ombudsman_cases": "Education: new Ombudsman cases",
                 "education_ombudsman_upheld": "Education: Ombudsman cases upheld",
                 "education_financial_gbp": "Education: financial remedies (£)",
                 "council_financial_gbp": "Council: financial remedies (£)",
                 "council_ombudsman_upheld": "Council: Ombudsman upheld (annual letter)"}


def consequences_display(a: SenAnalysis):
    c = a.consequences
    columns = ["period", *CONSEQUENCES, "education_financial_share"]
    return present.table(c[columns], kinds={"period": "text", "education_financial_gbp": "gbp",
                                           "council_financial_gbp": "gbp", "education_financial_share": "share"},
                         digits={"education_financial_share": 0},
                         labels={"period": "Year", **SERIES_LABELS,
                                 "education_financial_share": "Education's share of the money"})


def outcomes_display(table: pd.DataFrame):
    return present.table(table, kinds={"service": "text", "source": "source"},
                         labels={"service": "Service", "decisions": "Decisions", "investigated": "Investigated",
                                 "upheld": "Upheld", "not_upheld": "Not upheld",
                                 "maladministration_injustice": "Fault causing injustice", "ongoing": "Ongoing",
                                 "source": "Source"})


_ADJUSTED_LABELS = {"low": "95% CI from (φ-adjusted)", "high": "95% CI to (φ-adjusted)", "phi": "φ used",
                    "plain_low": "Sensitivity: CI from (plain)", "plain_high": "Sensitivity: CI to (plain)"}
_ADJUSTED_KINDS = {"low": "share", "high": "share", "phi": "decimal", "plain_low": "share", "plain_high": "share"}
_ADJUSTED_DIGITS = {"low": 0, "high": 0, "phi": 2, "plain_low": 0, "plain_high": 0}


def nature_display(table: pd.DataFrame):
    return present.table(table, kinds={"category": "text", "share": "share", "upheld_rate": "share", "source": "source",
                                       **_ADJUSTED_KINDS},
                         labels={"category": "Nature of complaint", "aspects": "Aspects", "share": "Share",
                                 "upheld_or_partially": "Upheld or partly", "upheld_rate": "Upheld rate",
                                 "source": "Source", **_ADJUSTED_LABELS},
                         digits={"share": 0, "upheld_rate": 0, **_ADJUSTED_DIGITS})


def services_display(table: pd.DataFrame):
    return present.table(table, kinds={"division": "division", "service": "text", "rate": "share", **_ADJUSTED_KINDS},
                         labels={"division": "Division", "service": "Service", "aspects": "Aspects",
                                 "upheld_or_partially": "Upheld or partly", "rate": "Rate", **_ADJUSTED_LABELS},
                         digits={"rate": 0, **_ADJUSTED_DIGITS})


def inventory_display(table: pd.DataFrame):
    frame = table.assign(table=table["table"].map(present.humanise),
                         measure=table["measure"].map(present.measure))
    return present.table(frame, kinds={"division": "division", "service": "text", "periods": "text",
                                       "first_source": "source", "measure": "text"},
                         labels={"table": "Table", "division": "Division", "service": "Service", "measure": "Measure",
                                 "periods": "Years", "figures": "Figures", "first_source": "First source"})


def band_display(a: SenAnalysis):
    return present.table(a.band[["period", "count", "fitted", "low", "high"]],
                         kinds={"period": "text", "fitted": "decimal", "low": "decimal", "high": "decimal"},
                         labels={"period": "Year", "count": "Complaints", "fitted": "Fitted trend",
                                 "low": "95% CI from", "high": "95% CI to"})


def knots_display(a: SenAnalysis):
    k = a.knots.assign(before=(a.knots["before"] - 1) * 100, after=(a.knots["after"] - 1) * 100)
    return present.table(k[["knot", "before", "after", "deviance", "dispersion"]],
                         kinds={"knot": "text", "before": "change", "after": "change", "deviance": "decimal",
                                "dispersion": "ratio"},
                         labels={"knot": "Slope changes after", "before": "Growth a year before",
                                 "after": "Growth a year after", "deviance": "Deviance (lower fits better)",
                                 "dispersion": "φ"})


def key_findings(a: SenAnalysis) -> list[str]:
    """3–5 plain-language bullets for the top of the page, from the computed results."""
    out = []
    if not a.has_series:
        figures = int(a.inventory["figures"].sum()) if len(a.inventory) else 0
        return [f"{name(a.council)}'s reports give no Education complaints series, so there is no surge to measure.",
                f"Its clean data holds {figures} figures on Education or SEN, listed on this page.",
                "Other councils' reports mention SEND pressures in words only (quoted as qualitative evidence)."]
    s = a.series.dropna(subset=["education"])
    out.append(primary_record(a).finding)  # the question's declared primary, word for word
    if a.stick is not None and a.stick.not_estimable is None:
        out.append(f"The rise is recent: roughly flat up to {a.stick.knot} (the lowest year, during COVID: "
                   f"{_n(s.loc[s['period'] == a.stick.knot, 'education'].iloc[0])} complaints), then about "
                   f"{_pct(a.stick.after - 1)} a year.")
    oh = ombudsman_all_upheld(a)
    if oh:
        year = max(oh)
        o = oh[year]
        out.append(f"In {year}, " + (f"every one of the {_n(o['investigated'])} Education cases the Ombudsman "
                                     f"investigated was upheld (of {_n(o['decisions'])} decisions, the other "
                                     f"{_n(o['closed_without_investigation'])} were closed without an investigation)"
                                     if o["all_upheld"] else
                                     f"{_n(o['upheld'])} of {_n(o['investigated'])} Education cases the Ombudsman "
                                     "investigated were upheld") + ".")
    ups = [(y, u) for y, u in a.upheld.items() if u]
    if ups:
        y, u = ups[-1]
        out.append(f"SEN complaint aspects were upheld more often than the rest of the council's in {y}: "
                   f"{_pct(u['sen_rate'])} against {_pct(u['rest_rate'])} (difference "
                   f"{100 * u['difference']:+.0f} points, 95% CI {100 * u['difference_low']:+.0f} to "
                   f"{100 * u['difference_high']:+.0f}, allowing for several grievances per complaint; "
                   f"{100 * u['services_difference_low']:+.0f} to {100 * u['services_difference_high']:+.0f} allowing "
                   "instead for how much the council's services differ).")
    lfl = a.like_for_like
    if lfl is not None and len(lfl) and len(out) < 5:
        out.append(like_for_like_sentence(a))
    return out[:5]


def like_for_like_sentence(a: SenAnalysis) -> str:
    """Education against the like-for-like Total over two windows: from the earliest year, and from the
    latest report's first year — so that "all of the rise" is never stated from one chosen base year."""
    lfl = a.like_for_like
    windows = [lfl.iloc[0]]
    if a.fit_recent is not None:
        start = a.fit_recent.data["period"].iloc[0]
        windows += [r for _, r in lfl[lfl["start"] == start].iterrows() if r["start"] != lfl.iloc[0]["start"]]
    parts = []
    for r in windows:
        if r["total_change"] > 0 and r["part_change"] >= r["total_change"]:
            verdict = "so Education accounts for all of the net rise, the other divisions together falling"
        elif r["total_change"] > 0:
            verdict = f"so Education accounts for {_pct(r['share'])} of the rise"
        else:
            verdict = "so there was no net rise for Education to account for"
        parts.append(f"from {r['start']} the Total went from {_n(r['total_start'])} to {_n(r['total_end'])} while "
                     f"Education rose by {_n(r['part_change'])}, {verdict}")
    excluded = windows[0]["excluded"]
    scope = f" (without {', '.join(present.division(d) for d in excluded)})" if excluded else ""
    text = f"Counted like for like{scope}, " + "; ".join(parts) + "."
    if len(windows) > 1:
        later, earlier = windows[-1], lfl[lfl["start"] < windows[-1]["start"]]
        if len(earlier) and (earlier["total_start"] > later["total_start"]).all():
            text += (f" Which holds depends on the base year: {later['start']} was already below every year before it "
                     f"({', '.join(_n(v) for v in earlier['total_start'])}).")
    return text


def text_cannot(a: SenAnalysis, brief: bool = False) -> str:
    """What the data cannot tell us; ``brief`` (a policy page) leaves out what the caveat under each
    chart already says (why complaints rose, service quality, the growth figure, the money)."""
    items = ["Why complaints rose: more children with EHC plans, longer waits and national pressures are all "
             "plausible, but the reports give counts, not causes; nothing here separates demand from service "
             "failure.",
             "Whether SEN services got worse: a complaint count depends on how many families use the service and "
             "how readily they complain, and neither is in the data.",
             "How steady the growth is: seven yearly points, a COVID low inside the window, and a broken stick "
             "fitting better than one straight line — the 'a year' figure is a summary of a short, bent series.",
             "How many people: Bromley counts aspects (grievances within complaints) for SEN and complaints for "
             "Education, so SEN's share of Education is in aspects, not people.",
             "Other councils' SEN trends: their reports do not print a SEN series; the quotations are qualitative."]
    if a.money_warning is not None:
        items.append("The money trend: the report itself warns that one or two cases can skew a year's total.")
    if brief:
        items = [i.replace("; the quotations are qualitative", "") for i in items
                 if i.startswith(("How many people", "Other councils"))]
    return "\n".join(f"- {i}" for i in items)
