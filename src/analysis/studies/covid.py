"""The COVID dip: how far complaints fell in 2020-21, against what, and the rebound after.

Every function takes the reconciled view (:func:`analysis.data.load_reconciled`, one value
per key; where two reports print the same year the rule and the alternatives travel with
it) and returns plain frames or dicts that a notebook shows and saves as findings.

What the reports allow, and so what this module does:

* **Observed change** — the dip year against the year before (``2019-20 → 2020-21``).
* **Counterfactual** — what the dip year "would" have been, from the pre-pandemic years of
  the same series: their mean, and a log-linear trend through them extrapolated one year.
  Reports print two to six pre-pandemic years, so the counterfactual rests on a handful
  of points; :func:`counterfactual` says how many and flags fewer than four as fragile.
* **Interrupted-time-series count model** — :func:`dip_model`: a Poisson GLM (negative
  binomial when over-dispersed, via :func:`analysis.stats.count_model`) of yearly counts
  on a log-linear trend, a dip-year indicator and, for a panel, division effects. The dip
  is the indicator's rate ratio with its 95% interval.
* **Quarters** — :func:`quarterly`: the dip located in the first lockdown quarter
  (April–June 2020, financial Q1 of 2020-21), each quarter against the same quarter a year
  before (:func:`analysis.stats.poisson_ratio`).
* **Rebound** — :func:`rebound`: later years against the last pre-pandemic year, with and
  without a division (Education, where the SEN surge sits).
"""
from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import present
from ..clean.reconcile import KEY as _KEY
from ..councils import council_label
from ..data import cite, select
from ..stats import count_model, not_estimable_reason, poisson_ratio, quasi_poisson
from .caveats import caveats_for
from .comparable import OUTSIDE_TOTAL
from .primary import NOT_ESTIMABLE, UNCLEAR, Primary, strength_of

DIP_YEAR = "2020-21"
# The Ombudsman stopped accepting and investigating complaints at the end of March 2020 and
# restarted in late June 2020 (lewisham_2020-21…txt:1190 and :1249): a chart marks it.
OMBUDSMAN_PAUSE = ("2020-03", "2020-06")
# Financial-year quarter holding the first national lockdown (April–June 2020).
FIRST_LOCKDOWN_QUARTER = "Q1"
# Fewer pre-pandemic points than this and a counterfactual trend is called fragile.
MIN_STABLE_POINTS = 4
# A part (division) needs at least this many complaints a year before the dip to enter the model.
MIN_BASELINE_MEAN = 5.0

COUNT_MEASURES = ("complaints", "representations", "enquiries", "cases", "complaints_and_enquiries",
                  "ombudsman_referrals", "ombudsman_investigations", "transactions")
_PERIOD = re.compile(r"^\d{4}-\d{2}$")


def year_index(period: str) -> int:
    """``2020-21`` → 2020 (the financial year's first calendar year)."""
    return int(period[:4])


def previous_year(period: str) -> str:
    start = year_index(period) - 1
    return f"{start}-{(start + 1) % 100:02d}"


# ---------------------------------------------------------------------------------------
# Which series: declared once, per council, each tied to the table(s) that print it


@dataclass(frozen=True)
class Series:
    """One yearly count series: the rows of ``tables`` matching ``dims``.

    The table matters: the reconciled key (council, period, division, service, stage,
    measure) can join figures that mean different things — Bromley's 2023-24 "Total" is
    738 with E&PP in its by-type table (bromley_2023-24…txt:82) and 533 without it in the
    five-year table (:94); its 2019-20 Ombudsman "OVERALL" is 89 cases on the Council's
    own system (bromley_2019-20…txt:700) against 149 referrals in the Ombudsman's letter
    (:711). So each series is reconciled within its own tables (:func:`view`, the project's
    rules of :mod:`analysis.reconcile`), and :func:`cross_check` shows where the whole
    reconciled view holds another value for the same key.
    """

    key: str
    council: str
    label: str
    tables: tuple[str, ...]
    dims: dict = field(default_factory=dict)
    channel: str = "complaints"  # complaints | enquiries | ombudsman | mixed


_WHOLE_YEAR = {"quarter": "", "category": ""}
_OMBUDSMAN = dict(division="all", service="", stage="ombudsman", **_WHOLE_YEAR)
BROMLEY_DIVISIONS_TABLE = "complaints_by_division_multi_year"
SERIES: tuple[Series, ...] = (
    # Bromley's printed Total over divisions excludes Environment & Public Protection
    # (bromley_2023-24…txt:94-95; bromley_2019-20…txt:620-621).
    Series("complaints_excl_epp", "bromley", "Complaints, all divisions excl. E&PP", (BROMLEY_DIVISIONS_TABLE,),
           dict(division="all", service="", stage="all", measure="complaints", **_WHOLE_YEAR)),
    # The Ombudsman's annual-letter referrals (bromley_2019-20…txt:711, bromley_2023-24…txt:168);
    # Lewisham's London-wide table reprints the Ombudsman's 2020-21 figure for every borough.
    Series("ombudsman_referrals", "bromley", "Ombudsman referrals (Ombudsman's annual letter)",
           ("ombudsman_annual_letter", "t11_lgsco_received_london_boroughs"),
           dict(measure="ombudsman_referrals", **_OMBUDSMAN), channel="ombudsman"),
    Series("ombudsman_investigations", "bromley", "Ombudsman investigations (annual letter)",
           ("ombudsman_annual_letter",), dict(measure="ombudsman_investigations", **_OMBUDSMAN), channel="ombudsman"),
    Series("stage_1", "lewisham", "Stage 1 complaints, Council and Lewisham Homes",
           ("t2_stage1_complaints_by_organisation",),
           dict(division="all", service="", stage="stage_1", measure="complaints", **_WHOLE_YEAR)),
    Series("stage_1_council", "lewisham", "Stage 1 complaints, Lewisham Council", ("t2_stage1_complaints_by_organisation",),
           dict(division="all", service="Lewisham Council", stage="stage_1", measure="complaints", **_WHOLE_YEAR)),
    Series("stage_1_homes", "lewisham", "Stage 1 complaints, Lewisham Homes", ("t2_stage1_complaints_by_organisation",),
           dict(division="housing", service="Lewisham Homes", stage="stage_1", measure="complaints", **_WHOLE_YEAR)),
    Series("enquiries", "lewisham", "Enquiries, Council and Lewisham Homes", ("t3_enquiries_by_organisation",),
           dict(division="all", service="", stage="enquiry", measure="enquiries", **_WHOLE_YEAR), channel="enquiries"),
    Series("complaints_and_enquiries", "lewisham", "Complaints and enquiries (Table 4)",
           ("t4_complaints_and_enquiries_by_year",),
           dict(division="all", service="", stage="all", measure="complaints_and_enquiries", **_WHOLE_YEAR),
           channel="mixed"),
    Series("adult_social_care", "lewisham", "Adult social care complaints", ("asc_complaints_by_year",),
           dict(division="adult_social_care", service="", stage="all", measure="complaints", **_WHOLE_YEAR)),
    Series("childrens_cases", "lewisham", "Children's social care cases (all types)", ("cyp_t1_cases_by_year",),
           dict(division="childrens_social_care", service="", stage="all", measure="cases", **_WHOLE_YEAR),
           channel="mixed"),
    Series("ombudsman_referrals", "lewisham", "Ombudsman referrals (LGSCO casework table)", ("t10_lgsco_casework",),
           dict(measure="ombudsman_referrals", **_OMBUDSMAN), channel="ombudsman"),
    Series("ombudsman_investigations", "lewisham", "Ombudsman detailed investigations", ("t10_lgsco_casework",),
           dict(measure="ombudsman_investigations", **_OMBUDSMAN), channel="ombudsman"),
)

# Bromley's division panel: the divisions of the printed Total (E&PP is outside it).
BROMLEY_PANEL = dict(council="bromley", service="", stage="all", measure="complaints", **_WHOLE_YEAR)
BROMLEY_OUTSIDE_TOTAL = ("all", *OUTSIDE_TOTAL)  # like for like as everywhere (analysis.studies.comparable)
# Quarterly tables: (council, table) pairs printing the same quarter in two years.
QUARTER_TABLES = (("lewisham", "asc_complaints_by_quarter"),)


def series_for(council: str) -> list[Series]:
    return [s for s in SERIES if council in ("all", s.council)]


def view(obs: pd.DataFrame, tables) -> pd.DataFrame:
    """The reconciled view of ``tables`` only: one value per key, by the project's rules
    (own-year report first, then the latest reprint…), alternatives kept."""
    from ..clean.reconcile import reconcile

    rows = obs[obs["table"].isin(list(tables))]
    if rows.empty:
        return rows.assign(rule="", n_sources=0, n_values=0, alternatives="")
    return reconcile(rows)[0]


def yearly(obs: pd.DataFrame, spec: Series) -> pd.DataFrame:
    """The series' yearly values: period, value, source (file:line), rule, n_sources, alternatives."""
    rows = select(view(obs, spec.tables), council=spec.council, **spec.dims)
    rows = rows[rows["period"].str.match(_PERIOD)].sort_values("period")
    out = rows[[*_KEY, "value", "rule", "n_sources", "alternatives"]].copy()
    out["source"] = [_own_source(r) for _, r in rows.iterrows()]
    return out.reset_index(drop=True)


def _own_source(row: pd.Series) -> str:
    """Cite the council's own report when it prints the same value as the chosen source
    (Bromley's 2020-21 Ombudsman referrals: its own report, not Lewisham's London table)."""
    own = f"/{row['council'].replace('_', '-')}_"
    if own in row["source_file"] or not row["alternatives"]:
        return cite(row)
    for alternative in json.loads(row["alternatives"]):
        if own in alternative["source_file"] and round(alternative["value"], 6) == round(float(row["value"]), 6):
            return f"{alternative['source_file']}:{int(alternative['source_line'])}"
    return cite(row)


def panel(obs: pd.DataFrame, dims: dict = BROMLEY_PANEL, table: str = BROMLEY_DIVISIONS_TABLE, by: str = "division",
          outside: tuple[str, ...] = BROMLEY_OUTSIDE_TOTAL) -> pd.DataFrame:
    """Long frame (``by``, period, value, source) of the parts of a total, from one table."""
    rows = select(view(obs, (table,)), **dims)
    rows = rows[rows["period"].str.match(_PERIOD) & ~rows[by].isin(outside)]
    out = rows[list(dict.fromkeys([by, *_KEY, "value"]))].copy()
    out["source"] = [cite(r) for _, r in rows.iterrows()]
    return out.sort_values([by, "period"]).reset_index(drop=True)


def cross_check(rec: pd.DataFrame, used: pd.DataFrame) -> pd.DataFrame:
    """For every figure used (key columns, value, source), the whole reconciled view's value
    for the same key where it differs or where the sources disagree — the other readings."""
    KEY = _KEY
    if used.empty:
        return pd.DataFrame(columns=[*KEY, "value_used", "source_used", "reconciled_value", "rule", "alternatives"])
    used = used[[*KEY, "value", "source"]].rename(columns={"value": "value_used", "source": "source_used"})
    merged = used.merge(rec[[*KEY, "value", "rule", "n_values", "source_file", "source_line", "alternatives"]],
                        on=KEY, how="left")
    merged = merged[(merged["n_values"] > 1) | (merged["value"].round(6) != merged["value_used"].round(6))]
    merged["reconciled_source"] = [f"{r.source_file}:{int(r.source_line)}" for r in merged.itertuples()]
    merged = merged.rename(columns={"value": "reconciled_value"})
    return merged[[*KEY, "value_used", "source_used", "reconciled_value", "reconciled_source", "rule",
                   "alternatives"]].reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Observed change and counterfactual


def observed_change(values: pd.Series, after: str = DIP_YEAR, before: str | None = None) -> dict | None:
    """``values`` (indexed by period): before, after, difference, % change and ratio; None if a year is missing."""
    before = before or previous_year(after)
    if before not in values.index or after not in values.index:
        return None
    b, a = float(values[before]), float(values[after])
    return {"before_period": before, "after_period": after, "before": b, "after": a, "difference": a - b,
            "pct_change": 100 * (a - b) / b if b else None, "ratio": a / b if b else None,
            **({} if b else {"not_estimable": "nothing to fall from: the earlier year is zero"})}


def counterfactual(values: pd.Series, dip_year: str = DIP_YEAR) -> dict:
    """The dip year against the pre-pandemic years of the same series.

    ``mean``: the average of the pre-pandemic years. ``trend``: a log-linear Poisson trend
    through them, extrapolated to the dip year, with the 95% interval of that expectation
    (Poisson variance; with two or three points over-dispersion cannot be checked, so the
    interval is a floor). ``fragile`` is True below :data:`MIN_STABLE_POINTS` points: one
    unusual year then moves the line, and a two-point "trend" is just the last change
    carried forward.
    """
    pre = values[[p < dip_year for p in values.index]].sort_index()
    result = {"pre_years": list(pre.index), "n_pre_years": int(len(pre)), "fragile": len(pre) < MIN_STABLE_POINTS,
              "observed": float(values[dip_year]) if dip_year in values.index else float("nan"),
              "mean": float(pre.mean()) if len(pre) else float("nan")}
    result["ratio_to_mean"] = result["observed"] / result["mean"] if result["mean"] else float("nan")
    result.update(trend=float("nan"), trend_low=float("nan"), trend_high=float("nan"),
                  ratio_to_trend=float("nan"), trend_per_year=float("nan"))
    if len(pre) >= 2:
        import statsmodels.api as sm

        x = np.array([year_index(p) for p in pre.index], dtype=float) - year_index(dip_year)
        with warnings.catch_warnings():  # two points fit exactly: statsmodels warns, the answer stands
            warnings.simplefilter("ignore")
            fitted = sm.GLM(pre.to_numpy(dtype=float), sm.add_constant(x), family=sm.families.Poisson()).fit()
            prediction = fitted.get_prediction(np.array([[1.0, 0.0]])).summary_frame(alpha=0.05)
        result.update(trend=float(prediction["mean"].iloc[0]), trend_low=float(prediction["mean_ci_lower"].iloc[0]),
                      trend_high=float(prediction["mean_ci_upper"].iloc[0]),
                      trend_per_year=float(np.exp(fitted.params[1])))
        result["ratio_to_trend"] = result["observed"] / result["trend"] if result["trend"] else float("nan")
        reason = not_estimable_reason(result["ratio_to_trend"],
                                      result["observed"] / result["trend_high"] if result["trend_high"] else float("nan"),
                                      result["observed"] / result["trend_low"] if result["trend_low"] else float("nan"))
        if reason:  # a trend through zeros (Bromley's Public Health: 1, 0, 0) extrapolates to nearly nothing
            result.update(trend=None, trend_low=None, trend_high=None, ratio_to_trend=None, trend_per_year=None,
                          not_estimable=reason)
    if not (result["mean"] and np.isfinite(result["mean"])):
        result["ratio_to_mean"] = None
    return result


# ---------------------------------------------------------------------------------------
# Interrupted time series, as a count model


def model_frame(long: pd.DataFrame, dip_year: str = DIP_YEAR, by: str | None = "division") -> pd.DataFrame:
    """Add the model's columns to a long (``by``, period, value) frame: ``count``, ``t`` (years
    from the dip year), ``dip`` (1 in the dip year) and ``post`` (1 after it).

    Parts with no figure before the dip year are dropped (a division created in 2020 has no
    baseline), as are parts averaging fewer than :data:`MIN_BASELINE_MEAN` a year before it
    (Bromley's Public Health: 1, 0, 0 — no rate to fall from, and near-zero means break the
    negative binomial's moment estimate).
    """
    frame = long.copy()
    frame["count"] = frame["value"].astype(float)
    frame["t"] = frame["period"].map(year_index) - year_index(dip_year)
    frame["dip"] = (frame["period"] == dip_year).astype(int)
    frame["post"] = (frame["t"] > 0).astype(int)
    if by and by in frame:
        baseline = frame[frame["t"] < 0].groupby(by)["count"].mean()
        keep = baseline[baseline >= MIN_BASELINE_MEAN].index
        frame = frame[frame[by].isin(keep)]
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class DipEstimate:
    rate_ratio: float
    low: float
    high: float
    p_value: float
    family: str
    dispersion: float
    n: int
    formula: str
    years: list
    parts: list
    trend: bool
    assumptions: str
    quasi_low: float = float("nan")  # Poisson with Pearson-scaled errors (quasi-Poisson): a check on the
    quasi_high: float = float("nan")  # interval when the negative binomial's alpha estimate hits its floor


def dip_model(long: pd.DataFrame, dip_year: str = DIP_YEAR, by: str | None = "division",
              after: bool = False) -> DipEstimate | None:
    """Rate ratio of the dip year with its 95% interval, from a log-linear count model.

    Default (``after=False``): fitted on the years up to the dip year,
    ``log E[count] = part effect + β·t + δ·dip`` — an effect per part (division) when there
    are several, a yearly trend ``β`` shared by the parts and identified by the pre-pandemic
    years alone, and a dip indicator whose ``exp(δ)`` is the dip against that trend.
    ``after=True`` fits every year, adding a level shift ``post`` and a slope change
    ``post_t`` for the years after the dip (the rebound), so the later years inform the
    trend's uncertainty but not the counterfactual. With fewer than two years before the
    dip no trend can be told from the dip: the model drops ``t`` and the rate ratio is
    against the pre-pandemic level.

    Assumes: counts independent given the covariates, the same proportional trend and the
    same proportional dip in every part, and Poisson variance unless the data show
    over-dispersion (then negative binomial). A dip indicator on one year is fitted
    exactly when it is the only post-trend year, so its interval comes from that year's
    counts and the trend's uncertainty.
    """
    by = by if by and by in long else None
    frame = model_frame(long, dip_year, by)
    if not after:
        frame = frame[frame["t"] <= 0]
    pre_years = sorted(frame.loc[frame["t"] < 0, "period"].unique())
    if frame.empty or not (frame["dip"] == 1).any() or not pre_years:
        return None
    terms = []
    parts = sorted(frame[by].unique()) if by else []
    if by and len(parts) > 1:
        terms.append(f"C({by})")
    trend = len(pre_years) >= 2
    if trend:
        terms.append("t")
    terms.append("dip")
    if after and (frame["post"] == 1).any():
        terms.append("post")
        if trend and frame.loc[frame["post"] == 1, "period"].nunique() >= 2:
            frame = frame.assign(post_t=frame["t"] * frame["post"])
            terms.append("post_t")
    formula = " + ".join(terms)
    with warnings.catch_warnings():  # a saturated fit (one pre year) warns of perfect prediction
        warnings.simplefilter("ignore")
        estimate = count_model(frame, "count", formula, "dip")
        quasi = _quasi_poisson_interval(frame, formula)
    assumptions = ("independent counts; " + (("one log-linear trend shared by every part; " if len(parts) > 1 else "a log-linear trend; ") if trend else
                   "no trend (fewer than two pre-pandemic years): the dip is against the pre-pandemic level; ")
                   + ("the same proportional dip in every part; " if len(parts) > 1 else "")
                   + f"{estimate.family} variance")
    return DipEstimate(estimate.rate_ratio, estimate.low, estimate.high, estimate.p_value, estimate.family,
                       estimate.dispersion, estimate.n, formula, sorted(frame["period"].unique()), parts, trend,
                       assumptions, *quasi)


def _quasi_poisson_interval(frame: pd.DataFrame, formula: str) -> tuple[float, float]:
    """95% interval of exp(dip) from a Poisson fit with standard errors scaled by Pearson χ²/df
    (NaN when the fit has no residual degrees of freedom)."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    model = smf.glm(f"count ~ {formula}", data=frame, family=sm.families.Poisson())
    plain = model.fit()
    if plain.df_resid <= 0:
        return float("nan"), float("nan")
    low, high = model.fit(scale="X2").conf_int().loc["dip"]
    return float(np.exp(low)), float(np.exp(high))


# ---------------------------------------------------------------------------------------
# Quarters, channels, rebound


def quarterly(obs: pd.DataFrame, council: str, table: str, dip_year: str = DIP_YEAR) -> pd.DataFrame:
    """Each quarter of the dip year against the same quarter a year before, from one quarterly
    table, with an exact (conditional) 95% interval for the ratio — it assumes Poisson counts
    in each quarter."""
    rows = view(obs, (table,))
    rows = rows[(rows["council"] == council) & (rows["quarter"] != "")]
    before = previous_year(dip_year)
    out = []
    for quarter in sorted(rows["quarter"].unique()):
        here = rows[rows["quarter"] == quarter].set_index("period")
        if before not in here.index or dip_year not in here.index:
            continue
        a, b = here.loc[dip_year], here.loc[before]
        ratio = poisson_ratio(a["value"], b["value"])
        row = {"quarter": quarter, "division": a["division"], "measure": a["measure"],
               "before": float(b["value"]), "after": float(a["value"]),
               "ratio": ratio.ratio, "low": ratio.low, "high": ratio.high, "p_value": ratio.p_value,
               "source_before": cite(b), "source_after": cite(a), "not_estimable": None}
        out.append(guard_ratio(row, counts=(float(a["value"]), float(b["value"]))))
    return pd.DataFrame(out)


def rebound(long: pd.DataFrame, base_year: str | None = None, dip_year: str = DIP_YEAR, by: str = "division",
            without: tuple[str, ...] = (), like_for_like: bool = True) -> pd.DataFrame:
    """Yearly totals of the parts, and each against the last pre-pandemic year (``base_year``).

    ``without`` leaves parts out (e.g. ``("education",)``, where the SEN surge sits).
    ``like_for_like`` keeps only the parts with a figure in the base year, so a division
    that joins the table later does not pass for growth.
    """
    base_year = base_year or previous_year(dip_year)
    frame = long[~long[by].isin(without)]
    if like_for_like:
        frame = frame[frame[by].isin(frame.loc[frame["period"] == base_year, by])]
    totals = frame.groupby("period")["value"].sum()
    out = pd.DataFrame({"period": totals.index, "total": totals.to_numpy()})
    base = totals.get(base_year, float("nan"))
    out["ratio_to_base"] = out["total"] / base
    out["pct_vs_base"] = 100 * (out["ratio_to_base"] - 1)
    return out.reset_index(drop=True)


def comparable_pairs(rec: pd.DataFrame, council: str, dip_year: str = DIP_YEAR,
                     measures=COUNT_MEASURES) -> pd.DataFrame:
    """Every whole-year count of ``council`` printed for both the dip year and the year before."""
    before = previous_year(dip_year)
    rows = rec[(rec["council"] == council) & rec["measure"].isin(measures) & (rec["quarter"] == "")
               & rec["period"].isin([before, dip_year])]
    key = ["division", "service", "category", "stage", "measure"]
    wide = rows.pivot_table(index=key, columns="period", values="value", aggfunc="first")
    if before not in wide or dip_year not in wide:
        return pd.DataFrame(columns=[*key, before, dip_year])
    return wide.dropna(subset=[before, dip_year]).reset_index()


def baseline(rec: pd.DataFrame, council: str, dip_year: str = DIP_YEAR, measures=COUNT_MEASURES) -> pd.DataFrame:
    """The pre-pandemic whole-year counts a council's reports give (division totals first)."""
    rows = rec[(rec["council"] == council) & rec["measure"].isin(measures) & (rec["quarter"] == "")
               & (rec["period"] < dip_year) & (rec["category"] == "")]
    key = ["division", "service", "stage", "measure"]
    if rows.empty:
        return pd.DataFrame(columns=key)
    wide = rows.pivot_table(index=key, columns="period", values="value", aggfunc="first")
    return wide.reset_index().sort_values(["service", "division", "stage", "measure"]).reset_index(drop=True)


def councils_with(rec: pd.DataFrame, dip_year: str = DIP_YEAR) -> list[str]:
    """Councils with at least one whole-year count printed for both the dip year and the year before."""
    return sorted(c for c in rec["council"].unique() if len(comparable_pairs(rec, c, dip_year)))


# ---------------------------------------------------------------------------------------
# One summary for a notebook run (and its findings file)


SATURATED = "descriptive (two points, no interval)"


def guard_ratio(entry: dict, estimate: str = "ratio", low: str = "low", high: str = "high", counts=None) -> dict:
    """``entry`` with its ratio nulled and ``not_estimable`` set when the fit is degenerate
    (:func:`analysis.stats.not_estimable_reason`): a zero count, an infinite bound or an absurd
    ratio is never published as a number."""
    reason = not_estimable_reason(entry.get(estimate), entry.get(low), entry.get(high), counts)
    if reason:
        entry.update({estimate: None, low: None, high: None, "not_estimable": reason})
    return entry


def _estimate(est: DipEstimate | None) -> dict | None:
    """A dip model as plain data. A saturated fit (as many parameters as points: Lewisham's
    two-year series) has no residual to estimate an interval from, so its Poisson interval
    would be far too narrow: it is kept as a descriptive ratio with no interval. A degenerate
    fit is "not estimable (reason)"."""
    if est is None:
        return None
    out = {"rate_ratio": est.rate_ratio, "low": est.low, "high": est.high, "p_value": est.p_value,
           "family": est.family, "dispersion": est.dispersion, "n": est.n, "formula": est.formula,
           "years": est.years, "parts": est.parts, "trend": est.trend, "assumptions": est.assumptions,
           "quasi_poisson_low": est.quasi_low, "quasi_poisson_high": est.quasi_high}
    if not np.isfinite(est.dispersion) and np.isfinite(est.rate_ratio) and 0 < est.rate_ratio < 1e3:
        out.update(low=None, high=None, p_value=None, quasi_poisson_low=None, quasi_poisson_high=None,
                   descriptive=SATURATED)
        return out
    guard_ratio(out, "rate_ratio")
    if out.get("not_estimable"):
        out.update(p_value=None, quasi_poisson_low=None, quasi_poisson_high=None)
    elif not_estimable_reason(1.0, est.quasi_low, est.quasi_high):
        out.update(quasi_poisson_low=None, quasi_poisson_high=None)
    return out


def primary_estimate(long: pd.DataFrame, dip_year: str = DIP_YEAR, by: str = "division") -> dict | None:
    """THE estimate of the dip: like for like, the dip year against the year before, over the
    parts (divisions) printed in both years, with a quasi-Poisson interval.

    Fits ``count ~ C(part) + dip`` on the two years (:func:`analysis.stats.count_model`,
    ``quasi=True``): with a free effect per part the rate ratio is exactly the like-for-like
    total's ratio, and the interval's standard error is scaled by the Pearson dispersion φ of
    the parts around one common ratio (floored at 1), so divisions that moved differently widen it.
    """
    base = previous_year(dip_year)
    frame = long[long["period"].isin([base, dip_year])].copy()
    both = frame.groupby(by)["period"].nunique()
    frame = frame[frame[by].isin(both[both == 2].index)]
    frame["count"] = frame["value"].astype(float)
    totals = frame.groupby(by)["count"].sum()
    frame = frame[frame[by].isin(totals[totals > 0].index)]  # a part at zero in both years carries no information
    frame["dip"] = (frame["period"] == dip_year).astype(int)
    parts = sorted(frame[by].unique())
    if len(parts) < 2:
        return None
    before = float(frame.loc[frame["dip"] == 0, "count"].sum())
    after = float(frame.loc[frame["dip"] == 1, "count"].sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = quasi_poisson(frame, "count", f"C({by}) + dip", "dip")
    scale = max(fit.dispersion, 1.0) if np.isfinite(fit.dispersion) else float("nan")
    out = {"name": "primary", "estimate": fit.rate_ratio, "low": fit.low, "high": fit.high,
           "dispersion": fit.dispersion, "scale": scale, "p_value": fit.p_value, "n": fit.n, "parts": parts,
           "df_resid": fit.df_resid, "quantile": fit.quantile,
           "before_period": base, "after_period": dip_year, "before": before, "after": after,
           "method": (f"like-for-like rate ratio {dip_year} vs {base}: quasi-Poisson GLM of each division's "
                      f"complaints in the two years, count ~ division + {dip_year} indicator, standard errors "
                      f"scaled by the Pearson dispersion (φ = {fit.dispersion:.2f}, floored at 1), interval and p "
                      f"value from {fit.quantile} (docs/methods.md, model 2)"),
           "assumptions": ("Only divisions printed in both years are counted, so a division that joined later "
                           "(Planning & Regeneration) does not pass for a change; every division is assumed to "
                           "share one proportional change, and how far they differ from it (φ) widens the "
                           "interval; no pre-pandemic trend is assumed (the change is against 2019-20 itself, "
                           "a year that was already below 2017-18 and 2018-19); complaints are counted as each "
                           "report's division table prints them.")}
    guard_ratio(out, "estimate", counts=(before, after))
    return out


Z95 = 1.959963984540054


def like_for_like_parts(long: pd.DataFrame, dip_year: str = DIP_YEAR, by: str = "division") -> list[str]:
    """The parts of the primary estimate: printed in both the dip year and the year before, not zero in both."""
    base = previous_year(dip_year)
    two = long[long["period"].isin([base, dip_year])]
    both = two.groupby(by)["period"].nunique()
    totals = two.groupby(by)["value"].sum()
    return sorted(p for p in both[both == 2].index if totals[p] > 0)


def borrowed_phi_estimate(long: pd.DataFrame, phi: float, dip_year: str = DIP_YEAR, by: str = "division",
                          trend: bool = False) -> dict | None:
    """Like for like (the primary's divisions, summed), the dip with a quasi-Poisson interval whose φ is
    borrowed from the division panel (``phi``: there the divisions' pre-pandemic years give it residual df).

    ``trend=False``: against the year before, ``count ~ C(division) + dip`` on the two years, as the
    primary, only with the panel's φ. ``trend=True``: the like-for-like total of every year up to the
    dip, ``count ~ t + dip`` — a log-linear trend through the pre-pandemic years carried one year
    forward; with three pre-pandemic years that fit has one residual df, so its own φ cannot be
    trusted and the larger of it and the panel's is used. Standard errors are the Poisson ones × √φ.
    """
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    parts = like_for_like_parts(long, dip_year, by)
    frame = long[long[by].isin(parts)].copy()
    frame["count"] = frame["value"].astype(float)
    frame["t"] = frame["period"].map(year_index) - year_index(dip_year)
    frame["dip"] = (frame["period"] == dip_year).astype(int)
    if trend:
        frame = frame[frame["t"] <= 0].groupby(["period", "t", "dip"], as_index=False)["count"].sum()
        formula, pre = "count ~ t + dip", int((frame["t"] < 0).sum())
        if pre < 2:
            return None
    else:
        frame = frame[frame["period"].isin([previous_year(dip_year), dip_year])]
        formula, pre = f"count ~ C({by}) + dip", 1
    if len(parts) < 2 or frame.empty:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = smf.glm(formula, data=frame, family=sm.families.Poisson()).fit()
    own = float(fit.pearson_chi2 / fit.df_resid) if fit.df_resid > 0 else float("nan")
    used = max(v for v in (own, phi, 1.0) if np.isfinite(v))
    se = float(fit.bse["dip"]) * np.sqrt(used)
    ratio = float(np.exp(fit.params["dip"]))
    out = {"estimate": ratio, "low": ratio * float(np.exp(-Z95 * se)), "high": ratio * float(np.exp(Z95 * se)),
           "dispersion": used, "own_dispersion": own, "borrowed_dispersion": phi, "df_resid": int(fit.df_resid),
           "pre_years": pre if trend else None, "parts": parts}
    return guard_ratio(out, "estimate")


def sensitivity(summary: dict, council: str = "bromley", long: pd.DataFrame | None = None,
                dip_year: str = DIP_YEAR, long_with_outside: pd.DataFrame | None = None) -> list[dict]:
    """The other readings of the same dip, each labelled: the like-for-like total with the division
    panel's φ (against the year before, and against a trend), the same with the divisions outside the
    printed Total (``long_with_outside``: Bromley's E&PP, left out of the primary as its recording is
    erratic), the printed total (which adds a division from the dip year on), its counterfactual trend
    and the panel models."""
    rows = []
    panel_model = (summary["panels"].get(council) or {}).get("model") or {}
    phi = panel_model.get("dispersion")
    if long is not None and phi is not None and np.isfinite(phi):
        for trend, name, label in (
                (False, "like_for_like_level_panel_phi", f"Like for like against {previous_year(dip_year)}, φ borrowed "
                                                        "from the division panel (year-to-year variation)"),
                (True, "like_for_like_vs_trend", "Like for like against the log-linear trend of the pre-pandemic "
                                                 "years (fragile), φ borrowed from the division panel")):
            est = borrowed_phi_estimate(long, phi, dip_year, trend=trend)
            if est:
                if trend:
                    label = label.replace("the pre-pandemic years", f"its {est['pre_years']} pre-pandemic years")
                row = {"name": name, "label": label, **est,
                       "interval": f"95% CI, quasi-Poisson, φ = {present.number(est['dispersion'], 'decimal', 2)}"}
                if est.get("not_estimable"):
                    row["interval"] = "not estimable"
                rows.append(row)
    total = summary["series"].get(f"{council}.complaints_excl_epp")
    if total and total["observed"]:
        o = total["observed"]
        rows.append({"name": "printed_total", "label": "Printed total (counts Planning & Regeneration from 2020-21), "
                     "observed ratio", "estimate": o["ratio"], "low": None, "high": None,
                     "interval": "descriptive (two points, no interval)"})
        cf = total["counterfactual"]
        if cf and np.isfinite(cf.get("ratio_to_trend", float("nan"))):
            rows.append({"name": "printed_total_vs_trend", "label": f"Printed total against the log-linear trend of "
                         f"{cf['n_pre_years']} pre-pandemic years (fragile)", "estimate": cf["ratio_to_trend"],
                         "low": None, "high": None, "interval": "descriptive (counterfactual, no interval)"})
    p = summary["panels"].get(council, {})
    for key, label in (("model", "Division panel model against the pre-pandemic trend, all divisions"),
                       ("model_without_education", "Division panel model against the trend, without Education"),
                       ("model_all_years", "Division panel model, every year (post-dip level and slope)")):
        est = p.get(key)
        if est:
            row = {"name": key, "label": label, "estimate": est["rate_ratio"], "low": est["low"], "high": est["high"],
                   "interval": f"95% CI, {est['family']}", "dispersion": est["dispersion"]}
            if est.get("not_estimable"):
                row.update(not_estimable=est["not_estimable"], interval="not estimable")
            rows.append(row)
    if long_with_outside is not None:
        wider = primary_estimate(long_with_outside, dip_year)
        added = sorted(set(wider["parts"]) - set((summary.get("dip") or {}).get("parts", []))) if wider else []
        if wider and added:
            rows.append({"name": "like_for_like_with_outside_total",
                         "label": f"Like for like with {', '.join(present.division(d) for d in added)} (outside the "
                                  f"printed Total), against {previous_year(dip_year)}",
                         **{k: wider[k] for k in ("estimate", "low", "high", "before", "after", "parts", "dispersion")},
                         **({"not_estimable": wider["not_estimable"]} if wider.get("not_estimable") else {}),
                         "interval": "not estimable" if wider.get("not_estimable") else
                         f"95% CI, quasi-Poisson, φ = {present.number(wider['dispersion'], 'decimal', 2)}"})
    return rows


def _series_summary(table: pd.DataFrame, spec: Series, dip_year: str) -> dict:
    values = table.set_index("period")["value"]
    return {
        "council": spec.council, "key": spec.key, "label": spec.label, "channel": spec.channel,
        "tables": list(spec.tables), "values": dict(values), "sources": dict(zip(table["period"], table["source"])),
        "rules": dict(zip(table["period"], table["rule"])),
        "observed": observed_change(values, dip_year),
        "counterfactual": counterfactual(values, dip_year) if dip_year in values.index else None,
        "model": _estimate(dip_model(table, dip_year, by=None)) if dip_year in values.index else None,
    }


def _panel_summary(long: pd.DataFrame, dip_year: str, without: str = "education") -> dict:
    """Division-level dips, the pooled model (with and without ``without``) and the rebound."""
    divisions = {}
    for division, rows in long.groupby("division"):
        values = rows.set_index("period")["value"]
        has_dip = dip_year in values.index and (values[values.index < dip_year] > 0).any()
        divisions[division] = {"values": dict(values), "sources": dict(zip(rows["period"], rows["source"])),
                               "observed": observed_change(values, dip_year),
                               "counterfactual": counterfactual(values, dip_year) if has_dip else None,
                               "model": _estimate(dip_model(rows, dip_year, by=None)) if has_dip else None}
    others = long[long["division"] != without]
    return {
        "divisions": divisions,
        "model": _estimate(dip_model(long, dip_year)),
        "model_without_" + without: _estimate(dip_model(others, dip_year)),
        "model_all_years": _estimate(dip_model(long, dip_year, after=True)),
        "model_all_years_without_" + without: _estimate(dip_model(others, dip_year, after=True)),
        "rebound": _frame_records(rebound(long, dip_year=dip_year)),
        "rebound_without_" + without: _frame_records(rebound(long, dip_year=dip_year, without=(without,))),
        "entered_after_base_year": sorted(set(long["division"]) - set(
            long.loc[long["period"] == previous_year(dip_year), "division"])),
    }


def _frame_records(frame: pd.DataFrame, index: str = "period") -> dict:
    return {str(row[index]): {k: v for k, v in row.items() if k != index} for _, row in frame.iterrows()}


def summarise(obs: pd.DataFrame, rec: pd.DataFrame, council: str = "all", dip_year: str = DIP_YEAR,
              caveats: pd.DataFrame | None = None) -> dict:
    """Everything the notebook states, for ``council`` (``"all"``: every council) — plain data.

    ``obs`` is the observations table (each series is reconciled within its own tables),
    ``rec`` the project's reconciled view (to say which councils have the dip year, list
    their baselines and cross-check every figure used); ``caveats`` the reviewed caveats the
    reports state about their own figures (:mod:`analysis.studies.caveats`), carried with the
    quarterly series they apply to.
    """
    councils = sorted(rec["council"].unique()) if council == "all" else [council]
    with_dip = [c for c in councils_with(rec, dip_year) if c in councils]
    series, used = {}, []
    for spec in SERIES:
        if spec.council in councils:
            table = yearly(obs, spec)
            if len(table):
                series[f"{spec.council}.{spec.key}"] = _series_summary(table, spec, dip_year)
                used.append(table)
    out = {"council": council, "dip_year": dip_year, "base_year": previous_year(dip_year),
           "ombudsman_pause": list(OMBUDSMAN_PAUSE), "councils_with_dip_year": with_dip, "series": series,
           "panels": {}, "quarters": {}, "without_dip_year": {}, "other_readings": []}
    if "bromley" in councils:
        long = panel(obs)
        if len(long):
            out["panels"]["bromley"] = _panel_summary(long, dip_year)
            used.append(long)
    for c, table in QUARTER_TABLES:
        if c in councils:
            quarters = quarterly(obs, c, table, dip_year)
            if len(quarters):
                key = f"{c}.{quarters['division'].iloc[0]}.{quarters['measure'].iloc[0]}"
                out["quarters"][key] = _frame_records(quarters, "quarter")
                out.setdefault("quarter_caveats", {})[key] = caveats_for(caveats, key)
    out["dip"], out["sensitivity"] = None, []
    if "bromley" in out["panels"]:
        out["dip"] = primary_estimate(panel(obs), dip_year)
        if out["dip"]:
            out["dip"]["council"] = "bromley"
        out["sensitivity"] = sensitivity(out, long=panel(obs), dip_year=dip_year,
                                         long_with_outside=panel(obs, outside=("all",)))
    if used:
        out["other_readings"] = cross_check(rec, pd.concat(used, ignore_index=True)).to_dict(orient="records")
    # A council whose own reports stop before the dip year (the London-wide Ombudsman table in
    # Lewisham's report gives one 2020-21 figure for every borough, never a pair): its years.
    for c in councils:
        if c in with_dip:
            continue
        own = rec[(rec["council"] == c) & rec["source_file"].str.contains(f"/{c.replace('_', '-')}_", regex=False)]
        if own.empty:
            continue
        years = sorted(p for p in own["period"].unique() if _PERIOD.match(p))
        out["without_dip_year"][c] = {"years": years, "has_dip_year": dip_year in years,
                                      "baseline_rows": int(len(baseline(rec, c, dip_year)))}
    out["key_findings"] = key_findings(out)
    out["primary"] = primary_record(out).record()
    return out


# ---------------------------------------------------------------------------------------
# Words and tables for the notebook (numbers always from the summary)


def scope_sentence(summary: dict) -> str:
    """Which councils print both years, and which of them the page measures.

    A council read only by the generic reader may print both years without a series declared for
    this study (its figures are not yet harmonised), so naming it among the councils "with both
    years" alone would suggest the page uses its figures when it does not.
    """
    with_dip = summary["councils_with_dip_year"]
    if not with_dip:
        return ""
    measured = {key.split(".")[0] for key in summary["series"]}
    used = [c for c in with_dip if c in measured]
    unused = [c for c in with_dip if c not in measured]
    text = f"Councils whose reports print both years: {', '.join(council_label(c) for c in with_dip)}."
    if unused:
        text += (f" Measured here: {', '.join(council_label(c) for c in used) or 'none'}."
                 f" Not yet compared: {', '.join(council_label(c) for c in unused)} (its figures are on"
                 " its own overview page, but are not yet matched to this page's series).")
    return text


def _pct(value: float | None) -> str:
    return present.number(value, "change", 1)


def _rr(est: dict | None, key: str = "rate_ratio") -> str:
    """A ratio with its interval, "descriptive (…)" for a saturated fit, "not estimable (reason)" otherwise."""
    if not est:
        return "not estimable (no model for this series)"
    if est.get("not_estimable"):
        return f"not estimable ({est['not_estimable']})"
    if est.get("descriptive"):
        return f"{present.number(est[key], 'ratio')}, {est['descriptive']}"
    return present.estimate(est[key], est.get("low"), est.get("high"), "ratio")


def _series_words(label: str) -> str:
    """A series' label inside a sentence: "Stage 1 complaints, Council and Lewisham Homes" → "stage 1
    complaints (Council and Lewisham Homes)", so the finding reads as a sentence and its title
    (primary.headline_of) drops the bracketed detail."""
    head, _, rest = label.partition(", ")
    head = head[:1].lower() + head[1:] if head[:2] != head[:2].upper() else head  # keep an acronym's capitals
    return f"{head} ({rest})" if rest else head


def _moved(pct: float | None) -> str:
    if pct is None or not np.isfinite(pct):
        return "changed by an unknown share"
    return f"{'fell' if pct < 0 else 'rose'} {present.number(abs(pct), 'pct', 1)}"


def _ratio_or_reason(value, holder: dict | None) -> str:
    if holder and holder.get("not_estimable"):
        return f"not estimable ({holder['not_estimable']})"
    return present.number(value, "ratio")


def primary_markdown(summary: dict) -> str:
    """The primary estimate in words, with its assumptions, then the sensitivity rows."""
    p = summary.get("dip")
    if not p:
        return ""
    text = (f"Like for like, {council_label(p['council'])}'s complaints in {p['after_period']} were "
            f"**{_rr(p, 'estimate')}** times their {p['before_period']} level "
            f"({present.number(p['before'])} → {present.number(p['after'])}, over the {len(p['parts'])} divisions "
            f"printed in both years). The interval is from a quasi-Poisson model whose standard errors are widened "
            f"by how much the divisions' changes differ from one common change (Pearson dispersion "
            f"φ = {present.number(p['dispersion'], 'decimal', 2)}).\n\n**What it assumes.** {p['assumptions']}")
    rows = {r["name"]: r for r in summary.get("sensitivity", [])}
    level, trend = rows.get("like_for_like_level_panel_phi"), rows.get("like_for_like_vs_trend")
    if trend and not trend.get("not_estimable"):
        text += (f"\n\n**Why the change against {p['before_period']}, not against a trend, is the primary.** Bromley's "
                 f"division table prints {trend['pre_years']} pre-pandemic years. A log-linear trend through "
                 f"{trend['pre_years']} yearly totals, carried one year forward, leaves "
                 f"{present.number(trend['df_resid'])} degree{'s' if trend['df_resid'] != 1 else ''} of freedom to check it by: whether complaints were "
                 "really on a steady decline, or 2019-20 was simply a low year, cannot be told from these data, so the "
                 f"counterfactual would be an assumption rather than an estimate. Against that trend the like-for-like "
                 f"ratio is {_rr(trend, 'estimate')} (φ = {present.number(trend['dispersion'], 'decimal', 2)}, borrowed "
                 "from the division panel, whose pre-pandemic years do give it residual df) — a sensitivity row.")
        if level and not level.get("not_estimable"):
            text += (f" With the same larger φ the primary comparison gives {_rr(level, 'estimate')}: the fall against "
                     f"{p['before_period']} does not hang on which dispersion is used; whether it was more than the "
                     "pre-pandemic decline continued is what the data cannot settle.")
    return text


def sensitivity_table(summary: dict) -> pd.DataFrame:
    rows = []
    p = summary.get("dip")
    if p:
        rows.append({"estimate": "Primary: like-for-like divisions, quasi-Poisson", "rate ratio": _rr(p, "estimate"),
                     "interval": f"95% CI, φ = {present.number(p['dispersion'], 'decimal', 2)}"})
    for r in summary.get("sensitivity", []):
        rows.append({"estimate": r["label"], "rate ratio": _rr({**r, "rate_ratio": r["estimate"]})
                     if r.get("low") is not None or r.get("not_estimable") else present.number(r["estimate"], "ratio"),
                     "interval": r["interval"]})
    return pd.DataFrame(rows)


def key_findings(summary: dict) -> list[str]:
    """3–5 plain sentences for the top of the page, every number from the summary."""
    dip, base = summary["dip_year"], summary["base_year"]
    primary = primary_record(summary)
    out = [primary.finding]  # the question's declared primary, word for word
    stage_1, enquiries = summary["series"].get("lewisham.stage_1"), summary["series"].get("lewisham.enquiries")
    if stage_1 and stage_1["observed"] and "stage 1" not in primary.finding.lower():
        o = stage_1["observed"]
        line = (f"Lewisham's stage 1 complaints {_moved(o['pct_change'])} ({present.number(o['before'])} → "
                f"{present.number(o['after'])})")
        if enquiries and enquiries["observed"]:
            e = enquiries["observed"]
            line += (f", while its enquiries {_moved(e['pct_change'])} ({present.number(e['before'])} → "
                     f"{present.number(e['after'])})")
        out.append(line + ".")
    for key in summary["quarters"]:
        sentence = quarter_finding(summary, key)
        if sentence:
            out.append(sentence)
    referrals = [s for s in summary["series"].values() if s["key"] == "ombudsman_referrals" and s["observed"]]
    if referrals:
        out.append("Ombudsman referrals " + "; ".join(
            f"{council_label(s['council'])} {present.number(s['observed']['before'])} → "
            f"{present.number(s['observed']['after'])}" for s in referrals)
            + f" — partly the Ombudsman's own pause ({summary['ombudsman_pause'][0]} to {summary['ombudsman_pause'][1]}).")
    panel_ = summary["panels"].get("bromley")
    if panel_:
        last = max(panel_["rebound"])
        out.append(f"By {last} Bromley's like-for-like complaints stood {_pct(panel_['rebound'][last]['pct_vs_base'])} "
                   f"on {base}, and {_pct(panel_['rebound_without_education'][last]['pct_vs_base'])} without Education.")
    if not summary["councils_with_dip_year"]:
        for c, info in summary["without_dip_year"].items():
            years = info["years"]
            out.append(f"{council_label(c)}'s reports print {years[0]} to {years[-1]}: no {dip} figures, so no dip can be "
                       "measured." if years else f"{council_label(c)}'s reports print no yearly figures.")
            out.append(f"What they do give is a pre-pandemic baseline of {present.number(info['baseline_rows'])} "
                       "yearly counts, listed below, for a later report to be set against.")
        out.append("The all-councils page measures the dip for Bromley and Lewisham, whose reports print both years.")
    return out[:5]


def primary_record(summary: dict, run_id: str = "") -> Primary:
    """The COVID question's one primary (findings key ``primary``): the like-for-like fall against the
    year before, stated beside the same fall against the pre-pandemic trend. Its strength is "unclear"
    whenever the trend comparison's likely range includes no change: the fall is then measured, but not
    attributable to the pandemic."""
    p, dip, base = summary.get("dip"), summary["dip_year"], summary["base_year"]
    observed = [s for s in summary["series"].values() if s.get("observed") and s["channel"] == "complaints"]
    if not p and observed:
        s = observed[0]
        o = s["observed"]
        return Primary("covid", f"{council_label(s['council'])}'s {_series_words(s['label'])} {_moved(o['pct_change'])} from "
                                f"{base} to {dip} ({present.number(o['before'])} to {present.number(o['after'])}).",
                       o["after"] / o["before"] if o["before"] else None, None, None, "ratio", "",
                       (s["council"],), (base, dip), UNCLEAR,
                       "two years only: nothing in the reports measures how much the count varies from year to year, "
                       "so there is no likely range, and one year's fall cannot be put down to the pandemic",
                       f"{dip} is one year; the counts say how many complaints were recorded.", run_id)
    if not p or p.get("not_estimable"):
        reason = (p or {}).get("not_estimable") or (
            "only Bromley's reports print a council's divisions in both years; the reports read here include none")
        who = tuple(summary["councils_with_dip_year"]) or ((summary["council"],) if summary["council"] != "all" else ())
        return Primary("covid", f"How far complaints fell in {dip} cannot be estimated from the reports read here.",
                       None, None, None, "", "", who, (base, dip), NOT_ESTIMABLE, reason, "", run_id)
    trend = next((r for r in summary.get("sensitivity", []) if r["name"] == "like_for_like_vs_trend"
                  and not r.get("not_estimable")), None)
    labelled = tuple({"label": r["label"], "value": r["estimate"], "low": r.get("low"), "high": r.get("high"),
                      "variance": r["name"] == "like_for_like_level_panel_phi"}
                     for r in summary.get("sensitivity", []) if r.get("low") is not None and not r.get("not_estimable"))
    strength, reason = strength_of(p["low"], p["high"], 1.0, labelled)
    if trend is not None and trend["low"] is not None and trend["low"] <= 1 <= trend["high"]:
        strength, reason = UNCLEAR, (f"complaints fell against {base}, but against the trend of the years before, when "
                                     "they were already falling, the likely range includes no change, so the fall "
                                     "cannot be put down to the pandemic")
    fall = 100 * (1 - p["estimate"])
    finding = (f"Like for like, Bromley received {present.number(fall, 'pct', 0)} fewer complaints in {dip} than in "
               f"{base} ({present.number(p['before'])} to {present.number(p['after'])}; ratio "
               f"{present.number(p['estimate'], 'ratio')}, likely range {present.number(p['low'], 'ratio')} to "
               f"{present.number(p['high'], 'ratio')})")
    if trend is not None:
        includes = trend["low"] is not None and trend["high"] is not None and trend["low"] <= 1 <= trend["high"]
        finding += (f"; against the trend of the {trend['pre_years']} years before, when complaints were already "
                    f"falling, the ratio is {present.number(trend['estimate'], 'ratio')} (likely range "
                    f"{present.number(trend['low'], 'ratio')} to {present.number(trend['high'], 'ratio')})"
                    + (", which includes no change: the fall cannot be put down to the pandemic" if includes else ""))
    caveat = (f"{dip} is one year, and complaints were already falling before it; the counts say how many complaints "
              "were recorded, not how many people had cause to complain. Only Bromley prints its divisions in both years.")
    return Primary("covid", finding + ".", p["estimate"], p["low"], p["high"], "rate ratio",
                   f"95% likely range allowing for how much divisions differ ({p.get('quantile', 'normal')} quantiles)",
                   ("bromley",), (base, dip), strength, reason, caveat, run_id, 1.0, labelled, counts="complaints")


def dip_table(summary: dict) -> pd.DataFrame:
    """One row per series: the observed change, the counterfactual and the model's rate ratio."""
    rows = []
    for _name, s in summary["series"].items():
        obs, cf, model = s["observed"], s["counterfactual"], s["model"]
        rows.append({
            "council": council_label(s["council"]), "series": s["label"],
            "before": obs["before"] if obs else np.nan, "dip year": obs["after"] if obs else np.nan,
            "% change": obs["pct_change"] if obs else np.nan,
            "pre-pandemic years": ", ".join(cf["pre_years"]) if cf else "",
            "vs mean of pre years": present.number(cf["ratio_to_mean"], "ratio") if cf else "—",
            "vs trend of pre years": _ratio_or_reason(cf["ratio_to_trend"], cf) if cf else "—",
            "fragile": ("yes" if cf["fragile"] else "no") if cf else "",
            "model rate ratio (95% CI)": _rr(model),
            "source (dip year)": s["sources"].get(summary["dip_year"], ""),
        })
    return pd.DataFrame(rows)


def division_table(summary: dict, council: str = "bromley") -> pd.DataFrame:
    p = summary["panels"].get(council)
    if not p:
        return pd.DataFrame()
    rows = []
    for division, d in p["divisions"].items():
        obs, cf = d["observed"], d["counterfactual"]
        rows.append({"division": division, **{k: v for k, v in sorted(d["values"].items())},
                     "% change into dip year": present.number(obs["pct_change"], "change", 1) if obs else "—",
                     "pre-pandemic years": ", ".join(cf["pre_years"]) if cf else "",
                     "vs trend of pre years": _ratio_or_reason(cf["ratio_to_trend"], cf) if cf else "—",
                     "own model rate ratio (95% CI)": _rr(d["model"]),
                     "source (dip year)": d["sources"].get(summary["dip_year"], "")})
    return pd.DataFrame(rows)


def model_table(summary: dict, council: str = "bromley") -> pd.DataFrame:
    p = summary["panels"].get(council, {})
    labels = {"model": "years to the dip, all divisions",
              "model_without_education": "years to the dip, without Education",
              "model_all_years": "every year (post-dip level and slope), all divisions",
              "model_all_years_without_education": "every year, without Education"}
    rows = []
    for key, label in labels.items():
        est = p.get(key)
        if est:
            rows.append({"model": label, "rate ratio (95% CI)": _rr(est),
                         "quasi-Poisson 95% CI": present.interval(est["quasi_poisson_low"], est["quasi_poisson_high"], "ratio"),
                         "family": est["family"],  # the formula (e.g. `dip + post_t`) stays in the findings
                         "Pearson dispersion": present.number(est["dispersion"], "decimal", 2), "n": est["n"],
                         "years": ", ".join(est["years"])})
    return pd.DataFrame(rows)


def readings_table(summary: dict) -> pd.DataFrame:
    """The other readings of the figures used, for display: one row per figure, both values cited."""
    readings = pd.DataFrame(summary["other_readings"])
    if readings.empty:
        return readings
    differs = readings["reconciled_value"].round(6) != readings["value_used"].round(6)
    return pd.DataFrame({"council": readings["council"], "year": readings["period"], "division": readings["division"],
                         "measure": readings["measure"], "value used": readings["value_used"],
                         "source used": readings["source_used"], "other value": readings["reconciled_value"],
                         "other source": readings["reconciled_source"], "rule": readings["rule"],
                         "differs": np.where(differs, "yes", "no")})


def baseline_table(rec: pd.DataFrame, council: str, dip_year: str = DIP_YEAR) -> pd.DataFrame:
    """:func:`baseline` for display: a year without a figure stays empty (shown as "—")."""
    frame = baseline(rec, council, dip_year)
    frame.columns.name = None
    return frame


def headlines(summary: dict) -> list[str]:
    """Bullet sentences stating the dip, each number from the summary with its source."""
    dip, base = summary["dip_year"], summary["base_year"]
    out = []
    for s in summary["series"].values():
        obs = s["observed"]
        if not obs:
            continue
        verb = "fell" if obs["difference"] < 0 else "rose"
        line = (f"**{council_label(s['council'])} — {s['label']}** {verb} from {obs['before']:,.0f} ({base}) to "
                f"{obs['after']:,.0f} ({dip}), {_pct(obs['pct_change'])} ({present.link_sources(s['sources'][dip])}).")
        cf = s["counterfactual"]
        if cf and cf["n_pre_years"] >= 2 and not cf.get("not_estimable"):
            line += (f" Against the log-linear trend of {cf['n_pre_years']} pre-pandemic years "
                     f"({', '.join(cf['pre_years'])}) the dip year is {cf['ratio_to_trend']:.2f}× the expected "
                     f"{cf['trend']:,.0f}" + (" — a fragile counterfactual with so few points." if cf["fragile"] else "."))
        out.append(line)
    return out


def _quarter_label(key: str) -> str:
    council, division, measure = key.split(".")
    return f"{council_label(council)}'s {present.division(division).lower()} {present.measure(measure)}"


def quarter_finding(summary: dict, key: str) -> str:
    """The first lockdown quarter against the same quarter a year before, never alone: with the quarter
    that rose, the whole year against its trend, and what the report says about its own quarterly counts."""
    table = summary["quarters"].get(key) or {}
    q = table.get(FIRST_LOCKDOWN_QUARTER)
    if not q:
        return ""
    text = (f"In the first lockdown quarter (April–June 2020) {_quarter_label(key)} were {present.number(q['after'])} "
            f"against {present.number(q['before'])} a year before, a rate ratio of {_rr(q, 'ratio')}")
    rises = [(k, v) for k, v in table.items() if k != FIRST_LOCKDOWN_QUARTER and v["after"] > v["before"]]
    if rises:
        k, v = max(rises, key=lambda kv: kv[1]["after"] - kv[1]["before"])
        text += f", but {k} rose from {present.number(v['before'])} to {present.number(v['after'])}"
    council, division, _ = key.split(".")
    year = summary["series"].get(f"{council}.{division}") or {}
    cf = year.get("counterfactual") or {}
    if np.isfinite(cf.get("ratio_to_trend", float("nan"))) and not cf.get("not_estimable"):
        text += (f"; over the whole year they were {present.number(cf['ratio_to_trend'], 'ratio')} times their "
                 f"{cf['n_pre_years']}-year trend")
    text += "."
    for c in (summary.get("quarter_caveats") or {}).get(key, []):
        text += f" {c['caveat']}"
    return text


def quarter_sentence(summary: dict, key: str = "lewisham.adult_social_care.complaints") -> str:
    table = summary["quarters"].get(key)
    if not table or FIRST_LOCKDOWN_QUARTER not in table:
        return "No quarterly figures for this selection."
    q = table[FIRST_LOCKDOWN_QUARTER]
    others = [f"{k}: {v['before']:.0f} → {v['after']:.0f}" for k, v in table.items() if k != FIRST_LOCKDOWN_QUARTER]
    return (f"In the first lockdown quarter (April–June 2020, {FIRST_LOCKDOWN_QUARTER} of {summary['dip_year']}) "
            f"{_quarter_label(key)} were "
            f"{q['after']:.0f} against {q['before']:.0f} a year before: a rate ratio of {_rr(q, 'ratio')} "
            f"(exact interval; {present.link_sources(q['source_after'])}, {present.link_sources(q['source_before'])}). "
            f"The other quarters: {'; '.join(others)}.")


def channel_table(summary: dict) -> pd.DataFrame:
    rows = []
    for s in summary["series"].values():
        obs = s["observed"]
        rows.append({"council": council_label(s["council"]), "channel": s["channel"], "series": s["label"],
                     **({"before": obs["before"], "dip year": obs["after"],
                         "% change": present.number(obs["pct_change"], "change", 1)} if obs else
                        {"before": np.nan, "dip year": s["values"].get(summary["dip_year"], np.nan), "% change": "—"}),
                     "sources": "; ".join(f"{k}: {v}" for k, v in s["sources"].items()
                                          if k in (summary["base_year"], summary["dip_year"]))})
    frame = pd.DataFrame(rows)
    return frame.sort_values(["channel", "council"], kind="mergesort").reset_index(drop=True) if len(frame) else frame


def channel_sentences(summary: dict) -> list[str]:
    """Per council: how complaints, enquiries and Ombudsman referrals moved into the dip year."""
    out = []
    by_council: dict[str, list] = {}
    for s in summary["series"].values():
        if s["observed"] and s["key"] in ("complaints_excl_epp", "stage_1", "enquiries", "ombudsman_referrals"):
            by_council.setdefault(s["council"], []).append(s)
    for council, items in by_council.items():
        parts = [f"{s['label']} {_pct(s['observed']['pct_change'])} "
                 f"({s['observed']['before']:,.0f} → {s['observed']['after']:,.0f})" for s in items]
        out.append(f"**{council_label(council)}**: " + "; ".join(parts) + ".")
    if out:
        start, end = summary["ombudsman_pause"]
        out.append(f"The Ombudsman took no new complaints from {start} to {end}, so its {summary['dip_year']} "
                   "referrals lost the first quarter's intake: part of their fall is the pause itself.")
    return out


def cannot_tell_text(summary: dict, brief: bool = False) -> str:
    """'What this cannot tell us', specific to the series and years this run holds; ``brief`` (a policy
    page) leaves out what the caveat under each chart already says (the cause of the fall, fewer
    complaints against fewer problems, the rebound's cause)."""
    dip, base = summary["dip_year"], summary["base_year"]
    lines = []
    p = summary.get("dip")
    trend = next((r for r in summary.get("sensitivity", []) if r["name"] == "like_for_like_vs_trend"), None)
    if p and not p.get("not_estimable"):
        pre = f"{trend['pre_years']} pre-pandemic years" if trend and trend.get("pre_years") else "few pre-pandemic years"
        lines.append(f"- **Whether the fall was the pandemic's.** {dip} is one year; Bromley's reports give {pre}, "
                     f"already falling into {base}, so a fall that would have happened anyway cannot be told apart from "
                     "one the pandemic caused, nor from anything else that changed that year.")
    if any(s.get("channel") == "ombudsman" and s.get("observed") for s in summary["series"].values()):
        lines.append(f"- **Whether fewer complaints meant fewer problems.** The Ombudsman paused its casework "
                     f"({summary['ombudsman_pause'][0]} to {summary['ombudsman_pause'][1]}) and people may have "
                     "complained less, or by other routes, while services were closed; the counts say how many were "
                     "recorded, not how many people had cause to complain.")
    two_year = [s for s in summary["series"].values() if (s.get("model") or {}).get("descriptive")]
    if two_year:
        names = sorted({council_label(s["council"]) for s in two_year})
        lines.append(f"- **How uncertain {', '.join(names)}'s changes are.** {len(two_year)} series print only "
                     f"{base} and {dip}: a ratio of two numbers with nothing to measure their year-to-year variation, "
                     "so they are shown as descriptive ratios, without intervals.")
    if summary.get("without_dip_year"):
        names = [council_label(c) for c in sorted(summary["without_dip_year"])]
        lines.append(f"- **Anything about the pandemic year for {', '.join(names)}.** "
                     f"{'Their reports' if len(names) > 1 else 'Its reports'} in the data stop before {dip}.")
    if summary["panels"].get("bromley"):
        lines.append("- **The rebound's cause.** Bromley's later years mix recovery, the SEN surge in Education and "
                     "changes in what each report counts; the rebound figures describe, they do not explain.")
    if brief:
        lines = [line for line in lines if not line.startswith(("- **Whether the fall", "- **Whether fewer",
                                                                "- **The rebound"))]
    return "\n".join(lines)


def rebound_sentence(summary: dict, council: str = "bromley", without: str = "education") -> str:
    p = summary["panels"].get(council)
    if not p:
        return ""
    last = max(p["rebound"])
    base, dip = summary["base_year"], summary["dip_year"]
    w, wo = p["rebound"], p[f"rebound_without_{without}"]
    edu = p["divisions"].get(without, {}).get("values", {})
    pre = [y for y in sorted(w) if y < dip]
    pre_totals = ", ".join(present.number(wo[y]["total"]) for y in pre if y in wo)
    pre_years = ", ".join(pre)
    return (f"Like for like, {council_label(council)}'s complaints changed {w[dip]['pct_vs_base']:+.1f}% in {dip} and by "
            f"{last} stood {w[last]['pct_vs_base']:+.1f}% against {base} ({w[base]['total']:.0f} → {w[last]['total']:.0f}). "
            f"Without {without.title()} ({edu.get(base, float('nan')):.0f} → {edu.get(last, float('nan')):.0f} over the "
            f"same years) they stood {wo[last]['pct_vs_base']:+.1f}% ({wo[base]['total']:.0f} → {wo[last]['total']:.0f}): "
            f"the rest of the council stood below its {base} level — but its complaints were already falling before the "
            f"pandemic ({pre_totals} in {pre_years}), so this is not evidence of a lasting pandemic effect.")


# ---------------------------------------------------------------------------------------
# Charts


def draw_index(summary: dict, channels=("complaints", "enquiries", "mixed")):
    """Each yearly series as an index (base year = 100), the dip year shaded."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    base, dip = summary["base_year"], summary["dip_year"]
    fell = total = 0
    for s in summary["series"].values():
        if s["channel"] not in channels or base not in s["values"]:
            continue
        values = pd.Series(s["values"]).sort_index()
        x = [year_index(p) for p in values.index]
        ax.plot(x, 100 * values / values[base], marker="o", label=f"{council_label(s['council'])}: {s['label']}")
        if s["observed"]:
            total += 1
            fell += s["observed"]["difference"] < 0
    ax.axvspan(year_index(dip) - 0.4, year_index(dip) + 0.4, color="grey", alpha=0.15, label=f"{dip} (pandemic year)")
    ax.axhline(100, color="black", linewidth=0.8)
    ax.set_xlabel("financial year (starting April of)")
    ax.set_ylabel(f"index, {base} = 100")
    ax.set_title(f"{fell} of {total} series with a {base} figure fell in {dip}")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    return fig


def _change_text(value: float) -> str:
    """A signed whole percent with a true minus sign, for chart text (the page's typesetting never reaches an SVG)."""
    return present.number(value, "change").replace("-", "\u2212")


def draw_changes(summary: dict, channels=("complaints", "enquiries", "mixed")):
    """Each series' change from the year before the pandemic into it, one bar per series: the policy page's
    chart of the dip (the index chart of every year, with its crowded lines, is on the analyst page)."""
    import matplotlib.pyplot as plt

    from ..charts import PALETTE

    base, dip = summary["base_year"], summary["dip_year"]
    rows = [(f"{council_label(s['council'])}: {s['label']}", s["observed"]["pct_change"])
            for s in summary["series"].values()
            if s["channel"] in channels and base in s["values"] and s["observed"]
            and s["observed"].get("pct_change") is not None]
    rows = sorted(rows, key=lambda r: r[1], reverse=True)
    import textwrap

    fig, ax = plt.subplots(figsize=(4.5, 0.8 * len(rows) + 1.4))
    y = np.arange(len(rows))
    values = [v for _, v in rows]
    ax.barh(y + 0.15, values, height=0.4, color=[PALETTE[1] if v < 0 else PALETTE[0] for v in values])
    for (label, v), top in zip(rows, y):  # each series named above its bar: the bars keep the width
        ax.text(0.01, top - 0.12, textwrap.fill(label, 40), transform=ax.get_yaxis_transform(), va="bottom",
                ha="left")
        ax.annotate(_change_text(v), (v, top + 0.15), xytext=(-4 if v < 0 else 4, 0), textcoords="offset points",
                    ha="right" if v < 0 else "left", va="center")
    ax.set_yticks([])
    ax.set_ylim(len(rows) - 0.4, -0.75)
    ax.axvline(0, color="black", linewidth=0.8)
    low = min([0.0, *values])
    ax.set_xlim(low * 1.3 - 2, max([0.0, *values]) * 1.3 + 2)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(5))
    fell = sum(v < 0 for v in values)
    ax.set_title(f"{fell} of {len(rows)} series fell from {base} to {dip}" if len(rows) > 1 else
                 f"Complaints {'fell' if fell else 'rose'} from {base} to {dip}")
    ax.set_xlabel(f"% change, {base} to {dip}")
    return fig


def chart_source(summary: dict, councils=None) -> str:
    """A chart's source line naming only the reports its series come from (a page's default names every report)."""
    files = {str(where).rpartition(":")[0] or str(where) for s in summary["series"].values()
             if councils is None or s["council"] in councils for where in s["sources"].values() if where}
    names = sorted(present.report_name(f).removesuffix(" report") for f in files)
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"the councils' annual complaints reports ({listed}); analysis by this study"


def dip_caveat(summary: dict) -> str:
    """The caveat under the policy page's dip chart, naming a pre-pandemic fall only where the page shows one."""
    text = "**Caveat.** One year's fall cannot be told apart from one that would have happened anyway"
    p = summary["panels"].get("bromley")
    base = summary["base_year"]
    pre = sorted(y for y in (p or {}).get("rebound", {}) if y <= base)
    if p and len(pre) >= 2 and p["rebound"][pre[0]]["total"] > p["rebound"][base]["total"]:
        return text + f": Bromley's complaints were already falling before the pandemic ({pre[0]} to {base})."
    return text + "."


def quarter_plain(summary: dict, key: str = "lewisham.adult_social_care.complaints") -> str:
    """The first lockdown quarter against the same quarter a year before, in plain words."""
    table = summary["quarters"].get(key)
    if not table or FIRST_LOCKDOWN_QUARTER not in table:
        return ""
    q = table[FIRST_LOCKDOWN_QUARTER]
    return (f"From April to June 2020 {_quarter_label(key)} were {present.number(q['after'])}, against "
            f"{present.number(q['before'])} in the same months a year before.")


def quarter_caveat(summary: dict, key: str = "lewisham.adult_social_care.complaints") -> str:
    """The caveat under the quarterly chart: small counts, and what the report says about its own quarters."""
    table = summary["quarters"].get(key) or {}
    if not table:
        return ""
    most = max(max(v["before"], v["after"]) for v in table.values())
    noted = bool((summary.get("quarter_caveats") or {}).get(key))  # the report's own note, quoted in the main points
    return (f"**Caveat.** No quarter holds more than {present.number(most)} complaints, so a handful more or fewer "
            "changes the picture" + ("; and the report itself warns that a complaint may be counted in a later "
                                     "quarter than the one it was made in (see the main points)." if noted else "."))


def draw_quarters(summary: dict, key: str = "lewisham.adult_social_care.complaints"):
    """Quarter by quarter, the dip year against the year before, with the Ombudsman pause marked."""
    import matplotlib.pyplot as plt

    table = summary["quarters"][key]
    quarters = list(table)
    x = np.arange(len(quarters))
    fig, ax = plt.subplots(figsize=(4.5, 5))
    ax.bar(x - 0.2, [table[q]["before"] for q in quarters], 0.4, label=summary["base_year"])
    ax.bar(x + 0.2, [table[q]["after"] for q in quarters], 0.4, label=summary["dip_year"])
    if FIRST_LOCKDOWN_QUARTER in quarters:
        i = quarters.index(FIRST_LOCKDOWN_QUARTER)
        ax.axvspan(i - 0.5, i + 0.5, color="grey", alpha=0.15,
                   label="first lockdown; Ombudsman casework paused (Mar–Jun 2020)")
        q = table[FIRST_LOCKDOWN_QUARTER]
        title = f"{_quarter_label(key)}: {q['before']:.0f} → {q['after']:.0f} in the first lockdown quarter"
    else:
        title = f"{key}: quarterly complaints"
    ax.set_xticks(x, [f"{q}" for q in quarters])
    ax.set_xlabel("financial-year quarter (Q1 = April–June)")
    ax.set_ylabel("complaints received")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def draw_rebound(summary: dict, council: str = "bromley", without: str = "education"):
    """Like-for-like totals against the base year, with and without one division."""
    import matplotlib.pyplot as plt

    p = summary["panels"][council]
    fig, ax = plt.subplots(figsize=(7, 4))
    last = {}
    for key, label in (("rebound", "all divisions"), (f"rebound_without_{without}", f"without {without.title()}")):
        series = pd.Series({k: v["pct_vs_base"] for k, v in p[key].items()}).sort_index()
        ax.plot([year_index(k) for k in series.index], series.to_numpy(), marker="o", label=label)
        last[label] = series.iloc[-1]
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvspan(year_index(summary["dip_year"]) - 0.4, year_index(summary["dip_year"]) + 0.4, color="grey", alpha=0.15)
    ax.set_xlabel("financial year (starting April of)")
    ax.set_ylabel(f"% change on {summary['base_year']}")
    (l1, v1), (l2, v2) = last.items()
    ax.set_title(f"{council_label(council)} rebound: {_change_text(v1)} with Education, {_change_text(v2)} without, "
                 "by the last year")
    ax.legend(fontsize=8)
    return fig
